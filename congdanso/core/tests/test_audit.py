import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction

from congdanso.campaigns.achievements import achievement_record, achievement_withdraw
from congdanso.campaigns.models import Campaign, Criterion
from congdanso.core.audit import audit_context, audit_record, changes_between
from congdanso.core.models import AuditAction, AuditEvent
from congdanso.outreach.services import session_create, turn_record
from congdanso.people.tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db


def test_personal_fields_are_masked_in_changes() -> None:
    changes = changes_between(
        {"cccd": "066190012345", "phone": "0912345678", "full_name": "Nguyễn Thị Hoà"},
        {"cccd": "066190012399", "phone": "0912345699", "full_name": "Nguyễn Thị Hòa Bình"},
    )
    assert changes["cccd"] == ["066******345", "066******399"]
    assert changes["phone"][0].startswith("09") and "345" not in changes["phone"][0]
    assert changes["full_name"] == ["N. T. H.", "N. T. H. B."]


def test_recording_and_withdrawing_an_achievement_is_audited_with_who_and_where(
    campaign: Campaign, django_user_model
) -> None:  # type: ignore[no-untyped-def]
    officer = django_user_model.objects.create_user("canbo")
    person = ResidentFactory(village=campaign.place.children.first())
    vneid = Criterion.objects.get(code="vneid_level2")

    with audit_context(user=officer, ip="10.0.0.7", via="web"):
        recorded = achievement_record(
            resident=person, criterion=vneid, achieved_on=dt.date(2023, 5, 4)
        )
        achievement_record(resident=person, criterion=vneid, achieved_on=dt.date(2023, 5, 1))
        achievement_withdraw(achievement=recorded.achievement, reason="Nhầm người")

    events = list(AuditEvent.objects.order_by("id").filter(object_type="campaigns.achievement"))
    assert [e.action for e in events] == ["create", "update", "withdraw"]
    assert {(e.actor_name, e.ip, e.via, e.commune_id) for e in events} == {
        ("canbo", "10.0.0.7", "web", campaign.place_id)
    }
    assert events[1].changes["achieved_on"] == ["2023-05-04", "2023-05-01"]
    assert events[2].reason == "Nhầm người"


def test_an_unchanged_fact_writes_no_event(campaign: Campaign) -> None:
    person = ResidentFactory(village=campaign.place.children.first())
    vneid = Criterion.objects.get(code="vneid_level2")
    achievement_record(resident=person, criterion=vneid, achieved_on=dt.date(2023, 5, 4))
    before = AuditEvent.objects.count()
    achievement_record(resident=person, criterion=vneid, achieved_on=dt.date(2023, 6, 4))
    assert AuditEvent.objects.count() == before


def test_sessions_and_turns_are_audited(campaign: Campaign) -> None:
    village = campaign.place.children.first()
    session = session_create(campaign=campaign, place=village, date=dt.date(2023, 4, 12))
    person = ResidentFactory(village=village)
    turn_record(session=session, resident=person, service="guidance")

    types = list(AuditEvent.objects.order_by("id").values_list("object_type", "action"))
    assert ("outreach.supportsession", "create") in types
    assert ("outreach.turn", "create") in types
    assert ("outreach.supportsession", "update") in types  # planned → held


def test_audit_events_cannot_be_changed_in_the_database(campaign: Campaign) -> None:
    event = audit_record(action=AuditAction.REVEAL, object_type="people.resident", object_id=1)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(reason="xoá dấu vết")
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic():
            AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).reason == ""
