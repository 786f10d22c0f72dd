"""Charts drawn on the server as SVG: no script, no library, a few KB in the page.

They must read on a cheap phone and on a black-and-white print-out of the dashboard, so each
series differs by its line pattern and markers (solid with dots, dashed with a square,
dotted), not only by its colour (set by CSS classes: the CSP forbids inline styles, and
presentation attributes carry the patterns). The figures are also given as a table next to
the chart, for screen readers and for anyone who wants the exact numbers.
"""

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from congdanso.reports.axes import month_ticks, months_after, nice_step
from congdanso.web import formats

# Small enough that the labels stay legible when the chart shrinks to a 360 px screen.
WIDTH, HEIGHT = 420, 260
LEFT, RIGHT, TOP, BOTTOM = 50, 14, 14, 40
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

#: The labels' font size (`.chart-label` in site.css), in the chart's units.
LABEL_SIZE = 14


def label_width(text: str) -> float:
    """A tick label's width, generously: digits are at most 0.64 em wide in the fonts phones
    use (DejaVu Sans, Roboto, Noto Sans), a slash 0.34 em."""
    return sum(0.34 if char == "/" else 0.64 for char in text) * LABEL_SIZE


#: Line patterns (stroke-dasharray) of the series; the legend draws the same.
ACTUAL_DASH = ""
PROJECTION_DASH = "9 6"
TARGET_DASH = "2 4"


@dataclass(frozen=True)
class Point:
    day: dt.date
    value: int


def progress_chart(
    *,
    start: dt.date,
    end: dt.date,
    points: Sequence[Point],
    projected_at_end: int,
    target: int,
    title: str,
    description: str,
    chart_id: str = "progress-chart",
) -> SafeString:
    """Cumulative counts at each point, the projection from the last point to the end date,
    and the target as a horizontal line."""
    days = max((end - start).days, 1)
    top_value = max([target, projected_at_end, *(p.value for p in points), 1])
    step = nice_step(top_value * 1.05)
    y_max = step * math.ceil(top_value * 1.05 / step)

    def x(day: dt.date) -> float:
        return round(LEFT + PLOT_W * min(max((day - start).days, 0), days) / days, 1)

    def y(value: float) -> float:
        return round(TOP + PLOT_H * (1 - value / y_max), 1)

    grid = format_html_join(
        "",
        '<line class="chart-grid" x1="{}" x2="{}" y1="{}" y2="{}"/>'
        '<text class="chart-label" x="{}" y="{}" text-anchor="end">{}</text>',
        (
            (LEFT, LEFT + PLOT_W, y(v), y(v), LEFT - 6, y(v) + 4, formats.number(v))
            for v in range(0, y_max + 1, step)
        ),
    )
    ticks = format_html_join(
        "",
        '<line class="chart-grid" x1="{}" x2="{}" y1="{}" y2="{}"/>',
        ((x(m), x(m), TOP + PLOT_H, TOP + PLOT_H + 5) for m in months_after(start, end)),
    )
    labels = format_html_join(
        "",
        '<text class="chart-label chart-month" x="{}" y="{}" text-anchor="middle">{}</text>',
        (
            (x(m), TOP + PLOT_H + 20, label)
            for m, label in month_ticks(
                start, end, width=PLOT_W, label_width=label_width, after=RIGHT
            )
        ),
    )
    months = ticks + labels
    actual = " ".join(f"{x(p.day)},{y(p.value)}" for p in points)
    markers = format_html_join(
        "",
        '<circle class="chart-actual-marker" cx="{}" cy="{}" r="3.5"/>',
        ((x(p.day), y(p.value)) for p in points),
    )
    projection = SafeString("")
    if points and points[-1].day < end:
        last = points[-1]
        projection = format_html(
            '<line class="chart-projection" x1="{}" y1="{}" x2="{}" y2="{}" fill="none" '
            'stroke-width="2.5" stroke-dasharray="{}"/>'
            '<rect class="chart-projection-marker" x="{}" y="{}" width="8" height="8"/>',
            x(last.day),
            y(last.value),
            x(end),
            y(projected_at_end),
            PROJECTION_DASH,
            x(end) - 4,
            y(projected_at_end) - 4,
        )
    return format_html(
        '<svg class="chart" id="{id}" viewBox="0 0 {w} {h}" role="img" '
        'aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>'
        "{grid}{months}"
        '<line class="chart-axis" x1="{left}" x2="{right}" y1="{bottom}" y2="{bottom}"/>'
        '<line class="chart-target" x1="{left}" x2="{right}" y1="{ty}" y2="{ty}" '
        'stroke-width="2" stroke-dasharray="{target_dash}"/>'
        "{projection}"
        '<polyline class="chart-actual" points="{actual}" fill="none" stroke-width="3"/>'
        "{markers}</svg>",
        id=chart_id,
        w=WIDTH,
        h=HEIGHT,
        title=title,
        desc=description,
        grid=grid,
        months=months,
        left=LEFT,
        right=LEFT + PLOT_W,
        bottom=TOP + PLOT_H,
        ty=y(target),
        target_dash=TARGET_DASH,
        projection=projection,
        actual=actual,
        markers=markers,
    )


def legend_key(kind: str) -> SafeString:
    """A short sample of a series' line for the legend (kind: actual, projection, target)."""
    dash, width = {
        "actual": (ACTUAL_DASH, 3),
        "projection": (PROJECTION_DASH, 2.5),
        "target": (TARGET_DASH, 2),
    }[kind]
    marker = {
        "actual": SafeString('<circle class="chart-actual-marker" cx="18" cy="6" r="3.5"/>'),
        "projection": SafeString(
            '<rect class="chart-projection-marker" x="32" y="2" width="8" height="8"/>'
        ),
        "target": SafeString(""),
    }[kind]
    return format_html(
        '<svg class="legend-key" viewBox="0 0 44 12" aria-hidden="true" focusable="false">'
        '<line class="chart-{}" x1="0" x2="36" y1="6" y2="6" stroke-width="{}" '
        'stroke-dasharray="{}"/>{}</svg>',
        kind,
        width,
        dash or "none",
        marker,
    )
