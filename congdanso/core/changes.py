"""Writes to residents announce themselves, so that the figures other apps keep about
residents (the campaign tallies) stay exact without the people app knowing those apps.

A writer wraps its change in `residents_changing(...)`; each app that keeps such figures
registers a context manager with the same keywords (campaigns registers
`campaigns.tallies.tally_change` when it starts).
"""

from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager

Handler = Callable[..., AbstractContextManager[None]]

_HANDLERS: list[Handler] = []


def residents_changing_register(handler: Handler) -> None:
    if handler not in _HANDLERS:
        _HANDLERS.append(handler)


@contextmanager
def residents_changing(
    *, residents: Iterable[int] = (), communes: Iterable[int] = (), turns: bool = False
) -> Iterator[None]:
    """The block changes these residents (or every resident of the communes)."""
    residents, communes = list(residents), list(communes)
    with ExitStack() as stack:
        for handler in _HANDLERS:
            stack.enter_context(handler(residents=residents, communes=communes, turns=turns))
        yield
