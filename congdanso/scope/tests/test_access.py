"""The scope rules of `scope.access`, function by function, on the permission world (commune A
with its campaign and a village head of Thôn Cao Bằng, commune B with its own) plus what a
rule needs to show its edge: a resident of A's second village, one with no village, a
district campaign above both communes, an archived campaign, and users granted above or
across the communes (an `Access` built by hand where the order of the grants matters).

The site's and the API's permission matrices check the same rules through every page; these
check each function alone, fast enough to run for every mutant of the module."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from congdanso.accounts.models import Role, User
from congdanso.accounts.services import role_grant
from congdanso.campaigns.models import Campaign
from congdanso.campaigns.services import campaign_create
from congdanso.core.errors import NotFound
from congdanso.core.tests.world import World
from congdanso.partners.models import UnitKind
from congdanso.partners.services import unit_get_or_create
from congdanso.people.models import Resident
from congdanso.people.tests.factories import ResidentFactory
from congdanso.places.models import Place, PlaceKind
from congdanso.places.services import commune_get_or_create, village_get_or_create
from congdanso.scope.access import (
    ALL_ROLES,
    ANONYMOUS,
    MANAGE_ROLES,
    Access,
    Grant,
    access_for,
    campaign_get_for,
    campaigns_managed,
    campaigns_visible,
    can_manage,
    can_record,
    can_reveal,
    can_review_report,
    can_submit_report,
    can_withdraw,
    commune_managed_get,
    communes_managed,
    indicator_place_for,
    place_get_for,
    places_visible,
    resident_get_for,
    residents_visible,
    units_of,
)

pytestmark = pytest.mark.django_db


def _by_hand(*grants: tuple[str, Place, int | None], user_id: int = 7) -> Access:
    """An access with these grants in this order (`access_for` orders them newest first)."""
    return Access(
        user_id=user_id,
        is_admin=False,
        grants=tuple(
            Grant(role=role, place_id=place.pk, path=place.path, unit_id=unit)
            for role, place, unit in grants
        ),
    )


def _of(world: World, who: str) -> Access:
    return access_for(world.users[who])


def _commune_a(world: World) -> Place:
    return world.campaign.place


def _second_village(world: World) -> Place:
    """Thôn Tân Lập of commune A: not the village head's village."""
    return Place.objects.get(parent=_commune_a(world), name="Thôn Tân Lập")


def _district_campaign(world: World) -> Campaign:
    return campaign_create(
        place=_commune_a(world).parent,
        name="Huyện Krông Pắc 2023",
        start_date=dt.date(2023, 4, 12),
        end_date=dt.date(2023, 12, 31),
        criteria=["vneid_level2"],
        target_exemplary=100,
    )


def _not_found(call, *args) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(NotFound) as error:
        call(*args)
    assert error.value.code == "not_found"
    return error.value.message.render("en")


# --- access_for --------------------------------------------------------------------------------


@pytest.mark.parametrize("user", [None, AnonymousUser(), object()], ids=["none", "anon", "other"])
def test_nobody_signed_in_has_the_anonymous_access(user: object) -> None:
    assert access_for(user) is ANONYMOUS
    assert ANONYMOUS.is_anonymous
    assert ANONYMOUS.roles() == frozenset()


def test_access_for_reads_the_grants_once_per_user_object(
    world: World, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    user = User.objects.get(pk=world.users["unit_a"].pk)
    commune = _commune_a(world)

    with django_assert_num_queries(1):
        access = access_for(user)
    with django_assert_num_queries(0):
        again = access_for(user)

    assert again is access
    assert access.user_id == user.pk
    assert not access.is_anonymous
    assert not access.is_admin
    assert access.grants == (
        Grant(role=Role.UNIT_MEMBER, place_id=commune.pk, path=commune.path, unit_id=world.unit.pk),
    )
    assert access.roles() == {Role.UNIT_MEMBER}


def test_a_superuser_or_an_admin_grant_makes_an_administrator(world: World) -> None:
    superuser = _of(world, "admin")
    admin = User.objects.create_user("quantri-tinh")
    role_grant(user=admin, role=Role.ADMIN, place=_commune_a(world).parent.parent)

    assert superuser.is_admin
    assert superuser.grants == ()
    assert superuser.roles() == {Role.ADMIN}
    assert access_for(admin).is_admin
    assert not _of(world, "manager_a").is_admin
    assert _of(world, "manager_a").roles() == {Role.MANAGER}


# --- Access.covers, overlaps, paths --------------------------------------------------------------


def test_a_grant_covers_its_place_and_what_lies_below_only(world: World) -> None:
    commune, village = _commune_a(world), world.resident.village
    manager, head, unit = _of(world, "manager_a"), _of(world, "head_a"), _of(world, "unit_a")

    assert manager.covers(commune, ALL_ROLES)
    assert manager.covers(village, ALL_ROLES)
    assert not manager.covers(world.campaign_b.place, ALL_ROLES)
    assert not manager.covers(commune.parent, ALL_ROLES)
    assert head.covers(village, ALL_ROLES)
    assert not head.covers(_second_village(world), ALL_ROLES)
    assert not head.covers(commune, ALL_ROLES)
    assert unit.covers(commune, ALL_ROLES)
    assert not unit.covers(commune, MANAGE_ROLES)
    assert _of(world, "admin").covers(world.campaign_b.place, MANAGE_ROLES)


def test_a_place_overlaps_a_grant_above_or_below_it(world: World) -> None:
    commune, district = _commune_a(world), _commune_a(world).parent
    manager, head, unit = _of(world, "manager_a"), _of(world, "head_a"), _of(world, "unit_a")

    assert manager.overlaps(district, ALL_ROLES)
    assert manager.overlaps(commune, ALL_ROLES)
    assert manager.overlaps(world.resident.village, ALL_ROLES)
    assert not manager.overlaps(world.campaign_b.place, ALL_ROLES)
    assert head.overlaps(commune, ALL_ROLES)
    assert not head.overlaps(_second_village(world), ALL_ROLES)
    assert unit.overlaps(district, ALL_ROLES)
    assert not unit.overlaps(district, MANAGE_ROLES)
    assert _of(world, "admin").overlaps(world.campaign_b.place, MANAGE_ROLES)


def test_paths_are_those_of_the_grants_of_the_roles_asked(world: World) -> None:
    a, b = _commune_a(world), world.campaign_b.place
    access = _by_hand((Role.VIEWER, a, None), (Role.MANAGER, b, None))

    assert access.paths(MANAGE_ROLES) == [b.path]
    assert access.paths(ALL_ROLES) == [a.path, b.path]


# --- places ---------------------------------------------------------------------------------------


def test_places_visible_are_the_subtrees_of_the_grants(world: World) -> None:
    commune = _commune_a(world)
    subtree = set(Place.objects.filter(path__startswith=commune.path))

    assert set(places_visible(_of(world, "manager_a"))) == subtree
    assert len(subtree) == 5  # the commune and its four villages
    assert set(places_visible(_of(world, "head_a"))) == {world.resident.village}
    assert set(places_visible(_of(world, "unit_a"))) == subtree
    assert not places_visible(_of(world, "unit_a"), roles=MANAGE_ROLES).exists()
    assert not places_visible(_by_hand()).exists()
    assert places_visible(_of(world, "admin")).count() == Place.objects.count()


def test_places_visible_with_two_grants_are_both_subtrees(world: World) -> None:
    a, b = _commune_a(world), world.campaign_b.place
    both = _by_hand((Role.MANAGER, a, None), (Role.MANAGER, b, None))

    assert set(places_visible(both)) == set(
        Place.objects.filter(path__startswith=a.path)
        | Place.objects.filter(path__startswith=b.path)
    )
    assert list(communes_managed(both)) == sorted([a, b], key=lambda p: p.path)
    assert set(residents_visible(both)) == {world.resident, world.resident_b}
    assert set(campaigns_visible(both)) == {world.campaign, world.campaign_b}


def test_place_get_for_finds_a_visible_place_by_its_code_only(world: World) -> None:
    village = world.resident.village
    manager = _of(world, "manager_a")

    assert place_get_for(manager, f"  {village.code} ") == village
    message = _not_found(place_get_for, manager, "ea-phe")
    assert message == "No place has the code ea-phe."
    assert place_get_for(_of(world, "admin"), "ea-phe") == world.campaign_b.place


# --- residents -----------------------------------------------------------------------------------


@pytest.fixture
def more(world: World) -> dict[str, Resident]:
    """A resident of commune A's second village and one of commune A with no village."""
    return {
        "second": ResidentFactory(village=_second_village(world), full_name="Trần Văn Hoà"),
        "no_village": ResidentFactory(commune=_commune_a(world), full_name="Lê Thị Hoà"),
    }


def test_residents_visible_by_role(world: World, more: dict[str, Resident]) -> None:
    commune_a = {world.resident, more["second"], more["no_village"]}

    assert set(residents_visible(_of(world, "manager_a"))) == commune_a
    assert set(residents_visible(_of(world, "unit_a"))) == commune_a
    assert set(residents_visible(_of(world, "head_a"))) == {world.resident}
    assert set(residents_visible(_of(world, "manager_b"))) == {world.resident_b}
    assert not residents_visible(_of(world, "viewer_a")).exists()
    assert not residents_visible(_by_hand()).exists()
    assert set(residents_visible(_of(world, "admin"))) == {*commune_a, world.resident_b}


def test_a_viewer_grant_before_a_person_grant_does_not_hide_the_person_grant(
    world: World,
) -> None:
    access = _by_hand(
        (Role.VIEWER, _commune_a(world), None), (Role.MANAGER, world.campaign_b.place, None)
    )

    assert set(residents_visible(access)) == {world.resident_b}


def test_resident_get_for_finds_a_visible_resident_by_id_only(
    world: World, more: dict[str, Resident]
) -> None:
    manager, head = _of(world, "manager_a"), _of(world, "head_a")
    resident = world.resident

    assert resident_get_for(manager, resident.pk) == resident
    assert resident_get_for(manager, str(resident.pk)) == resident
    assert resident_get_for(head, resident.pk).village == resident.village
    assert _not_found(resident_get_for, manager, world.resident_b.pk) == "No such resident."
    assert _not_found(resident_get_for, head, more["second"].pk) == "No such resident."
    assert _not_found(resident_get_for, manager, f"{resident.pk}x") == "No such resident."
    assert _not_found(resident_get_for, manager, "") == "No such resident."


def test_a_resident_comes_with_their_village_and_commune(
    world: World, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    manager = _of(world, "manager_a")

    with django_assert_num_queries(1):  # the card and the forms read both at once
        resident = resident_get_for(manager, world.resident.pk)
        assert (resident.village.name, resident.commune.name) == ("Thôn Cao Bằng", "Xã Ea Yông")


# --- campaigns ----------------------------------------------------------------------------------


def test_campaigns_visible_are_those_around_the_grants_and_not_archived(world: World) -> None:
    district = _district_campaign(world)
    archived = _district_campaign(world)
    Campaign.objects.filter(pk=archived.pk).update(archived_at=timezone.now())
    district_viewer = _by_hand((Role.VIEWER, _commune_a(world).parent, None))

    assert set(campaigns_visible(_of(world, "manager_a"))) == {world.campaign, district}
    assert set(campaigns_visible(_of(world, "head_a"))) == {world.campaign, district}
    assert set(campaigns_visible(_of(world, "manager_b"))) == {world.campaign_b, district}
    assert set(campaigns_visible(district_viewer)) == {world.campaign, world.campaign_b, district}
    assert set(campaigns_visible(_of(world, "admin"))) == {
        world.campaign,
        world.campaign_b,
        district,
    }
    assert not campaigns_visible(_by_hand()).exists()


def test_campaign_get_for_finds_a_visible_campaign_by_id_only(world: World) -> None:
    manager = _of(world, "manager_a")
    campaign = world.campaign

    assert campaign_get_for(manager, campaign.pk) == campaign
    assert campaign_get_for(manager, str(campaign.pk)) == campaign
    message = _not_found(campaign_get_for, manager, world.campaign_b.pk)
    assert message == f"No campaign has the id {world.campaign_b.pk}."
    assert _not_found(campaign_get_for, manager, "1x") == "No campaign has the id 1x."
    Campaign.objects.filter(pk=campaign.pk).update(archived_at=timezone.now())
    _not_found(campaign_get_for, _of(world, "admin"), campaign.pk)


def test_a_campaign_comes_with_its_place(world: World, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    manager = _of(world, "manager_a")

    with django_assert_num_queries(1):  # every page of a campaign names its place
        assert campaign_get_for(manager, world.campaign.pk).place.name == "Xã Ea Yông"


def test_campaigns_managed_are_those_of_the_places_managed(world: World) -> None:
    district = _district_campaign(world)
    district_manager = _by_hand((Role.MANAGER, _commune_a(world).parent, None))

    assert set(campaigns_managed(_of(world, "manager_a"))) == {world.campaign}
    assert not campaigns_managed(_of(world, "unit_a")).exists()
    assert set(campaigns_managed(district_manager)) == {world.campaign, world.campaign_b, district}
    assert set(campaigns_managed(_of(world, "admin"))) == {
        world.campaign,
        world.campaign_b,
        district,
    }


# --- indicator_place_for ------------------------------------------------------------------------

NO_PLACE = "No such place in this campaign."


def test_indicators_of_the_place_asked_when_covered(world: World) -> None:
    village = world.resident.village
    manager = _of(world, "manager_a")

    assert indicator_place_for(manager, world.campaign, None) == world.campaign.place
    assert indicator_place_for(manager, world.campaign, village) == village
    assert indicator_place_for(_of(world, "head_a"), world.campaign, village) == village


def test_indicators_default_to_the_user_s_own_place_within_the_campaign(world: World) -> None:
    district = _district_campaign(world)
    a, b = _commune_a(world), world.campaign_b.place
    both = _by_hand((Role.MANAGER, a, None), (Role.MANAGER, b, None))

    assert indicator_place_for(_of(world, "manager_a"), district, None) == a
    assert indicator_place_for(_of(world, "head_a"), world.campaign, None) == world.resident.village
    # Of two communes, the first by path (Ea Phê before Ea Yông).
    assert b.path < a.path
    assert indicator_place_for(both, district, None) == b
    assert indicator_place_for(_of(world, "admin"), district, None) == district.place


def test_indicators_of_a_place_not_covered_or_outside_the_campaign_do_not_exist(
    world: World,
) -> None:
    district = _district_campaign(world)
    manager = _of(world, "manager_a")

    assert _not_found(indicator_place_for, manager, district, world.campaign_b.place) == NO_PLACE
    assert _not_found(indicator_place_for, manager, world.campaign_b, None) == NO_PLACE
    admin = _of(world, "admin")
    assert (
        _not_found(indicator_place_for, admin, world.campaign, world.campaign_b.place) == NO_PLACE
    )
    head = _of(world, "head_a")
    assert _not_found(indicator_place_for, head, world.campaign, _second_village(world)) == NO_PLACE


# --- can_* ----------------------------------------------------------------------------------------


def test_can_reveal_administrators_and_managers_of_the_resident_s_commune(
    world: World, more: dict[str, Resident]
) -> None:
    resident = world.resident
    district_manager = _by_hand((Role.MANAGER, _commune_a(world).parent, None))

    assert can_reveal(_of(world, "admin"), resident)
    assert can_reveal(_of(world, "manager_a"), resident)
    assert can_reveal(_of(world, "manager_a"), more["no_village"])
    assert can_reveal(district_manager, resident)
    for who in ("unit_a", "head_a", "viewer_a", "manager_b"):
        assert not can_reveal(_of(world, who), resident), who
    assert not can_reveal(_of(world, "manager_a"), world.resident_b)


def test_can_withdraw_managers_administrators_or_who_recorded_it(world: World) -> None:
    resident = world.resident
    unit, head = world.users["unit_a"], world.users["head_a"]

    assert can_withdraw(_of(world, "admin"), resident, None)
    assert can_withdraw(_of(world, "manager_a"), resident, head.pk)
    assert can_withdraw(_of(world, "unit_a"), resident, unit.pk)
    assert not can_withdraw(_of(world, "unit_a"), resident, head.pk)
    assert not can_withdraw(_of(world, "unit_a"), resident, None)
    assert not can_withdraw(_of(world, "manager_b"), resident, head.pk)
    assert not can_withdraw(ANONYMOUS, resident, None)


def test_can_manage_and_submit_managers_of_the_place(world: World) -> None:
    district = _district_campaign(world)
    commune = _commune_a(world)
    manager = _of(world, "manager_a")

    assert can_manage(manager, world.campaign)
    assert not can_manage(manager, world.campaign_b)
    assert not can_manage(manager, district)
    assert not can_manage(_of(world, "unit_a"), world.campaign)
    assert can_manage(_of(world, "admin"), world.campaign_b)
    assert can_submit_report(manager, commune)
    assert not can_submit_report(_of(world, "viewer_a"), commune)
    assert not can_submit_report(_of(world, "manager_b"), commune)
    assert can_submit_report(_of(world, "admin"), commune)


def test_can_review_a_report_from_a_place_above_it_never_its_own(world: World) -> None:
    commune, district = _commune_a(world), _commune_a(world).parent

    assert can_review_report(_by_hand((Role.VIEWER, district, None)), commune)
    assert can_review_report(_by_hand((Role.MANAGER, district, None)), commune)
    assert not can_review_report(_by_hand((Role.UNIT_MEMBER, district, world.unit.pk)), commune)
    assert not can_review_report(_of(world, "viewer_a"), commune)
    assert not can_review_report(_of(world, "manager_a"), commune)
    assert not can_review_report(_of(world, "manager_b"), commune)
    assert can_review_report(_of(world, "admin"), commune)


def test_can_record_by_role_within_the_grant_and_the_campaign(
    world: World, more: dict[str, Resident]
) -> None:
    campaign, resident = world.campaign, world.resident

    for who in ("admin", "manager_a", "unit_a", "head_a"):
        assert can_record(_of(world, who), campaign, resident), who
    for who in ("viewer_a", "manager_b"):
        assert not can_record(_of(world, who), campaign, resident), who
    assert can_record(_of(world, "manager_a"), campaign, more["second"])
    assert can_record(_of(world, "manager_a"), campaign, more["no_village"])
    # A village head: their village, not the commune's other village nor its villageless.
    assert not can_record(_of(world, "head_a"), campaign, more["second"])
    assert not can_record(_of(world, "head_a"), campaign, more["no_village"])


def test_a_unit_member_records_only_where_their_unit_pledged(world: World) -> None:
    district = _district_campaign(world)  # the police of Ea Yông pledged to campaign A only
    commune = _commune_a(world)
    youth, _ = unit_get_or_create(place=commune, name="Đoàn thanh niên", kind=UnitKind.YOUTH_UNION)
    without_unit = _by_hand((Role.UNIT_MEMBER, commune, None))

    assert can_record(_of(world, "unit_a"), world.campaign, world.resident)
    assert not can_record(_of(world, "unit_a"), district, world.resident)
    assert not can_record(without_unit, world.campaign, world.resident)
    # The police pledged to campaign A, the youth union did not: its members do not record.
    youth_member = _by_hand((Role.UNIT_MEMBER, commune, youth.pk))
    assert not can_record(youth_member, world.campaign, world.resident)


def test_can_record_needs_the_resident_inside_the_campaign(world: World) -> None:
    district_manager = _by_hand((Role.MANAGER, _commune_a(world).parent, None))

    assert can_record(district_manager, world.campaign, world.resident)
    assert not can_record(district_manager, world.campaign_b, world.resident)


def test_a_grant_that_does_not_record_does_not_hide_one_that_does(world: World) -> None:
    commune = _commune_a(world)
    access = _by_hand((Role.VIEWER, commune, None), (Role.MANAGER, commune, None))

    assert can_record(access, world.campaign, world.resident)


def test_units_of_are_the_units_of_the_grants(world: World) -> None:
    commune = _commune_a(world)

    assert units_of(_of(world, "unit_a")) == [world.unit.pk]
    assert units_of(_of(world, "manager_a")) == []
    both = _by_hand((Role.MANAGER, commune, None), (Role.UNIT_MEMBER, commune, world.unit.pk))
    assert units_of(both) == [world.unit.pk]


# --- communes managed -----------------------------------------------------------------------------


def test_communes_managed_by_a_manager_are_theirs(world: World) -> None:
    commune = _commune_a(world)
    district_manager = _by_hand((Role.MANAGER, commune.parent, None))

    assert list(communes_managed(_of(world, "manager_a"))) == [commune]
    assert not communes_managed(_of(world, "unit_a")).exists()
    assert not communes_managed(_of(world, "head_a")).exists()
    managed = list(communes_managed(district_manager))
    assert {commune, world.campaign_b.place} <= set(managed)
    assert {p.kind for p in managed} == {PlaceKind.COMMUNE}
    assert [p.path for p in managed] == sorted(p.path for p in managed)


def test_an_administrator_manages_the_communes_in_use(world: World) -> None:
    district = _commune_a(world).parent
    with_village = commune_get_or_create(parent=district, name="Xã Ea Kly", code="ea-kly")[0]
    village_get_or_create(commune=with_village, name="Thôn 1")
    with_campaign = commune_get_or_create(parent=district, name="Xã Krông Búk", code="krong-buk")[0]
    campaign_create(
        place=with_campaign,
        name="Krông Búk 2023",
        start_date=dt.date(2023, 4, 12),
        end_date=dt.date(2023, 12, 31),
        criteria=["vneid_level2"],
        target_exemplary=10,
    )
    unused = commune_get_or_create(parent=district, name="Xã Hoà An", code="hoa-an")[0]

    managed = list(communes_managed(_of(world, "admin")))

    in_use = [_commune_a(world), world.campaign_b.place, with_village, with_campaign]
    assert managed == sorted(in_use, key=lambda p: p.path)
    assert unused not in managed


def test_commune_managed_get_finds_a_managed_commune_by_its_code_only(world: World) -> None:
    commune = _commune_a(world)
    manager = _of(world, "manager_a")

    assert commune_managed_get(manager, " ea-yong ") == commune
    assert _not_found(commune_managed_get, manager, "ea-phe") == "No commune has the code ea-phe."
    _not_found(commune_managed_get, manager, world.resident.village.code)  # a village
    _not_found(commune_managed_get, _of(world, "unit_a"), "ea-yong")
    assert commune_managed_get(_of(world, "admin"), "ea-phe") == world.campaign_b.place
