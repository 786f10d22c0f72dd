import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from docx import Document

from congdanso.campaigns.achievements import achievement_record
from congdanso.campaigns.models import Achievement, Campaign, Criterion
from congdanso.core.errors import DomainError
from congdanso.core.models import AuditEvent
from congdanso.people.models import Resident
from congdanso.people.services import resident_correct
from congdanso.people.tests.factories import ResidentFactory
from congdanso.privacy.models import PrivacyNotice
from congdanso.privacy.services import (
    notice_record,
    resident_erase,
    subject_data,
    subject_docx,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(campaign: Campaign) -> Resident:
    resident = ResidentFactory(
        village=campaign.place.children.first(),
        full_name="Nguyễn Thị Hoà",
        cccd="066190012345",
        phone="0912345678",
    )
    achievement_record(
        resident=resident,
        criterion=Criterion.objects.get(code="vneid_level2"),
        achieved_on=dt.date(2023, 5, 4),
    )
    notice_record(resident=resident, method="village_meeting", informed_on=dt.date(2023, 4, 12))
    return resident


def test_export_holds_everything_in_clear_and_is_audited(person: Resident) -> None:
    data = subject_data(person)

    assert data["resident"]["cccd"] == "066190012345"
    assert data["resident"]["phone"] == "0912345678"
    assert [a["achieved_on"] for a in data["achievements"]] == ["2023-05-04"]
    assert data["notices"][0]["method"] == "village_meeting"
    assert AuditEvent.objects.filter(action="export", object_id=str(person.pk)).exists()


def test_the_docx_is_readable_and_keeps_vietnamese(person: Resident, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "hoa.docx"
    path.write_bytes(subject_docx(subject_data(person)))

    text = "\n".join(p.text for p in Document(str(path)).paragraphs)
    cells = [c.text for t in Document(str(path)).tables for row in t.rows for c in row.cells]
    assert "THÔNG TIN CÁ NHÂN ĐANG ĐƯỢC LƯU GIỮ" in text
    assert "Nguyễn Thị Hoà" in cells and "066190012345" in cells


def test_correction_goes_through_the_parsers_and_is_audited_masked(person: Resident) -> None:
    resident_correct(
        resident=person,
        changes={"phone": "+84 912 345 699", "birth_date": "1991", "full_name": "nguyễn thị hòa"},
        reason="Người dân đề nghị",
    )
    person.refresh_from_db()
    assert (person.phone, person.birth_date, person.birth_date_precision) == (
        "0912345699",
        dt.date(1991, 1, 1),
        "year",
    )
    event = AuditEvent.objects.filter(action="update", object_id=str(person.pk)).latest("id")
    assert "0912345699" not in json.dumps(event.changes)
    assert event.reason == "Người dân đề nghị"


def test_a_bad_value_is_refused_and_nothing_changes(person: Resident) -> None:
    with pytest.raises(DomainError):
        resident_correct(resident=person, changes={"cccd": "12345"}, reason="Sửa")
    person.refresh_from_db()
    assert person.cccd == "066190012345"


def test_erasure_removes_the_person_and_leaves_a_tombstone_without_personal_data(
    person: Resident,
) -> None:
    person_id = person.pk
    erased = resident_erase(resident=person, reason="Yêu cầu xóa dữ liệu")

    assert erased.achievements == 1 and erased.notices == 1
    assert not Resident.objects.filter(pk=person_id).exists()
    assert not Achievement.objects.filter(resident_id=person_id).exists()
    assert not PrivacyNotice.objects.filter(resident_id=person_id).exists()
    tombstone = AuditEvent.objects.get(action="erase", object_id=str(person_id))
    text = json.dumps([tombstone.changes, tombstone.object_label, tombstone.reason])
    for private in ("Hoà", "066190012345", "0912345678"):
        assert private not in text


def test_subject_command_exports_docx_and_refuses_erase_without_yes(
    person: Resident, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "export.docx"
    call_command("subject", "export", str(person.pk), "--out", str(out))
    assert out.stat().st_size > 0
    with pytest.raises(CommandError) as error:
        call_command("subject", "erase", str(person.pk), "--reason", "x")
    assert error.value.returncode == 2
    assert Resident.objects.filter(pk=person.pk).exists()


def test_a_refused_value_is_explained_in_the_readers_language(person: Resident) -> None:
    with pytest.raises(DomainError) as error:
        resident_correct(resident=person, changes={"phone": "12"}, reason="Sửa")

    vietnamese, english = error.value.message.render("vi"), error.value.message.render("en")
    assert vietnamese != english
    assert vietnamese.startswith("12: ") and english.startswith("12: ")
