"""The time and count axes of the progress chart, shared by the dashboard's SVG chart
(web/dashboard/charts.py) and the report's PNG (reports/chart_png.py), so both show the same
ticks."""

import datetime as dt
import math


def nice_step(span: float, ticks: int = 4) -> int:
    """A round step (1, 2, 2.5, 5 × 10ⁿ) giving about `ticks` intervals over the span."""
    raw = max(span / ticks, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    # 2.5 only from 25 up: the axis counts people, so its steps are whole numbers.
    for factor in (1, 2, 2.5, 5, 10) if magnitude >= 10 else (1, 2, 5, 10):
        step = factor * magnitude
        if step >= raw:
            return max(1, round(step))
    return round(10 * magnitude)  # unreachable: factor 10 always qualifies


def months_after(start: dt.date, end: dt.date) -> list[dt.date]:
    """The first day of each month after the start, up to the end."""
    months: list[dt.date] = []
    month = dt.date(start.year, start.month, 1)
    while True:
        month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
        if month > end:
            return months
        months.append(month)


def month_label(month: dt.date, start: dt.date) -> str:
    """A month's tick label: its number, with the year on the first tick and on Januaries
    (9, 10, 11, 12, 1/2024: nine labels fit a phone's width)."""
    first = month.year == start.year and month.month == start.month % 12 + 1
    return f"{month.month}/{month.year}" if first or month.month == 1 else str(month.month)
