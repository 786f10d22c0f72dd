import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from congdanso.demo.services import DEMO_COMMUNE_CODE
from congdanso.people.models import Resident
from congdanso.places.models import Place

pytestmark = pytest.mark.django_db


def test_demo_builds_ea_yong_and_a_second_run_changes_nothing(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.DATA_DIR = tmp_path
    first = io.StringIO()
    call_command("demo", "--residents", "400", stdout=first)
    commune = Place.objects.get(code=DEMO_COMMUNE_CODE)
    names = set(Place.objects.filter(parent=commune).values_list("name", flat=True))
    assert {"Thôn Cao Bằng", "Thôn Tân Lập", "Buôn Ghamah", "Trường Tiểu học Chu Văn An"} <= names
    assert commune.parent.name == "Huyện Krông Pắc"
    assert commune.parent.parent.code == "66"
    count = Resident.objects.filter(commune=commune).count()
    assert 390 <= count <= 400
    assert "admin / congdanso-2023" in first.getvalue()
    assert get_user_model().objects.get(username="admin").is_superuser
    for username in ("thuky", "congan", "truongthon", "huyen"):  # one per role
        assert f"{username} / congdanso-2023" in first.getvalue()
    volunteer = get_user_model().objects.get(username="congan").grants.get()
    assert (volunteer.role, volunteer.unit.name) == ("unit_member", "Công an xã Ea Yông")

    second = io.StringIO()
    call_command("demo", "--residents", "400", stdout=second)
    assert Resident.objects.filter(commune=commune).count() == count
    assert " 0 thêm mới, 0 cập nhật" in second.getvalue()
    assert "thuky / congdanso-2023" not in second.getvalue()  # passwords left as they were
