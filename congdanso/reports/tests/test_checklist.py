"""The command-line checklist is the web print view, as a standalone file."""

import datetime as dt
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import translation

from congdanso.accounts.models import Role
from congdanso.core.errors import DomainError, NotFound
from congdanso.people.tests.factories import ResidentFactory
from congdanso.places.services import village_get_or_create
from congdanso.reports.checklist import checklist_html
from congdanso.reports.selectors import report_request
from congdanso.web.dashboard.tests.test_views import Seeded, _user, seeded  # noqa: F401

pytestmark = pytest.mark.django_db

END = dt.date(2023, 12, 31)


def _sheet(html: str) -> list[str]:
    """What is printed: the title block and each page's table, as text."""
    soup = BeautifulSoup(html, "html.parser")
    parts = soup.select(".print-title, section.print-page")
    return [" ".join(part.get_text(" ").split()) for part in parts]


@pytest.mark.parametrize("everyone", [False, True])
def test_the_checklist_is_the_web_print_view(seeded: Seeded, everyone: bool) -> None:  # noqa: F811
    cao = seeded.villages["Thôn Cao Bằng"]
    ResidentFactory.create_batch(30, village=cao)
    client = _user(Role.VILLAGE_HEAD, cao)
    params = {"ngay": END.isoformat(), **({"tieu-bieu": ""} if everyone else {})}
    web = client.get(
        reverse("campaigns:village_print", args=[seeded.campaign.pk, cao.code]), params
    )
    assert web.status_code == 200

    with translation.override("vi"):
        html = checklist_html(
            report_request(campaign_id=seeded.campaign.pk, on=END),
            village=cao.code,
            everyone=everyone,
        )

    assert _sheet(html) == _sheet(web.content.decode())
    soup = BeautifulSoup(html, "html.parser")
    rows = [len(t.select("tbody tr")) for t in soup.select("table.print-sheet")]
    assert rows == ([20, 14] if everyone else [20, 11])
    assert soup.style is not None and ".print-sheet" in soup.style.get_text()
    assert not soup.select('link[rel="stylesheet"], script')  # nothing a file cannot load


def test_a_village_is_found_by_its_name_without_diacritics(seeded: Seeded) -> None:  # noqa: F811
    request = report_request(campaign_id=seeded.campaign.pk, on=END)
    with translation.override("vi"):
        html = checklist_html(request, village="cao bang")
    assert "Thôn Cao Bằng" in BeautifulSoup(html, "html.parser").h1.get_text()


def test_an_unknown_village_is_a_clear_error(seeded: Seeded) -> None:  # noqa: F811
    request = report_request(campaign_id=seeded.campaign.pk, on=END)
    with pytest.raises(NotFound) as error:
        checklist_html(request, village="Thôn Không Có")
    assert "Thôn Không Có" in error.value.message.render("vi")


def test_a_village_outside_the_place_is_not_found(seeded: Seeded) -> None:  # noqa: F811
    cao = seeded.villages["Thôn Cao Bằng"]
    request = report_request(
        campaign_id=seeded.campaign.pk, place_code=seeded.villages["Buôn Ghamah"].code, on=END
    )
    with pytest.raises(NotFound):
        checklist_html(request, village=cao.code)


def test_two_villages_of_the_same_name_ask_for_a_code(seeded: Seeded, ea_yong) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    from congdanso.campaigns.services import campaign_create
    from congdanso.conftest import EXEMPLARY_2023
    from congdanso.places.services import commune_get_or_create

    other, _ = commune_get_or_create(parent=ea_yong.parent, name="Xã Ea Kly", code="ea-kly")
    village_get_or_create(commune=other, name="Thôn Cao Bằng")
    district = campaign_create(
        place=ea_yong.parent,
        name="Huyện",
        start_date=dt.date(2023, 4, 12),
        end_date=END,
        criteria=list(EXEMPLARY_2023),
        exemplary=EXEMPLARY_2023,
        target_exemplary=10,
    )
    with pytest.raises(DomainError) as error:
        checklist_html(report_request(campaign_id=district.pk, on=END), village="Cao Bằng")
    assert error.value.code == "village_ambiguous"


def test_the_command_writes_the_checklist(seeded: Seeded, tmp_path: Path) -> None:  # noqa: F811
    out = tmp_path / "cao-bang.html"
    call_command(
        "report",
        "checklist",
        "--campaign",
        str(seeded.campaign.pk),
        "--date",
        END.isoformat(),
        "--village",
        "Thôn Cao Bằng",
        "--out",
        str(out),
    )
    soup = BeautifulSoup(out.read_text(encoding="utf-8"), "html.parser")
    assert soup.select("table.print-sheet")
    assert "Danh sách" in soup.h1.get_text() or "Thôn Cao Bằng" in soup.h1.get_text()


def test_the_command_refuses_an_unknown_village_and_writes_nothing(
    seeded: Seeded,  # noqa: F811
    tmp_path: Path,
) -> None:
    with pytest.raises(CommandError) as error:
        call_command(
            "report",
            "checklist",
            "--campaign",
            str(seeded.campaign.pk),
            "--village",
            "Thôn Không Có",
            "--out",
            str(tmp_path / "x.html"),
        )
    assert error.value.returncode == 2
    assert "Thôn Không Có" in str(error.value)
    assert list(tmp_path.iterdir()) == []


def test_the_checklist_lists_names_in_the_order_of_an_official_list(
    seeded: Seeded,  # noqa: F811
) -> None:
    village, _ = village_get_or_create(commune=seeded.campaign.place, name="Thôn Thứ Tự")
    for name in ["Đặng Văn Dũng", "Phạm Minh Đức", "Trần Thị Ánh", "Đào Thị Dung", "Nguyễn Văn An"]:
        ResidentFactory(village=village, full_name=name)
    with translation.override("vi"):
        html = checklist_html(
            report_request(campaign_id=seeded.campaign.pk, on=END), village=village.code
        )
    names = [th.get_text() for th in BeautifulSoup(html, "html.parser").select("tbody th")]
    assert names == [
        "Nguyễn Văn An",  # by given name first: An, Ánh, Dung, Dũng, Đức
        "Trần Thị Ánh",
        "Đào Thị Dung",
        "Đặng Văn Dũng",
        "Phạm Minh Đức",
    ]
