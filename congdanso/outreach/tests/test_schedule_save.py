"""Saving a plan the secretary edited: exactly its rows, each with its own units, or
nothing at all."""

import datetime as dt

import pytest

from congdanso.campaigns.models import Campaign
from congdanso.core.errors import DomainError
from congdanso.outreach.models import SupportSession
from congdanso.outreach.schedule import PlannedSession, schedule_save
from congdanso.outreach.services import session_create
from congdanso.partners.models import Unit, UnitKind
from congdanso.partners.services import unit_get_or_create
from congdanso.places.models import Place
from congdanso.places.services import commune_get_or_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def sites(ea_yong: Place) -> list[Place]:
    return list(ea_yong.children.order_by("path"))


@pytest.fixture
def police(ea_yong: Place) -> Unit:
    return unit_get_or_create(place=ea_yong, name="Công an xã", kind=UnitKind.POLICE)[0]


@pytest.fixture
def youth(ea_yong: Place) -> Unit:
    return unit_get_or_create(place=ea_yong, name="Đoàn Thanh niên", kind=UnitKind.YOUTH_UNION)[0]


def test_each_row_becomes_one_session_with_its_units(
    campaign: Campaign, sites: list[Place], police: Unit, youth: Unit
) -> None:
    rows = [
        PlannedSession(date=dt.date(2023, 9, 7), place=sites[0], units=(police,)),
        PlannedSession(date=dt.date(2023, 9, 7), place=sites[1], units=(police, youth)),
        PlannedSession(date=dt.date(2023, 9, 6), place=sites[2]),
    ]

    created = schedule_save(
        campaign=campaign, sessions=rows, starts_at=dt.time(7, 30), ends_at=dt.time(11)
    )

    assert [(s.date, s.place, set(s.units.all())) for s in created] == [
        (r.date, r.place, set(r.units)) for r in rows
    ]
    assert SupportSession.objects.filter(campaign=campaign).count() == 3
    assert {(s.starts_at, s.ends_at) for s in created} == {(dt.time(7, 30), dt.time(11))}


def _refused(campaign: Campaign, rows: list[PlannedSession], **times: dt.time) -> str:
    with pytest.raises(DomainError) as refused:
        schedule_save(campaign=campaign, sessions=rows, **times)
    assert (
        not SupportSession.objects.filter(campaign=campaign)
        .exclude(date=dt.date(2023, 4, 13))
        .exists()
    )
    return refused.value.code


def test_a_plan_that_clashes_or_strays_saves_nothing(
    campaign: Campaign, sites: list[Place], police: Unit, ea_yong: Place
) -> None:
    day = dt.date(2023, 9, 7)
    good = PlannedSession(date=day, place=sites[0])
    session_create(campaign=campaign, place=sites[3], date=dt.date(2023, 4, 13))
    other = commune_get_or_create(parent=ea_yong.parent, name="Xã Ea Phê", code="ea-phe")[0]
    stranger = unit_get_or_create(place=other, name="Công an xã Ea Phê", kind=UnitKind.POLICE)[0]

    assert _refused(campaign, []) == "schedule_empty"
    assert _refused(campaign, [good, good]) == "schedule_row_repeated"
    assert (
        _refused(campaign, [good, PlannedSession(date=dt.date(2023, 4, 13), place=sites[3])])
        == "schedule_slot_taken"
    )
    assert (
        _refused(campaign, [good, PlannedSession(date=day, place=sites[1], units=(stranger,))])
        == "unit_outside_campaign"
    )
    # The first row is valid and written before the second fails: the whole plan rolls back.
    assert (
        _refused(campaign, [good, PlannedSession(date=dt.date(2024, 1, 4), place=sites[1])])
        == "date_outside_campaign"
    )
    assert (
        _refused(campaign, [good], starts_at=dt.time(11), ends_at=dt.time(7))
        == "session_times_invalid"
    )
