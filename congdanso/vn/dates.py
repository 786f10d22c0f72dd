"""Birth dates from spreadsheet cells: :func:`parse_birth_date`, :func:`format_birth_date`.

A birth date has a *precision*: ``"day"``, ``"month"`` (only month and year known) or
``"year"``. It is returned as the first day of the period: date(1990, 4, 1) for "04/1990",
date(1990, 1, 1) for "1990".

Accepted cells:

* ``datetime.date`` / ``datetime.datetime`` (day precision);
* numbers: a whole number from 1000 to 9999 is a **year** (1985, 1985.0). A number from 10000 up
  is an **Excel serial date** (1900 date system): serial 10000 is 1927-05-18, so every serial of
  a realistic birth date has five digits or more, and a four-digit serial (1902–1927) would be
  someone aged 96–123 — such dates must be typed as dates. Serials keep Excel's 1900 leap-year
  bug: serial 60 (the non-existent 29/02/1900) is refused, serial 61 is 1900-03-01; a fraction
  (time of day) is ignored. Only five-digit serials (up to 99999, 2173-10-14) are read; numbers
  below 1000 or above 99999 are refused;
* text, **day first** (Vietnamese order; never month first): "dd/mm/yyyy", "d/m/yyyy", with
  "/", "-" or "." and optional spaces around them, optionally followed by a time
  ("12/04/1990 0:00"); "yyyy-mm-dd" and "yyyy-mm-dd hh:mm:ss" (ISO, as exports write);
  "mm/yyyy", "m/yyyy"; "yyyy-mm"; "yyyy"; 8 digits "ddmmyyyy" (or "yyyymmdd"), 6 digits
  "mmyyyy"; other digit strings as the numbers above;
  Vietnamese words: "ngày 12 tháng 4 năm 1990", "12 tháng 4 năm 1990", "tháng 4/1990",
  "tháng 4 năm 1990", "năm 1990", "sinh năm 1990",
  "sinh tháng 4 năm 1990", in any case, with or without diacritics.

Refused: two-digit years ("12/04/90": the century is unknown → ``date_format``), impossible
dates ("31/02/1990", month 13 → ``date_impossible``), dates after ``today`` (``date_in_future``)
and ages over 120 (``date_too_old``). For month and year precision a date is in the future only
if the whole period is, and too old only if the whole period is.
"""

import math
import re
from datetime import date, datetime, timedelta
from functools import lru_cache
from numbers import Integral, Real
from typing import Literal

from congdanso.vn._numbers import strip_float_zero
from congdanso.vn.errors import InvalidDate, show
from congdanso.vn.text import fold
from congdanso.vn.today import vietnam_today

Precision = Literal["day", "month", "year"]
PRECISIONS: tuple[Precision, ...] = ("day", "month", "year")
MAX_AGE = 120

_EXCEL_EPOCH = date(1899, 12, 30)
_EXCEL_MAX_SERIAL = (date(9999, 12, 31) - _EXCEL_EPOCH).days
_MIN_YEAR_NUMBER = 1000
_FIRST_SERIAL = 10000  # 1927-05-18
_LAST_SERIAL = 99999  # 2173-10-13

_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AaPp][Mm])?)?"
_DMY = re.compile(r"(\d{1,2})([/.\-])(\d{1,2})\2(\d+)" + _TIME)
_YMD = re.compile(r"(\d{4})([/.\-])(\d{1,2})\2(\d{1,2})" + _TIME)
_MY = re.compile(r"(\d{1,2})[/.\-](\d+)")
_YM = re.compile(r"(\d{4})[/.\-](\d{1,2})")
_YEAR = re.compile(r"\d{4}")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_SEPARATOR_SPACES = re.compile(r"\s*([/.\-])\s*")
_VN_FULL = re.compile(r"(?:ngay\s*)?(\d{1,2})\s*thang\s*(\d{1,2})\s*(?:nam\s*|[/.\-]\s*)(\d+)")
_VN_MONTH = re.compile(r"thang\s*(\d{1,2})\s*(?:nam\s*|[/.\-]\s*)(\d+)")
# One word at a time, "sinh" (born) first: "sinh thang 4 nam 1990" must keep its "thang" for
# _VN_MONTH ("sinh" and "thang" dropped together left "4 nam 1990", which nothing reads).
_VN_PREFIX = re.compile(r"sinh\s*(?=ngay|thang|nam)|(?:ngay|thang|nam)\s*(?=\d)")

_Parts = tuple[int, int, int, Precision]


def _error(code: str, message: str, message_en: str, value: object) -> InvalidDate:
    return InvalidDate(code, message, message_en, value)


def _format_error(value: object) -> InvalidDate:
    return _error(
        "date_format",
        f"Không đọc được ngày sinh: {show(value)}; hãy ghi theo dạng ngày/tháng/năm "
        "(dd/mm/yyyy), tháng/năm (mm/yyyy) hoặc chỉ năm (yyyy)",
        f"Cannot read the birth date: {show(value)}; write it as day/month/year (dd/mm/yyyy), "
        "month/year (mm/yyyy) or only the year (yyyy)",
        value,
    )


def _two_digit_year_error(year: str, value: object) -> InvalidDate:
    return _error(
        "date_format",
        f"Năm sinh phải có đủ 4 chữ số, nhận được năm có {len(year)} chữ số ({year}) nên "
        f"không biết thế kỷ: {show(value)}",
        f"The birth year needs 4 digits, got {len(year)} ({year}), so the century is "
        f"unknown: {show(value)}",
        value,
    )


def _year(text: str, value: object) -> int:
    if len(text) != 4:
        raise _two_digit_year_error(text, value)
    return int(text)


def _check_calendar(year: int, month: int, day: int, value: object) -> None:
    if not 1 <= month <= 12:
        raise _error(
            "date_impossible",
            f"Ngày sinh không có thật: không có tháng {month} (ngày phải viết trước tháng, "
            f"dạng dd/mm/yyyy): {show(value)}",
            f"The birth date does not exist: there is no month {month} (the day comes before "
            f"the month, dd/mm/yyyy): {show(value)}",
            value,
        )
    try:
        date(year, month, day)
    except ValueError:
        raise _error(
            "date_impossible",
            f"Ngày sinh không có thật: tháng {month} năm {year} không có ngày {day}: {show(value)}",
            f"The birth date does not exist: {year}-{month:02d} has no day {day}: {show(value)}",
            value,
        ) from None


def excel_serial_to_date(serial: float) -> date:
    """The date of an Excel serial number (1900 date system, fraction = time of day ignored).

    Excel counts 1900-01-01 as 1 and believes 1900 was a leap year: serial 60 is the
    non-existent 1900-02-29 (``ValueError``), serial 61 is 1900-03-01.
    """
    whole = math.floor(serial)
    if whole == 60:
        raise ValueError("Excel serial 60 is 1900-02-29, a day that does not exist")
    if not 1 <= whole <= _EXCEL_MAX_SERIAL:
        raise ValueError(f"Excel serial {serial!r} is out of range")
    # Serials before the fake 29/02/1900 count from 31/12/1899, later ones from 30/12/1899.
    return _EXCEL_EPOCH + timedelta(days=whole if whole > 60 else whole + 1)


def date_to_excel_serial(day: date) -> int:
    """The Excel serial number (1900 date system) of a date from 1900-03-01 on."""
    if day < date(1900, 3, 1):
        raise ValueError(f"{day} is before 1900-03-01, where Excel serials are off by one")
    return (day - _EXCEL_EPOCH).days


def _from_serial(serial: int) -> _Parts:
    day = excel_serial_to_date(serial)
    return day.year, day.month, day.day, "day"


def _from_number(number: float, value: object) -> _Parts:
    if not math.isfinite(number) or not _MIN_YEAR_NUMBER <= number < _LAST_SERIAL + 1:
        raise _format_error(value)
    if number < _FIRST_SERIAL:
        if not number.is_integer():
            raise _format_error(value)
        return int(number), 1, 1, "year"
    return _from_serial(int(number))


def _from_digits(text: str, value: object) -> _Parts:
    """A cell of digits only: ddmmyyyy / yyyymmdd (8), mmyyyy (6), else a year or serial."""
    if len(text) == 8:
        day, month, year = int(text[:2]), int(text[2:4]), int(text[4:])
        if 1 <= month <= 12 and 1 <= day <= 31 and text[4:6] in ("19", "20"):
            return year, month, day, "day"
        year, month, day = int(text[:4]), int(text[4:6]), int(text[6:])
        if 1 <= month <= 12 and 1 <= day <= 31 and text[:2] in ("19", "20"):
            return year, month, day, "day"
        raise _format_error(value)
    if len(text) == 6 and 1 <= int(text[:2]) <= 12 and text[2:4] in ("19", "20"):
        return int(text[2:]), int(text[:2]), 1, "month"
    return _from_number(float(text), value)


def _parse_clean(text: str, value: object) -> _Parts:
    if match := _DMY.fullmatch(text):
        return _year(match.group(4), value), int(match.group(3)), int(match.group(1)), "day"
    if match := _YMD.fullmatch(text):
        return int(match.group(1)), int(match.group(3)), int(match.group(4)), "day"
    if _YEAR.fullmatch(text):
        return int(text), 1, 1, "year"
    if match := _YM.fullmatch(text):
        return int(match.group(1)), int(match.group(2)), 1, "month"
    if match := _MY.fullmatch(text):
        return _year(match.group(2), value), int(match.group(1)), 1, "month"
    if _NUMBER.fullmatch(text):
        if text.isdigit():
            return _from_digits(text, value)
        return _from_number(float(text.replace(",", ".")), value)
    lowered = text.lower()
    if match := _VN_FULL.fullmatch(lowered):
        day, month, year = match.groups()
        return _year(year, value), int(month), int(day), "day"
    if match := _VN_MONTH.fullmatch(lowered):
        return _year(match.group(2), value), int(match.group(1)), 1, "month"
    stripped = _VN_PREFIX.sub("", lowered, count=1)
    if stripped != lowered and stripped:
        return _parse_clean(stripped, value)
    raise _format_error(value)


@lru_cache(maxsize=1 << 16)
def _parse_text(value: str) -> tuple[date, Precision]:
    """(first day, precision) of a date string, checked against the calendar (not today)."""
    text = value.strip().lstrip("'\u2019")
    if "." in text or "," in text:
        text = strip_float_zero(text)  # "1990.0" → "1990"
    if not text.isascii():
        text = fold(text)
    if " " in text or "\t" in text:
        text = _SEPARATOR_SPACES.sub(r"\1", " ".join(text.split()))
    year, month, day, precision = _parse_clean(text, value)
    _check_calendar(year, month, day, value)
    return date(year, month, day), precision


def _empty(value: object) -> InvalidDate:
    return _error("date_empty", "Ngày sinh đang để trống", "The birth date is empty", value)


def _start(value: object) -> tuple[date, Precision]:
    if isinstance(value, datetime):
        return value.date(), "day"
    if isinstance(value, date):
        return value, "day"
    if isinstance(value, str):
        if not value or value.isspace():
            raise _empty(value)
        return _parse_text(value)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        raise _empty(value)
    if isinstance(value, Real) and not isinstance(value, bool):
        return _number_start(int(value) if isinstance(value, Integral) else float(value))
    raise _error(
        "date_type",
        f"Ngày sinh có kiểu dữ liệu không đọc được ({type(value).__name__}): {show(value)}",
        f"The birth date has an unreadable type ({type(value).__name__}): {show(value)}",
        value,
    )


@lru_cache(maxsize=1 << 16, typed=True)
def _number_start(value: float) -> tuple[date, Precision]:
    try:
        number = float(value)
    except OverflowError:  # an int past 1e308 (JSON allows it): no date, like 100000
        raise _format_error(value) from None
    year, month, day, precision = _from_number(number, value)
    return date(year, month, day), precision


@lru_cache(maxsize=16)
def _latest_too_old(today: date) -> date:
    """The latest birth date that makes someone older than MAX_AGE on ``today``."""
    year = today.year - MAX_AGE - 1
    try:
        return today.replace(year=year)
    except ValueError:  # 29 February
        return date(year, 2, 28)


def _period_end(start: date, precision: Precision) -> date:
    if precision == "year":
        return date(start.year, 12, 31)
    if precision == "month":
        following = date(start.year + start.month // 12, start.month % 12 + 1, 1)
        return following - timedelta(days=1)
    return start


_PERIOD_VN: dict[Precision, str] = {"day": "ngày", "month": "tháng", "year": "năm"}


def _vn_date(day: date, precision: Precision) -> str:
    if precision == "year":
        return str(day.year)
    if precision == "month":
        return f"{day.month:02d}/{day.year}"
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def parse_birth_date(value: object, today: date | None = None) -> tuple[date, Precision]:
    """(first day of the period, precision) of a birth-date cell, or raise
    :class:`InvalidDate` saying why (see the module docstring). ``today`` defaults to today in
    Vietnam."""
    start, precision = _start(value)
    if today is None:
        today = vietnam_today()
    if start > today:
        raise _error(
            "date_in_future",
            f"Ngày sinh {_vn_date(start, precision)} là {_PERIOD_VN[precision]} chưa tới (hôm "
            f"nay là {today:%d/%m/%Y}): {show(value)}",
            f"The birth date {format_birth_date(start, precision)} is in the future (today is "
            f"{today}): {show(value)}",
            value,
        )
    end = start if precision == "day" else _period_end(start, precision)
    if end <= _latest_too_old(today):
        raise _error(
            "date_too_old",
            f"Ngày sinh {_vn_date(start, precision)} cho tuổi trên {MAX_AGE} (tính đến "
            f"{today:%d/%m/%Y}), khó có thật: {show(value)}",
            f"The birth date {format_birth_date(start, precision)} means an age over {MAX_AGE} "
            f"(on {today}): {show(value)}",
            value,
        )
    return start, precision


def format_birth_date(d: date | None, precision: str | None) -> str:
    """'yyyy-mm-dd', 'yyyy-mm' or 'yyyy' by precision (None: day); '' for no date.

    :func:`parse_birth_date` reads every result back to the same (date, precision).
    """
    if d is None:
        return ""
    if precision in (None, "", "day"):
        return f"{d.year:04d}-{d.month:02d}-{d.day:02d}"
    if precision == "month":
        return f"{d.year:04d}-{d.month:02d}"
    if precision == "year":
        return f"{d.year:04d}"
    raise ValueError(f"unknown birth-date precision {precision!r}: expected day, month or year")
