"""The door-to-door checklist of a village printed on A4: 20 residents a page, each page with
the village, the date, its number and the signature lines."""

import re
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Page

from congdanso.people.tests.factories import ResidentFactory
from congdanso.places.services import village_get_or_create
from congdanso.reports.lists import PRINT_ROWS_PER_PAGE
from congdanso.web.tests.browser.pages import sign_in
from congdanso.web.tests.browser.scene import Scene

pytestmark = pytest.mark.browser

#: A4's height less the print style's top and bottom margins (10 mm each), in CSS pixels.
PRINTABLE_HEIGHT_PX = (297 - 2 * 10) / 25.4 * 96


def pdf_page_count(pdf: bytes) -> int:
    """The page objects of a PDF (Chromium writes each as a plain `/Type /Page` object)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


@pytest.mark.parametrize(
    ("residents", "pages"),
    [(PRINT_ROWS_PER_PAGE, 1), (PRINT_ROWS_PER_PAGE + 1, 2), (3 * PRINT_ROWS_PER_PAGE, 3)],
)
def test_the_checklist_prints_one_a4_page_per_page_of_the_sheet(
    scene: Scene, phone: Page, live_server: Any, residents: int, pages: int
) -> None:
    village, _ = village_get_or_create(commune=scene.commune, name="Thôn Sáu Mươi")
    for number in range(residents):
        # long names: the rows must still hold on their page
        ResidentFactory(village=village, full_name=f"Nguyễn Thị Phương Thảo Sáu Niê {number + 1}")
    sign_in(phone, live_server, scene.secretary)
    phone.goto(
        live_server.url + reverse("campaigns:village_print", args=[scene.campaign.pk, village.code])
    )
    assert phone.locator("table.print-sheet tbody tr").count() == residents
    assert phone.locator("section.print-page").count() == pages
    numbers = phone.locator(".print-page-number").all_inner_texts()
    assert numbers == [f"Trang {n}/{pages}" for n in range(1, pages + 1)]

    pdf = phone.pdf(format="A4")

    # Each of the server's pages is exactly one sheet of paper: none spills over, so each
    # printed page carries its own heading, number and signature lines.
    assert pdf_page_count(pdf) == pages
    # A4 less its margins at 96 dpi, as the printer lays the page out
    phone.set_viewport_size({"width": 718, "height": 1047})
    phone.emulate_media(media="print")
    heights = phone.locator("section.print-page").evaluate_all(
        "sections => sections.map(s => s.getBoundingClientRect().height)"
    )
    assert all(h <= PRINTABLE_HEIGHT_PX for h in heights), heights
