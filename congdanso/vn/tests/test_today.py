"""Today's date in Vietnam and how long it is cached."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from congdanso.vn.today import VIETNAM_TZ, next_midnight


def _utc(year: int, month: int, day: int, hour: int, minute: int, second: int) -> float:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC).timestamp()


@pytest.mark.parametrize(
    ("now", "expires"),
    [
        # 07:00 in Vietnam on 12/04: the day ends at 17:00 UTC.
        (_utc(2023, 4, 12, 0, 0, 0), _utc(2023, 4, 12, 17, 0, 0)),
        # 23:59:59 in Vietnam, one second before its midnight.
        (_utc(2023, 4, 12, 16, 59, 59), _utc(2023, 4, 12, 17, 0, 0)),
        # Midnight in Vietnam itself: the new day lasts until the next one.
        (_utc(2023, 4, 12, 17, 0, 0), _utc(2023, 4, 13, 17, 0, 0)),
        # 01:00 UTC on 31/12 is already the afternoon of 31/12 in Vietnam.
        (_utc(2023, 12, 31, 1, 0, 0), _utc(2023, 12, 31, 17, 0, 0)),
    ],
)
def test_todays_date_is_cached_until_the_next_midnight_in_vietnam(
    now: float, expires: float
) -> None:
    assert next_midnight(now) == expires


@given(st.floats(min_value=0, max_value=4_102_444_800, allow_nan=False))  # 1970 to 2100
def test_the_cache_expires_at_the_midnight_that_starts_the_next_day_in_vietnam(
    now: float,
) -> None:
    expires = next_midnight(now)
    local = datetime.fromtimestamp(expires, VIETNAM_TZ)

    assert now < expires <= now + 86400
    assert (local.hour, local.minute, local.second) == (0, 0, 0)
    assert local.date() == datetime.fromtimestamp(now, VIETNAM_TZ).date() + timedelta(days=1)
