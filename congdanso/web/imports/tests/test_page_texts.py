"""What the import pages tell the person importing: the advice of a rejected row is about the
page, not the command line, and an achievement job names its criterion, not its code."""

from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from congdanso.campaigns.models import Campaign
from congdanso.people.importing import import_residents
from congdanso.people.models import ImportKind
from congdanso.people.tests.files import HEADER, write_csv
from congdanso.places.models import Place
from congdanso.web.imports.tests.test_views import _job, _manager, _page, _tasks_in_process, _upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures(_tasks_in_process.__name__)]

UNKNOWN_VILLAGE = [
    HEADER,
    [1, "Y Bhiăo Ayun", "1988", "Nam", "", "", "Buôn Không Có"],
    [2, "H'Nga Niê", "1970", "Nữ", "", "", "Buôn Ghamah"],
]


def _rejected_reason(soup) -> str:  # type: ignore[no-untyped-def]
    cell = soup.select_one("tr.import-rejected td")
    assert cell is not None
    return " ".join(cell.get_text(" ").split())


def test_an_unknown_village_on_the_page_says_what_to_do_on_the_site(
    tmp_path: Path, ea_yong: Place
) -> None:
    client = _manager(ea_yong)
    response = _upload(
        client, write_csv(tmp_path / "buon.csv", UNKNOWN_VILLAGE), commune=ea_yong.pk
    )

    reason = _rejected_reason(_page(client.get(response["Location"])))

    assert "--create-villages" not in reason
    assert "Buôn Không Có" in reason and "Buôn Ghamah" in reason  # the village, the known ones
    assert "trang 'Địa bàn'" in reason
    assert "Tạo các thôn/buôn có trong tệp mà chưa có trong danh mục" in reason  # the box's label
    # and the finished job's rejected rows say the same
    client.post(response["Location"], {"confirm": "1"})
    job = _job()
    assert "--create-villages" not in str(job.rejected_rows)


def test_the_command_line_keeps_its_own_advice(tmp_path: Path, ea_yong: Place) -> None:
    result = import_residents(write_csv(tmp_path / "buon.csv", UNKNOWN_VILLAGE), commune=ea_yong)
    with translation.override("en"):
        assert "--create-villages" in str(result.rejected_rows[0].reason)


def test_an_achievement_job_shows_the_criterion_s_name_not_its_code(
    tmp_path: Path, campaign: Campaign, ea_yong: Place
) -> None:
    client = _manager(ea_yong)
    criterion = campaign.rules.get(criterion__code="vneid_level2").criterion
    rows = [
        ["Họ và tên", "Số CCCD", "Ngày kích hoạt"],
        ["Không Có Ai", "066190099999", "05/05/2023"],
    ]
    response = _upload(
        client,
        write_csv(tmp_path / "vneid.csv", rows),
        kind=ImportKind.ACHIEVEMENTS,
        commune=ea_yong.pk,
        campaign=campaign.pk,
        criterion=criterion.pk,
    )

    preview = _page(client.get(response["Location"])).select_one(".import-file").get_text()
    client.post(response["Location"], {"confirm": "1"})
    job_page = _page(client.get(reverse("people:import_job", args=[_job().pk])))
    shown = job_page.select_one(".import-file").get_text()

    for text in (preview, shown):
        assert criterion.name in text
        assert "vneid_level2" not in text
