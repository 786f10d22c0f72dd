"""The dashboard on a 360 px phone: its tables (and a village's residents) become one card per
row, so that every column (the share, what is still needed) shows without scrolling
sideways; the menu wraps rather than hide its third item; and the chart's month labels never
overlap, whatever the campaign's length."""

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Page

from congdanso.web.dashboard.charts import Point, progress_chart
from congdanso.web.tests.browser.pages import page_width, sign_in
from congdanso.web.tests.browser.scene import Scene

pytestmark = pytest.mark.browser

PHONE_WIDTH = 360
SITE_CSS = Path(__file__).resolve().parents[2] / "static" / "congdanso" / "site.css"


def _inside_the_screen(page: Page, selector: str) -> dict[str, Any]:
    """Each element's box, for those not fully visible across the screen's width."""
    return page.evaluate(
        """([selector, width]) => [...document.querySelectorAll(selector)]
            .filter((el) => el.getClientRects().length > 0)  // not drawn: nothing to see
            .map((el) => ({text: el.textContent.trim(), box: el.getBoundingClientRect()}))
            .filter(({box}) => box.width === 0 || box.left < 0 || box.right > width)
            .map(({text, box}) => `${text}: ${box.left}–${box.right}`)""",
        [selector, PHONE_WIDTH],
    )


def test_the_dashboard_fits_a_360_px_phone_with_every_column_and_menu_item(
    scene: Scene, phone: Page, live_server: Any
) -> None:
    sign_in(phone, live_server, scene.secretary)

    phone.goto(live_server.url + reverse("campaigns:dashboard", args=[scene.campaign.pk]))

    assert page_width(phone) <= PHONE_WIDTH
    shares = phone.locator(".area-table td.share-cell")
    gaps = phone.locator(".area-table td.gap-cell")
    assert shares.count() == len(scene.villages) == gaps.count()
    for cell in (shares.first, gaps.first, shares.last, gaps.last):
        assert cell.is_visible()
    assert _inside_the_screen(phone, ".area-table td, .stack-table td") == []
    # Each figure says which column it is (the headings are not above it any more).
    label = shares.first.evaluate("(el) => getComputedStyle(el, '::before').content")
    assert label.strip('"') == shares.first.get_attribute("data-label") != ""
    # The menu: every item whole on the screen (it wraps).
    items = phone.locator(".site-nav a")
    assert items.count() >= 5
    assert _inside_the_screen(phone, ".site-nav a") == []

    # A village's residents: each one's criteria all on the screen.
    village = scene.villages["Thôn Cao Bằng"]
    phone.goto(
        live_server.url + reverse("campaigns:village", args=[scene.campaign.pk, village.code])
    )

    assert page_width(phone) <= PHONE_WIDTH
    assert phone.locator(".people-table td.tick-col").count() > 0
    assert _inside_the_screen(phone, ".people-table td") == []


@pytest.mark.parametrize("months", [1, 3, 12, 36])
def test_no_two_month_labels_of_the_chart_overlap_on_a_phone(phone: Page, months: int) -> None:
    start = dt.date(2026, 1, 1)
    end = dt.date(start.year + (months // 12), 1, 1) if months % 12 == 0 else None
    end = end or dt.date(start.year, 1 + months, 1)
    svg = progress_chart(
        start=start,
        end=end - dt.timedelta(days=1),
        points=[Point(start, 0), Point(start + dt.timedelta(days=20), 40)],
        projected_at_end=900,
        target=1000,
        title="Tiến độ",
        description="Mô tả",
    )
    phone.set_content(
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{SITE_CSS.read_text(encoding='utf-8')}</style>"
        f'<main class="site-main"><div class="card chart-card">{svg}</div></main>'
    )

    boxes = phone.evaluate(
        """() => [...document.querySelectorAll('text.chart-month')].map((el) => {
            const box = el.getBoundingClientRect();
            return [el.textContent, box.left, box.right];
        })"""
    )

    assert boxes, "some month is labelled"
    assert all(right <= PHONE_WIDTH for _text, _left, right in boxes), boxes
    for (text, _left, right), (following, left, _right) in zip(boxes, boxes[1:], strict=False):
        assert right < left, f"{text!r} and {following!r} overlap"
