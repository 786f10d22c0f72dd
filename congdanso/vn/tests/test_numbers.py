import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from congdanso.vn.numbers import format_date_long, format_number, format_percent, format_vnd


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [(1000, 0, "1.000"), (4_000_000, 0, "4.000.000"), (0, 0, "0"), (1234.5, 1, "1.234,5")],
)
def test_format_number_uses_dots_for_thousands(value, decimals, expected) -> None:  # type: ignore[no-untyped-def]
    assert format_number(value, decimals) == expected


@pytest.mark.parametrize(
    ("share", "expected"), [(0.523, "52,3%"), (0.5, "50%"), (1, "100%"), (0.0004, "0%")]
)
def test_format_percent(share: float, expected: str) -> None:
    assert format_percent(share) == expected


def test_format_vnd() -> None:
    assert format_vnd(2_500_000) == "2.500.000 đồng"


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2023, 4, 12), "ngày 12 tháng 4 năm 2023"),
        (dt.date(2023, 2, 5), "ngày 05 tháng 02 năm 2023"),
        (dt.date(2023, 12, 31), "ngày 31 tháng 12 năm 2023"),
        (dt.date(2024, 3, 9), "ngày 09 tháng 3 năm 2024"),  # from March, no leading zero
        (dt.date(2024, 1, 10), "ngày 10 tháng 01 năm 2024"),
    ],
)
def test_format_date_long_follows_decree_30(day: dt.date, expected: str) -> None:
    assert format_date_long(day) == expected


@given(st.integers(0, 10**15))
def test_format_number_round_trips(value: int) -> None:
    assert int(format_number(value).replace(".", "")) == value
