"""The village's print view: every printed page says what it is, and its links keep the filters."""

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from congdanso.accounts.models import Role
from congdanso.people.tests.factories import ResidentFactory
from congdanso.places.models import PlaceKind
from congdanso.places.services import village_get_or_create
from congdanso.reports.lists import PRINT_ROWS_PER_PAGE
from congdanso.web.dashboard.tests.test_views import Seeded, _user, seeded  # noqa: F401

pytestmark = pytest.mark.django_db

DAY = dt.date(2023, 9, 30)


def _text(tag) -> str:  # type: ignore[no-untyped-def]
    return " ".join(tag.get_text(" ").split())


def test_every_printed_page_names_the_village_the_date_its_number_and_who_signs(
    seeded: Seeded,  # noqa: F811
) -> None:
    cao = seeded.villages["Thôn Cao Bằng"]
    ResidentFactory.create_batch(2 * PRINT_ROWS_PER_PAGE + 5, village=cao)
    client = _user(Role.VILLAGE_HEAD, cao)
    url = reverse("campaigns:village_print", args=[seeded.campaign.pk, cao.code])

    response = client.get(url, {"ngay": DAY.isoformat(), "tieu-bieu": ""})

    soup = BeautifulSoup(response.content, "html.parser")
    pages = soup.select("section.print-page")
    assert len(pages) == 3
    for number, page in enumerate(pages, start=1):
        head = _text(page.select_one(".print-page-head"))
        assert "Thôn Cao Bằng" in head
        assert "30/09/2023" in head
        assert _text(page.select_one(".print-page-number")) == f"Trang {number}/3"
        assert page.select_one("table.print-sheet thead")  # the columns' names
        assert len(page.select(".print-legend-item")) == len(seeded.campaign.criteria.all())
        sign = _text(page.select_one(".print-sign"))
        assert "Người lập" in sign and "Trưởng thôn" in sign and "Ngày" in sign
    assert [len(p.select("tbody tr")) for p in pages] == [20, 20, len(pages[2].select("tbody tr"))]


def test_an_ede_village_s_pages_are_signed_by_the_head_of_the_buon(
    seeded: Seeded,  # noqa: F811
) -> None:
    buon, _ = village_get_or_create(
        commune=seeded.campaign.place, name="Buôn Ea Thứ Hai", kind=PlaceKind.EDE_VILLAGE
    )
    ResidentFactory(village=buon)
    client = _user(Role.MANAGER, seeded.campaign.place)

    response = client.get(reverse("campaigns:village_print", args=[seeded.campaign.pk, buon.code]))

    sign = _text(BeautifulSoup(response.content, "html.parser").select_one(".print-sign"))
    assert "Trưởng buôn" in sign


def test_print_everyone_keeps_the_date_and_every_other_filter(
    seeded: Seeded,  # noqa: F811
) -> None:
    cao = seeded.villages["Thôn Cao Bằng"]
    client = _user(Role.VILLAGE_HEAD, cao)
    url = reverse("campaigns:village_print", args=[seeded.campaign.pk, cao.code])

    response = client.get(url, {"ngay": DAY.isoformat(), "nhom": "1", "tieu-bieu": "0"})

    soup = BeautifulSoup(response.content, "html.parser")
    link = soup.select_one("a.print-everyone")
    query = parse_qs(urlsplit(link["href"]).query, keep_blank_values=True)
    assert query == {"ngay": [DAY.isoformat()], "nhom": ["1"], "tieu-bieu": [""]}
    everyone = BeautifulSoup(client.get(url + link["href"]).content, "html.parser")
    assert "30/09/2023" in _text(everyone.select_one(".print-page-head"))


def test_the_checklist_names_the_village_s_part_of_each_target(
    seeded: Seeded,  # noqa: F811
) -> None:
    cao = seeded.villages["Thôn Cao Bằng"]
    client = _user(Role.VILLAGE_HEAD, cao)
    url = reverse("campaigns:village_print", args=[seeded.campaign.pk, cao.code])

    response = client.get(url, {"ngay": DAY.isoformat(), "tieu-bieu": ""})

    soup = BeautifulSoup(response.content, "html.parser")
    lines = [_text(li) for li in soup.select(".print-targets li")]
    assert lines[0] == "Công dân số tiêu biểu: 3 trên 400 của thôn, hạn 31/12/2023"
    assert len(lines) == 2  # the campaign's two targets
