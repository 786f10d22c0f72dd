"""The import page in a browser: a secretary uploads a messy resident list, checks the
preview, confirms, waits for the import and downloads the rejects file."""

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect

from congdanso.people.models import ImportJob, ImportJobStatus, Resident
from congdanso.people.tests.files import HEADER, TITLE, write_csv
from congdanso.web.tests.browser.pages import accessibility_problems, page_width, sign_in
from congdanso.web.tests.browser.scene import Scene

pytestmark = pytest.mark.browser

# Title rows, the header on row 4, a numbering row, then people: a bad CCCD and a birth date
# that does not exist (both kept, flagged), no name and an unknown village (both rejected).
MESSY = [
    *TITLE,
    HEADER,
    [1, 2, 3, 4, 5, 6, 7],
    [1, "TRẦN VĂN BÌNH", "05/03/1985", "Nam", "066085000001", "0912345001", "Tân Lập"],
    [2, "Nguyễn Thị Mai", "12/04/1990", "Nữ", "123", "", "Thôn Cao Bằng"],
    [3, "", "01/01/1980", "Nam", "", "", "Thôn Cao Bằng"],
    [4, "Y Bhiăo Ayun", "1988", "Nam", "", "", "Buôn Không Có"],
    [5, "H'Hen Niê", "31/02/1992", "Nữ", "", "", "Buôn Ghamah"],
]


def vi(message: str) -> str:
    with translation.override("vi"):
        return gettext(message)


def test_a_secretary_imports_a_messy_list_and_downloads_the_rejected_rows(
    scene: Scene, phone: Page, live_server: Any, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "danh sách thôn.csv", MESSY)
    before = Resident.objects.count()
    sign_in(phone, live_server, scene.secretary)
    phone.goto(live_server.url + reverse("people:import"))

    phone.locator("input[type=file][name=file]").set_input_files(path)
    phone.get_by_role("button", name=vi("Upload and preview")).click()

    # The preview: the header found under the title rows, the rows as they will be stored.
    expect(phone.locator("h1")).to_have_text(vi("Check before importing"))
    expect(phone.get_by_text(vi("Header found on row %(row)s.") % {"row": 4})).to_be_visible()
    rows = phone.locator("table.import-rows tbody tr")
    expect(rows.filter(has_text="Trần Văn Bình")).to_contain_text("066******001")
    expect(rows.filter(has_text="Nguyễn Thị Mai")).to_contain_text(vi("Invalid CCCD number"))
    expect(rows.filter(has_text="H'Hen Niê")).to_contain_text(vi("Invalid birth date"))
    rejected = phone.locator("tr.import-rejected th")
    expect(rejected).to_have_text(["8", "9"])  # no name; unknown village
    assert accessibility_problems(phone) == []
    assert page_width(phone) <= 360
    assert Resident.objects.count() == before  # nothing imported before the confirmation

    phone.get_by_role("button", name=vi("Import the whole file")).click()

    summary = phone.locator("dl.import-summary")
    expect(summary).to_be_visible()  # the job page refreshes itself until the import ends
    figures = {
        div.locator("dt").inner_text(): div.locator("dd").inner_text()
        for div in summary.locator("> div").all()
    }
    assert figures[vi("Created")] == "3" and figures[vi("Rejected")] == "2"
    assert ImportJob.objects.get().status == ImportJobStatus.DONE
    assert Resident.objects.count() == before + 3
    assert accessibility_problems(phone) == []
    assert page_width(phone) <= 360

    with phone.expect_download() as waiting:
        phone.get_by_role("link", name=vi("Download the rejected rows (CSV)")).click()
    download = waiting.value
    text = Path(download.path()).read_bytes().decode("utf-8-sig")

    table = list(csv.reader(io.StringIO(text), delimiter=";"))  # Excel in Vietnam
    assert table[0][:3] == ["Dòng", "STT", "Họ và tên"]
    assert [row[:3] for row in table[1:]] == [["8", "3", ""], ["9", "4", "Y Bhiăo Ayun"]]
    assert "Buôn Không Có" in table[2][-1]  # the reason names the unknown village
