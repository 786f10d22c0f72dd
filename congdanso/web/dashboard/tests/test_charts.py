"""The server-drawn chart and the number formats, without a database."""

import datetime as dt

import pytest
from bs4 import BeautifulSoup
from django.utils import translation

from congdanso.reports.axes import nice_step
from congdanso.web import formats
from congdanso.web.dashboard.charts import Point, progress_chart


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
