"""Every indicator against a plain-Python reading of its definition (docs/indicators.md), on
random small communes: residents with partial birth dates and statuses, achievements with
withdrawals, any date of the campaign."""

import datetime as dt
import math
from collections import defaultdict

import pytest
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from congdanso.campaigns.achievements import achievement_record, achievement_withdraw
from congdanso.campaigns.models import Achievement, Campaign, Criterion, Target
from congdanso.campaigns.selectors import campaign_rules
from congdanso.campaigns.targets import target_add, target_place_set, targets_of
from congdanso.core.hooks import residents_changing
from congdanso.people.models import Resident
from congdanso.places.models import Place
from congdanso.progress.indicators import add_years, campaign_indicators
from congdanso.progress.tallies import tally_check
from congdanso.vn import fold

pytestmark = pytest.mark.django_db(transaction=False)

START, END = dt.date(2023, 4, 12), dt.date(2023, 12, 31)
CODES = ("vneid_level2", "public_service_account", "ehealth_book", "bank_account")

birth_dates = st.one_of(
    st.none(),
    st.tuples(st.dates(dt.date(1968, 1, 1), dt.date(2012, 12, 31)), st.just("day")),
    st.tuples(st.dates(dt.date(1968, 1, 1), dt.date(2012, 12, 31)), st.just("month")).map(
        lambda t: (t[0].replace(day=1), t[1])
    ),
    st.tuples(st.dates(dt.date(1968, 1, 1), dt.date(2012, 12, 31)), st.just("year")).map(
        lambda t: (t[0].replace(month=1, day=1), t[1])
    ),
)
# (criterion index, date, withdrawn)
records = st.lists(
    st.tuples(
        st.integers(0, len(CODES) - 1),
        st.dates(dt.date(2022, 10, 1), dt.date(2024, 2, 1)),
        st.booleans(),
    ),
    max_size=6,
)
residents = st.lists(
    st.tuples(
        st.integers(0, 4),  # village index; 4 = no village
        birth_dates,
        st.sampled_from(["living", "living", "living", "moved_away", "deceased"]),
        records,
        st.sampled_from(["", "", "student", "public_sector", "public_sector,student"]),
    ),
    min_size=1,
    max_size=18,
)


def _age(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _brute_force(campaign: Campaign, place: Place, day: dt.date) -> dict:
    """The documented definitions, read literally over every row in Python."""
    rules = campaign_rules(campaign)
    exemplary_ids = rules.exemplary_ids
    target = float(campaign.cohort_target)
    everyone = [r for r in Resident.objects.filter(commune=campaign.place) if r.status == "living"]
    people = [r for r in everyone if place == campaign.place or r.village_id == place.pk]
    in_force = defaultdict(dict)
    for a in Achievement.objects.filter(withdrawn_at__isnull=True):
        in_force[a.resident_id][a.criterion_id] = a.achieved_on

    def done_on(r: Resident) -> dt.date | None:
        dates = [in_force[r.pk].get(c) for c in exemplary_ids]
        if any(d is None for d in dates):
            return None
        return max(dates)  # type: ignore[type-var]

    def exemplary_at(r: Resident, on: dt.date) -> bool:
        d = done_on(r)
        return d is not None and d <= on

    def in_cohort(r: Resident) -> bool:
        return r.birth_date is not None and (
            campaign.cohort_min_age
            <= _age(r.birth_date, campaign.end_date)
            <= campaign.cohort_max_age
        )

    cohort = [r for r in people if in_cohort(r)]
    met = [r for r in cohort if exemplary_at(r, day)]
    villages = {}
    for village in Place.objects.filter(parent=campaign.place, kind__in=["village", "ede_village"]):
        if place != campaign.place and village != place:
            continue
        mine = [r for r in people if r.village_id == village.pk]
        v_cohort = [r for r in mine if in_cohort(r)]
        v_met = sum(exemplary_at(r, day) for r in v_cohort)
        villages[village.code] = {
            "residents": len(mine),
            "cohort": len(v_cohort),
            "met": v_met,
            "exemplary": sum(exemplary_at(r, day) for r in mine),
            "gap": max(0, math.ceil(round(target * len(v_cohort), 9)) - v_met),
        }
    weekly = []
    week = campaign.start_date - dt.timedelta(days=campaign.start_date.weekday())
    while week <= day:
        end = min(week + dt.timedelta(days=6), day)
        weekly.append(
            {
                "week_start": week.isoformat(),
                "exemplary": sum(exemplary_at(r, end) for r in people),
                "cohort_met": sum(exemplary_at(r, end) for r in cohort),
            }
        )
        week += dt.timedelta(days=7)
    criteria = {
        c.code: (
            sum(1 for r in cohort if in_force[r.pk].get(c.pk, dt.date.max) <= day),
            sum(1 for r in people if in_force[r.pk].get(c.pk, dt.date.max) <= day),
        )
        for c in rules.criteria
    }
    return {
        "targets": [
            _brute_target(campaign, t, people, everyone, in_force, day, place)
            for t in targets_of(campaign)
        ],
        "exemplary": sum(exemplary_at(r, day) for r in people),
        "cohort": (len(cohort), len(met)),
        "criteria": criteria,
        "villages": villages,
        "weekly": weekly,
        "without_birth_date": sum(r.birth_date is None for r in people),
    }


def _brute_target(campaign: Campaign, target, people, everyone, in_force, day, place) -> dict:  # type: ignore[no-untyped-def]
    """docs/indicators.md, "Targets" and "Targets per place", read literally."""
    rules = campaign_rules(campaign)
    ids = [c.pk for c in Criterion.objects.filter(code__in=target.criteria)] or sorted(
        rules.exemplary_ids
    )

    def in_population(r: Resident) -> bool:
        if target.segment and target.segment not in r.segments.split(","):
            return False
        if target.min_age is None:
            return True
        return r.birth_date is not None and (
            target.min_age <= _age(r.birth_date, target.deadline) <= target.max_age
        )

    def met_by(r: Resident, on: dt.date) -> bool:
        dates = [in_force[r.pk].get(c) for c in ids]
        return bool(ids) and all(d is not None and d <= on for d in dates)

    population = [r for r in people if in_population(r)]

    def count_on(on: dt.date) -> int:
        return sum(met_by(r, on) for r in population)

    def needed_for(value) -> int:  # type: ignore[no-untyped-def]
        if target.kind == "count":
            return int(value)
        return math.ceil(round(float(value) * len(population), 9))

    whole = sum(in_population(r) for r in everyone)
    below = place != campaign.place
    needed_whole = (
        int(target.count)
        if target.kind == "count"
        else math.ceil(round(float(target.share) * whole, 9))
    )

    def part(village_id, members) -> int:  # type: ignore[no-untyped-def]
        """A village's part: set by hand, or its share of the population's (rounded up)."""
        size = sum(in_population(r) for r in members)
        by_hand = target.part_of(village_id)
        if by_hand is not None:
            return (
                int(by_hand)
                if target.kind == "count"
                else math.ceil(round(float(by_hand) * size, 9))
            )
        if target.kind == "share":
            return math.ceil(round(float(target.share) * size, 9))
        return math.ceil(round(target.count * size / whole, 9)) if whole else 0

    needed = part(place.pk, people) if below else needed_whole
    villages = {}
    for village in Place.objects.filter(parent=campaign.place).order_by("path"):
        if below and village != place:
            continue
        members = [r for r in everyone if r.village_id == village.pk]
        villages[village.code] = [
            sum(in_population(r) for r in members),
            sum(in_population(r) and met_by(r, day) for r in members),
            part(village.pk, members),
        ]

    def step(value) -> int:  # type: ignore[no-untyped-def]
        if below and target.kind == "count":
            return math.ceil(round(int(value) * needed / needed_whole, 9)) if needed_whole else 0
        return needed_for(value)

    points = [(campaign.start_date - dt.timedelta(days=1), 0)]
    points += [(d, step(v)) for d, v in target.milestones] + [(target.deadline, needed)]
    expected = needed if day >= target.deadline else 0
    for (d0, v0), (d1, v1) in zip(points, points[1:], strict=False):
        if d0 <= day < d1:
            expected = math.ceil(round(v0 + (v1 - v0) * (day - d0).days / (d1 - d0).days, 9))
    count = count_on(day)
    reached = count >= needed and (target.kind == "count" or bool(population))
    recent = min(28, (day - campaign.start_date).days + 1)
    pace = (count - count_on(day - dt.timedelta(days=recent))) / recent
    projected = None
    if not needed:
        pass  # nothing needed: no day to give
    elif reached:
        projected = next(
            d
            for d in (campaign.start_date + dt.timedelta(days=n) for n in range(-800, 400))
            if count_on(d) >= needed
        )
    elif pace > 0 and (target.kind == "count" or population):
        days = math.ceil(round((needed - count) / pace, 9))
        if days <= (target.deadline - day).days:
            projected = day + dt.timedelta(days=days)
    return {
        "villages": villages,
        "needed_campaign": needed_whole,
        "population": len(population),
        "count": count,
        "needed": needed,
        "reached": reached,
        "expected": expected,
        "on_track": count >= expected,
        "projected_date": projected.isoformat() if projected else None,
        "milestones": [
            [d.isoformat(), step(v), count_on(d) if d <= day else None]
            for d, v in target.milestones
        ],
    }


@pytest.fixture
def small_campaign(ea_yong: Place) -> Campaign:
    from congdanso.campaigns.services import campaign_create

    campaign = campaign_create(
        place=ea_yong,
        name="Thử",
        start_date=START,
        end_date=END,
        criteria=[*CODES, "sim_standardized"],
        exemplary=CODES[:3],
        target_exemplary=5,
        cohort_ages=(16, 50),
        cohort_target="0.5",
    )
    # Targets of their own: other criteria, ages on an earlier deadline, milestones.
    target_add(
        campaign=campaign,
        name="18-40",
        kind="share",
        value="60%",
        criteria=[CODES[0], CODES[3]],
        ages=(18, 40),
        deadline=dt.date(2023, 9, 30),
        milestones=[(dt.date(2023, 6, 30), "30%")],
    )
    services = target_add(
        campaign=campaign,
        name="Dịch vụ công",
        kind="count",
        value=3,
        criteria=[CODES[1]],
        milestones=[(dt.date(2023, 8, 1), 1)],
    )
    target_add(
        campaign=campaign,
        name="Học sinh",
        kind="share",
        value="100%",
        criteria=[CODES[0]],
        segment="student",
    )
    # Parts set by hand: the first village's share of the first, the second's count.
    villages = list(Place.objects.filter(parent=ea_yong).order_by("path"))
    young = Target.objects.get(campaign=campaign, name="18-40")
    target_place_set(target=young, place=villages[0], value="50%")
    target_place_set(target=services, place=villages[1], value=2)
    return campaign


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    people=residents,
    day=st.dates(START, dt.date(2024, 3, 1)),
    in_village=st.booleans(),
)
# The campaign's first day: criteria reached that day and the day before it.
@example(
    people=[
        (
            0,
            (dt.date(1990, 5, 5), "day"),
            "living",
            [(0, START, False), (1, START - dt.timedelta(days=1), False), (2, START, False)],
            "student",
        )
    ],
    day=START,
    in_village=True,
)
@example(
    people=[(4, None, "living", [(0, START, False), (1, START, False), (2, START, True)], "")],
    day=START,
    in_village=False,
)
def test_indicators_equal_the_brute_force_definition(
    small_campaign: Campaign, ea_yong: Place, people, day, in_village
) -> None:  # type: ignore[no-untyped-def]
    villages = list(Place.objects.filter(parent=ea_yong).order_by("path"))
    criteria = [Criterion.objects.get(code=code) for code in CODES]
    with transaction.atomic():
        for n, (village_index, born, status, history, segments) in enumerate(people):
            # Written through the services (and the change hook the import uses), so that
            # the tallies the indicators read are the ones production keeps.
            with residents_changing(communes=[ea_yong.pk]):
                resident = Resident.objects.create(
                    commune=ea_yong,
                    village=villages[village_index] if village_index < len(villages) else None,
                    full_name=f"Người {n}",
                    name_key=fold(f"Người {n}"),
                    birth_date=born[0] if born else None,
                    birth_date_precision=born[1] if born else "",
                    status=status,
                    segments=segments,
                )
            for criterion_index, achieved_on, withdrawn in history:
                recorded = achievement_record(
                    resident=resident,
                    criterion=criteria[criterion_index],
                    achieved_on=achieved_on,
                    source="import",
                )
                if withdrawn:
                    achievement_withdraw(achievement=recorded.achievement, reason="sai")
        place = villages[0] if in_village else ea_yong
        capped = min(day, END)

        got = campaign_indicators(small_campaign, place=place, on=day).as_json()
        want = _brute_force(small_campaign, place, capped)

        assert got["date"] == capped.isoformat()
        assert got["exemplary"]["count"] == want["exemplary"]
        assert (got["cohort"]["size"], got["cohort"]["met"]) == want["cohort"]
        assert {c["code"]: (c["count"], c["count_all"]) for c in got["criteria"]} == want[
            "criteria"
        ]
        named = {v["code"]: v for v in got["villages"] if v["code"]}
        for code, figures in want["villages"].items():
            assert {k: named[code][k] for k in figures} == figures
        assert got["weekly"] == want["weekly"]
        assert got["data_quality"]["without_birth_date"] == want["without_birth_date"]
        keys = (
            "needed_campaign",
            "population",
            "count",
            "needed",
            "reached",
            "expected",
            "on_track",
        )
        assert [
            {
                **{k: t[k] for k in keys},
                "projected_date": t["projected_date"],
                "milestones": [[m["date"], m["needed"], m["count"]] for m in t["milestones"]],
                "villages": {
                    v["code"]: [v["population"], v["count"], v["needed"]] for v in t["villages"]
                },
            }
            for t in got["targets"]
        ] == want["targets"]
        assert tally_check(small_campaign) == []
        transaction.set_rollback(True)


@pytest.mark.parametrize(
    ("end", "years", "expected"),
    [
        (dt.date(2023, 12, 31), -16, dt.date(2007, 12, 31)),
        (dt.date(2024, 2, 29), -17, dt.date(2007, 2, 28)),
        (dt.date(2024, 2, 29), -16, dt.date(2008, 2, 29)),
    ],
)
def test_add_years_keeps_the_day_or_falls_back_to_28_february(end, years, expected) -> None:  # type: ignore[no-untyped-def]
    assert add_years(end, years) == expected


@given(
    born=st.dates(dt.date(1900, 1, 1), dt.date(2030, 12, 31)),
    end=st.dates(dt.date(2000, 1, 1), dt.date(2030, 12, 31)),
)
def test_cohort_birth_range_is_exactly_the_ages_in_bounds(born: dt.date, end: dt.date) -> None:
    from congdanso.progress.indicators import cohort_birth_range

    campaign = Campaign(start_date=end, end_date=end, cohort_min_age=16, cohort_max_age=50)
    low, high = cohort_birth_range(campaign)
    assert (low <= born <= high) == (16 <= _age(born, end) <= 50)
