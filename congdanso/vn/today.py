"""Today's date in Vietnam (UTC+7 all year, no daylight saving), the default 'today'."""

from datetime import date, datetime, timedelta, timezone

VIETNAM_TZ = timezone(timedelta(hours=7), "ICT")


def vietnam_today() -> date:
    """The calendar date now in Vietnam, whatever the server's time zone."""
    return datetime.now(VIETNAM_TZ).date()
