"""Hooks: how a lower app triggers the work of a higher one without importing it.

The apps form layers (docs/ARCHITECTURE.md): a domain app imports only the apps below it.
Some writes low in the stack must still reach figures kept higher up — the campaign tallies
(`congdanso.progress`) count residents, achievements, turns and sessions that the people,
campaigns, outreach and privacy apps write. So the lower app calls a hook here, and the
higher app registers what the hook does in its `AppConfig.ready()`:

- `residents_changing(residents=…, communes=…, achievements=…, turns=…)`: a context manager
  around a write that changes these residents (or every resident of these communes) — their
  own data and achievements (`achievements`), and/or their turns and the sessions these are
  in (`turns`). The tallies read the residents before and after and apply the difference.
- `residents_found(...)`: inside such a block, residents found on the way, before they
  change (a session's earlier turns that start counting when it is marked held), or
  residents the block created (`created=True`: a resident added by hand).
- `campaign_rules_changed(campaign)`: after the campaign's period, criteria or cohort
  changed, inside the same transaction (the tallies are computed again).
- `campaign_target_changed(target)`: after one of the campaign's own targets was added or
  its terms changed, inside the same transaction (that target's tallies alone are computed
  again).
- `campaign_period_check(campaign, start, end)`: before a campaign's period changes; a
  registered check raises a `DomainError` to refuse it (outreach: sessions left outside).
- `place_archive_check(place)`: before a village or site is archived; likewise (people:
  residents still living there).

With no handler registered a hook does nothing (a block still runs).
"""

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from typing import Any

ChangeHandler = Callable[..., AbstractContextManager[None]]

_CHANGING: list[ChangeHandler] = []
_FOUND: list[Callable[..., None]] = []
_RULES_CHANGED: list[Callable[[Any], object]] = []
_TARGET_CHANGED: list[Callable[[Any], object]] = []
_PERIOD_CHECKS: list[Callable[[Any, dt.date, dt.date], None]] = []
_ARCHIVE_CHECKS: list[Callable[[Any], None]] = []


def _add(handlers: list[Any], handler: Any) -> None:
    if handler not in handlers:
        handlers.append(handler)


def residents_changing_register(handler: ChangeHandler) -> None:
    _add(_CHANGING, handler)


def residents_found_register(handler: Callable[..., None]) -> None:
    _add(_FOUND, handler)


def campaign_rules_changed_register(handler: Callable[[Any], object]) -> None:
    _add(_RULES_CHANGED, handler)


def campaign_target_changed_register(handler: Callable[[Any], object]) -> None:
    _add(_TARGET_CHANGED, handler)


def campaign_period_check_register(handler: Callable[[Any, dt.date, dt.date], None]) -> None:
    _add(_PERIOD_CHECKS, handler)


def place_archive_check_register(handler: Callable[[Any], None]) -> None:
    _add(_ARCHIVE_CHECKS, handler)


@contextmanager
def residents_changing(
    *,
    residents: Iterable[int] = (),
    communes: Iterable[int] = (),
    achievements: bool = True,
    turns: bool = False,
) -> Iterator[None]:
    """The block changes these residents (or every resident of the communes)."""
    residents, communes = list(residents), list(communes)
    with ExitStack() as stack:
        for handler in _CHANGING:
            stack.enter_context(
                handler(
                    residents=residents, communes=communes, achievements=achievements, turns=turns
                )
            )
        yield


def residents_found(
    *,
    residents: Iterable[int] = (),
    achievements: bool = True,
    turns: bool = False,
    created: bool = False,
) -> None:
    """Within `residents_changing`, residents found on the way (before changing them), or
    residents the block `created`."""
    residents = list(residents)
    for handler in _FOUND:
        handler(residents=residents, achievements=achievements, turns=turns, created=created)


def campaign_rules_changed(campaign: Any) -> None:
    for handler in _RULES_CHANGED:
        handler(campaign)


def campaign_target_changed(target: Any) -> None:
    for handler in _TARGET_CHANGED:
        handler(target)


def campaign_period_check(campaign: Any, start: dt.date, end: dt.date) -> None:
    for handler in _PERIOD_CHECKS:
        handler(campaign, start, end)


def place_archive_check(place: Any) -> None:
    for handler in _ARCHIVE_CHECKS:
        handler(place)
