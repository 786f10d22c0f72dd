"""Adding one person by hand (a newcomer met at a session, a card that matched nobody)."""

import datetime as dt

import pytest

from congdanso.campaigns.models import Campaign
from congdanso.core.errors import DomainError
from congdanso.core.models import AuditEvent
from congdanso.people.models import DataIssue, IssueCode, Resident
from congdanso.people.services import resident_add
from congdanso.places.models import Place
from congdanso.progress.indicators import campaign_indicators
from congdanso.progress.tallies import tally_check

pytestmark = pytest.mark.django_db


def _village(commune: Place) -> Place:
    return Place.objects.get(parent=commune, name="Thôn Cao Bằng")


def test_a_person_is_added_cleaned_counted_and_audited(campaign: Campaign, ea_yong: Place) -> None:
    before = campaign_indicators(campaign, on=dt.date(2023, 12, 31)).cohort.size

    person = resident_add(
        village=_village(ea_yong),
        full_name="  NGUYỄN   THỊ HOÀ ",
        birth_date="12/04/1990",
        gender="Nữ",
        cccd="066190012345",
        phone="0912 345 678",
    )

    assert (person.full_name, person.name_key, person.commune_id) == (
        "Nguyễn Thị Hoà",
        "nguyen thi hoa",
        ea_yong.pk,
    )
    assert (person.cccd, person.phone, person.gender) == ("066190012345", "0912345678", "F")
    assert tally_check(campaign) == []
    assert campaign_indicators(campaign, on=dt.date(2023, 12, 31)).cohort.size == before + 1
    event = AuditEvent.objects.get(object_type="people.resident", action="create")
    assert "066190012345" not in str(event.changes)


def test_a_namesake_born_the_same_year_is_flagged(ea_yong: Place) -> None:
    village = _village(ea_yong)
    resident_add(village=village, full_name="Lê Văn An", birth_date="1980")
    second = resident_add(village=village, full_name="Lê Văn An", birth_date="03/1980")

    assert DataIssue.objects.filter(resident=second, code=IssueCode.POSSIBLE_DUPLICATE).exists()


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"full_name": "  "}, "name_missing"),
        ({"cccd": "12345"}, "cccd_length"),
        ({"cccd": "066085000001", "birth_date": "1990"}, "cccd_mismatch"),
        ({"phone": "0111222333"}, "phone_prefix_unknown"),
        ({"birth_date": "31/02/1990"}, "date_impossible"),
    ],
)
def test_bad_values_are_refused_and_nothing_is_written(
    ea_yong: Place, changes: dict[str, str], code: str
) -> None:
    values = {"village": _village(ea_yong), "full_name": "Trần Văn Bình"} | changes
    with pytest.raises(DomainError) as refused:
        resident_add(**values)  # type: ignore[arg-type]
    assert refused.value.code == code
    assert not Resident.objects.exists()


def test_a_cccd_of_somebody_else_is_refused(ea_yong: Place) -> None:
    village = _village(ea_yong)
    resident_add(village=village, full_name="Nguyễn Thị Hoà", cccd="066190012345")
    with pytest.raises(DomainError) as refused:
        resident_add(village=village, full_name="Nguyễn Thị Hoa", cccd="066190012345")
    assert refused.value.code == "cccd_taken"
    assert Resident.objects.count() == 1


def test_a_commune_is_not_a_village(ea_yong: Place) -> None:
    with pytest.raises(DomainError) as refused:
        resident_add(village=ea_yong, full_name="Trần Văn Bình")
    assert refused.value.code == "village_invalid"
