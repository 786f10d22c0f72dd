"""The demo commune's 2023 campaign "1.000 công dân số tiêu biểu", as in the reference case
(`demo.reference_case`), and this year's follow-up campaign.

Partner units and their pledges, the two twinnings and Internet-line donations, then the
simulated year of sessions, turns and achievements (`demo.simulation`). Everything comes
from one seed, in a fixed order, so every run builds the same rows; a second run finds the
campaign and changes nothing.
"""

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Sum

from congdanso.campaigns.models import Achievement, Campaign
from congdanso.campaigns.services import campaign_create
from congdanso.campaigns.targets import target_add
from congdanso.demo.reference_case import (
    CAMPAIGN_NAME,
    EXEMPLARY,
    LAUNCH,
    PLEDGES,
    UNITS,
    YEAR_END,
)
from congdanso.demo.simulation import YearSimulation
from congdanso.demo.synthetic.frequencies import PHONE_PREFIXES
from congdanso.demo.synthetic.residents import _ede_name, _kinh_name
from congdanso.outreach.models import SupportSession, Turn
from congdanso.partners.models import DonationItem, Unit
from congdanso.partners.services import (
    donation_create,
    pledge_upsert,
    twinning_get_or_create,
    unit_get_or_create,
)
from congdanso.partners.teams import team_create, team_member_add
from congdanso.places.models import DWELLING_KINDS, LOCAL_KINDS, Place, PlaceKind


@dataclass(frozen=True)
class DemoCampaignResult:
    campaign: Campaign
    created: bool
    sessions: int
    turns: int  # of people in the registry
    anonymous_turns: int
    achievements: int  # in force
    withdrawn: int

    def as_json(self) -> dict[str, int | bool]:
        return {
            "campaign_id": self.campaign.pk,
            "created": self.created,
            "sessions": self.sessions,
            "turns": self.turns,
            "anonymous_turns": self.anonymous_turns,
            "achievements": self.achievements,
            "withdrawn": self.withdrawn,
        }


def demo_campaign_get(commune: Place) -> Campaign | None:
    return Campaign.objects.filter(place=commune, name=CAMPAIGN_NAME, start_date=LAUNCH).first()


def demo_campaign_summary(campaign: Campaign, *, created: bool = False) -> DemoCampaignResult:
    sessions = SupportSession.objects.filter(campaign=campaign)
    achievements = Achievement.objects.filter(commune=campaign.place)
    return DemoCampaignResult(
        campaign=campaign,
        created=created,
        sessions=sessions.count(),
        turns=Turn.objects.filter(commune=campaign.place, session__campaign=campaign).count(),
        anonymous_turns=sessions.aggregate(n=Sum("anonymous_turns"))["n"] or 0,
        achievements=achievements.filter(withdrawn_at__isnull=True).count(),
        withdrawn=achievements.filter(withdrawn_at__isnull=False).count(),
    )


#: The follow-up campaign of the current year, so that field mode can be tried today: the
#: 2023 campaign refuses a "done today" (outside its period). It builds on what 2023 reached
#: (achievements are facts about people, whenever they were recorded), with the four
#: commune units pledged again and no session yet: a volunteer opens today's.
CURRENT_NAME = "Công dân số {year}: duy trì và mở rộng"
CURRENT_TARGET = 2_500
CURRENT_UNITS = ("police", "youth", "women", "farmers")


def demo_current_campaign_load(*, commune: Place, scale: float, today: dt.date) -> Campaign:
    """This year's campaign of the demo commune; found, not changed, when it exists."""
    name = CURRENT_NAME.format(year=today.year)
    existing = Campaign.objects.filter(place=commune, name=name).first()
    if existing is not None or today.year == LAUNCH.year:
        return existing or Campaign.objects.get(place=commune, name=CAMPAIGN_NAME)
    start = dt.date(today.year, 1, 1)
    with transaction.atomic():
        campaign = campaign_create(
            place=commune,
            name=name,
            start_date=start,
            end_date=dt.date(today.year, 12, 31),
            criteria=[*EXEMPLARY, "sim_standardized"],
            exemplary=EXEMPLARY,
            target_exemplary=max(1, round(CURRENT_TARGET * scale)),
            cohort_ages=(16, 50),
            cohort_target="0.5",
        )
        units = {key: unit_name for key, unit_name, _kind, upper in UNITS if not upper}
        for key, people, sessions, achievements, _area, note in PLEDGES:
            if key not in CURRENT_UNITS:
                continue
            unit = Unit.objects.get(place=commune, name=units[key])
            pledge_upsert(
                unit=unit,
                campaign=campaign,
                signed_on=start,
                target_people=max(1, round(people * scale)),
                target_sessions=sessions,
                target_achievements=max(1, round(achievements * scale)),
                note=note,
            )
        # This year's programme: "Bình dân học vụ số" (80% of adults certified by the year's
        # end, 60% by mid-year), and a community digital technology team in every village.
        target_add(
            campaign=campaign,
            name=DIGITAL_SKILLS_TARGET,
            kind="share",
            value="80%",
            criteria=["digital_skills_certified"],
            ages=(18, 130),
            milestones=[(dt.date(today.year, 6, 30), "60%")],
        )
        _teams(commune, random.Random(today.year))
    return campaign


DIGITAL_SKILLS_TARGET = "Bình dân học vụ số: người trưởng thành đạt phổ cập kỹ năng số"
#: Who a team is made of (Tổ công nghệ số cộng đồng): role in the team, where they come from.
TEAM_MEMBERS = (
    ("Tổ trưởng", "Trưởng {kind}"),
    ("Thành viên", "Chi đoàn Thanh niên"),
    ("Thành viên", "Chi hội Phụ nữ"),
    ("Thành viên", "Viettel Krông Pắc"),
)


def _teams(commune: Place, rng: random.Random) -> None:
    """A team in every village of the commune, with four members (names drawn as the demo's
    residents are: Ede names in the buôn)."""
    villages = Place.objects.filter(parent=commune, kind__in=DWELLING_KINDS).order_by("path")
    for village in villages:
        ede = village.kind == PlaceKind.EDE_VILLAGE
        team = team_create(
            commune=commune, name=f"Tổ công nghệ số cộng đồng {village.name}", villages=[village]
        )
        if team.members.exists():
            continue
        for number, (role, organisation) in enumerate(TEAM_MEMBERS):
            female = number == 2 or rng.random() < 0.3
            name = _ede_name(rng, female) if ede and number < 3 else _kinh_name(rng, female, 35)
            prefix = PHONE_PREFIXES.pick(rng)
            serial = rng.randrange(10 ** (10 - len(prefix)))
            team_member_add(
                team=team,
                full_name=name,
                role=role,
                organisation=organisation.format(kind="buôn" if ede else "thôn"),
                phone=f"{prefix}{serial:0{10 - len(prefix)}d}",
            )


def demo_campaign_load(*, commune: Place, scale: float = 1.0, seed: int) -> DemoCampaignResult:
    """The campaign with its partners and a simulated year; nothing if it exists already."""
    existing = demo_campaign_get(commune)
    if existing is not None:
        return demo_campaign_summary(existing)
    with transaction.atomic():
        campaign = campaign_create(
            place=commune,
            name=CAMPAIGN_NAME,
            start_date=LAUNCH,
            end_date=YEAR_END,
            criteria=[*EXEMPLARY, "sim_standardized"],
            exemplary=EXEMPLARY,
            target_exemplary=1_000,
            cohort_ages=(16, 50),
            cohort_target="0.5",
        )
        places = {p.name: p for p in Place.objects.filter(parent=commune, kind__in=LOCAL_KINDS)}
        units = _partners(campaign, places)
        YearSimulation(campaign, places, units, scale, random.Random(seed)).run()
    return demo_campaign_summary(campaign, created=True)


# --- partners -------------------------------------------------------------------------------


def _partners(campaign: Campaign, places: dict[str, Place]) -> dict[str, Unit]:
    commune = campaign.place
    district = commune.parent or commune
    units = {
        key: unit_get_or_create(place=district if upper else commune, name=name, kind=kind)[0]
        for key, name, kind, upper in UNITS
    }
    villages = [p for p in places.values() if p.kind in DWELLING_KINDS]
    covered = {
        "all": villages,
        "thôn": [v for v in villages if v.kind == PlaceKind.VILLAGE],
        "buôn": [v for v in villages if v.kind == PlaceKind.EDE_VILLAGE],
    }
    for key, people, sessions, achievements, area, note in PLEDGES:
        pledge_upsert(
            unit=units[key],
            campaign=campaign,
            signed_on=LAUNCH,
            target_people=people,
            target_sessions=sessions,
            target_achievements=achievements,
            villages=sorted(covered[area], key=lambda p: p.path),
            note=note,
        )
    cao_bang, ghamah = places["Thôn Cao Bằng"], places["Buôn Ghamah"]
    twinning_get_or_create(unit=units["party"], village=cao_bang, since=LAUNCH)
    twinning_get_or_create(unit=units["justice"], village=ghamah, since=LAUNCH)
    description = "Lắp đặt đường truyền Internet cáp quang tại nhà văn hóa, trả cước năm đầu."
    donation_create(
        campaign=campaign,
        village=cao_bang,
        site="Nhà văn hóa thôn Cao Bằng",
        item=DonationItem.INTERNET_LINE,
        value_vnd=4_000_000,
        given_on=LAUNCH,
        donor_units=[units["party"]],
        donor_villages=[places["Thôn Tân Lập"]],
        description=description,
    )
    donation_create(
        campaign=campaign,
        village=ghamah,
        site="Nhà văn hóa buôn Ghamah",
        item=DonationItem.INTERNET_LINE,
        value_vnd=2_500_000,
        given_on=LAUNCH + dt.timedelta(days=8),
        donor_units=[units["justice"], units["school"]],
        description=description,
    )
    return units
