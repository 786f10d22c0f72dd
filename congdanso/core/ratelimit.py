"""Counting uses of something per user in fixed windows, across every server process.

The counts live in Django's cache, which settings make a file cache under the data folder:
every gunicorn worker of the machine shares it without another server (a per-process memory
cache would let each worker allow the whole rate). A window is a key that expires with it;
the increment is not atomic across processes, so two racing requests may both count as one —
a limit enforced to within a request or two, which is what a rate limit needs.
"""

import time
from dataclasses import dataclass

from django.core.cache import cache

from congdanso.core.errors import DomainError, Message


@dataclass(frozen=True)
class Rate:
    """At most `limit` uses every `seconds`."""

    limit: int
    seconds: int


class Throttled(DomainError):
    """Too many uses in a window: the interfaces answer 429."""

    code = "throttled"

    def __init__(self, message: Message, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def _window(rate: Rate, now: float) -> tuple[int, int]:
    """The current window's number and the seconds left in it."""
    number = int(now // rate.seconds)
    return number, max(1, int((number + 1) * rate.seconds - now))


def rate_count(*, scope: str, subject: str | int, rate: Rate) -> int:
    """Count one use of `scope` by `subject` in the current window; the uses so far."""
    number, left = _window(rate, time.time())
    key = f"rate:{scope}:{subject}:{rate.seconds}:{number}"
    if cache.add(key, 1, timeout=left + 1):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr: this use opens the next window
        cache.add(key, 1, timeout=left + 1)
        return 1


def rate_used(*, scope: str, subject: str | int, rate: Rate) -> int:
    """The uses of `scope` by `subject` counted in the current window (without counting)."""
    number, _left = _window(rate, time.time())
    return int(cache.get(f"rate:{scope}:{subject}:{rate.seconds}:{number}") or 0)


def rate_check(*, scope: str, subject: str | int, rate: Rate, message: Message) -> None:
    """Count one use and raise `Throttled` (with `message`) once the limit is passed."""
    if rate_count(scope=scope, subject=subject, rate=rate) > rate.limit:
        raise Throttled(message, retry_after=_window(rate, time.time())[1])
