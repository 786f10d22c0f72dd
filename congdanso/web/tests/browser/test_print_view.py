"""The door-to-door checklist of a village printed on A4: 25 residents a page."""

import re
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Page

from congdanso.people.tests.factories import ResidentFactory
from congdanso.places.services import village_get_or_create
from congdanso.web.tests.browser.pages import sign_in
from congdanso.web.tests.browser.scene import Scene

pytestmark = pytest.mark.browser


def pdf_page_count(pdf: bytes) -> int:
    """The page objects of a PDF (Chromium writes each as a plain `/Type /Page` object)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


@pytest.mark.parametrize(("residents", "pages"), [(25, 1), (26, 2), (60, 3)])
def test_the_checklist_of_a_village_prints_on_one_a4_page_per_25_residents(
    scene: Scene, phone: Page, live_server: Any, residents: int, pages: int
) -> None:
    village, _ = village_get_or_create(commune=scene.commune, name="Thôn Sáu Mươi")
    for number in range(residents):
        ResidentFactory(village=village, full_name=f"Y Sáu Niê {number + 1}")
    sign_in(phone, live_server, scene.secretary)
    phone.goto(
        live_server.url + reverse("campaigns:village_print", args=[scene.campaign.pk, village.code])
    )
    assert phone.locator("table.print-sheet tbody tr").count() == residents

    pdf = phone.pdf(format="A4")

    assert pdf_page_count(pdf) == pages
