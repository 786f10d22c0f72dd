"""'Tải Excel' on the lists of people: every resident the page's filters select (all pages),
masked by role as in the report workbook, the filters written above the header, audited with
the commune."""

import io
from urllib.parse import unquote

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.urls import reverse
from python_calamine import CalamineWorkbook

from congdanso.accounts.models import Role
from congdanso.core.models import AuditAction, AuditEvent
from congdanso.reports import lists
from congdanso.web.dashboard.tests.test_views import ON, Seeded, _user, seeded  # noqa: F401

pytestmark = pytest.mark.django_db

HEADER = "Họ và tên"


def _sheet(response) -> list[list]:  # type: ignore[no-untyped-def,type-arg]
    assert response.status_code == 200, response.status_code
    body = b"".join(response.streaming_content)
    book = CalamineWorkbook.from_filelike(io.BytesIO(body))
    return book.get_sheet_by_index(0).to_python(skip_empty_area=False)


def _table(rows: list[list]) -> tuple[list[str], list[dict]]:  # type: ignore[type-arg]
    """The lines above the header, and the rows under it as {header: value}."""
    at = next(i for i, row in enumerate(rows) if HEADER in row)
    top = [str(row[0]) for row in rows[:at] if row and row[0]]
    header = rows[at]
    return top, [dict(zip(header, row, strict=False)) for row in rows[at + 1 :] if any(row)]


def _page_names(client: Client, url: str, params: dict[str, str]) -> list[str]:
    """Every name the list page shows, page after page."""
    names, page = [], 1
    while True:
        soup = BeautifulSoup(client.get(url, {**params, "trang": page}).content, "html.parser")
        names += [a.get_text(strip=True) for a in soup.select(".people-table tbody th a")]
        if not soup.select_one(f'.pagination a[href*="trang={page + 1}"]'):
            return names
        page += 1


FILTERS = [
    {},
    {"tieu-bieu": "0"},
    {"tieu-bieu": "1", "nhom": "1"},
    {"thieu": "vneid_level2"},
    {"van-de": "1"},
    {"giup": "1"},
    {"khong-ngay-sinh": "1"},
]


@pytest.mark.parametrize("params", FILTERS)
def test_the_export_has_exactly_the_lists_people_of_every_page(  # type: ignore[no-untyped-def]
    seeded: Seeded,  # noqa: F811
    monkeypatch,
    params: dict[str, str],
) -> None:
    monkeypatch.setattr(lists, "PAGE_SIZE", 2)  # the list spreads over pages
    client = _user(Role.MANAGER, seeded.campaign.place)
    query = {"ngay": ON.isoformat(), **params}
    page_url = reverse("campaigns:people", args=[seeded.campaign.pk])

    top, rows = _table(
        _sheet(client.get(reverse("campaigns:people_xlsx", args=[seeded.campaign.pk]), query))
    )

    assert sorted(r[HEADER] for r in rows) == sorted(_page_names(client, page_url, query))
    assert top[-1] == f"Số người: {len(rows)}"


def test_the_village_export_has_the_village_pages_people(seeded: Seeded, monkeypatch) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    monkeypatch.setattr(lists, "PAGE_SIZE", 1)
    client = _user(Role.MANAGER, seeded.campaign.place)
    cao = seeded.villages["Thôn Cao Bằng"]
    query = {"ngay": ON.isoformat(), "thieu": "ehealth_book"}
    page_url = reverse("campaigns:village", args=[seeded.campaign.pk, cao.code])

    response = client.get(
        reverse("campaigns:village_xlsx", args=[seeded.campaign.pk, cao.code]), query
    )
    top, rows = _table(_sheet(response))

    names = _page_names(client, page_url, query)
    assert len(names) == 1  # Phạm Thị Dung
    assert sorted(r[HEADER] for r in rows) == sorted(names)
    assert top[0] == "Danh sách người dân – Thôn Cao Bằng"
    assert "Lọc: còn thiếu: " in " ".join(top)
    assert "Số liệu tính đến ngày 30/09/2023" in top


def test_the_file_is_an_xlsx_download_with_a_vietnamese_name(seeded: Seeded) -> None:  # noqa: F811
    client = _user(Role.MANAGER, seeded.campaign.place)
    cao = seeded.villages["Thôn Cao Bằng"]

    response = client.get(reverse("campaigns:village_xlsx", args=[seeded.campaign.pk, cao.code]))

    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="danh-sach-nguoi-dan-thon-cao-bang-')
    disposition.encode("ascii")  # the header itself is ASCII
    assert "Danh sách người dân – Thôn Cao Bằng" in unquote(disposition.split("''", 1)[1])
    assert "no-store" in response["Cache-Control"]


def test_numbers_are_masked_by_role_as_in_the_workbook(seeded: Seeded) -> None:  # noqa: F811
    url = reverse("campaigns:people_xlsx", args=[seeded.campaign.pk])
    manager = _user(Role.MANAGER, seeded.campaign.place)
    member = _user(Role.UNIT_MEMBER, seeded.campaign.place, seeded.units["police"])

    _, full = _table(_sheet(manager.get(url, {"ngay": ON.isoformat()})))
    _, masked = _table(_sheet(member.get(url, {"ngay": ON.isoformat()})))

    hoa = {r[HEADER]: r for r in full}["Nguyễn Thị Hoà"]
    hoa_masked = {r[HEADER]: r for r in masked}["Nguyễn Thị Hoà"]
    assert hoa["Số CCCD"] == "066190012345"
    assert hoa_masked["Số CCCD"] != "066190012345"
    assert "*" in hoa_masked["Số CCCD"]
    dung = {r[HEADER]: r for r in masked}["Phạm Thị Dung"]
    assert dung["Số điện thoại"] == "09******78"
    assert "Năm sinh" in masked[0]  # the birth year only, as in the workbook
    assert "Ngày sinh" in full[0]


def test_an_export_is_audited_with_its_commune(seeded: Seeded) -> None:  # noqa: F811
    url = reverse("campaigns:people_xlsx", args=[seeded.campaign.pk])
    manager = _user(Role.MANAGER, seeded.campaign.place)
    member = _user(Role.UNIT_MEMBER, seeded.campaign.place, seeded.units["police"])

    _, rows = _table(_sheet(manager.get(url, {"ngay": ON.isoformat(), "tieu-bieu": "1"})))
    _sheet(member.get(url, {"ngay": ON.isoformat()}))

    events = list(AuditEvent.objects.filter(action=AuditAction.EXPORT).order_by("id"))
    assert [e.commune_id for e in events] == [seeded.campaign.place.pk] * 2
    assert events[0].actor_name == f"{Role.MANAGER}-{seeded.campaign.place.code}"
    assert events[0].changes["residents"] == len(rows)
    assert events[0].changes["revealed"] == sum(
        1 for r in rows if r["Số CCCD"] or r["Số điện thoại"]
    )
    assert events[0].changes["filter"] == "công dân số tiêu biểu"
    assert "revealed" not in events[1].changes  # masked numbers: nothing shown in full


@pytest.mark.parametrize("role", [Role.VIEWER])
def test_a_user_who_may_not_see_the_list_gets_no_file(seeded: Seeded, role: str) -> None:  # noqa: F811
    client = _user(role, seeded.campaign.place)
    cao = seeded.villages["Thôn Cao Bằng"]

    people = client.get(reverse("campaigns:people_xlsx", args=[seeded.campaign.pk]))
    village = client.get(reverse("campaigns:village_xlsx", args=[seeded.campaign.pk, cao.code]))

    assert (people.status_code, village.status_code) == (404, 404)
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_invalid_filters_give_a_message_not_a_file(seeded: Seeded) -> None:  # noqa: F811
    client = _user(Role.MANAGER, seeded.campaign.place)
    response = client.get(
        reverse("campaigns:people_xlsx", args=[seeded.campaign.pk]), {"tieu-bieu": "x"}
    )
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_the_list_pages_link_to_their_excel_file(seeded: Seeded) -> None:  # noqa: F811
    client = _user(Role.MANAGER, seeded.campaign.place)
    cao = seeded.villages["Thôn Cao Bằng"]
    query = {"ngay": ON.isoformat(), "thieu": "ehealth_book"}

    for page, export in (
        (reverse("campaigns:people", args=[seeded.campaign.pk]), "campaigns:people_xlsx"),
        (
            reverse("campaigns:village", args=[seeded.campaign.pk, cao.code]),
            "campaigns:village_xlsx",
        ),
    ):
        soup = BeautifulSoup(client.get(page, query).content, "html.parser")
        link = soup.select_one("a[data-export=xlsx]")
        assert link is not None
        assert link.get_text(strip=True) == "Tải Excel"
        assert link["href"].split("?")[0] in (
            reverse("campaigns:people_xlsx", args=[seeded.campaign.pk]),
            reverse("campaigns:village_xlsx", args=[seeded.campaign.pk, cao.code]),
        )
        assert link["href"].split("?")[0].endswith(".xlsx") and export
        assert "thieu=ehealth_book" in link["href"]


def test_an_empty_list_gives_a_file_with_its_header_and_is_audited(seeded: Seeded) -> None:  # noqa: F811
    client = _user(Role.MANAGER, seeded.campaign.place)
    cao = seeded.villages["Thôn Cao Bằng"]

    response = client.get(
        reverse("campaigns:village_xlsx", args=[seeded.campaign.pk, cao.code]),
        {"ngay": ON.isoformat(), "khong-ngay-sinh": "1"},
    )
    top, rows = _table(_sheet(response))

    assert rows == [] and top[-1] == "Số người: 0"
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.commune_id == seeded.campaign.place.pk
    assert event.changes["residents"] == 0


def test_the_print_view_offers_the_same_residents_as_excel(seeded: Seeded) -> None:  # noqa: F811
    client = _user(Role.MANAGER, seeded.campaign.place)
    cao = seeded.villages["Thôn Cao Bằng"]
    page = client.get(
        reverse("campaigns:village_print", args=[seeded.campaign.pk, cao.code]),
        {"ngay": ON.isoformat()},
    )
    soup = BeautifulSoup(page.content, "html.parser")
    printed = sorted(th.get_text(strip=True) for th in soup.select("tbody th[scope=row]"))
    link = soup.select_one("a[data-export=xlsx]")

    _, rows = _table(_sheet(client.get(link["href"])))

    assert "tieu-bieu=0" in link["href"]  # the checklist's default: those not yet exemplary
    assert sorted(r[HEADER] for r in rows) == printed
