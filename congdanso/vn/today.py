"""Today's date in Vietnam (UTC+7 all year, no daylight saving), the default 'today'.

Parsers call this once per cell when no ``today`` is passed, so the date is cached until the
next midnight in Vietnam (a float comparison instead of building a datetime).
"""

import time
from datetime import date, datetime, timedelta, timezone

VIETNAM_TZ = timezone(timedelta(hours=7), "ICT")
_OFFSET_SECONDS = 7 * 3600
_cached: tuple[float, date] = (0.0, date.min)


def vietnam_today() -> date:
    """The calendar date now in Vietnam, whatever the server's time zone."""
    global _cached
    now = time.time()
    if now < _cached[0]:
        return _cached[1]
    today = datetime.fromtimestamp(now, VIETNAM_TZ).date()
    _cached = (next_midnight(now), today)
    return today


def next_midnight(now: float) -> float:
    """The POSIX time of the first midnight in Vietnam after `now`: when the cached date
    expires."""
    return (now + _OFFSET_SECONDS) // 86400 * 86400 + 86400 - _OFFSET_SECONDS
