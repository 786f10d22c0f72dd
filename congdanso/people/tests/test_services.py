"""Services of people, called alone (not through a form that checks first)."""

import pytest

from congdanso.core.errors import DomainError
from congdanso.core.models import AuditEvent
from congdanso.people.models import Resident
from congdanso.people.services import resident_reveal
from congdanso.people.tests.factories import ResidentFactory
from congdanso.places.models import Place

pytestmark = pytest.mark.django_db


@pytest.fixture
def resident(ea_yong: Place) -> Resident:
    return ResidentFactory(
        village=ea_yong.children.first(), cccd="066190012345", phone="0912345678"
    )


@pytest.mark.parametrize("reason", ["", "   ", "...", "1"])
def test_a_reveal_without_a_reason_shows_nothing_and_records_nothing(
    resident: Resident, reason: str
) -> None:
    with pytest.raises(DomainError) as refused:
        resident_reveal(resident=resident, field="cccd", reason=reason)

    assert refused.value.code == "reason_missing"
    assert "066190012345" not in str(refused.value)
    assert not AuditEvent.objects.filter(action="reveal").exists()


def test_a_reveal_with_a_reason_shows_the_number_and_records_why(resident: Resident) -> None:
    value = resident_reveal(resident=resident, field="phone", reason="  Gọi  xác minh ")

    assert value == "0912345678"
    event = AuditEvent.objects.get(action="reveal")
    assert (event.reason, event.object_id) == ("Gọi xác minh", str(resident.pk))


def test_only_the_cccd_and_phone_can_be_revealed(resident: Resident) -> None:
    with pytest.raises(DomainError) as refused:
        resident_reveal(resident=resident, field="full_name", reason="Đối chiếu")

    assert refused.value.code == "field_not_revealable"
    assert not AuditEvent.objects.filter(action="reveal").exists()
