"""The tallies stay equal to a fresh computation whatever the services do, in any order, for
a commune campaign and a district-wide one at once; and what they give for turns, people
helped and units equals a plain-Python reading of the definitions."""

import datetime as dt
import io
import threading

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from congdanso.campaigns.achievements import achievement_record, achievement_withdraw
from congdanso.campaigns.models import Achievement, Campaign, Criterion, Tally
from congdanso.campaigns.models import TallyMeasure as M
from congdanso.campaigns.services import campaign_create
from congdanso.campaigns.targets import target_add
from congdanso.conftest import EXEMPLARY_2023
from congdanso.core.errors import DomainError
from congdanso.core.hooks import residents_changing
from congdanso.outreach.bulk import TurnEntry, turns_bulk_record
from congdanso.outreach.models import SessionStatus, SupportSession, Turn
from congdanso.outreach.services import session_create, session_status_set, turn_record
from congdanso.partners.models import Unit
from congdanso.partners.services import unit_get_or_create
from congdanso.people.models import DataIssue, IssueCode, Resident
from congdanso.people.services import resident_add, resident_correct, resident_segments_set
from congdanso.places.models import Place
from congdanso.places.services import commune_get_or_create, village_get_or_create
from congdanso.privacy.services import resident_erase
from congdanso.progress import tallies
from congdanso.progress.indicators import campaign_indicators
from congdanso.progress.tallies import (
    Difference,
    TargetSpec,
    tally_change,
    tally_check,
    tally_rebuild,
    tally_track,
)
from congdanso.vn import fold

START, END = dt.date(2023, 4, 12), dt.date(2023, 12, 31)
CODES = ("vneid_level2", "public_service_account", "ehealth_book", "bank_account")
# (campaign: 0 the commune's, 1 the district's; village index; day)
SESSIONS = (
    (0, 0, dt.date(2023, 5, 4)),
    (0, 1, dt.date(2023, 6, 9)),
    (1, 0, dt.date(2023, 5, 11)),
    (1, -1, dt.date(2023, 7, 7)),
    # On the campaign's first day: what a unit helps reach that day counts for the unit.
    (0, 1, START),
)


@pytest.fixture
def world(ea_yong: Place) -> dict:  # type: ignore[type-arg]
    district = ea_yong.parent
    other, _ = commune_get_or_create(parent=district, name="Xã Ea Kly", code="ea-kly")
    far, _ = village_get_or_create(commune=other, name="Thôn 1")
    villages = [*Place.objects.filter(parent=ea_yong, kind="village").order_by("path"), far]
    common = {
        "start_date": START,
        "end_date": END,
        "criteria": [*CODES, "sim_standardized"],
        "exemplary": CODES[:3],
        "target_exemplary": 5,
    }
    commune_campaign = campaign_create(place=ea_yong, name="Xã", **common)
    district_campaign = campaign_create(place=district, name="Huyện", **common)
    # Targets of their own (tallied per target): other criteria, ages on another deadline,
    # none (the exemplary criteria), a criterion the campaign does not require.
    target_add(
        campaign=commune_campaign,
        name="18-40 by September",
        kind="share",
        value="0.6",
        criteria=[CODES[0], CODES[3]],
        ages=(18, 40),
        deadline=dt.date(2023, 9, 30),
    )
    target_add(campaign=district_campaign, name="Everyone", kind="count", value=4)
    target_add(
        campaign=commune_campaign,
        name="Students",
        kind="share",
        value="1",
        criteria=[CODES[2]],
        segment="student",
    )
    target_add(  # an age range and a group at once
        campaign=district_campaign,
        name="Young public servants",
        kind="share",
        value="0.5",
        criteria=[CODES[0]],
        ages=(18, 35),
        segment="public_sector",
    )
    target_add(
        campaign=district_campaign,
        name="30-60",
        kind="share",
        value="50%",
        criteria=[CODES[1]],
        ages=(30, 60),
    )
    units = [
        unit_get_or_create(place=ea_yong, name=name, kind=kind)[0]
        for name, kind in (("Công an xã", "police"), ("Đoàn Thanh niên", "youth_union"))
    ]
    campaigns = [commune_campaign, district_campaign]
    sessions = [
        session_create(campaign=campaigns[c], place=villages[v], date=day, units=units)
        for c, v, day in SESSIONS
    ]
    return {
        "campaigns": campaigns,
        "villages": villages,
        "units": units,
        "sessions": sessions,
        "criteria": [Criterion.objects.get(code=code) for code in CODES],
    }


operations = st.lists(
    st.one_of(
        st.tuples(
            st.just("resident"),
            st.integers(0, 4),  # village
            st.one_of(st.none(), st.dates(dt.date(1960, 1, 1), dt.date(2012, 1, 1))),
            st.sampled_from(["living", "living", "moved_away"]),
        ),
        # by hand (resident_add): the tallies learn of a resident the block created
        st.tuples(
            st.just("added"),
            st.integers(0, 4),  # village
            st.one_of(st.none(), st.dates(dt.date(1960, 1, 1), dt.date(2012, 1, 1))),
        ),
        st.tuples(
            st.just("record"),
            st.integers(0, 9),
            st.integers(0, len(CODES) - 1),
            st.dates(dt.date(2023, 1, 1), dt.date(2024, 2, 1)),
        ),
        st.tuples(st.just("withdraw"), st.integers(0, 9), st.integers(0, len(CODES) - 1)),
        st.tuples(
            st.just("turns"),
            st.integers(0, len(SESSIONS) - 1),
            st.lists(
                st.tuples(
                    st.integers(0, 9),
                    st.one_of(st.none(), st.integers(0, len(CODES) - 1)),
                    st.one_of(st.none(), st.integers(0, 1)),
                ),
                min_size=1,
                max_size=4,
            ),
        ),
        st.tuples(
            st.just("turn"),
            st.integers(0, len(SESSIONS) - 1),
            st.integers(0, 9),
            st.one_of(st.none(), st.integers(0, len(CODES) - 1)),
            st.one_of(st.none(), st.integers(0, 1)),
        ),
        st.tuples(
            st.just("status"),
            st.integers(0, len(SESSIONS) - 1),
            st.sampled_from(["held", "planned"]),
        ),
        st.tuples(st.just("move"), st.integers(0, 9), st.integers(0, 4)),
        st.tuples(st.just("status_of"), st.integers(0, 9), st.sampled_from(["living", "deceased"])),
        st.tuples(st.just("issue"), st.integers(0, 9), st.booleans()),
        st.tuples(st.just("erase"), st.integers(0, 9)),
        # a resident's change, then a commune-wide one in the same block
        st.tuples(
            st.just("nested"),
            st.integers(0, 9),
            st.integers(0, len(SESSIONS) - 1),
            st.integers(0, len(CODES) - 1),
            st.integers(0, 4),  # the village of the resident the inner block adds
        ),
        st.tuples(
            st.just("segments"),
            st.integers(0, 9),
            st.sampled_from([[], ["student"], ["public_sector", "student"]]),
        ),
    ),
    min_size=1,
    max_size=25,
)


def _create(world: dict, people: list[Resident], village_index: int, born, status: str) -> None:  # type: ignore[no-untyped-def, type-arg]
    """A resident written straight to the table, its whole commune declared changing."""
    villages = world["villages"]
    village = villages[village_index % len(villages)]
    with residents_changing(communes=[village.commune_id], turns=True):
        people.append(
            Resident.objects.create(
                commune_id=village.commune_id,
                village=village if village_index < len(villages) else None,
                full_name=f"Người {len(people)}",
                name_key=fold(f"Người {len(people)}"),
                birth_date=born,
                birth_date_precision="day" if born else "",
                status=status,
            )
        )


def _apply(world: dict, people: list[Resident], op: tuple) -> None:  # type: ignore[type-arg]
    kind, *args = op
    villages, criteria = world["villages"], world["criteria"]
    if kind == "resident":
        _create(world, people, *args)
        return
    if kind == "added":
        village_index, born = args
        people.append(
            resident_add(
                village=villages[village_index % len(villages)],
                full_name=f"Người {len(people)}",
                birth_date=born.strftime("%d/%m/%Y") if born else None,
            )
        )
        return
    people[:] = [p for p in people if p.pk is not None]  # the erased ones go
    if not people:
        return
    person = people[args[0] % len(people)]
    person.refresh_from_db()
    if kind == "record":
        achievement_record(resident=person, criterion=criteria[args[1]], achieved_on=args[2])
    elif kind == "withdraw":
        current = Achievement.objects.filter(
            resident=person, criterion=criteria[args[1]], withdrawn_at__isnull=True
        ).first()
        if current is not None:
            achievement_withdraw(achievement=current, reason="ghi nhầm")
    elif kind == "turns":
        session = world["sessions"][args[0]]
        entries = []
        for index, criterion, unit in args[1]:
            resident = people[index % len(people)]
            entries.append(
                TurnEntry(
                    resident.pk,
                    criteria[criterion].pk if criterion is not None else None,
                    "" if criterion is not None else "guidance",
                    world["units"][unit].pk if unit is not None else None,
                )
            )
        turns_bulk_record(session=session, entries=entries)
    elif kind == "turn":
        _session_index, _person, criterion, unit = args
        session = world["sessions"][args[0]]
        turn_record(
            session=session,
            resident=person,
            criterion=criteria[criterion] if criterion is not None else None,
            service="" if criterion is not None else "data_update",
            unit=world["units"][unit] if unit is not None else None,
        )
    elif kind == "status":
        session = SupportSession.objects.get(pk=world["sessions"][args[0]].pk)
        session_status_set(session=session, status=args[1])
    elif kind == "move":
        village = villages[args[1] % len(villages)]
        if village.commune_id == person.commune_id:
            resident_correct(resident=person, changes={"village": village}, reason="chuyển")
    elif kind == "status_of":
        resident_correct(resident=person, changes={"status": args[1]}, reason="cập nhật")
    elif kind == "issue":
        with residents_changing(residents=[person.pk]):
            DataIssue.objects.create(
                commune_id=person.commune_id,
                resident=person,
                code=IssueCode.POSSIBLE_DUPLICATE if args[1] else IssueCode.PHONE_INVALID,
            )
    elif kind == "erase":
        resident_erase(resident=person, reason="yêu cầu xoá")
    elif kind == "segments":
        resident_segments_set(resident=person, segments=args[1])
    elif kind == "nested":
        # The person's "before" is taken first; the commune-wide block inside must take the
        # rest of the commune only, not the person again as changed by the turn.
        _index, session, criterion, village_index = args
        with residents_changing(residents=[person.pk], turns=True):
            turn_record(
                session=world["sessions"][session],
                resident=person,
                criterion=criteria[criterion],
                unit=world["units"][0],
            )
            _create(world, people, village_index, dt.date(1990, 1, 1), "living")


def _in(place: Place, other: Place | None) -> bool:
    return other is not None and other.path.startswith(place.path)


def _brute_units(campaign: Campaign, place: Place, day: dt.date) -> dict:  # type: ignore[type-arg]
    """Turns, people, achievements per unit (0: all) as the definitions say."""
    turns = [
        t
        for t in Turn.objects.select_related("session__place")
        if t.session.campaign_id == campaign.pk
        and t.session.status == SessionStatus.HELD
        and t.session.date <= day
        and _in(place, t.session.place)
    ]
    figures: dict[int, dict[str, object]] = {}
    for unit in [None, *Unit.objects.all()]:
        mine = [t for t in turns if unit is None or t.unit_id == unit.pk]
        criteria = set(campaign.rules.values_list("criterion_id", flat=True))
        achieved = [
            a
            for a in Achievement.objects.select_related("resident__village", "resident__commune")
            if unit is not None
            and a.unit_id == unit.pk
            and a.withdrawn_at is None
            and a.criterion_id in criteria
            and campaign.start_date <= a.achieved_on <= day
            and a.resident.status == "living"
            and _in(place, a.resident.village or a.resident.commune)
        ]
        figures[unit.pk if unit else 0] = {
            "turns": len(mine),
            "people": len({t.resident_id for t in mine}),
            "achievements": len(achieved),
        }
    return figures


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=operations, day=st.dates(START, END))
# The first and last days, where the Python and SQL readings of "from the start" could part:
# a unit's achievement on the first day (one turn, then a batch), criteria reached on the
# first day and the day before it, and on the last day.
@example(
    ops=[("resident", 1, dt.date(1990, 1, 1), "living"), ("turn", 4, 0, 0, 0)],
    day=START,
)
@example(
    ops=[("resident", 0, dt.date(1990, 1, 1), "living"), ("turns", 4, [(0, 1, 1), (0, 2, 0)])],
    day=START,
)
@example(
    ops=[
        ("resident", 0, dt.date(1990, 1, 1), "living"),
        ("record", 0, 0, START),
        ("record", 0, 1, START - dt.timedelta(days=1)),
        ("record", 0, 2, END),
    ],
    day=START,
)
@example(
    ops=[("added", 0, dt.date(1990, 1, 1)), ("added", 4, None), ("record", 0, 0, START)],
    day=END,
)
# One batch for a person who moved away and one who lives here: the first counts nothing,
# the second must still count.
@example(
    ops=[
        ("resident", 0, dt.date(1990, 1, 1), "moved_away"),
        ("resident", 0, dt.date(1991, 1, 1), "living"),
        ("turns", 0, [(0, 0, 0), (1, 1, 0)]),
    ],
    day=END,
)
@example(
    ops=[
        ("resident", 1, None, "living"),
        ("record", 0, 0, START),
        ("turn", 4, 0, 1, 1),
        ("record", 0, 2, END),
    ],
    day=END,
)
# Open issues of either kind (Q item 0: any, item 1: a possible duplicate), then one resolved
# by the person's erasure.
@example(
    ops=[
        ("resident", 0, dt.date(1990, 1, 1), "living"),
        ("resident", 1, None, "living"),
        ("issue", 0, False),
        ("issue", 1, True),
        ("issue", 1, False),
        ("erase", 0),
    ],
    day=END,
)
# Two people of one village reach the same criterion on the same day in one batch: their
# contributions add up (one key, two people).
@example(
    ops=[
        ("resident", 0, dt.date(1990, 1, 1), "living"),
        ("resident", 0, dt.date(1991, 1, 1), "living"),
        ("status", 0, "held"),
        ("turns", 0, [(0, 1, None), (1, 1, None)]),
    ],
    day=END,
)
# A commune-wide change nested in a resident's, after the resident changed: the commune's
# "before" leaves out the resident tracked first, in both groups.
@example(
    ops=[
        ("resident", 0, dt.date(1990, 1, 1), "living"),
        ("status", 0, "held"),
        ("nested", 0, 0, 0, 1),
    ],
    day=END,
)
@pytest.mark.django_db
def test_tallies_stay_exact_through_any_sequence_of_writes(world, ops, day) -> None:  # type: ignore[no-untyped-def]
    _writes_keep_the_tallies_exact(world, ops, day)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=operations, day=st.dates(START, END))
@pytest.mark.django_db
def test_tallies_stay_exact_when_every_change_is_counted_in_sql(  # type: ignore[no-untyped-def]
    world, ops, day, monkeypatch
) -> None:
    # Above _PYTHON_AT_MOST residents a change is counted by grouped SQL restricted to them
    # (a batch of a few hundred people, an import of achievements): the same writes, that way.
    monkeypatch.setattr(tallies, "_PYTHON_AT_MOST", 0)
    _writes_keep_the_tallies_exact(world, ops, day)


def _writes_keep_the_tallies_exact(world, ops, day) -> None:  # type: ignore[no-untyped-def]
    with transaction.atomic():
        people: list[Resident] = []
        for op in ops:
            try:
                with transaction.atomic():
                    _apply(world, people, op)
            except DomainError:
                pass  # refused writes change nothing
        for campaign in world["campaigns"]:
            assert tally_check(campaign) == []
            places = [campaign.place, *world["villages"]]
            if campaign.place.kind == "district":
                places += list(Place.objects.filter(parent=campaign.place))
            for place in places:
                if not place.path.startswith(campaign.place.path):
                    continue
                got = campaign_indicators(campaign, place=place, on=day)
                want = _brute_units(campaign, place, day)
                assert (got.sessions.registry_turns, got.sessions.people) == (
                    want[0]["turns"],
                    want[0]["people"],
                )
                units = {row.unit_id: row for row in got.units}
                for unit_id, figures in want.items():
                    if unit_id:
                        row = units.get(unit_id)
                        assert {
                            "turns": row.turns if row else 0,
                            "people": row.people if row else 0,
                            "achievements": row.achievements if row else 0,
                        } == figures
        transaction.set_rollback(True)


@pytest.fixture
def villages(ea_yong: Place) -> dict[str, Place]:
    return {p.name: p for p in Place.objects.filter(parent=ea_yong)}


@pytest.mark.django_db
def test_a_rebuild_gives_back_the_same_rows(campaign: Campaign, villages) -> None:  # type: ignore[no-untyped-def]
    from congdanso.people.tests.factories import ResidentFactory

    people = [ResidentFactory(village=villages["Thôn Cao Bằng"]) for _ in range(3)]
    for person in people[:2]:
        achievement_record(
            resident=person,
            criterion=Criterion.objects.get(code="vneid_level2"),
            achieved_on=dt.date(2023, 5, 4),
        )
    stored = sorted(
        Tally.objects.filter(campaign=campaign).values_list(
            "scope_id", "measure", "item", "day", "cohort", "amount"
        )
    )
    Tally.objects.filter(campaign=campaign).update(amount=0)
    assert tally_check(campaign) != []

    rows = tally_rebuild(campaign)

    assert rows == len(stored)
    assert (
        sorted(
            Tally.objects.filter(campaign=campaign).values_list(
                "scope_id", "measure", "item", "day", "cohort", "amount"
            )
        )
        == stored
    )


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_the_tallies_exact(
    reference_data, campaign: Campaign, villages
) -> None:  # type: ignore[no-untyped-def]
    """Several threads record the criteria of the same people at once: on PostgreSQL they
    serialise on the residents' rows, on SQLite on the write lock; no count is lost."""
    from congdanso.people.tests.factories import ResidentFactory

    people = [ResidentFactory(village=villages["Thôn Tân Lập"]) for _ in range(4)]
    criteria = [Criterion.objects.get(code=code) for code in EXEMPLARY_2023]
    errors: list[BaseException] = []

    def work(criterion: Criterion) -> None:
        try:
            for person in people:
                achievement_record(
                    resident=person, criterion=criterion, achieved_on=dt.date(2023, 6, 1)
                )
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(c,)) for c in criteria]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert tally_check(campaign) == []
    assert campaign_indicators(campaign, on=dt.date(2023, 6, 1)).exemplary.count == 4


@pytest.mark.django_db(transaction=True)
def test_a_rebuild_waits_for_a_change_in_progress(
    reference_data, campaign: Campaign, villages
) -> None:  # type: ignore[no-untyped-def]
    """A change holds its campaigns against a rebuild (a change of their rules: figures
    counted by other rules would be mixed) until it commits: on PostgreSQL by a key-share
    lock on the campaign's row, for which the rebuild's FOR UPDATE waits; on SQLite by the
    write lock each transaction takes at its start."""
    from congdanso.people.tests.factories import ResidentFactory

    person = ResidentFactory(village=villages["Thôn Tân Lập"])
    inside, leave, rebuilt = threading.Event(), threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def change() -> None:
        try:
            with tally_change(residents=[person.pk]):
                inside.set()
                leave.wait(20)
                Resident.objects.filter(pk=person.pk).update(
                    birth_date=None, birth_date_precision=""
                )
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    def rebuild() -> None:
        try:
            tally_rebuild(Campaign.objects.get(pk=campaign.pk))
            rebuilt.set()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    changing = threading.Thread(target=change)
    changing.start()
    assert inside.wait(20)
    rebuilding = threading.Thread(target=rebuild)
    rebuilding.start()
    ran_beside = rebuilt.wait(1.5)
    leave.set()
    changing.join()
    rebuilding.join()

    assert errors == []
    assert not ran_beside
    assert tally_check(campaign) == []


@pytest.mark.django_db
def test_the_tallies_command_finds_and_repairs_a_tampered_tally(
    campaign: Campaign, villages
) -> None:  # type: ignore[no-untyped-def]
    from django.core.management import call_command
    from django.core.management.base import CommandError

    from congdanso.people.tests.factories import ResidentFactory

    ResidentFactory(village=villages["Thôn Cao Bằng"])
    out = io.StringIO()
    call_command("tallies", "check", stdout=out)
    assert "exact" in out.getvalue() or "khớp" in out.getvalue()

    Tally.objects.filter(campaign=campaign, measure="R").update(amount=7)
    with pytest.raises(CommandError):
        call_command("tallies", "check", f"--campaign={campaign.pk}", stdout=io.StringIO())
    call_command("tallies", "rebuild", f"--campaign={campaign.pk}", stdout=io.StringIO())

    assert tally_check(campaign) == []


def test_a_tally_check_names_each_difference(campaign: Campaign, villages) -> None:  # type: ignore[no-untyped-def]
    from congdanso.people.tests.factories import ResidentFactory

    ResidentFactory(village=villages["Thôn Cao Bằng"], birth_date=dt.date(1990, 5, 17))
    counted = Tally.objects.get(
        campaign=campaign, scope=villages["Thôn Cao Bằng"], measure="R", item=0
    )
    Tally.objects.filter(pk=counted.pk).update(amount=7)
    Tally.objects.create(
        campaign=campaign, scope=villages["Thôn Tân Lập"], measure="T", item=0, day=END, amount=3
    )
    Tally.objects.create(  # a row at zero is no difference
        campaign=campaign, scope=villages["Thôn Tân Lập"], measure="T", item=0, day=START
    )
    commune_row = Tally.objects.get(campaign=campaign, scope=campaign.place, measure="R")
    commune_row.delete()

    assert tally_check(campaign) == [
        Difference(
            scope_id=scope,
            measure=measure,
            item=0,
            day=day,
            cohort=cohort,
            stored=stored,
            computed=computed,
        )
        for scope, measure, day, cohort, stored, computed in sorted(
            [
                (counted.scope_id, "R", counted.day, counted.cohort, 7, 1),
                (villages["Thôn Tân Lập"].pk, "T", END, False, 3, 0),
                (campaign.place_id, "R", commune_row.day, commune_row.cohort, 0, 1),
            ]
        )
    ]


@pytest.mark.parametrize(
    ("born", "in_cohort"),
    [
        (dt.date(2007, 12, 31), True),  # 16 on the campaign's last day
        (dt.date(2008, 1, 1), False),
        (dt.date(1973, 1, 1), True),  # 50 on it
        (dt.date(1972, 12, 31), False),
    ],
)
def test_the_cohort_s_first_and_last_birth_days_count_in_it(  # type: ignore[no-untyped-def]
    campaign: Campaign, villages, born: dt.date, in_cohort: bool
) -> None:
    from congdanso.people.tests.factories import ResidentFactory

    person = ResidentFactory(village=villages["Thôn Cao Bằng"], birth_date=born)
    # A change of the person's own is counted in Python (before and after), a new one in SQL.
    achievement_record(
        resident=person,
        criterion=Criterion.objects.get(code=EXEMPLARY_2023[0]),
        achieved_on=dt.date(2023, 5, 4),
    )

    assert tally_check(campaign) == []
    cohort = Tally.objects.filter(campaign=campaign, scope=campaign.place, measure="C")
    assert [row.cohort for row in cohort] == [in_cohort]


def test_a_target_s_population_is_born_between_its_two_days_inclusive() -> None:
    first, last = dt.date(1983, 10, 1), dt.date(2005, 9, 30)
    target = TargetSpec(pk=1, criteria=(), born=(first, last))

    assert [target.holds(day) for day in (first, last)] == [True, True]
    one_day = dt.timedelta(days=1)
    assert [target.holds(day) for day in (first - one_day, last + one_day, None)] == [
        False,
        False,
        False,
    ]
    assert TargetSpec(pk=1, criteria=(), born=None).holds(None)
    students = TargetSpec(pk=1, criteria=(), born=None, segment="student")
    assert students.holds(None, "public_sector,student")
    assert not students.holds(None, "public_sector")
    assert not students.holds(None)


def test_tracking_residents_outside_a_tally_change_is_a_programming_error() -> None:
    with pytest.raises(RuntimeError, match="^tally_track outside tally_change$"):
        tally_track(residents=[1])


def test_residents_created_in_two_communes_in_one_block_are_each_counted(  # type: ignore[no-untyped-def]
    campaign: Campaign, villages, ea_yong: Place
) -> None:

    other, _ = commune_get_or_create(parent=ea_yong.parent, name="Xã Ea Kly", code="ea-kly")
    far, _ = village_get_or_create(commune=other, name="Thôn 1")  # no campaign there
    with tally_change():
        with residents_changing(communes=[]):
            outside = Resident.objects.create(
                commune=other, village=far, full_name="Người Ngoài", name_key="nguoi ngoai"
            )
            inside = Resident.objects.create(
                commune=ea_yong,
                village=villages["Thôn Cao Bằng"],
                full_name="Người Trong",
                name_key="nguoi trong",
            )
        assert outside.pk < inside.pk  # the commune without a campaign comes first
        tally_track(residents=[outside.pk, inside.pk], created=True)

    assert tally_check(campaign) == []
    assert Tally.objects.filter(campaign=campaign, measure="R", scope=campaign.place).exists()


# -- blocks nested in every order, and places of every level ------------------------------
def _held(world: dict) -> SupportSession:  # type: ignore[type-arg]
    session = SupportSession.objects.get(pk=world["sessions"][0].pk)  # Ea Yông, village 0
    session_status_set(session=session, status="held")
    return session


def _exact(world: dict) -> None:  # type: ignore[type-arg]
    for campaign in world["campaigns"]:
        assert tally_check(campaign) == []


def _person(world: dict, village: int = 0) -> Resident:  # type: ignore[type-arg]
    return resident_add(
        village=world["villages"][village], full_name="Người Thử", birth_date="01/01/1990"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("in_sql", [False, True])
def test_blocks_on_one_group_then_the_other_count_both(world, monkeypatch, in_sql) -> None:  # type: ignore[no-untyped-def]
    # Each way a block can name its residents for the turns alone, then for their
    # achievements (or the reverse), whole communes or one by one.
    if in_sql:
        monkeypatch.setattr(tallies, "_PYTHON_AT_MOST", 0)
    session, person = _held(world), _person(world)
    commune = person.commune_id
    criteria, unit = world["criteria"], world["units"][0]

    def turn(criterion: int) -> None:
        turn_record(session=session, resident=person, criterion=criteria[criterion], unit=unit)

    # The turns first, then an achievement inside.
    with tally_change(residents=[person.pk], achievements=False, turns=True):
        with tally_change(residents=[person.pk]):
            achievement_record(resident=person, criterion=criteria[3], achieved_on=START)
        turn(0)
    _exact(world)
    # The commune's achievements, then the person's turns and achievements.
    with tally_change(communes=[commune]), tally_change(residents=[person.pk], turns=True):
        turn(1)
    _exact(world)
    # The commune's achievements, then its turns too (a turn written straight to the table:
    # no inner block names the person).
    with tally_change(communes=[commune]), tally_change(communes=[commune], turns=True):
        Turn.objects.create(
            commune_id=commune, session=session, resident=person, service="guidance", unit=unit
        )
    _exact(world)
    # One person, then another of the same commune inside (each written straight to the
    # table): each one's "before" is their own, taken once.
    other = _person(world)
    with tally_change(residents=[person.pk]):
        Resident.objects.filter(pk=person.pk).update(birth_date=None, birth_date_precision="")
        with tally_change(residents=[other.pk]):
            Resident.objects.filter(pk=other.pk).update(segments="student")
    _exact(world)
    # The person's achievements, then the commune's turns: the person's turns are counted
    # once, with the commune's.
    with tally_change(residents=[person.pk]):  # noqa: SIM117 - two blocks, nested
        with tally_change(communes=[commune], achievements=False, turns=True):
            turn(3)
    _exact(world)


@pytest.mark.django_db
def test_residents_found_for_their_turns_are_tracked_for_their_turns(world) -> None:  # type: ignore[no-untyped-def]
    session, person = _held(world), _person(world)
    with tally_change():
        tally_track(residents=[person.pk], achievements=False, turns=True)
        Turn.objects.create(
            commune_id=person.commune_id, session=session, resident=person, service="guidance"
        )
    _exact(world)
    assert campaign_indicators(world["campaigns"][0], on=END).sessions.registry_turns == 1


@pytest.mark.django_db
def test_a_block_over_a_commune_without_campaigns_counts_the_others(world, ea_yong) -> None:  # type: ignore[no-untyped-def]
    # The commune without campaigns comes first (the smaller id), in both kinds of block.
    outside = (
        Place.objects.filter(kind="commune")
        .exclude(path__startswith=ea_yong.parent.path)
        .order_by("pk")
        .first()
    )
    assert outside is not None and outside.pk < ea_yong.pk
    stranger = Resident.objects.create(
        commune=outside, full_name="Người Ngoài", name_key=fold("Người Ngoài")
    )
    person = _person(world)
    with tally_change(communes=[outside.pk, ea_yong.pk]):
        Resident.objects.create(commune=ea_yong, full_name="Người Mới", name_key="nguoi moi")
    _exact(world)
    # Written straight to the table: no inner block names the person again.
    with tally_change(residents=[stranger.pk, person.pk]):
        Resident.objects.filter(pk=person.pk).update(birth_date=None, birth_date_precision="")
    _exact(world)


@pytest.mark.django_db
def test_a_province_wide_campaign_counts_a_resident_in_the_four_places_above(
    world, ea_yong
) -> None:  # type: ignore[no-untyped-def]
    district = ea_yong.parent
    province = district.parent
    campaign = campaign_create(
        place=province,
        name="Tỉnh",
        start_date=START,
        end_date=END,
        criteria=list(CODES),
        exemplary=CODES[:3],
        target_exemplary=5,
    )
    person = _person(world)
    achievement_record(resident=person, criterion=world["criteria"][0], achieved_on=START)

    assert tally_check(campaign) == []
    village = world["villages"][0]
    counted = Tally.objects.filter(campaign=campaign, measure="C").values_list(
        "scope_id", flat=True
    )
    assert sorted(counted) == sorted([village.pk, ea_yong.pk, district.pk, province.pk])


@pytest.mark.django_db
def test_a_target_added_to_a_running_campaign_counts_what_was_done_before(world) -> None:  # type: ignore[no-untyped-def]
    session, person = _held(world), _person(world)
    criteria = world["criteria"]
    turn_record(session=session, resident=person, criterion=criteria[1], unit=world["units"][0])
    achievement_record(resident=person, criterion=criteria[0], achieved_on=START)
    campaign = world["campaigns"][0]
    before = set(Tally.objects.filter(campaign=campaign).values_list("measure", "scope", "amount"))

    target = target_add(campaign=campaign, name="Late", kind="count", value=2, criteria=[CODES[1]])

    assert tally_check(campaign) == []
    rows = Tally.objects.filter(campaign=campaign)
    assert set(rows.exclude(item=target.pk).values_list("measure", "scope", "amount")) >= before
    assert set(rows.filter(item=target.pk).values_list("measure", flat=True)) == {"G", "H"}


@pytest.mark.django_db
def test_a_past_list_counts_the_turns_of_those_on_it_only(world) -> None:  # type: ignore[no-untyped-def]
    session, person = _held(world), _person(world)
    turn_record(session=session, resident=person, service="guidance")
    campaign = world["campaigns"][0]
    communes = [person.commune_id]
    turns = {M.TURNS, M.PEOPLE}
    now = tallies._fresh(tallies._spec_of(campaign.pk), communes)

    later = tallies.tallies_registered_before(
        campaign, communes, person.created_at + dt.timedelta(seconds=1)
    )
    earlier = tallies.tallies_registered_before(campaign, communes, person.created_at)

    assert (
        {k: v for k, v in later.items() if k[2] in turns}
        == {k: v for k, v in now.items() if k[2] in turns}
        != {}
    )
    assert [k for k in earlier if k[2] in turns] == []


@pytest.mark.django_db
def test_a_stored_tally_of_one_the_data_does_not_give_is_a_difference(world) -> None:  # type: ignore[no-untyped-def]
    campaign = world["campaigns"][0]
    Tally.objects.create(
        campaign=campaign, scope=campaign.place, measure="T", item=0, day=END, amount=1
    )
    assert tally_check(campaign) == [
        Difference(
            scope_id=campaign.place_id,
            measure="T",
            item=0,
            day=END,
            cohort=False,
            stored=1,
            computed=0,
        )
    ]
