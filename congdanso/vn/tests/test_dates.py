from datetime import date, datetime, timedelta

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from congdanso.vn import (
    InvalidDate,
    date_to_excel_serial,
    excel_serial_to_date,
    format_birth_date,
    parse_birth_date,
)
from congdanso.vn.dates import PRECISIONS
from congdanso.vn.tests.strategies import TODAY

D = date(1990, 4, 12)


def parse(value: object) -> tuple[date, str]:
    return parse_birth_date(value, today=TODAY)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12/04/1990", (D, "day")),
        ("12/4/1990", (D, "day")),
        ("1/4/1990", (date(1990, 4, 1), "day")),
        ("12-04-1990", (D, "day")),
        ("12.04.1990", (D, "day")),
        ("  12 / 04 / 1990 ", (D, "day")),
        ("12/04/1990 0:00", (D, "day")),
        ("12/04/1990 00:00:00", (D, "day")),
        ("1990-04-12", (D, "day")),
        ("1990-04-12 00:00:00", (D, "day")),
        ("1990-04-12T00:00:00", (D, "day")),
        ("12041990", (D, "day")),
        ("19900412", (D, "day")),
        ("04/1990", (date(1990, 4, 1), "month")),
        ("4/1990", (date(1990, 4, 1), "month")),
        ("4-1990", (date(1990, 4, 1), "month")),
        ("041990", (date(1990, 4, 1), "month")),
        ("1990-04", (date(1990, 4, 1), "month")),
        ("1990", (date(1990, 1, 1), "year")),
        (" 1990 ", (date(1990, 1, 1), "year")),
        ("1990.0", (date(1990, 1, 1), "year")),
        ("'1990", (date(1990, 1, 1), "year")),
        (1990, (date(1990, 1, 1), "year")),
        (1990.0, (date(1990, 1, 1), "year")),
        (32975, (D, "day")),  # Excel serial
        (32975.75, (D, "day")),  # with a time of day
        ("32975", (D, "day")),
        (10000, (date(1927, 5, 18), "day")),
        (D, (D, "day")),
        (datetime(1990, 4, 12, 8, 30), (D, "day")),
        ("ngày 12 tháng 4 năm 1990", (D, "day")),
        ("Ngày 12 Tháng 04 Năm 1990", (D, "day")),
        ("ngay 12 thang 4 nam 1990", (D, "day")),
        ("12 tháng 4 năm 1990", (D, "day")),
        ("ngày 12/04/1990", (D, "day")),
        ("tháng 4 năm 1990", (date(1990, 4, 1), "month")),
        ("tháng 4/1990", (date(1990, 4, 1), "month")),
        ("năm 1990", (date(1990, 1, 1), "year")),
        ("Sinh năm 1990", (date(1990, 1, 1), "year")),
        ("Sinh tháng 4 năm 1990", (date(1990, 4, 1), "month")),
        ("sinh ngày 12 tháng 4 năm 1990", (D, "day")),
        ("32975,5", (D, "day")),  # an Excel serial with a decimal comma
        ("1990,0", (date(1990, 1, 1), "year")),
        ("12190", (date(1933, 5, 16), "day")),  # five digits: a serial, not month 12 of 190
        ("29/02/2000", (date(2000, 2, 29), "day")),
    ],
)
def test_accepted_forms(value: object, expected: tuple[date, str]) -> None:
    assert parse(value) == expected


@pytest.mark.parametrize(
    ("value", "code", "shown"),
    [
        ("", "date_empty", ""),
        ("   ", "date_empty", ""),
        (None, "date_empty", ""),
        ("abc", "date_format", "abc"),
        ("12/04/90", "date_format", "4 chữ số"),  # two-digit year: century unknown
        ("4/90", "date_format", "(90)"),
        ("12/04/199", "date_format", "3 chữ số"),
        ("1990/13", "date_impossible", "tháng 13"),
        ("31/02/1990", "date_impossible", "không có ngày 31"),
        ("29/02/1990", "date_impossible", "29"),
        ("12/13/1990", "date_impossible", "ngày phải viết trước tháng"),
        ("00/04/1990", "date_impossible", "ngày 0"),
        ("01/01/2030", "date_in_future", "01/01/2030"),
        ("2026", "date_in_future", "2026"),
        ("07/2025", "date_in_future", "07/2025"),
        ("01/01/1900", "date_too_old", "120"),
        ("1903", "date_too_old", "1903"),
        (60, "date_format", "60"),  # four digits and more only
        (999, "date_format", "999"),
        (100000, "date_format", "100000"),
        (-5, "date_format", ""),
        (1990.5, "date_format", ""),
        (float("nan"), "date_empty", ""),  # pandas reads blank cells as NaN
        ("1234567", "date_format", ""),
        ("32/13/19900", "date_format", "5 chữ số"),
        ("ngày 12 tháng 4 năm 90", "date_format", "2 chữ số"),
        ("tháng 4 năm 90", "date_format", "2 chữ số"),
        ("Sinh năm 90", "date_format", "Sinh năm 90"),  # the whole cell, not the "90" left
        ("999,5", "date_format", "999,5"),
        # Eight digits that are neither ddmmyyyy nor yyyymmdd of the 1900s or 2000s, and six
        # that are not mmyyyy, are not a date (another number in the wrong column), rather than
        # an impossible one.
        ("32041990", "date_format", "32041990"),
        ("01131990", "date_format", "01131990"),
        ("20001990", "date_format", "20001990"),
        ("12041850", "date_format", "12041850"),
        ("19901301", "date_format", "19901301"),
        ("19900432", "date_format", "19900432"),
        ("131990", "date_format", "131990"),
        (True, "date_type", "bool"),
        ([1990], "date_type", "list"),
    ],
)
def test_refused(value: object, code: str, shown: str) -> None:
    with pytest.raises(InvalidDate) as caught:
        parse(value)
    assert caught.value.code == code
    assert shown in caught.value.message
    assert caught.value.message_en
    assert caught.value.value is value


def test_limits_are_relative_to_today() -> None:
    assert parse("15/06/2025") == (TODAY, "day")
    assert parse("06/2025") == (date(2025, 6, 1), "month")
    assert parse("2025") == (date(2025, 1, 1), "year")
    with pytest.raises(InvalidDate, match="chưa tới"):
        parse("16/06/2025")
    assert parse("16/06/1904")[0] == date(1904, 6, 16)  # 120 years old
    with pytest.raises(InvalidDate) as caught:
        parse("15/06/1904")  # 121 today
    assert caught.value.code == "date_too_old"
    assert parse("1904") == (date(1904, 1, 1), "year")  # born late 1904: 120
    assert parse("06/1904") == (date(1904, 6, 1), "month")  # born late June 1904: 120
    with pytest.raises(InvalidDate):
        parse("05/1904")
    assert parse_birth_date("01/01/2000")[1] == "day"  # default today: Vietnam's date


@pytest.mark.parametrize(
    ("value", "today", "expected"),
    [
        # 120 years before 31/05/2025 is 31/05/1904: May 1904 ends that day, too old
        ("05/1904", date(2025, 5, 31), "date_too_old"),
        ("05/1904", date(2025, 5, 30), (date(1904, 5, 1), "month")),
        # December ends in its own year, not the next one or the one before
        ("12/1904", date(2025, 6, 15), (date(1904, 12, 1), "month")),
        ("12/1904", date(2025, 12, 31), "date_too_old"),
        ("12/1904", date(2025, 12, 30), (date(1904, 12, 1), "month")),
    ],
)
def test_a_month_is_too_old_only_if_its_last_day_is(
    value: str, today: date, expected: object
) -> None:
    try:
        assert parse_birth_date(value, today=today) == expected
    except InvalidDate as refused:
        assert refused.code == expected


def test_excel_serials() -> None:
    assert excel_serial_to_date(1) == date(1900, 1, 1)
    assert excel_serial_to_date(59) == date(1900, 2, 28)
    with pytest.raises(ValueError, match="1900-02-29"):
        excel_serial_to_date(60)
    assert excel_serial_to_date(61) == date(1900, 3, 1)
    assert excel_serial_to_date(32975.9) == D
    assert date_to_excel_serial(D) == 32975
    assert date_to_excel_serial(date(1900, 3, 1)) == 61
    with pytest.raises(ValueError, match="out of range"):
        excel_serial_to_date(0)
    with pytest.raises(ValueError, match="1900-03-01"):
        date_to_excel_serial(date(1900, 2, 28))


def test_format_birth_date() -> None:
    assert format_birth_date(D, "day") == "1990-04-12"
    assert format_birth_date(D, None) == "1990-04-12"
    assert format_birth_date(date(1990, 4, 1), "month") == "1990-04"
    assert format_birth_date(date(1990, 1, 1), "year") == "1990"
    assert format_birth_date(D, "") == "1990-04-12"  # a blank precision column: day
    assert format_birth_date(None, None) == ""
    assert format_birth_date(None, "day") == ""
    with pytest.raises(ValueError, match="precision"):
        format_birth_date(D, "week")


def _start(day: date, precision: str) -> date:
    if precision == "year":
        return date(day.year, 1, 1)
    if precision == "month":
        return day.replace(day=1)
    return day


birth_dates = st.dates(min_value=date(TODAY.year - 119, 1, 1), max_value=TODAY)


@given(birth_dates, st.sampled_from(PRECISIONS))
def test_parse_round_trips_format(day: date, precision: str) -> None:
    start = _start(day, precision)
    assert parse(format_birth_date(start, precision)) == (start, precision)


@given(birth_dates, st.sampled_from(["/", "-", "."]), st.booleans(), st.sampled_from(["", " "]))
def test_day_first_text_in_any_style(day: date, sep: str, pad: bool, space: str) -> None:
    d, m = (f"{day.day:02d}", f"{day.month:02d}") if pad else (str(day.day), str(day.month))
    text = f"{space}{d}{space}{sep}{space}{m}{sep}{day.year}{space}"
    assert parse(text) == (day, "day")


@given(st.dates(min_value=date(1927, 5, 18), max_value=TODAY))
def test_excel_serials_round_trip(day: date) -> None:
    serial = date_to_excel_serial(day)
    assert excel_serial_to_date(serial) == day
    assert parse(serial) == (day, "day")
    assert parse(float(serial) + 0.25) == (day, "day")


@given(st.dates(min_value=TODAY + timedelta(days=1)))
def test_future_dates_are_refused(day: date) -> None:
    with pytest.raises(InvalidDate) as caught:
        parse(format_birth_date(day, "day"))
    assert caught.value.code == "date_in_future"


@given(st.text(max_size=30))
def test_never_raises_anything_but_invalid_date(text: str) -> None:
    try:
        day, precision = parse(text)
    except InvalidDate:
        return
    assert precision in PRECISIONS
    assert day <= TODAY


@given(st.one_of(st.integers(), st.floats()))
@example(10**400)  # more than a float holds: it was an OverflowError
@example(float("inf"))
def test_any_number_is_a_date_or_refused_as_invalid_date(number: float) -> None:
    try:
        day, precision = parse(number)
    except InvalidDate as refused:
        assert refused.code in {"date_format", "date_empty", "date_in_future", "date_too_old"}
        assert refused.value is number
        return
    assert precision in {"year", "day"}
    assert day <= TODAY


_FORMAT_VI = (
    "Không đọc được ngày sinh: {}; hãy ghi theo dạng ngày/tháng/năm (dd/mm/yyyy), tháng/năm "
    "(mm/yyyy) hoặc chỉ năm (yyyy)"
)
_FORMAT_EN = (
    "Cannot read the birth date: {}; write it as day/month/year (dd/mm/yyyy), month/year "
    "(mm/yyyy) or only the year (yyyy)"
)


@pytest.mark.parametrize(
    ("value", "code", "message", "message_en"),
    [
        ("", "date_empty", "Ngày sinh đang để trống", "The birth date is empty"),
        ("abc", "date_format", _FORMAT_VI.format("abc"), _FORMAT_EN.format("abc")),
        (12.0, "date_format", _FORMAT_VI.format("12.0"), _FORMAT_EN.format("12.0")),
        (
            "12/4/90",
            "date_format",
            "Năm sinh phải có đủ 4 chữ số, nhận được năm có 2 chữ số (90) nên không biết thế "
            "kỷ: 12/4/90",
            "The birth year needs 4 digits, got 2 (90), so the century is unknown: 12/4/90",
        ),
        (
            "12/13/1990",
            "date_impossible",
            "Ngày sinh không có thật: không có tháng 13 (ngày phải viết trước tháng, dạng "
            "dd/mm/yyyy): 12/13/1990",
            "The birth date does not exist: there is no month 13 (the day comes before the "
            "month, dd/mm/yyyy): 12/13/1990",
        ),
        (
            "31/02/1990",
            "date_impossible",
            "Ngày sinh không có thật: tháng 2 năm 1990 không có ngày 31: 31/02/1990",
            "The birth date does not exist: 1990-02 has no day 31: 31/02/1990",
        ),
        (
            [1990],
            "date_type",
            "Ngày sinh có kiểu dữ liệu không đọc được (list): [1990]",
            "The birth date has an unreadable type (list): [1990]",
        ),
        (
            "07/2025",
            "date_in_future",
            "Ngày sinh 07/2025 là tháng chưa tới (hôm nay là 15/06/2025): 07/2025",
            "The birth date 2025-07 is in the future (today is 2025-06-15): 07/2025",
        ),
        (
            "2026",
            "date_in_future",
            "Ngày sinh 2026 là năm chưa tới (hôm nay là 15/06/2025): 2026",
            "The birth date 2026 is in the future (today is 2025-06-15): 2026",
        ),
        (
            "05/1904",
            "date_too_old",
            "Ngày sinh 05/1904 cho tuổi trên 120 (tính đến 15/06/2025), khó có thật: 05/1904",
            "The birth date 1904-05 means an age over 120 (on 2025-06-15): 05/1904",
        ),
    ],
)
def test_each_refusal_says_why_in_both_languages_and_keeps_the_value(
    value: object, code: str, message: str, message_en: str
) -> None:
    with pytest.raises(InvalidDate) as caught:
        parse(value)

    error = caught.value
    assert (error.code, error.message, error.message_en) == (code, message, message_en)
    assert error.value is value


def test_the_last_excel_serial_is_the_last_day_of_9999() -> None:
    last = date_to_excel_serial(date(9999, 12, 31))

    assert excel_serial_to_date(last) == date(9999, 12, 31)
    with pytest.raises(ValueError, match="out of range"):
        excel_serial_to_date(last + 1)
    with pytest.raises(ValueError) as caught:
        excel_serial_to_date(60.5)
    assert str(caught.value) == "Excel serial 60 is 1900-02-29, a day that does not exist"


@pytest.mark.parametrize(
    ("value", "today", "expected"),
    [
        # The smallest number read as a year, and the largest.
        (1000, date(1050, 1, 1), (date(1000, 1, 1), "year")),
        (9999.0, date(9999, 12, 31), (date(9999, 1, 1), "year")),
        # The first read as an Excel serial, and the last.
        (10000, date(2000, 1, 1), (date(1927, 5, 18), "day")),
        (99999, date(2200, 1, 1), (date(2173, 10, 13), "day")),
    ],
)
def test_a_number_is_a_year_below_10000_and_an_excel_serial_from_there(
    value: float, today: date, expected: tuple[date, str]
) -> None:
    assert parse_birth_date(value, today=today) == expected


@pytest.mark.parametrize("value", [999, 999.5, 9999.5, 100000])
def test_a_number_outside_those_ranges_or_a_fractional_year_is_refused(value: float) -> None:
    with pytest.raises(InvalidDate) as caught:
        parse_birth_date(value, today=date(2200, 1, 1))
    assert (caught.value.code, caught.value.value) == ("date_format", value)


@given(birth_dates)
@example(date(1990, 1, 1))
@example(date(1999, 12, 31))
@example(date(2000, 1, 1))
@example(date(2003, 12, 31))
def test_a_date_in_digits_only_reads_back(day: date) -> None:
    assert parse(f"{day:%d%m%Y}") == (day, "day")
    assert parse(f"{day:%Y%m%d}") == (day, "day")
    assert parse(f"{day:%m%Y}") == (day.replace(day=1), "month")
