"""Parsing of command-line and form values shared by the interfaces."""

import datetime as dt

from django.utils.translation import gettext_lazy as _

from congdanso.core.errors import DomainError, Message


def date_parse(text: str, *, label: str = "date") -> dt.date:
    """YYYY-MM-DD (also DD/MM/YYYY), or a DomainError naming the value."""
    value = text.strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return dt.datetime.strptime(value, pattern).date()  # noqa: DTZ007 - a calendar day
        except ValueError:
            continue
    raise DomainError(
        Message(
            _("%(label)s: %(value)s is not a date (write it as YYYY-MM-DD, e.g. 2023-04-12)."),
            label=label,
            value=text,
        ),
        code="date_invalid",
    )


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
