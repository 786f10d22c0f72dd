"""Every link of the dashboard opens, for every role: a viewer of the commune, the district or
the province is not sent to a village page of people it may not see (it answered "Không tìm
thấy"), and every page behind a link speaks Vietnamese from the catalog."""

import datetime as dt
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.urls import reverse

from congdanso.accounts.models import Role, User
from congdanso.accounts.services import role_grant
from congdanso.campaigns.achievements import achievement_record
from congdanso.campaigns.models import Campaign, Criterion
from congdanso.conftest import EXEMPLARY_2023
from congdanso.core.tests.catalog import catalog_misses
from congdanso.outreach.services import session_create, turn_record
from congdanso.partners.models import DonationItem, UnitKind
from congdanso.partners.services import donation_create, pledge_upsert, unit_get_or_create
from congdanso.people.tests.factories import ResidentFactory
from congdanso.places.models import Place

pytestmark = pytest.mark.django_db

ON = dt.date(2023, 9, 30)
ROLES = (
    "admin",
    "manager",
    "unit_member",
    "village_head",
    "commune_viewer",
    "district_viewer",
    "province_viewer",
)


@pytest.fixture
def users(campaign: Campaign, ea_yong: Place) -> dict[str, User]:
    villages = {p.name: p for p in Place.objects.filter(parent=ea_yong)}
    cao, tan = villages["Thôn Cao Bằng"], villages["Thôn Tân Lập"]
    police, _ = unit_get_or_create(place=ea_yong, name="Công an xã Ea Yông", kind=UnitKind.POLICE)
    pledge_upsert(unit=police, campaign=campaign, target_people=300, target_sessions=20)
    young = dt.date(2000, 3, 1)
    for village in (cao, tan):
        exemplary = ResidentFactory(village=village, birth_date=young)
        for code in EXEMPLARY_2023:
            achievement_record(
                resident=exemplary,
                criterion=Criterion.objects.get(code=code),
                achieved_on=dt.date(2023, 6, 1),
                unit_id=police.pk,
            )
        ResidentFactory(village=village, birth_date=young)
    session = session_create(campaign=campaign, place=tan, date=dt.date(2023, 6, 1), units=[police])
    turn_record(
        session=session,
        resident=ResidentFactory(village=tan, birth_date=young),
        criterion=Criterion.objects.get(code="ehealth_book"),
        unit=police,
    )
    donation_create(
        campaign=campaign,
        village=cao,
        item=DonationItem.INTERNET_LINE,
        given_on=dt.date(2023, 6, 1),
        value_vnd=4_000_000,
        donor_units=[police],
    )
    district = ea_yong.parent
    assert district is not None and district.parent is not None
    grants = {
        "manager": (Role.MANAGER, ea_yong, None),
        "unit_member": (Role.UNIT_MEMBER, ea_yong, police),
        "village_head": (Role.VILLAGE_HEAD, cao, None),
        "commune_viewer": (Role.VIEWER, ea_yong, None),
        "district_viewer": (Role.VIEWER, district, None),
        "province_viewer": (Role.VIEWER, district.parent, None),
    }
    found = {"admin": User.objects.create_superuser("quantri", "", "x-Long-pass-2023")}
    for name, (role, place, unit) in grants.items():
        found[name] = User.objects.create_user(name)
        role_grant(user=found[name], role=role, place=place, unit=unit)
    return found


def _links(html: bytes) -> set[str]:
    """The site's own addresses the page links to (not the fragment on the page itself)."""
    soup = BeautifulSoup(html, "html.parser")
    found = set()
    for anchor in soup.select("a[href]"):
        href = str(anchor["href"])
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or href.startswith("#"):
            continue
        found.add(href.split("#")[0])
    return found


@pytest.mark.parametrize("role", ROLES)
def test_every_link_of_the_dashboard_opens_for_every_role(
    users: dict[str, User], campaign: Campaign, role: str
) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    client.force_login(users[role])
    dashboard = reverse("campaigns:dashboard", args=[campaign.pk]) + f"?ngay={ON.isoformat()}"

    with catalog_misses() as missed:
        response = client.get(dashboard)
        assert response.status_code == 200
        broken = {}
        for url in sorted(_links(response.content)):
            answer = client.get(url)
            if answer.status_code >= 400:
                broken[url] = answer.status_code

    assert broken == {}
    assert missed == set(), "messages missing from the Vietnamese catalog"


@pytest.mark.parametrize("role", ["district_viewer", "province_viewer", "commune_viewer"])
def test_a_viewer_reaches_a_village_s_figures_from_its_name(
    users: dict[str, User], campaign: Campaign, role: str
) -> None:
    client = Client()
    client.force_login(users[role])
    response = client.get(reverse("campaigns:dashboard", args=[campaign.pk]))
    soup = BeautifulSoup(response.content, "html.parser")

    names = soup.select(".area-table tbody th a")

    assert names, "the village names link somewhere"
    for anchor in names:
        page = client.get(str(anchor["href"]))
        assert page.status_code == 200
        heading = BeautifulSoup(page.content, "html.parser").select_one("main")
        assert heading is not None and anchor.get_text(strip=True) in heading.get_text()


def test_a_criterion_the_campaign_does_not_track_is_named_in_the_message(
    users: dict[str, User], campaign: Campaign
) -> None:
    Criterion.objects.create(code="tiem_chung", name="Tiêm chủng đầy đủ")
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    client.force_login(users["manager"])

    response = client.get(reverse("campaigns:people", args=[campaign.pk]) + "?thieu=tiem_chung")

    text = BeautifulSoup(response.content, "html.parser").select_one("main").get_text(" ")
    assert "Tiêm chủng đầy đủ" in text
    assert "tiem_chung" not in text
