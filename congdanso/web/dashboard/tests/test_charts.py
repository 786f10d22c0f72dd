"""The server-drawn chart and the number formats, without a database."""

import datetime as dt
import itertools

import pytest
from bs4 import BeautifulSoup
from django.utils import translation

from congdanso.reports.axes import month_ticks, nice_step
from congdanso.web import formats
from congdanso.web.dashboard.charts import WIDTH, Point, label_width, progress_chart


@pytest.mark.parametrize(
    ("span", "step"), [(1, 1), (10, 5), (1050, 500), (2600, 1000), (4_000, 1000), (9, 5)]
)
def test_steps_are_round_numbers(span: float, step: int) -> None:
    assert nice_step(span) == step


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("vi", ("1.000", "52,3%", "50%", "4.000.000 đ")),
        ("en", ("1,000", "52.3%", "50%", "4,000,000 VND")),
    ],
)
def test_numbers_are_written_in_the_language_shown(language: str, expected: tuple) -> None:  # type: ignore[type-arg]
    with translation.override(language):
        got = (
            formats.number(1000),
            formats.percent(0.523),
            formats.percent(0.5),
            formats.vnd(4_000_000),
        )
    assert got == expected
    assert formats.day(dt.date(2023, 4, 12)) == "12/04/2023"


def test_the_chart_draws_the_points_the_projection_and_the_target() -> None:
    svg = progress_chart(
        start=dt.date(2023, 4, 12),
        end=dt.date(2023, 12, 31),
        points=[Point(dt.date(2023, 4, 16), 0), Point(dt.date(2023, 9, 30), 600)],
        projected_at_end=900,
        target=1000,
        title="Tiến độ <b>",
        description="mô tả",
    )
    soup = BeautifulSoup(svg, "html.parser")
    assert soup.svg["role"] == "img"
    assert soup.title.get_text() == "Tiến độ <b>"  # escaped, not markup
    assert len(soup.select("circle.chart-actual-marker")) == 2
    projection = soup.select_one("line.chart-projection")
    target = soup.select_one("line.chart-target")
    assert projection["stroke-dasharray"] != target["stroke-dasharray"]
    assert float(projection["x2"]) > float(projection["x1"])
    # The target line is above the projected end (1.000 > 900): a smaller y.
    assert float(target["y1"]) < float(projection["y2"])
    months = [t.get_text() for t in soup.select("text.chart-label")][-8:]
    assert months == ["5/2023", "6", "7", "8", "9", "10", "11", "12"]


def _campaign_of(months: int, start: dt.date) -> dt.date:
    year, month = divmod(start.month - 1 + months, 12)
    return dt.date(start.year + year, month + 1, start.day) - dt.timedelta(days=1)


def _month_labels(svg: str) -> list[tuple[float, float, str]]:
    """Each month label's left and right edge in the chart's units, and its text."""
    soup = BeautifulSoup(svg, "html.parser")
    found = []
    for text in soup.select("text.chart-month"):
        x, width = float(text["x"]), label_width(text.get_text())
        found.append((x - width / 2, x + width / 2, text.get_text()))
    return found


@pytest.mark.parametrize("months", [1, 3, 12, 36])
@pytest.mark.parametrize("start", [dt.date(2023, 4, 12), dt.date(2026, 1, 1)])
def test_no_two_month_labels_overlap_whatever_the_campaign_s_length(
    months: int, start: dt.date
) -> None:
    end = _campaign_of(months, start)
    svg = progress_chart(
        start=start,
        end=end,
        points=[Point(start, 0)],
        projected_at_end=500,
        target=1000,
        title="t",
        description="d",
    )

    labels = _month_labels(svg)

    assert labels, "some month is labelled"
    for (_left, right, text), (left, _right, following) in itertools.pairwise(labels):
        assert right < left, f"{text!r} and {following!r} overlap"
    assert labels[0][0] >= 0
    assert labels[-1][1] <= WIDTH
    # The year is written once per year, on its first label.
    years = [text for *_, text in labels if "/" in text]
    assert len(years) == len({text.split("/")[1] for text in years})


def test_a_long_campaign_labels_fewer_months_and_a_short_one_every_month() -> None:
    short = month_ticks(
        dt.date(2023, 4, 12), dt.date(2023, 12, 31), width=356, label_width=label_width
    )
    long = month_ticks(
        dt.date(2026, 1, 1), dt.date(2028, 12, 31), width=356, label_width=label_width
    )

    assert [label for _, label in short] == ["5/2023", "6", "7", "8", "9", "10", "11", "12"]
    assert len(long) < 36
    assert long[0][1] == "1/2026"
