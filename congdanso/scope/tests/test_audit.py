import datetime as dt

import pytest

from congdanso.accounts.models import Role, User
from congdanso.accounts.services import role_grant
from congdanso.campaigns.achievements import achievement_record
from congdanso.campaigns.models import Campaign, Criterion
from congdanso.people.tests.factories import ResidentFactory
from congdanso.places.models import Place
from congdanso.places.services import commune_get_or_create, village_get_or_create
from congdanso.scope.access import access_for
from congdanso.scope.audit import audit_events_visible

pytestmark = pytest.mark.django_db


def test_managers_see_the_audit_of_their_communes_only(campaign: Campaign, ea_yong: Place) -> None:
    other = commune_get_or_create(parent=ea_yong.parent, name="Xã Ea Phê", code="ea-phe")[0]
    village_b, _ = village_get_or_create(commune=other, name="Thôn Một")
    vneid = Criterion.objects.get(code="vneid_level2")
    for village in (ea_yong.children.first(), village_b):
        achievement_record(
            resident=ResidentFactory(village=village),
            criterion=vneid,
            achieved_on=dt.date(2023, 5, 4),
        )
    manager = User.objects.create_user("quanly")
    role_grant(user=manager, role=Role.MANAGER, place=ea_yong)
    admin = User.objects.create_superuser("root", "", "x-Long-pass-2023")

    mine = audit_events_visible(access_for(manager), object_type="campaigns.achievement")
    everything = audit_events_visible(access_for(admin), object_type="campaigns.achievement")

    assert {e.commune_id for e in mine} == {ea_yong.pk}
    assert {e.commune_id for e in everything} == {ea_yong.pk, other.pk}
    # Roles: those over his commune (his own), not Ea Phê's nor the district's.
    role_grant(user=User.objects.create_user("quanly-b"), role=Role.MANAGER, place=other)
    role_grant(user=User.objects.create_user("huyen"), role=Role.VIEWER, place=ea_yong.parent)
    grants = audit_events_visible(access_for(manager), action="grant")
    assert [e.commune_id for e in grants] == [ea_yong.pk]
