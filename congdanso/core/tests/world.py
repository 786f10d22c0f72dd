"""A small world for permission tests of the API and the site: two communes, their campaigns,
people and users of every role. Conftests import the `world` fixture from here."""

import dataclasses
import datetime as dt
from dataclasses import dataclass

import pytest
from django.test import Client

from congdanso.accounts.models import Role, User
from congdanso.accounts.services import role_grant, token_create
from congdanso.campaigns.achievements import achievement_record
from congdanso.campaigns.models import Achievement, Campaign, Criterion
from congdanso.campaigns.services import campaign_create
from congdanso.conftest import EXEMPLARY_2023
from congdanso.outreach.models import SupportSession
from congdanso.outreach.services import session_create
from congdanso.partners.models import Unit, UnitKind
from congdanso.partners.services import pledge_upsert, unit_get_or_create
from congdanso.people.models import Resident
from congdanso.people.tests.factories import ResidentFactory
from congdanso.places.models import Place, PlaceKind
from congdanso.places.services import commune_get_or_create, village_get_or_create

ROLES = ("admin", "manager_a", "unit_a", "head_a", "viewer_a", "manager_b")


@dataclass
class World:
    campaign: Campaign
    campaign_b: Campaign
    resident: Resident
    resident_b: Resident
    session: SupportSession
    achievement: Achievement
    unit: Unit
    users: dict[str, User]
    keys: dict[str, str]

    def client(self, who: str | None) -> Client:
        """An API client with the user's token (no token for None: anonymous)."""
        if who is None:
            return Client()
        return Client(HTTP_AUTHORIZATION=f"Bearer {self.keys[who]}")

    def site(self, who: str | None) -> Client:
        """A browser-like client signed in as the user (anonymous for None)."""
        client = Client()
        if who is not None:
            client.force_login(self.users[who])
        return client


@pytest.fixture
def world(campaign: Campaign, ea_yong: Place) -> World:
    village = Place.objects.get(parent=ea_yong, name="Thôn Cao Bằng")
    district = ea_yong.parent
    other = commune_get_or_create(parent=district, name="Xã Ea Phê", code="ea-phe")[0]
    village_b, _ = village_get_or_create(commune=other, name="Thôn Tân Lập", kind=PlaceKind.VILLAGE)
    campaign_b = campaign_create(
        place=other,
        name="Ea Phê 2023",
        start_date=dt.date(2023, 4, 12),
        end_date=dt.date(2023, 12, 31),
        criteria=list(EXEMPLARY_2023),
        target_exemplary=500,
    )
    police, _ = unit_get_or_create(place=ea_yong, name="Công an xã Ea Yông", kind=UnitKind.POLICE)
    pledge_upsert(unit=police, campaign=campaign, target_people=300)
    resident = ResidentFactory(
        village=village, full_name="Nguyễn Thị Hoà", cccd="066190012345", phone="0912345678"
    )
    resident_b = ResidentFactory(village=village_b, full_name="Y Hoà Niê")
    session = session_create(
        campaign=campaign, place=village, date=dt.date(2023, 4, 13), units=[police]
    )
    achievement = achievement_record(
        resident=resident,
        criterion=Criterion.objects.get(code="bank_account"),
        achieved_on=dt.date(2023, 4, 20),
    ).achievement
    grants = {
        "manager_a": (Role.MANAGER, ea_yong, None),
        "unit_a": (Role.UNIT_MEMBER, ea_yong, police),
        "head_a": (Role.VILLAGE_HEAD, village, None),
        "viewer_a": (Role.VIEWER, ea_yong, None),
        "manager_b": (Role.MANAGER, other, None),
    }
    users = {"admin": User.objects.create_superuser("quantri", "", "x-Long-pass-2023")}
    for name, (role, place, unit) in grants.items():
        users[name] = User.objects.create_user(name)
        role_grant(user=users[name], role=role, place=place, unit=unit)
    keys = {name: token_create(user=user, name="test").key for name, user in users.items()}
    return World(
        campaign, campaign_b, resident, resident_b, session, achievement, police, users, keys
    )


@pytest.fixture
def next_village(world: World, ea_yong: Place) -> World:
    """The same world aimed at a resident of commune A's second village, Thôn Tân Lập, with
    an achievement: everyone who reaches commune A reaches them, except the village head of
    Thôn Cao Bằng, whose scope is one village, not the commune."""
    village = Place.objects.get(parent=ea_yong, name="Thôn Tân Lập")
    resident = ResidentFactory(
        village=village, full_name="Trần Văn Hoà", cccd="066190054321", phone="0987654321"
    )
    achievement = achievement_record(
        resident=resident,
        criterion=Criterion.objects.get(code="bank_account"),
        achieved_on=dt.date(2023, 4, 21),
    ).achievement
    return dataclasses.replace(world, resident=resident, achievement=achievement)
