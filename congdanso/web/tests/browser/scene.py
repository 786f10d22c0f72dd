"""The data the browser tests look at: a commune running its campaign today, as a volunteer
and a secretary find it.

Xã Ea Yông with its villages; a campaign from two months ago to the end of the year (the five
exemplary criteria of 2023 plus SIM standardisation, 1,000 exemplary, half of ages 16–50);
the commune police with a pledge, twinned with Buôn Ghamah, who gave an Internet line; a
support session yesterday; a dozen residents, among them Nguyễn Thị Hoà, who has every
exemplary criterion but VNeID level 2, two other people a search for "hoa nguyen" or "hoa"
finds, one exemplary citizen and one with a data issue. Two users: the secretary (campaign
manager of the commune) and a volunteer of the police (unit member).
"""

import datetime as dt
from dataclasses import dataclass

from congdanso.accounts.models import Role, User
from congdanso.accounts.services import role_grant
from congdanso.campaigns.achievements import achievement_record
from congdanso.campaigns.models import Campaign, Criterion
from congdanso.campaigns.services import campaign_create, criteria_builtin_ensure
from congdanso.campaigns.targets import target_add
from congdanso.conftest import EA_YONG_VILLAGES, EXEMPLARY_2023
from congdanso.outreach.models import SupportSession
from congdanso.outreach.services import session_create, turn_record
from congdanso.partners.models import Donation, DonationItem, Unit, UnitKind
from congdanso.partners.services import (
    donation_create,
    pledge_upsert,
    twinning_get_or_create,
    unit_get_or_create,
)
from congdanso.partners.teams import team_create, team_member_add
from congdanso.people.models import DataIssue, Gender, IssueCode, Resident
from congdanso.people.tests.factories import ResidentFactory
from congdanso.places.models import Place, PlaceKind
from congdanso.places.services import (
    commune_get_or_create,
    district_get_or_create,
    places_load_official,
    village_get_or_create,
)
from congdanso.vn import vietnam_today

PASSWORD = "Ea-Yong-2023-thu"  # noqa: S105 - a test account's
SECRETARY = "thu_ky"
VOLUNTEER = "tinh_nguyen"


@dataclass(frozen=True)
class Scene:
    commune: Place
    villages: dict[str, Place]
    campaign: Campaign
    unit: Unit
    team: Unit  # Thôn Cao Bằng's community digital technology team, with three members
    donation: Donation
    session: SupportSession  # yesterday's, in Thôn Tân Lập
    hoa: Resident  # Nguyễn Thị Hoà, Thôn Cao Bằng: every exemplary criterion but VNeID
    with_issue: Resident
    secretary: User
    volunteer: User


def reference_data_ensure() -> None:
    """What `django_db_setup` and the migrations put in the test database, which the flush
    after a transactional test removes."""
    if not Place.objects.filter(kind=PlaceKind.PROVINCE).exists():
        places_load_official()
    criteria_builtin_ensure()


def _record(resident: Resident, codes: tuple[str, ...], on: dt.date) -> None:
    for code in codes:
        achievement_record(
            resident=resident, criterion=Criterion.objects.get(code=code), achieved_on=on
        )


def scene_build() -> Scene:
    today = vietnam_today()
    province = Place.objects.get(code="66", kind=PlaceKind.PROVINCE)
    district, _ = district_get_or_create(province=province, name="Huyện Krông Pắc")
    commune, _ = commune_get_or_create(parent=district, name="Xã Ea Yông", code="ea-yong")
    villages = {
        name: village_get_or_create(commune=commune, name=name)[0] for name in EA_YONG_VILLAGES
    }
    campaign = campaign_create(
        place=commune,
        name="1.000 công dân số tiêu biểu",
        start_date=today - dt.timedelta(days=60),
        end_date=max(dt.date(today.year, 12, 31), today + dt.timedelta(days=60)),
        criteria=[*EXEMPLARY_2023, "sim_standardized"],
        exemplary=EXEMPLARY_2023,
        target_exemplary=1000,
        cohort_ages=(16, 50),
        cohort_target="0.5",
    )
    # a target of the campaign's own, behind from its first milestone (the long words of the
    # dashboard's "other targets" must fit a phone)
    target_add(
        campaign=campaign,
        name="Bình dân học vụ số: người trưởng thành đạt phổ cập kỹ năng số",
        kind="share",
        value="80%",
        criteria=["digital_skills_certified"],
        ages=(18, 130),
        milestones=[(today - dt.timedelta(days=30), "60%")],
    )
    police, _ = unit_get_or_create(place=commune, name="Công an xã Ea Yông", kind=UnitKind.POLICE)
    pledge_upsert(unit=police, campaign=campaign, target_people=300, target_sessions=20)
    twinning_get_or_create(unit=police, village=villages["Buôn Ghamah"])
    donation = donation_create(
        campaign=campaign,
        village=villages["Buôn Ghamah"],
        item=DonationItem.INTERNET_LINE,
        given_on=today - dt.timedelta(days=20),
        value_vnd=4_000_000,
        donor_units=[police],
    )

    cao_bang, tan_lap = villages["Thôn Cao Bằng"], villages["Thôn Tân Lập"]
    team = team_create(commune=commune, name="Tổ công nghệ số thôn Cao Bằng", villages=[cao_bang])
    for name, role, organisation, phone in (
        ("Nguyễn Văn Thành", "Tổ trưởng (trưởng thôn)", "Ban công tác Mặt trận thôn", "0905123456"),
        ("Lê Thị Mai", "Thành viên", "Chi hội Phụ nữ", ""),
        ("Trần Quốc Huy", "Thành viên", "Viettel Krông Pắc", "0988777666"),
    ):
        team_member_add(
            team=team, full_name=name, role=role, organisation=organisation, phone=phone
        )
    earlier = today - dt.timedelta(days=30)
    hoa = ResidentFactory(
        village=cao_bang,
        full_name="Nguyễn Thị Hoà",
        birth_date=dt.date(1990, 5, 17),
        gender=Gender.FEMALE,
        cccd="066190012345",
        phone="0912345678",
    )
    _record(hoa, tuple(c for c in EXEMPLARY_2023 if c != "vneid_level2"), earlier)
    namesake = ResidentFactory(
        village=cao_bang, full_name="Nguyễn Văn Hòa", birth_date=dt.date(1985, 3, 5)
    )
    _record(namesake, ("bank_account",), earlier)
    other_hoa = ResidentFactory(
        village=tan_lap, full_name="Trần Thị Hoa", birth_date=dt.date(1978, 11, 2)
    )
    exemplary = ResidentFactory(
        village=tan_lap, full_name="Lê Văn An", birth_date=dt.date(1995, 1, 9), gender=Gender.MALE
    )
    _record(exemplary, EXEMPLARY_2023, earlier)
    with_issue = ResidentFactory(
        village=villages["Buôn Ghamah"], full_name="H'Nga Niê", birth_date=dt.date(1970, 7, 1)
    )
    DataIssue.objects.create(
        commune=commune,
        resident=with_issue,
        code=IssueCode.PHONE_INVALID,
        field="phone",
        original_value="09******12",
        detail="9 chữ số",
        source="danh-sach.xlsx",
    )
    for number in range(8):
        ResidentFactory(
            village=villages[EA_YONG_VILLAGES[number % len(EA_YONG_VILLAGES)]],
            full_name=f"Phạm Văn Bình {number + 1}",
            birth_date=dt.date(1960 + 5 * number, 1 + number, 10),
        )

    session = session_create(
        campaign=campaign, place=tan_lap, date=today - dt.timedelta(days=1), units=[police]
    )
    turn_record(
        session=session,
        resident=other_hoa,
        criterion=Criterion.objects.get(code="ehealth_book"),
        unit=police,
    )

    secretary = User.objects.create_user(SECRETARY, password=PASSWORD, first_name="Thư ký xã")
    role_grant(user=secretary, role=Role.MANAGER, place=commune)
    volunteer = User.objects.create_user(VOLUNTEER, password=PASSWORD, first_name="Tình nguyện")
    role_grant(user=volunteer, role=Role.UNIT_MEMBER, place=commune, unit=police)
    return Scene(
        commune=commune,
        villages=villages,
        campaign=campaign,
        unit=police,
        team=team,
        donation=donation,
        session=session,
        hoa=hoa,
        with_issue=with_issue,
        secretary=secretary,
        volunteer=volunteer,
    )
