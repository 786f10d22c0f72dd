"""The import preview on a 1280 px screen: the rows, their notes and the reasons a row is
rejected fit the page, and a rejected row says what to do on the site."""

from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from congdanso.people.tests.files import HEADER, TITLE, write_csv
from congdanso.web.tests.browser.pages import sign_in
from congdanso.web.tests.browser.scene import Scene
from congdanso.web.tests.browser.test_import_page import vi

pytestmark = pytest.mark.browser

# Rows that each carry long notes (a bad CCCD, a bad phone, a date that does not exist) and
# a row of an unknown village.
NOISY = [
    *TITLE,
    HEADER,
    [1, "Nguyễn Thị Phương Thảo", "31/02/1992", "Nữ", "123", "0123", "Thôn Cao Bằng"],
    [2, "Trần Văn Bình", "05/03/1985", "Nam", "066085000001", "0912345001", "Buôn Không Có"],
    [3, "Y Bhiăo Ayun", "1988", "Nam", "06608500000X", "09123", "Buôn Ghamah"],
]


def test_the_preview_fits_a_1280_px_screen_and_says_what_to_do_with_an_unknown_village(
    scene: Scene, desktop: Page, live_server: Any, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "danh sách.csv", NOISY)
    sign_in(desktop, live_server, scene.secretary)
    desktop.goto(live_server.url + reverse("people:import"))
    desktop.locator("input[type=file][name=file]").set_input_files(path)
    desktop.get_by_role("button", name=vi("Upload and preview")).click()
    expect(desktop.locator("h1")).to_have_text(vi("Check before importing"))

    rejected = desktop.locator("tr.import-rejected td")
    expect(rejected).to_contain_text("Buôn Không Có")
    reason = rejected.inner_text()
    assert "--create-villages" not in reason
    assert vi("Create the villages the file names that are not known yet") in reason
    table = desktop.locator("div.import-scroll:has(table.import-rows)")
    # The whole table shows in its box: nothing to scroll sideways to find the notes.
    scroll, client = table.evaluate("box => [box.scrollWidth, box.clientWidth]")
    assert scroll <= client, (scroll, client)
    notes = desktop.locator("table.import-rows tbody tr:not(.import-rejected) td:last-child")
    box = table.bounding_box()
    assert box is not None
    for cell in notes.all():
        cell_box = cell.bounding_box()
        assert cell_box is not None
        assert cell_box["x"] + cell_box["width"] <= box["x"] + box["width"] + 1
