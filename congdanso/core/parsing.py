"""Parsing of command-line and form values shared by the interfaces."""

import datetime as dt
import re
import unicodedata

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from congdanso.core.errors import DomainError, Message
from congdanso.vn import clean_text


def date_parse(text: str, *, label: str | None = None) -> dt.date:
    """A date typed as YYYY-MM-DD or DD/MM/YYYY, or a DomainError naming the value (and the
    field, when `label` says which)."""
    cleaned = (text or "").strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(cleaned, pattern).date()  # noqa: DTZ007 - a calendar day
        except ValueError:
            continue
    if label:
        message = Message(
            _("%(label)s: %(value)s is not a date (write it as YYYY-MM-DD, e.g. 2023-04-12)."),
            label=label,
            value=cleaned,
        )
    else:
        message = Message(
            _("%(text)s is not a date; write YYYY-MM-DD or DD/MM/YYYY."), text=cleaned
        )
    raise DomainError(message, code="date_invalid")


_TIME = re.compile(r"(\d{1,2})(?:[:hH](\d{2})?)?")


def time_parse(text: str) -> dt.time:
    """A time of day typed as 7:30, 07:30, 7h30 or 14h."""
    match = _TIME.fullmatch((text or "").strip())
    hour, minute = (int(match[1]), int(match[2] or 0)) if match else (99, 99)
    if hour > 23 or minute > 59:
        raise DomainError(
            Message(_("%(text)s is not a time of day; write HH:MM, e.g. 07:30."), text=text),
            code="time_invalid",
        )
    return dt.time(hour, minute)


def age_range_parse(text: str) -> tuple[int, int]:
    """'16-50' → (16, 50)."""
    low, sep, high = text.replace("–", "-").partition("-")
    if sep and low.strip().isdigit() and high.strip().isdigit():
        return int(low), int(high)
    raise DomainError(
        Message(_("Ages are written as two numbers, e.g. 16-50: %(value)s"), value=text),
        code="cohort_ages_invalid",
    )


def codes_parse(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def text_clean(value: str, *, field: "str | Promise", max_length: int) -> str:
    """Text as stored: NFC, invisible characters dropped, spaces collapsed — refused with a
    clear message when longer than the column holds (never cut silently)."""
    text = clean_text(value or "")
    if len(text) > max_length:
        raise DomainError(
            Message(
                _("%(field)s is too long: at most %(max)d characters, %(length)d given."),
                field=field,
                max=max_length,
                length=len(text),
            ),
            code="text_too_long",
        )
    return text


def reason_clean(
    value: str, *, missing: "str | Promise", code: str = "reason_missing", max_length: int = 500
) -> str:
    """The reason a user gives for an audited action, as stored: `text_clean`'s NFC and
    collapsed spaces, refused (with `missing`, which asks for it) when it is empty or holds
    no letter ("...", "1"), and refused when it holds control characters (a reason is one
    line of plain text, read later on the audit page)."""
    text = text_clean(value, field=_("Reason"), max_length=max_length)
    if not any(ch.isalpha() for ch in text):
        raise DomainError(missing, code=code)
    if any(unicodedata.category(ch) == "Cc" for ch in text):
        raise DomainError(
            _("The reason may not contain control characters; write it as plain text."),
            code="reason_invalid",
        )
    return text
