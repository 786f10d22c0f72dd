"""Template filters and tags of the dashboard and the people lists: numbers written the
Vietnamese way (web/formats.py) and numbers that link to the people behind them."""

import datetime as dt
from typing import Any

from django import template
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString

from congdanso.partners.models import DonationItem
from congdanso.web import formats
from congdanso.web.dashboard import charts

register = template.Library()


@register.filter
def vn_number(value: float | None) -> str:
    return "" if value is None else formats.number(value)


@register.filter
def vn_signed(value: float | None) -> str:
    """A difference with its sign: +12, −3 (a true minus sign), 0."""
    if value is None:
        return ""
    if value > 0:
        return "+" + formats.number(value)
    if value < 0:
        return "\u2212" + formats.number(-value)
    return "0"


@register.filter
def vn_percent(value: float | None) -> str:
    return "" if value is None else formats.percent(value)


@register.filter
def vn_vnd(value: int | None) -> str:
    return "" if value is None else formats.vnd(value)


@register.filter
def vn_date(value: dt.date | None) -> str:
    return "" if value is None else formats.day(value)


@register.filter
def percent_of(value: float) -> int:
    """A share as a whole percentage for <meter>/<progress> (0.523 → 52)."""
    return round(value * 100)


@register.simple_tag
def figure(url: str | None, value: float, counts: str = "people") -> SafeString:
    """The number, linked to the list of people behind it when there is one. `counts`: what
    the number counts in that list (people, turns or achievements), which the list repeats
    in `data-count` so that the two can be compared."""
    text = formats.number(value)
    if not url:
        return format_html("{}", text)
    return format_html(
        '<a href="{}" class="figure-link" data-counts="{}">{}</a>', url, counts, text
    )


@register.simple_tag
def query_with(request: HttpRequest, name: str, value: Any) -> str:
    """The current page's query string with one parameter replaced (pagination links)."""
    query = request.GET.copy()
    query[name] = str(value)
    return "?" + query.urlencode()


@register.filter
def per_week(per_day: float) -> float:
    """A pace per day as a pace per week (the projections keep theirs per day)."""
    return per_day * 7


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key)


@register.simple_tag
def legend_key(kind: str) -> SafeString:
    return charts.legend_key(kind)


@register.filter
def vn_decimal(value: float | None) -> str:
    """One decimal, dropped when it is 0 (3,5 a week; 4 a week)."""
    if value is None:
        return ""
    text = formats.number(value, 1)
    return text[:-2] if text[-2:] in (",0", ".0") else text


@register.filter
def donation_item(value: str) -> str:
    """The name of a donated item's kind (the indicators carry its code)."""
    return str(DonationItem(value).label) if value in DonationItem.values else value
