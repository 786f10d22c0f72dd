"""A small, fixed Ea Yông campaign for the report tests: every figure of the report has rows
behind it (villages at different shares, criteria, units with and without a pledge, sessions
with turns and anonymous turns, the two Internet lines of the reference case), built through
the services from fixed names and dates, so that two builds give the same report."""

import datetime as dt

import pytest

from congdanso.campaigns.achievements import achievement_record
from congdanso.campaigns.models import Campaign, Criterion
from congdanso.conftest import EXEMPLARY_2023
from congdanso.outreach.services import session_anonymous_turns_add, session_create, turn_record
from congdanso.partners.models import DonationItem, UnitKind
from congdanso.partners.services import donation_create, pledge_upsert, unit_get_or_create
from congdanso.people.tests.factories import ResidentFactory
from congdanso.places.models import Place

#: The as-of date of the reports in the tests.
AS_OF = dt.date(2023, 6, 30)
#: village → (people aged 16–50, of them exemplary, older people, of them exemplary)
VILLAGES = {
    "Thôn Cao Bằng": (6, 4, 2, 1),
    "Thôn Tân Lập": (5, 1, 1, 0),
    "Buôn Ghamah": (4, 0, 2, 0),
    "Thôn Tân Tiến": (3, 2, 0, 0),
}


@pytest.fixture
def seeded(campaign: Campaign, ea_yong: Place) -> Campaign:
    villages = {p.name: p for p in Place.objects.filter(parent=ea_yong)}
    criteria = {
        c.code: c for c in Criterion.objects.filter(code__in=[*EXEMPLARY_2023, "sim_standardized"])
    }
    police, _ = unit_get_or_create(place=ea_yong, name="Công an xã Ea Yông", kind=UnitKind.POLICE)
    youth, _ = unit_get_or_create(
        place=ea_yong, name="Đoàn Thanh niên xã Ea Yông", kind=UnitKind.YOUTH_UNION
    )
    viettel, _ = unit_get_or_create(place=ea_yong, name="Viettel Krông Pắc", kind=UnitKind.TELECOM)
    party, _ = unit_get_or_create(
        place=ea_yong, name="Văn phòng Huyện ủy Krông Pắc", kind=UnitKind.PARTY_OFFICE
    )
    pledge_upsert(unit=police, campaign=campaign, target_people=20, target_sessions=4)
    pledge_upsert(unit=youth, campaign=campaign, target_people=10, target_achievements=40)
    launch = session_create(
        campaign=campaign,
        place=villages["Thôn Tân Tiến"],
        date=dt.date(2023, 4, 12),
        units=[police, youth, viettel],
    )
    session_anonymous_turns_add(session=launch, count=300)
    later = session_create(
        campaign=campaign,
        place=villages["Thôn Cao Bằng"],
        date=dt.date(2023, 5, 11),
        units=[police, youth],
    )
    session_create(
        campaign=campaign, place=villages["Buôn Ghamah"], date=dt.date(2023, 7, 6), units=[youth]
    )
    number = 0
    for village_name, (young, young_done, old, old_done) in VILLAGES.items():
        village = villages[village_name]
        for index in range(young + old):
            number += 1
            is_young = index < young
            resident = ResidentFactory(
                village=village,
                full_name=f"Người Thử {number:02d}",
                birth_date=dt.date(1990, 1, 1) if is_young else dt.date(1950, 1, 1),
            )
            done = index < young_done if is_young else index - young < old_done
            if done:
                # Two criteria in a session (turns of a unit), the others reported later.
                for code in EXEMPLARY_2023[:2]:
                    turn_record(
                        session=later if number % 2 else launch,
                        resident=resident,
                        criterion=criteria[code],
                        unit=police if number % 3 else youth,
                    )
                for offset, code in enumerate(EXEMPLARY_2023[2:]):
                    achievement_record(
                        resident=resident,
                        criterion=criteria[code],
                        achieved_on=dt.date(2023, 5, 15)
                        + dt.timedelta(days=7 * (number % 5) + offset),
                    )
            elif index % 2 == 0:
                turn_record(
                    session=launch,
                    resident=resident,
                    criterion=criteria["vneid_level2"],
                    unit=viettel,
                )
    donation_create(
        village=villages["Thôn Cao Bằng"],
        item=DonationItem.INTERNET_LINE,
        given_on=dt.date(2023, 4, 12),
        value_vnd=4_000_000,
        donor_units=[party],
        donor_villages=[villages["Thôn Tân Lập"]],
        campaign=campaign,
        site="Nhà văn hóa thôn Cao Bằng",
    )
    donation_create(
        village=villages["Buôn Ghamah"],
        item=DonationItem.INTERNET_LINE,
        given_on=dt.date(2023, 4, 20),
        value_vnd=2_500_000,
        donor_units=[party],
        campaign=campaign,
        site="Nhà văn hóa buôn Ghamah",
    )
    return campaign
