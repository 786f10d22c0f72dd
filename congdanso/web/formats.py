"""Numbers, shares, amounts and dates as the pages write them, in the language shown.

Vietnamese (the default) writes 1.000, 52,3%, 4.000.000 đ and 12/04/2023 (the
`congdanso.vn.numbers` helpers); English writes 1,000, 52.3%, 4,000,000 VND and the same
day-first date, since the campaign's own documents are Vietnamese.
"""

import datetime as dt

from django.utils import translation

from congdanso.vn.numbers import format_date, format_number, format_percent


def _vietnamese() -> bool:
    return (translation.get_language() or "vi").startswith("vi")


def number(value: float, decimals: int = 0) -> str:
    if _vietnamese():
        return format_number(value, decimals)
    return f"{value:,.{decimals}f}"


def percent(share: float, decimals: int = 1) -> str:
    if _vietnamese():
        return format_percent(share, decimals)
    text = f"{share * 100:.{decimals}f}"
    if decimals and text.endswith("." + "0" * decimals):
        text = text[: -decimals - 1]
    return f"{text}%"


def vnd(amount: int) -> str:
    # "đ" after the amount is how prices and budgets are written in Vietnam.
    return f"{number(amount)} đ" if _vietnamese() else f"{number(amount)} VND"


def day(value: dt.date) -> str:
    return format_date(value)
