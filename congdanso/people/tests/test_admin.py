from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from congdanso.people.importing import import_residents
from congdanso.people.models import Resident
from congdanso.people.tests.files import HEADER, write_xlsx
from congdanso.people.tests.test_import import ROWS, TODAY
from congdanso.places.models import Place

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_vi(ea_yong: Place, tmp_path: Path) -> Client:
    import_residents(
        write_xlsx(tmp_path / "ds.xlsx", [HEADER, *ROWS]), commune=ea_yong, today=TODAY
    )
    user = get_user_model().objects.create_superuser("boss", "", "a-Long-pass-2023")
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("hoa nguyen", {"Nguyễn Thị Hoà"}),
        ("NGUYỄN hoà", {"Nguyễn Thị Hoà"}),
        ("bhiao", {"Y Bhiăo Ayun"}),
        # Numbers are encrypted: whole, in any spelling, or exactly their last four digits.
        ("066085000001", {"Trần Văn Bình"}),
        ("066 085 000 001", {"Trần Văn Bình"}),
        ("0912 345 678", {"Nguyễn Thị Hoà"}),
        ("+84912345678", {"Nguyễn Thị Hoà"}),
        ("5678", {"Nguyễn Thị Hoà"}),
        ("0001", {"Trần Văn Bình"}),
        ("000001", set()),  # more than the last four: nothing (it would unmask a number)
        ("12345", set()),
        ("4567", {"Y Bhiăo Ayun"}),  # the end of his phone 0331234567
        ("0912", set()),  # the start of a number: nothing in clear to match it
        ("066085", set()),
        ("345", set()),  # fewer than four digits
    ],
)
def test_resident_admin_finds_folded_name_fragments_cccd_and_phone(
    admin_client_vi: Client, query: str, expected: set[str]
) -> None:
    response = admin_client_vi.get(reverse("admin:people_resident_changelist"), {"q": query})
    assert response.status_code == 200
    names = {str(r) for r in response.context["cl"].result_list}
    assert names == expected


def test_admin_speaks_vietnamese(admin_client_vi: Client) -> None:
    response = admin_client_vi.get(reverse("admin:people_resident_changelist"))
    assert "Họ và tên" in response.content.decode()


def test_the_list_shows_numbers_masked(admin_client_vi: Client) -> None:
    response = admin_client_vi.get(reverse("admin:people_resident_changelist"))
    page = response.content.decode()
    assert "066******345" in page and "09******78" in page
    assert "066190012345" not in page and "0912345678" not in page


def test_the_edit_form_checks_and_stores_the_numbers_encrypted(admin_client_vi: Client) -> None:
    hoa = Resident.objects.with_cccd("066190012345").get()
    url = reverse("admin:people_resident_change", args=[hoa.pk])
    form = admin_client_vi.get(url).context["adminform"].form
    assert (form.initial["cccd"], form.initial["phone"]) == ("066190012345", "0912345678")
    data = {
        **{k: v for k, v in form.initial.items() if v is not None and k != "id"},
        "cccd": "066 190 012 345",
        "phone": "+84 987 654 321",
        "issues-TOTAL_FORMS": "0",
        "issues-INITIAL_FORMS": "0",
    }
    data["birth_date"] = "12/04/1990"
    response = admin_client_vi.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors

    hoa.refresh_from_db()
    assert (hoa.cccd, hoa.phone) == ("066190012345", "0987654321")
    assert Resident.objects.with_phone("0987654321").get() == hoa

    data["phone"] = "0111"
    response = admin_client_vi.post(url, data)
    assert response.status_code == 200
    assert "phone" in response.context["adminform"].form.errors


def test_groups_are_marked_by_hand_in_the_edit_form(admin_client_vi: Client) -> None:
    hoa = Resident.objects.with_cccd("066190012345").get()
    url = reverse("admin:people_resident_change", args=[hoa.pk])
    form = admin_client_vi.get(url).context["adminform"].form
    assert form.initial["groups"] == []
    data = {
        **{k: v for k, v in form.initial.items() if v is not None and k != "id"},
        "groups": ["student", "public_sector"],
        "issues-TOTAL_FORMS": "0",
        "issues-INITIAL_FORMS": "0",
    }
    data["birth_date"] = "12/04/1990"

    response = admin_client_vi.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    hoa.refresh_from_db()
    assert hoa.segments == "public_sector,student"
