"""Changing a campaign's rules after its creation: period, targets and criteria. Every
change keeps the tallies equal to a fresh computation, and a refusal changes nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from congdanso.campaigns.achievements import achievement_record
from congdanso.campaigns.models import Campaign, CampaignCriterion, Criterion
from congdanso.campaigns.services import (
    campaign_create,
    campaign_criteria_set,
    campaign_criterion_add,
    campaign_update,
)
from congdanso.conftest import EXEMPLARY_2023
from congdanso.core.errors import DomainError
from congdanso.core.models import AuditEvent
from congdanso.outreach.services import session_create
from congdanso.people.tests.factories import ResidentFactory
from congdanso.places.models import Place
from congdanso.progress.indicators import campaign_indicators
from congdanso.progress.tallies import tally_check

pytestmark = pytest.mark.django_db


def _update(campaign: Campaign, **changes: object) -> Campaign:
    terms: dict[str, object] = {
        "campaign": campaign,
        "name": campaign.name,
        "start_date": campaign.start_date,
        "end_date": campaign.end_date,
        "target_exemplary": campaign.target_exemplary,
        "cohort_ages": (campaign.cohort_min_age, campaign.cohort_max_age),
        "cohort_target": campaign.cohort_target,
    }
    return campaign_update(**(terms | changes))  # type: ignore[arg-type]


@pytest.fixture
def people(campaign: Campaign, ea_yong: Place) -> list[object]:
    """Three residents: one exemplary in 2023, one with the bank account only, one aged 17
    at the end of 2023 (in the 16–50 cohort, not in 18–50) and exemplary."""
    village = ea_yong.children.order_by("path").first()
    done, bank_only = ResidentFactory(village=village), ResidentFactory(village=village)
    young = ResidentFactory(village=village, birth_date=dt.date(2006, 6, 1))
    for code in EXEMPLARY_2023:
        criterion = Criterion.objects.get(code=code)
        for person in (done, young):
            achievement_record(
                resident=person, criterion=criterion, achieved_on=dt.date(2023, 5, 2)
            )
    achievement_record(
        resident=bank_only,
        criterion=Criterion.objects.get(code="bank_account"),
        achieved_on=dt.date(2023, 6, 1),
    )
    return [done, bank_only, young]


def test_a_new_cohort_and_period_recompute_the_figures_exactly(
    campaign: Campaign, people: list[object]
) -> None:
    before = campaign_indicators(campaign, on=dt.date(2023, 12, 31)).cohort

    _update(campaign, end_date=dt.date(2024, 3, 31), cohort_ages=(18, 50))

    campaign.refresh_from_db()
    after = campaign_indicators(campaign, on=dt.date(2024, 3, 31)).cohort
    assert tally_check(campaign) == []
    assert (before.met, after.met) == (before.met, before.met - 1)  # the 17-year-old left it
    event = AuditEvent.objects.get(object_type="campaigns.campaign", action="update")
    assert set(event.changes) == {"end_date", "cohort"}


def test_the_targets_alone_change_no_tally(campaign: Campaign, people: list[object]) -> None:
    _update(campaign, target_exemplary=1200, cohort_target="0.6", name="  1.200 công dân số  ")

    campaign.refresh_from_db()
    assert (campaign.name, campaign.target_exemplary) == ("1.200 công dân số", 1200)
    assert campaign.cohort_target == Decimal("0.6")
    assert tally_check(campaign) == []
    assert campaign_indicators(campaign).exemplary.target == 1200


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"end_date": dt.date(2023, 1, 1)}, "campaign_dates_invalid"),
        ({"name": "   "}, "campaign_name_missing"),
        ({"cohort_ages": (50, 16)}, "cohort_ages_invalid"),
        ({"target_exemplary": 0}, "target_invalid"),
        ({"cohort_target": "1.5"}, "cohort_target_invalid"),
    ],
)
def test_bad_terms_are_refused_and_nothing_changes(
    campaign: Campaign, changes: dict[str, object], code: str
) -> None:
    with pytest.raises(DomainError) as refused:
        _update(campaign, **changes)

    assert refused.value.code == code
    saved = Campaign.objects.get(pk=campaign.pk)
    assert (saved.end_date, saved.target_exemplary, saved.cohort_max_age) == (
        dt.date(2023, 12, 31),
        1000,
        50,
    )
    assert not AuditEvent.objects.filter(action="update").exists()


def test_a_period_that_would_leave_a_session_outside_is_refused(
    campaign: Campaign, ea_yong: Place
) -> None:
    session_create(campaign=campaign, place=ea_yong.children.first(), date=dt.date(2023, 11, 2))

    with pytest.raises(DomainError) as refused:
        _update(campaign, end_date=dt.date(2023, 10, 31))

    assert refused.value.code == "sessions_outside_period"
    assert "02/11/2023" in str(refused.value)
    assert Campaign.objects.get(pk=campaign.pk).end_date == dt.date(2023, 12, 31)


def test_criteria_chosen_reordered_and_marked(campaign: Campaign, people: list[object]) -> None:
    assert campaign_indicators(campaign).exemplary.count == 2

    campaign_criteria_set(
        campaign=campaign,
        criteria=["bank_account", "vneid_level2", "sim_standardized"],
        exemplary=["bank_account"],
    )

    rules = list(
        CampaignCriterion.objects.filter(campaign=campaign)
        .order_by("position")
        .values_list("criterion__code", "is_exemplary")
    )
    assert rules == [
        ("bank_account", True),
        ("vneid_level2", False),
        ("sim_standardized", False),
    ]
    assert tally_check(campaign) == []
    assert campaign_indicators(campaign).exemplary.count == 3  # the bank account is enough


def test_a_new_order_alone_is_audited_and_keeps_the_tallies(
    campaign: Campaign, people: list[object]
) -> None:
    codes = [*reversed(EXEMPLARY_2023), "sim_standardized"]

    campaign_criteria_set(campaign=campaign, criteria=codes, exemplary=list(EXEMPLARY_2023))

    order = CampaignCriterion.objects.filter(campaign=campaign).order_by("position")
    assert [r.criterion.code for r in order] == codes
    assert tally_check(campaign) == []
    event = AuditEvent.objects.get(object_type="campaigns.campaign", action="update")
    assert set(event.changes) == {"criteria"}


@pytest.mark.parametrize(
    ("criteria", "exemplary", "code"),
    [
        ([], [], "criteria_missing"),
        (["bank_account"], [], "exemplary_missing"),
        (["bank_account"], ["vneid_level2"], "exemplary_not_tracked"),
        (["bank_account", "no_such_thing"], ["bank_account"], "criterion_unknown"),
        (["bank_account", "bank_account"], ["bank_account"], "criterion_repeated"),
    ],
)
def test_bad_criteria_are_refused_and_nothing_changes(
    campaign: Campaign, criteria: list[str], exemplary: list[str], code: str
) -> None:
    before = list(campaign.rules.values_list("criterion_id", "is_exemplary", "position"))

    with pytest.raises(DomainError) as refused:
        campaign_criteria_set(campaign=campaign, criteria=criteria, exemplary=exemplary)

    assert refused.value.code == code
    assert list(campaign.rules.values_list("criterion_id", "is_exemplary", "position")) == before


def test_a_criterion_of_the_campaign_s_own_comes_last(
    campaign: Campaign, people: list[object]
) -> None:
    criterion = campaign_criterion_add(
        campaign=campaign, code="zalo_account", name="Tài khoản Zalo", exemplary=True
    )

    last = campaign.rules.order_by("position").last()
    assert last is not None
    assert (last.criterion, last.is_exemplary) == (criterion, True)
    assert tally_check(campaign) == []
    assert campaign_indicators(campaign).exemplary.count == 0  # nobody has it yet
    with pytest.raises(DomainError):
        campaign_criterion_add(campaign=campaign, code="zalo_account", name="Zalo")


def test_every_term_is_stored_and_audited_before_and_after(campaign: Campaign) -> None:
    _update(
        campaign,
        name=" Năm  2024 ",
        start_date=dt.date(2023, 4, 1),
        end_date=dt.date(2024, 3, 31),
        target_exemplary=1,
        cohort_ages=(18, 60),
        cohort_target="75%",
    )

    saved = Campaign.objects.get(pk=campaign.pk)
    assert (saved.name, saved.start_date, saved.end_date) == (
        "Năm 2024",
        dt.date(2023, 4, 1),
        dt.date(2024, 3, 31),
    )
    assert (saved.target_exemplary, saved.cohort_min_age, saved.cohort_max_age) == (1, 18, 60)
    assert saved.cohort_target == Decimal("0.75")
    event = AuditEvent.objects.get(object_type="campaigns.campaign", action="update")
    assert event.commune_id == campaign.place_id
    assert event.changes == {
        "name": ["1.000 công dân số tiêu biểu", "Năm 2024"],
        "start_date": ["2023-04-12", "2023-04-01"],
        "end_date": ["2023-12-31", "2024-03-31"],
        "target_exemplary": [1000, 1],
        "cohort": ["16-50 0.5000", "18-60 0.7500"],
    }


def test_the_same_terms_again_are_not_audited(campaign: Campaign) -> None:
    _update(campaign, name=f" {campaign.name} ", cohort_target="50%")

    assert not AuditEvent.objects.filter(action="update").exists()


def test_a_new_start_alone_recomputes_the_figures(campaign: Campaign, people: list[object]) -> None:
    _update(campaign, start_date=dt.date(2023, 6, 1))  # the achievements of 2 May: before it

    assert tally_check(campaign) == []


def test_new_exemplary_marks_alone_recompute_the_figures(
    campaign: Campaign, people: list[object]
) -> None:
    codes = [*EXEMPLARY_2023, "sim_standardized"]

    campaign_criteria_set(campaign=campaign, criteria=codes, exemplary=["bank_account"])

    assert tally_check(campaign) == []
    assert campaign_indicators(campaign).exemplary.count == 3
    event = AuditEvent.objects.get(object_type="campaigns.campaign", action="update")
    assert event.commune_id == campaign.place_id
    assert event.changes == {"exemplary": [",".join(sorted(EXEMPLARY_2023)), "bank_account"]}


def test_a_criterion_dropped_alone_recomputes_the_figures(
    campaign: Campaign, people: list[object]
) -> None:
    achievement_record(
        resident=people[1],  # type: ignore[arg-type]
        criterion=Criterion.objects.get(code="sim_standardized"),
        achieved_on=dt.date(2023, 6, 2),
    )

    campaign_criteria_set(
        campaign=campaign, criteria=list(EXEMPLARY_2023), exemplary=list(EXEMPLARY_2023)
    )

    assert tally_check(campaign) == []
    assert list(campaign.rules.values_list("criterion__code", flat=True)) == list(EXEMPLARY_2023)
    event = AuditEvent.objects.get(object_type="campaigns.campaign", action="update")
    assert event.changes == {
        "criteria": [",".join([*EXEMPLARY_2023, "sim_standardized"]), ",".join(EXEMPLARY_2023)]
    }


def test_the_same_criteria_again_change_nothing(campaign: Campaign) -> None:
    codes = [*EXEMPLARY_2023, "sim_standardized"]

    campaign_criteria_set(campaign=campaign, criteria=codes, exemplary=list(EXEMPLARY_2023))

    assert not AuditEvent.objects.filter(action="update").exists()
    rules = campaign.rules.order_by("position")
    assert [(r.position, r.criterion.code) for r in rules] == list(enumerate(codes))


def test_a_criterion_of_the_campaign_s_own_not_exemplary_keeps_the_others_marks(
    campaign: Campaign, people: list[object]
) -> None:
    criterion = campaign_criterion_add(
        campaign=campaign,
        code="zalo_account",
        name="Tài khoản Zalo",
        name_en="Zalo account",
        help_text="Đã có tài khoản Zalo.",
    )

    rules = campaign.rules.order_by("position")
    assert [(r.criterion.code, r.is_exemplary) for r in rules] == [
        *((code, True) for code in EXEMPLARY_2023),
        ("sim_standardized", False),
        ("zalo_account", False),
    ]
    assert (criterion.name_en, criterion.help_text) == ("Zalo account", "Đã có tài khoản Zalo.")
    assert campaign_indicators(campaign).exemplary.count == 2


def test_setting_the_criteria_reads_them_in_a_number_of_queries_that_does_not_grow(
    ea_yong: Place,
) -> None:
    def queries(codes: list[str]) -> int:
        campaign = campaign_create(
            place=ea_yong,
            name=f"{len(codes)} tiêu chí",
            start_date=dt.date(2024, 1, 1),
            end_date=dt.date(2024, 12, 31),
            criteria=codes,
            target_exemplary=10,
        )
        with CaptureQueriesContext(connection) as done:
            campaign_criteria_set(campaign=campaign, criteria=codes, exemplary=codes)
        return len(done.captured_queries)

    assert queries(["bank_account"]) == queries([*EXEMPLARY_2023, "sim_standardized"])
