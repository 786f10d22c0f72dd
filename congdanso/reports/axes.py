"""The time and count axes of the progress chart, shared by the dashboard's SVG chart
(web/dashboard/charts.py) and the report's PNG (reports/chart_png.py), so both show the same
ticks."""

import datetime as dt
import math
from collections.abc import Callable


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


#: Months between two labelled ticks, tried in turn until the labels fit (calendar-aligned:
#: every 3rd month is January, April, July, October).
MONTH_STRIDES = (1, 2, 3, 4, 6, 12, 24, 60)


def month_ticks(
    start: dt.date,
    end: dt.date,
    *,
    width: float,
    label_width: Callable[[str], float],
    gap: float = 6,
    after: float = math.inf,
) -> list[tuple[dt.date, str]]:
    """The months to label along an axis `width` long, with their labels: every month when
    the labels fit side by side, else every 2nd, 3rd, 4th, 6th or 12th month, so that no two
    labels overlap (a 36-month campaign on a phone wrote "2/20263"). `label_width` measures a
    label in the axis' units; `gap` is the least room between two labels, `after` the room
    past the axis' end (a label that would stick out further is left out). A label carries
    the year on the first tick and wherever the year changes. A campaign starting on the 1st
    of a month labels that month at the start of the axis."""
    days = max((end - start).days, 1)
    # A campaign starting on the 1st labels its first month at the axis' start.
    months = [start] * (start.day == 1) + months_after(start, end)

    def position(month: dt.date) -> float:
        return width * min((month - start).days, days) / days

    chosen: list[tuple[dt.date, str]] = []
    for stride in MONTH_STRIDES:
        shown = [m for m in months if stride == 1 or (m.month - 1) % stride == 0]
        chosen, year = [], None
        for month in shown:
            label = str(month.month) if month.year == year else f"{month.month}/{month.year}"
            year = month.year
            if position(month) + label_width(label) / 2 <= width + after:
                chosen.append((month, label))
        if all(
            position(b) - position(a) >= (label_width(la) + label_width(lb)) / 2 + gap
            for (a, la), (b, lb) in zip(chosen, chosen[1:], strict=False)
        ):
            return chosen
    return chosen
