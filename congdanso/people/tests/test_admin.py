from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from congdanso.people.importing import import_residents
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
        ("0912", {"Nguyễn Thị Hoà"}),
        ("066085", {"Trần Văn Bình"}),
        ("bhiao", {"Y Bhiăo Ayun"}),
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
