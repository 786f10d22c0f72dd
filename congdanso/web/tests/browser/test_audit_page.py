"""The audit page in a phone's and a desktop's browser: every event readable (Vietnamese
labels, the commune, dd/mm/yyyy times, masked numbers), nothing wider than the screen.
`CONGDANSO_SCREENSHOTS=folder` keeps a screenshot of each, for a person to look at."""

import os
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from congdanso.campaigns.selectors import campaign_rules
from congdanso.core.audit import audit_context
from congdanso.people.services import resident_reveal
from congdanso.reports.list_xlsx import people_list_xlsx
from congdanso.reports.lists import PeopleFilter
from congdanso.scope.access import access_for
from congdanso.vn import vietnam_today
from congdanso.web.tests.browser.pages import page_width, sign_in
from congdanso.web.tests.browser.scene import Scene

pytestmark = pytest.mark.browser


def _events(scene: Scene, tmp_path: Path) -> None:
    """A reveal with its reason and a list download, besides the scene's own events."""
    with audit_context(user=scene.secretary, ip="203.113.1.7"):
        resident_reveal(
            resident=scene.hoa, field="cccd", reason="Đối chiếu thẻ", revealed_by=scene.secretary
        )
        access = access_for(scene.secretary)
        campaign = scene.campaign
        f = PeopleFilter(place=scene.villages["Thôn Cao Bằng"], day=vietnam_today())
        people_list_xlsx(access, campaign, campaign_rules(campaign), f, tmp_path / "ds.xlsx")


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_the_audit_page_reads_well_on_a_phone_and_a_desktop(  # type: ignore[no-untyped-def]
    scene: Scene, live_server: Any, tmp_path: Path, request, device: str
) -> None:
    page: Page = request.getfixturevalue(device)
    _events(scene, tmp_path)
    sign_in(page, live_server, scene.secretary)

    page.goto(live_server.url + reverse("accounts:audit"))

    rows = page.locator(".audit-table tbody tr")
    expect(rows.first).to_be_visible()
    text = page.locator(".audit-table").inner_text()
    assert "Xem dữ liệu cá nhân" in text and "Xuất dữ liệu" in text
    assert "066190012345" not in text
    assert "Xã Ea Yông" in text
    assert "people.resident" not in text
    width = page.viewport_size["width"] if page.viewport_size else 0
    assert page_width(page) <= width
    folder = os.environ.get("CONGDANSO_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"audit-{width}.png"), full_page=True)
