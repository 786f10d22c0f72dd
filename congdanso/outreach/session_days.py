"""Which days a plan of support sessions may use.

Days: every chosen weekday from `date_from` to `date_to` (the campaign's end by default),
clipped to the campaign, minus the Vietnamese public holidays — Tết and the other
lunar-calendar holidays with their substitute days, from the maintained `holidays` package.
The weekdays come as a person types them (`weekdays_parse`: "thu,fri", "t5,t6", "thứ năm",
"t2-t6"…) and are shown by `WEEKDAY_NAMES`.

A module of its own because the calendar — weekdays, holidays, the campaign's dates — is
one question, apart from which place gets each day (`outreach.schedule`).
"""

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import holidays
from django.utils.translation import gettext_lazy as _

from congdanso.campaigns.models import Campaign
from congdanso.core.errors import DomainError, Message
from congdanso.vn import fold
from congdanso.vn.numbers import format_date

#: Monday = 0, as `date.weekday()`. Our catalog ("Thứ năm") takes precedence over the
#: "Thứ 5" of Django's own, so the whole site names the days one way.
WEEKDAY_NAMES = (
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
)


@dataclass(frozen=True)
class ScheduleDays:
    """The range actually planned (clipped to the campaign) and its days."""

    start: dt.date
    end: dt.date
    days: tuple[dt.date, ...]
    holidays_skipped: dict[dt.date, str]


# --- weekdays -------------------------------------------------------------------------------

_ENGLISH = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_VIETNAMESE_NUMERALS = ("hai", "ba", "tu", "nam", "sau", "bay")


def _weekday_tokens() -> dict[str, int]:
    tokens: dict[str, int] = {}
    for day, name in enumerate(_ENGLISH):
        tokens[name] = tokens[name[:3]] = day
    tokens.update({"tues": 1, "weds": 2, "thur": 3, "thurs": 3})
    for day in range(6):  # thứ 2 (Monday) … thứ 7 (Saturday)
        tokens[f"t{day + 2}"] = tokens[f"thu{day + 2}"] = day
        tokens[f"thu{_VIETNAMESE_NUMERALS[day]}"] = day
    tokens.update({"thubon": 2, "cn": 6, "chunhat": 6})
    return tokens


_WEEKDAYS = _weekday_tokens()
_SEPARATORS = re.compile(r"[,;/+&]|\s+(?:và|va|and)\s+", re.IGNORECASE)
_RANGE = re.compile(r"\s*(?:\.\.|[-–—])\s*")


def _weekday(token: str) -> int | None:
    # "Thứ 5", "thu5", "T5" and "thứ năm" all fold to one key without spaces or dots.
    return _WEEKDAYS.get(re.sub(r"[\s._-]", "", fold(token)))


def _weekdays_of(token: str) -> list[int] | None:
    day = _weekday(token)
    if day is not None:
        return [day]
    parts = _RANGE.split(token)
    if len(parts) == 2:  # a range such as mon-fri or t2-t6
        first, last = _weekday(parts[0]), _weekday(parts[1])
        if first is not None and last is not None and first <= last:
            return list(range(first, last + 1))
    words = [_weekday(word) for word in token.split()]
    if len(words) > 1 and None not in words:  # "thu fri"
        return [day for day in words if day is not None]
    return None


def weekdays_parse(text: str) -> tuple[int, ...]:
    """ "thu,fri" → (3, 4), Monday = 0. Accepts English names and abbreviations, Vietnamese
    "t2".."t7", "cn", "thứ 5", "thu5", "thứ năm", "chủ nhật", and ranges such as "t2-t6"."""
    text = unicodedata.normalize("NFC", text or "")  # so that a decomposed "và" still splits
    tokens = [token.strip() for token in _SEPARATORS.split(text) if token.strip()]
    if not tokens:
        raise DomainError(
            _("No day of the week given. Write for example thu,fri or t5,t6."),
            code="weekdays_invalid",
        )
    days: set[int] = set()
    for token in tokens:
        found = _weekdays_of(token)
        if found is None:
            raise DomainError(
                Message(
                    _(
                        "%(text)s is not a day of the week. Write for example thu,fri or t5,t6 "
                        "(mon…sun, t2…t7, cn)."
                    ),
                    text=token,
                ),
                code="weekdays_invalid",
            )
        days.update(found)
    return tuple(sorted(days))


# --- days -----------------------------------------------------------------------------------


@lru_cache(maxsize=32)
def _holidays_of_year(year: int) -> dict[dt.date, str]:
    return dict(holidays.country_holidays("VN", years=year, language="vi").items())


def holidays_between(start: dt.date, end: dt.date) -> dict[dt.date, str]:
    """Vietnamese public holidays from start to end inclusive, with their Vietnamese names
    (substitute days included, e.g. "Quốc khánh (nghỉ bù)")."""
    found: dict[dt.date, str] = {}
    for year in range(start.year, end.year + 1):
        found.update(
            (day, name) for day, name in _holidays_of_year(year).items() if start <= day <= end
        )
    return dict(sorted(found.items()))


def schedule_days(
    *,
    campaign: Campaign,
    weekdays: Sequence[int],
    date_from: dt.date,
    date_to: dt.date | None = None,
) -> ScheduleDays:
    """The chosen weekdays of the range, clipped to the campaign, holidays left out."""
    if not weekdays or any(day not in range(7) for day in weekdays):
        raise DomainError(
            _("No day of the week given. Write for example thu,fri or t5,t6."),
            code="weekdays_invalid",
        )
    end = date_to or campaign.end_date
    if date_to is not None and date_to < date_from:
        raise DomainError(
            Message(
                _("The end date %(end)s is before the start date %(start)s."),
                end=format_date(end),
                start=format_date(date_from),
            ),
            code="date_range_invalid",
        )
    if date_from > campaign.end_date or end < campaign.start_date:
        raise DomainError(
            Message(
                _(
                    "The dates %(start)s – %(end)s are outside the campaign "
                    "(%(campaign_start)s – %(campaign_end)s)."
                ),
                start=format_date(date_from),
                end=format_date(date_to or date_from),
                campaign_start=format_date(campaign.start_date),
                campaign_end=format_date(campaign.end_date),
            ),
            code="date_outside_campaign",
        )
    start, end = max(date_from, campaign.start_date), min(end, campaign.end_date)
    closed = holidays_between(start, end)
    chosen = set(weekdays)
    every_day = (start + dt.timedelta(days=n) for n in range((end - start).days + 1))
    days = [day for day in every_day if day.weekday() in chosen]
    return ScheduleDays(
        start=start,
        end=end,
        days=tuple(day for day in days if day not in closed),
        holidays_skipped={day: closed[day] for day in days if day in closed},
    )
