"""A campaign's targets: the two it always had, those it adds, the CLI and the migration that
turned the two campaign fields into rows."""

import datetime as dt
import importlib
import io
import json
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from congdanso.campaigns.achievements import achievement_record
from congdanso.campaigns.models import Campaign, Criterion, Milestone, Target
from congdanso.campaigns.services import campaign_update
from congdanso.campaigns.targets import target_add, target_place_set, target_remove, targets_of
from congdanso.conftest import EXEMPLARY_2023
from congdanso.core.errors import DomainError
from congdanso.core.models import AuditEvent
from congdanso.people.tests.factories import ResidentFactory
from congdanso.places.models import Place
from congdanso.progress.indicators import campaign_indicators

pytestmark = pytest.mark.django_db

DAY = dt.date(2023, 6, 1)


def _rows(campaign: Campaign) -> list[tuple[Any, ...]]:
    return [
        (t.role, t.kind, t.count, t.share, t.min_age, t.max_age, t.criteria, t.deadline)
        for t in targets_of(campaign)
    ]


def test_a_new_campaign_has_its_two_targets_and_they_follow_its_terms(campaign: Campaign) -> None:
    end = dt.date(2023, 12, 31)
    assert _rows(campaign) == [
        ("exemplary", "count", 1000, None, None, None, (), end),
        ("cohort", "share", None, Decimal("0.5"), 16, 50, (), end),
    ]

    campaign = campaign_update(
        campaign=campaign,
        name=campaign.name,
        start_date=campaign.start_date,
        end_date=dt.date(2023, 11, 30),
        target_exemplary=1200,
        cohort_ages=(18, 60),
        cohort_target="0.6",
    )

    end = dt.date(2023, 11, 30)
    assert _rows(campaign) == [
        ("exemplary", "count", 1200, None, None, None, (), end),
        ("cohort", "share", None, Decimal("0.6"), 18, 60, (), end),
    ]


def test_a_target_is_added_with_its_criteria_ages_deadline_and_milestones(
    campaign: Campaign,
) -> None:
    target = target_add(
        campaign=campaign,
        name="Bình dân học vụ số: người trưởng thành",
        kind="share",
        value="80%",
        criteria=["digital_skills_certified"],
        ages=(18, 130),
        deadline=dt.date(2023, 12, 31),
        milestones=[(dt.date(2023, 9, 30), "60%"), (dt.date(2023, 6, 30), "0.3")],
    )

    (added,) = [t for t in targets_of(campaign) if t.pk == target.pk]
    assert (added.kind, added.share, added.criteria, added.min_age, added.max_age) == (
        "share",
        Decimal("0.8"),
        ("digital_skills_certified",),
        18,
        130,
    )
    assert added.milestones == (
        (dt.date(2023, 6, 30), Decimal("0.3")),
        (dt.date(2023, 9, 30), Decimal("0.6")),
    )
    assert AuditEvent.objects.filter(object_type__icontains="target", action="create").exists()


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"name": " "}, "target_name_missing"),
        ({"value": "120%"}, "target_share_invalid"),
        ({"value": "0"}, "target_share_invalid"),
        ({"kind": "count", "value": "-3"}, "target_count_invalid"),
        ({"criteria": ["no_such_thing"]}, "criterion_unknown"),
        ({"ages": (60, 18)}, "target_ages_invalid"),
        ({"deadline": dt.date(2024, 3, 1)}, "target_date_outside"),
        ({"milestones": [(dt.date(2023, 6, 30), "90%")]}, "milestones_invalid"),
        ({"milestones": [(dt.date(2024, 6, 30), "10%")]}, "milestone_date_invalid"),
        (
            {"milestones": [(dt.date(2023, 6, 30), "50%"), (dt.date(2023, 9, 30), "40%")]},
            "milestones_invalid",
        ),
    ],
)
def test_a_bad_target_is_refused_and_nothing_is_written(
    campaign: Campaign, changes: dict[str, Any], code: str
) -> None:
    terms: dict[str, Any] = {"campaign": campaign, "name": "Mục tiêu", "kind": "share"}
    terms["value"] = "80%"
    terms |= changes
    before = Target.objects.count()

    with pytest.raises(DomainError) as refused:
        target_add(**terms)

    assert refused.value.code == code
    assert (Target.objects.count(), Milestone.objects.count()) == (before, 0)


def test_the_campaign_s_own_targets_cannot_be_removed_others_can(campaign: Campaign) -> None:
    own = Target.objects.get(campaign=campaign, role="exemplary")
    added = target_add(campaign=campaign, name="Thêm", kind="count", value=300)

    with pytest.raises(DomainError):
        target_remove(target=own)
    target_remove(target=added)

    assert [t.role for t in targets_of(campaign)] == ["exemplary", "cohort"]


def _cli(*args: str) -> str:
    out = io.StringIO()
    call_command("campaign", *args, stdout=out)
    return out.getvalue()


def test_the_cli_adds_lists_and_removes_targets(campaign: Campaign) -> None:
    pk = _cli(
        "target", "add", "--campaign", str(campaign.pk), "--name", "Kỹ năng số 18+",
        "--share", "80%", "--criteria", "digital_skills_certified", "--ages", "18-130",
        "--milestone", "2023-06-30=60%",
    ).strip()  # fmt: skip

    listed = json.loads(_cli("target", "list", "--campaign", str(campaign.pk), "--json"))
    assert [(t["id"], t["kind"], t["share"], t["milestones"]) for t in listed][2] == (
        int(pk),
        "share",
        0.8,
        [["2023-06-30", 0.6]],
    )
    assert "Kỹ năng số 18+" in _cli("target", "list", "--campaign", str(campaign.pk))
    assert "Kỹ năng số 18+" in _cli("show", str(campaign.pk))
    _cli(
        "target", "update", pk, "--campaign", str(campaign.pk), "--name", "Kỹ năng số 16+",
        "--share", "85%", "--criteria", "digital_skills_certified", "--ages", "16-130",
    )  # fmt: skip
    updated = json.loads(_cli("target", "list", "--campaign", str(campaign.pk), "--json"))[2]
    assert (updated["name"], updated["share"], updated["ages"], updated["milestones"]) == (
        "Kỹ năng số 16+",
        0.85,
        [16, 130],
        [],
    )
    with pytest.raises(CommandError):  # a share over 100%: refused, nothing changed
        _cli("target", "update", pk, "--campaign", str(campaign.pk), "--name", "X",
             "--share", "120%")  # fmt: skip
    assert (
        json.loads(_cli("target", "list", "--campaign", str(campaign.pk), "--json"))[2]["name"]
        == "Kỹ năng số 16+"
    )
    _cli("target", "remove", "--campaign", str(campaign.pk), pk)
    assert len(targets_of(campaign)) == 2
    with pytest.raises(CommandError):
        _cli("target", "remove", "--campaign", str(campaign.pk), pk)


def test_the_migration_gives_an_existing_campaign_its_two_targets_and_the_same_figures(
    campaign: Campaign, ea_yong: Place
) -> None:
    village = ea_yong.children.order_by("path").first()
    people = [ResidentFactory(village=village, birth_date=dt.date(1990, 1, 1)) for _ in range(3)]
    for person in people[:2]:
        for code in EXEMPLARY_2023:
            achievement_record(
                resident=person,
                criterion=Criterion.objects.get(code=code),
                achieved_on=dt.date(2023, 5, 2),
            )
    before = campaign_indicators(campaign, on=dt.date(2023, 6, 1))
    expected = _rows(campaign)
    # A database from before targets: the campaign has its two fields and no Target row.
    Target.objects.filter(campaign=campaign).delete()
    migration = importlib.import_module("congdanso.campaigns.migrations.0009_targets")

    migration.two_targets(django_apps, connection.schema_editor())

    assert _rows(campaign) == expected
    after = campaign_indicators(campaign, on=dt.date(2023, 6, 1))
    assert replace(after, targets=()) == replace(before, targets=())
    assert [replace(t, target_id=0) for t in after.targets] == [
        replace(t, target_id=0) for t in before.targets
    ]
    exemplary, cohort = after.targets
    assert (exemplary.count, exemplary.needed) == (after.exemplary.count, 1000)
    assert (cohort.population, cohort.count, cohort.needed) == (
        after.cohort.size,
        after.cohort.met,
        after.cohort.needed,
    )


def test_a_village_sees_its_part_of_the_commune_target(campaign: Campaign, ea_yong: Place) -> None:
    villages = list(ea_yong.children.order_by("path"))
    for n, village in enumerate(villages[:2]):
        for _ in range(1 + 3 * n):  # 1 and 4 residents: a fifth and four fifths
            ResidentFactory(village=village, birth_date=dt.date(1990, 1, 1))
    day = dt.date(2023, 6, 1)

    first = campaign_indicators(campaign, place=villages[0], on=day).targets[0]
    target_place_set(target=Target.objects.get(campaign=campaign, role="exemplary"),
                     place=villages[1], value=300)  # fmt: skip
    second = campaign_indicators(campaign, place=villages[1], on=day).targets[0]

    assert (first.needed, first.needed_campaign, first.set_by_hand) == (200, 1000, False)
    assert (second.needed, second.set_by_hand) == (300, True)
    with pytest.raises(DomainError):
        target_place_set(
            target=Target.objects.get(campaign=campaign, role="exemplary"),
            place=ea_yong,
            value=10,
        )


def test_a_target_narrowed_to_a_group_counts_only_residents_marked_in_it(
    campaign: Campaign, ea_yong: Place
) -> None:
    from congdanso.people.services import resident_segments_set

    village = ea_yong.children.order_by("path").first()
    pupils = [ResidentFactory(village=village, birth_date=dt.date(2008, 3, 1)) for _ in range(2)]
    ResidentFactory(village=village, birth_date=dt.date(2008, 3, 1))
    for pupil in pupils:
        resident_segments_set(resident=pupil, segments=["student"])
    achievement_record(
        resident=pupils[0],
        criterion=Criterion.objects.get(code="vneid_level2"),
        achieved_on=dt.date(2023, 5, 2),
    )
    target = target_add(
        campaign=campaign,
        name="Học sinh có VNeID mức 2",
        kind="share",
        value="100%",
        criteria=["vneid_level2"],
        segment="student",
    )

    (figure,) = [
        t for t in campaign_indicators(campaign, on=DAY).targets if t.target_id == target.pk
    ]

    assert (figure.population, figure.count, figure.needed) == (2, 1, 2)
    with pytest.raises(DomainError):
        resident_segments_set(resident=pupils[1], segments=["farmer"])
    with pytest.raises(DomainError):
        target_add(campaign=campaign, name="X", kind="count", value=1, segment="farmer")


def test_the_indicators_command_prints_the_targets_of_the_campaign_s_own(
    campaign: Campaign,
) -> None:
    target_add(campaign=campaign, name="Dịch vụ công 300", kind="count", value=300)
    out = io.StringIO()

    call_command("indicators", "--campaign", str(campaign.pk), "--date", "2023-06-01", stdout=out)

    line = next(x for x in out.getvalue().splitlines() if "Dịch vụ công 300" in x)
    assert "0 / 300" in line
    data = io.StringIO()
    call_command("indicators", "--campaign", str(campaign.pk), "--date", "2023-06-01", "--json",
                 stdout=data)  # fmt: skip
    keys = json.loads(data.getvalue())
    assert {"exemplary", "cohort", "targets", "teams"} <= set(keys)
    assert [t["role"] for t in keys["targets"]] == ["exemplary", "cohort", ""]


def _with_people(campaign: Campaign) -> None:
    village = campaign.place.children.first()
    for day, criteria in ((DAY, ["vneid_level2", "bank_account"]), (DAY, ["vneid_level2"])):
        person = ResidentFactory(village=village, birth_date=dt.date(1990, 3, 1))
        for code in criteria:
            achievement_record(
                resident=person, criterion=Criterion.objects.get(code=code), achieved_on=day
            )


def test_adding_a_target_computes_its_tallies_alone_and_exactly(campaign: Campaign) -> None:
    from congdanso.campaigns.models import Tally
    from congdanso.progress.tallies import tally_check

    _with_people(campaign)
    kept = set(Tally.objects.filter(campaign=campaign).values_list("pk", "amount"))

    target = target_add(
        campaign=campaign, name="Tài khoản", kind="count", value=10, criteria=["bank_account"]
    )

    # the rows there before are the same rows (not deleted and written again) ...
    assert kept <= set(Tally.objects.filter(campaign=campaign).values_list("pk", "amount"))
    # ... and the new target's rows are exact: the population of two, one met it on DAY
    assert tally_check(campaign) == []
    mine = Tally.objects.filter(campaign=campaign, item=target.pk, measure__in=["G", "H"])
    assert {(t.measure, t.scope_id, t.day, t.amount) for t in mine} == {
        ("G", scope, campaign.start_date - dt.timedelta(days=1), 2)
        for scope in (campaign.place_id, campaign.place.children.first().pk)
    } | {("H", scope, DAY, 1) for scope in (campaign.place_id, campaign.place.children.first().pk)}

    target_remove(target=target)

    assert not Tally.objects.filter(campaign=campaign, item=target.pk, measure__in=["G", "H"])
    assert tally_check(campaign) == []
