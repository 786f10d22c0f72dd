import datetime as dt
import io
from collections import defaultdict
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from congdanso.accounts.models import RoleGrant
from congdanso.campaigns.models import Achievement, AchievementSource, Campaign, CampaignCriterion
from congdanso.demo.reference_case import CAMPAIGN_NAME, EXEMPLARY, LAUNCH, YEAR_END
from congdanso.demo.services import DEMO_RESIDENTS, DemoResult, demo_load
from congdanso.outreach.models import SessionStatus, SupportSession, Turn
from congdanso.partners.models import Donation, Pledge, Twinning, Unit
from congdanso.people.models import DataIssue, Resident, ResidentStatus
from congdanso.people.models import ImportRun as ImportRunModel
from congdanso.progress.tallies import tally_check
from congdanso.scope.access import access_for, can_record
from congdanso.vn import vietnam_today

pytestmark = pytest.mark.django_db

RESIDENTS = 600
SCALE = RESIDENTS / DEMO_RESIDENTS


@pytest.fixture
def loaded(settings, tmp_path) -> DemoResult:  # type: ignore[no-untyped-def]
    settings.DATA_DIR = tmp_path
    return demo_load(residents=RESIDENTS)


def rows() -> dict[str, list[Any]]:
    """The campaign's rows, named by natural keys (no ids, no timestamps)."""
    person = ("resident__full_name", "resident__birth_date", "resident__cccd_hmac")
    session = ("session__date", "session__place__name")
    return {
        "achievements": sorted(
            Achievement.objects.values_list(
                *person,
                "criterion__code",
                "achieved_on",
                "source",
                "unit__name",
                *session,
                "note",
                "withdrawal_reason",
            ),
            key=str,
        ),
        "turns": sorted(
            Turn.objects.values_list(*person, "criterion__code", "service", "unit__name", *session),
            key=str,
        ),
        "sessions": sorted(
            (
                s.date,
                s.place.name,
                s.status,
                s.anonymous_turns,
                s.starts_at,
                s.title,
                sorted(u.name for u in s.units.all()),
            )
            for s in SupportSession.objects.select_related("place").prefetch_related("units")
        ),
        "pledges": sorted(
            (
                p.unit.name,
                p.signed_on,
                p.target_people,
                p.target_sessions,
                sorted(v.name for v in p.villages.all()),
            )
            for p in Pledge.objects.select_related("unit")
        ),
        "donations": sorted(
            Donation.objects.values_list("village__name", "site", "value_vnd", "given_on")
        ),
    }


def exemplary_by_day() -> dict[int, dt.date]:
    """Each exemplary resident and the day the last exemplary criterion was reached."""
    reached: dict[int, list[dt.date]] = defaultdict(list)
    for resident, day in Achievement.objects.filter(
        withdrawn_at__isnull=True, criterion__code__in=EXEMPLARY
    ).values_list("resident_id", "achieved_on"):
        reached[resident].append(day)
    return {r: max(days) for r, days in reached.items() if len(days) == len(EXEMPLARY)}


def test_the_campaign_is_the_reference_case(loaded: DemoResult) -> None:
    campaign = Campaign.objects.get(pk=loaded.campaign.campaign.pk)

    assert (campaign.place, campaign.name) == (loaded.commune, CAMPAIGN_NAME)
    assert (campaign.start_date, campaign.end_date) == (dt.date(2023, 4, 12), YEAR_END)
    assert campaign.target_exemplary == 1000
    assert (campaign.cohort_min_age, campaign.cohort_max_age) == (16, 50)
    assert float(campaign.cohort_target) == 0.5
    rules = dict(
        CampaignCriterion.objects.filter(campaign=campaign).values_list(
            "criterion__code", "is_exemplary"
        )
    )
    assert rules == {**dict.fromkeys(EXEMPLARY, True), "sim_standardized": False}


def test_the_partners_pledges_twinnings_and_donations(loaded: DemoResult) -> None:
    commune = loaded.commune
    district = commune.parent
    units = {u.name: (u.kind, u.place) for u in Unit.objects.exclude(kind="digital_team")}
    assert units == {
        "Công an xã Ea Yông": ("police", commune),
        "Đoàn Thanh niên xã Ea Yông": ("youth_union", commune),
        "Hội Liên hiệp Phụ nữ xã Ea Yông": ("womens_union", commune),
        "Hội Nông dân xã Ea Yông": ("farmers_association", commune),
        "Viettel Krông Pắc": ("telecom", district),
        "VNPT Krông Pắc": ("telecom", district),
        "BIDV Krông Pắc": ("bank", district),
        "Văn phòng Huyện ủy Krông Pắc": ("party_office", district),
        "Phòng Tư pháp huyện Krông Pắc": ("government_office", district),
        "Trường Tiểu học Chu Văn An": ("school", commune),
    }
    pledges = (
        Pledge.objects.filter(campaign=loaded.campaign.campaign)
        .select_related("unit")
        .prefetch_related("villages")
    )
    assert {p.unit.kind for p in pledges} == {
        "police",
        "youth_union",
        "womens_union",
        "farmers_association",
    }
    for pledge in pledges:
        assert pledge.signed_on == LAUNCH
        assert pledge.target_people and pledge.target_sessions
        assert pledge.villages.exists()
    assert sorted(Twinning.objects.values_list("unit__name", "village__name", "since")) == [
        ("Phòng Tư pháp huyện Krông Pắc", "Buôn Ghamah", LAUNCH),
        ("Văn phòng Huyện ủy Krông Pắc", "Thôn Cao Bằng", LAUNCH),
    ]
    donations = {
        d.village.name: d
        for d in Donation.objects.select_related("village").prefetch_related(
            "donor_units", "donor_villages"
        )
    }
    assert set(donations) == {"Thôn Cao Bằng", "Buôn Ghamah"}
    cao_bang, ghamah = donations["Thôn Cao Bằng"], donations["Buôn Ghamah"]
    assert (cao_bang.item, cao_bang.value_vnd) == ("internet_line", 4_000_000)
    assert [u.name for u in cao_bang.donor_units.all()] == ["Văn phòng Huyện ủy Krông Pắc"]
    assert [v.name for v in cao_bang.donor_villages.all()] == ["Thôn Tân Lập"]
    assert cao_bang.site == "Nhà văn hóa thôn Cao Bằng"
    assert (ghamah.item, ghamah.value_vnd) == ("internet_line", 2_500_000)
    assert sorted(u.name for u in ghamah.donor_units.all()) == [
        "Phòng Tư pháp huyện Krông Pắc",
        "Trường Tiểu học Chu Văn An",
    ]
    assert ghamah.site == "Nhà văn hóa buôn Ghamah"
    for donation in donations.values():
        assert donation.campaign_id == loaded.campaign.campaign.pk
        assert LAUNCH <= donation.given_on <= LAUNCH + dt.timedelta(days=30)


def test_the_launch_has_about_300_turns_scaled_to_the_commune(loaded: DemoResult) -> None:
    launch = SupportSession.objects.filter(date=LAUNCH).get()

    assert launch.turns.count() + launch.anonymous_turns == round(300 * SCALE)
    assert launch.anonymous_turns >= 1
    assert launch.place.name == "Thôn Cao Bằng"
    assert launch.units.count() == 7
    assert not launch.units.filter(kind__in=["party_office", "government_office"]).exists()
    done = set(launch.turns.exclude(criterion=None).values_list("criterion__code", flat=True))
    assert done <= {"sim_standardized", "vneid_level2", "public_service_account", "ehealth_book"}


def test_sessions_are_on_thursdays_and_fridays_until_the_year_end(loaded: DemoResult) -> None:
    after = SupportSession.objects.exclude(date=LAUNCH).prefetch_related("units")

    assert after.count() >= 60
    assert {s.date.weekday() for s in after} == {3, 4}
    assert all(LAUNCH < s.date <= YEAR_END for s in after)
    assert not after.filter(date=dt.date(2023, 9, 1)).exists()  # National Day holiday
    assert all(2 <= len(s.units.all()) <= 4 for s in after)
    assert set(SupportSession.objects.values_list("status", flat=True)) == {SessionStatus.HELD}
    places = set(after.values_list("place__name", flat=True))
    assert {"Thôn Cao Bằng", "Buôn Ghamah", "Trường Tiểu học Chu Văn An"} <= places


def test_progress_follows_an_s_curve_and_dates_are_possible(loaded: DemoResult) -> None:
    done = exemplary_by_day()
    by = {day: sum(d <= day for d in done.values()) for day in (dt.date(2023, 6, 30), YEAR_END)}
    middle = sorted(done.values())[len(done) // 2]

    assert 1000 * SCALE < by[YEAR_END] <= 1650 * SCALE
    assert by[dt.date(2023, 6, 30)] < 0.15 * by[YEAR_END]
    assert dt.date(2023, 8, 1) <= middle <= dt.date(2023, 10, 15)
    living = Resident.objects.filter(status=ResidentStatus.LIVING)
    assert not Achievement.objects.exclude(resident__in=living).exists()
    for achieved_on, birth in Achievement.objects.values_list(
        "achieved_on", "resident__birth_date"
    ):
        assert LAUNCH <= achieved_on <= YEAR_END
        assert birth is None or birth < achieved_on
    sources = set(Achievement.objects.values_list("source", flat=True))
    assert sources == {
        AchievementSource.FIELD,
        AchievementSource.IMPORT,
        AchievementSource.SELF_DECLARED,
    }
    withdrawn = Achievement.objects.exclude(withdrawn_at=None)
    assert withdrawn.exists()
    assert not withdrawn.filter(withdrawal_reason="").exists()


def test_the_summary_counts_what_was_built(loaded: DemoResult) -> None:
    summary = loaded.campaign

    assert summary.created
    assert summary.sessions == SupportSession.objects.count()
    assert summary.turns == Turn.objects.count() > 0
    assert summary.achievements == Achievement.objects.filter(withdrawn_at=None).count()
    assert summary.withdrawn == Achievement.objects.exclude(withdrawn_at=None).count()


def test_a_second_load_changes_nothing(loaded: DemoResult) -> None:
    before = rows()

    again = demo_load(residents=RESIDENTS)

    assert not again.campaign.created
    assert again.campaign.as_json() == {**loaded.campaign.as_json(), "created": False}
    assert rows() == before


def test_two_loads_into_empty_databases_build_the_same_rows(loaded: DemoResult) -> None:
    first = rows()
    # Empty the database of everything the demo built but the places, then load again.
    for model in (Turn, Achievement, SupportSession, Donation, Pledge, Twinning):
        model.objects.all().delete()
    Campaign.objects.all().delete()
    RoleGrant.objects.all().delete()  # the demo volunteer's grant holds the police unit
    Unit.objects.all().delete()
    DataIssue.objects.all().delete()
    Resident.objects.all().delete()
    ImportRunModel.objects.all().delete()

    again = demo_load(residents=RESIDENTS)

    assert again.campaign.created
    assert rows() == first


def test_the_command_prints_the_campaign_summary(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.DATA_DIR = tmp_path
    first, second = io.StringIO(), io.StringIO()

    call_command("demo", "--residents", "400", stdout=first)
    call_command("demo", "--residents", "400", stdout=second)

    campaign = Campaign.objects.get(name=CAMPAIGN_NAME)
    sessions, turns = SupportSession.objects.count(), Turn.objects.count()
    for output in (first.getvalue(), second.getvalue()):
        line = next(line for line in output.splitlines() if CAMPAIGN_NAME in line)
        assert f" {campaign.pk})" in line
        assert f"{sessions} " in line
        assert f"{turns} " in line
    assert first.getvalue().splitlines()[1] != second.getvalue().splitlines()[1]


def test_this_years_campaign_lets_the_volunteer_record_today(loaded: DemoResult) -> None:
    current = loaded.current
    today = vietnam_today()
    volunteer = get_user_model().objects.get(username="congan")
    hoa = Resident.objects.filter(commune=loaded.commune, status="living").first()

    assert (current.start_date, current.end_date) == (
        dt.date(today.year, 1, 1),
        dt.date(today.year, 12, 31),
    )
    assert can_record(access_for(volunteer), current, hoa)  # the police pledged again
    assert tally_check(current) == []  # 2023's achievements count from the start


def test_this_year_s_campaign_has_bình_dân_học_vụ_số_and_a_team_per_village(
    loaded: DemoResult,
) -> None:
    from congdanso.campaigns.targets import targets_of
    from congdanso.demo.campaign import DIGITAL_SKILLS_TARGET
    from congdanso.places.models import DWELLING_KINDS, Place

    current = loaded.current
    skills = next(t for t in targets_of(current) if t.name == DIGITAL_SKILLS_TARGET)
    assert (skills.kind, skills.share, skills.criteria) == (
        "share",
        Decimal("0.8"),
        ("digital_skills_certified",),
    )
    assert [d.month for d, _v in skills.milestones] == [6]
    villages = Place.objects.filter(parent=loaded.commune, kind__in=DWELLING_KINDS)
    teams = Unit.objects.filter(kind="digital_team").prefetch_related("villages", "members")
    assert sorted(v.pk for t in teams for v in t.villages.all()) == sorted(v.pk for v in villages)
    assert {t.members.count() for t in teams} == {4}
    assert tally_check(current) == []
