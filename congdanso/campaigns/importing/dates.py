"""The day an achievement was reached, from a cell of a partner's list.

A partner's export gives the day as a spreadsheet date or datetime, an Excel serial number, or
text: day first ("12/04/2023", "12-4-2023", "12.04.2023 08:15:00", "08:15 12/04/2023"), ISO
("2023-04-12", "2023-04-12T08:15:00", with a UTC offset or "Z": then the day is the day in
Vietnam), eight digits ("12042023", "20230412", years 1900–2099) or words ("ngày 12 tháng 4
năm 2023").
An achievement happens on a day: a month or a year alone is refused, and so are two-digit years
(the century is not guessed) and days that do not exist. Whether the day is in the future is
the caller's check, since it depends on today.
"""

import datetime as dt
import math
import re
from functools import lru_cache
from numbers import Real

from congdanso.vn import excel_serial_to_date, fold
from congdanso.vn.today import VIETNAM_TZ

_TIME = r"\d{1,2}[:h]\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:\s*[ap]m)?"
_DMY = re.compile(
    r"(\d{1,2})\s*([/.\-])\s*(\d{1,2})\s*\2\s*(\d{4})(?:(?:\s+|\s*,\s*|t)" + _TIME + ")?"
)
_TIME_FIRST = re.compile(_TIME + r"(?:\s+|\s*,\s*)(.+)")
_YMD = re.compile(r"(\d{4})([/.\-])(\d{1,2})\2(\d{1,2})(?:(?:\s+|t)" + _TIME + ")?")
_WORDS = re.compile(r"(?:ngay\s*)?(\d{1,2})\s*thang\s*(\d{1,2})\s*(?:nam\s*|[/.\-]\s*)(\d{4})")
# Excel serials of realistic days: 10000 is 18/05/1927, 99999 is 14/10/2173.
_FIRST_SERIAL = 10_000
_LAST_SERIAL = 99_999


class DateUnreadable(ValueError):
    """The cell is not a day; `impossible` when it looks like one that does not exist."""

    def __init__(self, value: object, *, impossible: bool = False) -> None:
        super().__init__(value)
        self.value = value
        self.impossible = impossible


def _day(year: int, month: int, day: int, value: object) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise DateUnreadable(value, impossible=True) from None


def _from_serial(number: float, value: object) -> dt.date:
    if not math.isfinite(number) or not _FIRST_SERIAL <= number < _LAST_SERIAL + 1:
        raise DateUnreadable(value)
    return excel_serial_to_date(number)


def _from_iso(text: str, value: object) -> dt.date:
    """ISO with a time: the offset, when there is one, moves the day to Vietnam's."""
    try:
        moment = dt.datetime.fromisoformat(text.upper().replace(" ", "T", 1))
    except ValueError:
        raise DateUnreadable(value) from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(VIETNAM_TZ)
    return moment.date()


def _from_digits(text: str, value: object) -> dt.date:
    if len(text) == 8:
        if text[4:6] in ("19", "20") and 1 <= int(text[2:4]) <= 12:
            return _day(int(text[4:]), int(text[2:4]), int(text[:2]), value)
        if text[:2] in ("19", "20"):
            return _day(int(text[:4]), int(text[4:6]), int(text[6:]), value)
    if len(text) == 5:
        return _from_serial(int(text), value)
    raise DateUnreadable(value)


@lru_cache(maxsize=4096)
def _from_text(value: str) -> dt.date:
    text = fold(value.strip().lstrip("'\u2019")).strip()
    if match := _TIME_FIRST.fullmatch(text):
        text = match.group(1)
    if match := _DMY.fullmatch(text):
        day, _separator, month, year = match.groups()
        return _day(int(year), int(month), int(day), value)
    if match := _YMD.fullmatch(text):
        year, _separator, month, day = match.groups()
        return _day(int(year), int(month), int(day), value)
    if _YMD.match(text) and text[4] == "-":
        return _from_iso(text, value)
    if text.isdigit():
        return _from_digits(text, value)
    if match := _WORDS.fullmatch(text):
        day, month, year = match.groups()
        return _day(int(year), int(month), int(day), value)
    if re.fullmatch(r"\d+[.,]\d+", text):
        return _from_serial(float(text.replace(",", ".")), value)
    raise DateUnreadable(value)


def parse_achievement_date(value: object) -> dt.date:
    """The day a cell says, or raise DateUnreadable (see the module docstring)."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            return value.astimezone(VIETNAM_TZ).date()
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return _from_text(value)
    if isinstance(value, Real) and not isinstance(value, bool):
        return _from_serial(float(value), value)
    raise DateUnreadable(value)
