import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from congdanso.campaigns.achievements import achievement_record, achievement_withdraw
from congdanso.campaigns.models import Achievement, AchievementSource, Campaign, Criterion
from congdanso.core.errors import DomainError
from congdanso.outreach.bulk import BulkTurnError, TurnEntry, turns_bulk_record
from congdanso.outreach.models import SessionStatus, SupportSession, Turn
from congdanso.outreach.services import session_create, session_status_set, turn_record
from congdanso.partners.models import Unit, UnitKind
from congdanso.partners.services import unit_get_or_create
from congdanso.people.models import Resident
from congdanso.people.tests.factories import ResidentFactory
from congdanso.places.models import Place
from congdanso.places.services import commune_get_or_create, village_get_or_create

pytestmark = pytest.mark.django_db

SESSION_DAY = dt.date(2023, 6, 15)


def criterion(code: str) -> Criterion:
    return Criterion.objects.get(code=code)


@pytest.fixture
def units(ea_yong: Place) -> dict[str, Unit]:
    police, _ = unit_get_or_create(place=ea_yong, name="Công an xã Ea Yông", kind=UnitKind.POLICE)
    youth, _ = unit_get_or_create(
        place=ea_yong, name="Đoàn Thanh niên xã Ea Yông", kind=UnitKind.YOUTH_UNION
    )
    return {"police": police, "youth": youth}


def session_at(campaign: Campaign, day: dt.date = SESSION_DAY) -> SupportSession:
    village = campaign.place.children.order_by("id").first()
    assert village is not None
    return session_create(campaign=campaign, place=village, date=day)


def arrange(
    campaign: Campaign, prefix: str, units: dict[str, Unit], user: Any
) -> tuple[SupportSession, list[Resident]]:
    """A session and five residents with a history: achievements before, on and after the
    session's day, a withdrawn one, and a turn recorded already."""
    village = campaign.place.children.order_by("id").first()
    people = [ResidentFactory(village=village, full_name=f"{prefix} {n}") for n in range(5)]
    session = session_at(campaign)
    achievement_record(
        resident=people[0], criterion=criterion("vneid_level2"), achieved_on=dt.date(2023, 7, 1)
    )
    achievement_record(
        resident=people[1],
        criterion=criterion("vneid_level2"),
        achieved_on=dt.date(2023, 5, 2),
        source=AchievementSource.SELF_DECLARED,
    )
    achievement_record(
        resident=people[2], criterion=criterion("bank_account"), achieved_on=SESSION_DAY
    )
    withdrawn = achievement_record(
        resident=people[3], criterion=criterion("ehealth_book"), achieved_on=dt.date(2023, 5, 5)
    )
    achievement_withdraw(achievement=withdrawn.achievement, reason="Ghi nhầm người")
    turn_record(
        session=session,
        resident=people[4],
        criterion=criterion("sim_standardized"),
        unit=units["youth"],
    )
    return session, people


def entries_for(people: Sequence[Resident], units: dict[str, Unit]) -> list[TurnEntry]:
    vneid, ehealth = criterion("vneid_level2").pk, criterion("ehealth_book").pk
    bank, sim = criterion("bank_account").pk, criterion("sim_standardized").pk
    police, youth = units["police"].pk, units["youth"].pk
    return [
        TurnEntry(people[0].pk, vneid, "", police),  # earlier date: replaces 01/07
        TurnEntry(people[1].pk, vneid, "", police),  # later date: unchanged
        TurnEntry(people[2].pk, bank, "", None),  # same date: unchanged
        TurnEntry(people[3].pk, ehealth, "", youth),  # withdrawn before: recorded anew
        TurnEntry(people[4].pk, sim, "", police),  # turn exists: skipped
        TurnEntry(people[4].pk, vneid, "", police),
        TurnEntry(people[4].pk, vneid, "", youth),  # repeated: the first unit stays
        TurnEntry(people[4].pk, None, "guidance", youth),
        TurnEntry(people[0].pk, None, "data_update", police),
        TurnEntry(people[0].pk, None, "data_update", None),  # repeated service
    ]


def snapshot(session: SupportSession, people: Sequence[Resident]) -> dict[str, Any]:
    """The rows of the session and the residents, named by position instead of by id."""
    position = {p.pk: n for n, p in enumerate(people)}
    turns = sorted(
        (
            position[t.resident_id],
            t.criterion.code if t.criterion else "",
            t.service,
            t.unit.name if t.unit else "",
            t.commune_id,
            t.recorded_by_id,
        )
        for t in Turn.objects.filter(session=session).select_related("criterion", "unit")
    )
    achievements = sorted(
        (
            position[a.resident_id],
            a.criterion.code,
            a.achieved_on,
            a.source,
            a.unit.name if a.unit else "",
            a.session_id == session.pk,
            a.withdrawn_at is not None,
            a.withdrawal_reason,
            a.recorded_by_id,
            a.commune_id,
        )
        for a in Achievement.objects.filter(resident__in=people).select_related("criterion", "unit")
    )
    session.refresh_from_db()
    return {"status": session.status, "turns": turns, "achievements": achievements}


def one_by_one(session: SupportSession, entries: Sequence[TurnEntry], user: Any) -> None:
    for entry in entries:
        turn_record(
            session=session,
            resident=Resident.objects.get(pk=entry.resident_id),
            criterion=Criterion.objects.get(pk=entry.criterion_id) if entry.criterion_id else None,
            service=entry.service,
            unit=Unit.objects.get(pk=entry.unit_id) if entry.unit_id else None,
            recorded_by=user,
        )


def test_bulk_leaves_the_same_rows_as_turn_record_one_by_one(campaign, units) -> None:  # type: ignore[no-untyped-def]
    user = get_user_model().objects.create_user("thu-ky")
    single_session, single_people = arrange(campaign, "Một", units, user)
    bulk_session, bulk_people = arrange(campaign, "Loạt", units, user)

    one_by_one(single_session, entries_for(single_people, units), user)
    result = turns_bulk_record(
        session=bulk_session, entries=entries_for(bulk_people, units), recorded_by=user
    )

    assert snapshot(bulk_session, bulk_people) == snapshot(single_session, single_people)
    assert result.as_json() == {
        "turns_created": 7,
        "turns_existing": 3,
        "achievements_created": 2,  # people[3] ehealth anew, people[4] vneid
        "achievements_updated": 1,
        "achievements_unchanged": 3,  # people[1], people[2], people[4] sim
    }


def test_the_same_batch_twice_changes_nothing(campaign, units) -> None:  # type: ignore[no-untyped-def]
    session, people = arrange(campaign, "Hai", units, None)
    entries = entries_for(people, units)
    turns_bulk_record(session=session, entries=entries)
    before = snapshot(session, people)

    again = turns_bulk_record(session=session, entries=entries)

    assert snapshot(session, people) == before
    assert again.turns_created == again.achievements_created == again.achievements_updated == 0
    assert again.turns_existing == len(entries)


def test_the_session_is_marked_held(campaign, units, ea_yong) -> None:  # type: ignore[no-untyped-def]
    session = session_at(campaign)
    person = ResidentFactory(village=ea_yong.children.first())
    assert session.status == SessionStatus.PLANNED

    turns_bulk_record(session=session, entries=[TurnEntry(person.pk, None, "guidance")])

    assert session.status == SessionStatus.HELD
    session.refresh_from_db()
    assert session.status == SessionStatus.HELD


def test_an_empty_batch_writes_nothing(campaign) -> None:  # type: ignore[no-untyped-def]
    session = session_at(campaign)

    result = turns_bulk_record(session=session, entries=[])

    assert result.turns_created == 0
    session.refresh_from_db()
    assert session.status == SessionStatus.PLANNED


def outsider(ea_yong: Place) -> Resident:
    district = ea_yong.parent
    assert district is not None
    other, _ = commune_get_or_create(parent=district, name="Xã Ea Kly", code="ea-kly")
    village, _ = village_get_or_create(commune=other, name="Thôn 1")
    return ResidentFactory(village=village)


BadEntry = Callable[[Resident, Place], TurnEntry]


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda p, c: TurnEntry(p.pk, None, ""), "turn_action_invalid"),
        (
            lambda p, c: TurnEntry(p.pk, criterion("vneid_level2").pk, "guidance"),
            "turn_action_invalid",
        ),
        (lambda p, c: TurnEntry(p.pk, None, "dance"), "turn_service_unknown"),
        (lambda p, c: TurnEntry(outsider(c).pk, None, "guidance"), "resident_outside_campaign"),
        (lambda p, c: TurnEntry(10**9, None, "guidance"), "resident_outside_campaign"),
        (
            lambda p, c: TurnEntry(
                ResidentFactory(village=p.village, birth_date=dt.date(2023, 9, 1)).pk,
                criterion("vneid_level2").pk,
            ),
            "date_before_birth",
        ),
    ],
)
def test_one_bad_entry_refuses_the_batch_and_names_it(  # type: ignore[no-untyped-def]
    campaign, ea_yong, make: BadEntry, code: str
) -> None:
    session = session_at(campaign)
    person = ResidentFactory(village=ea_yong.children.first())
    good = TurnEntry(person.pk, criterion("vneid_level2").pk)

    with pytest.raises(BulkTurnError) as error:
        turns_bulk_record(session=session, entries=[good, make(person, ea_yong)])

    assert error.value.code == code
    assert [(p.index, p.code) for p in error.value.problems] == [(1, code)]
    assert not Turn.objects.exists()
    assert not Achievement.objects.exists()
    session.refresh_from_db()
    assert session.status == SessionStatus.PLANNED


def test_a_criterion_the_campaign_does_not_track_is_refused(ea_yong) -> None:  # type: ignore[no-untyped-def]
    from congdanso.campaigns.services import campaign_create

    narrow = campaign_create(
        place=ea_yong,
        name="Chỉ VNeID",
        start_date=dt.date(2023, 4, 12),
        end_date=dt.date(2023, 12, 31),
        criteria=["vneid_level2"],
        target_exemplary=100,
    )
    session = session_at(narrow)
    person = ResidentFactory(village=ea_yong.children.first())

    with pytest.raises(DomainError) as error:
        turns_bulk_record(
            session=session, entries=[TurnEntry(person.pk, criterion("bank_account").pk)]
        )

    assert error.value.code == "criterion_not_tracked"
    # The volunteer's phone shows the criterion as they know it, not its number or code.
    assert criterion("bank_account").name in error.value.message.render("vi")
    assert not Turn.objects.exists()


def test_a_session_in_the_future_records_no_achievement(ea_yong) -> None:  # type: ignore[no-untyped-def]
    from congdanso.campaigns.services import campaign_create
    from congdanso.conftest import EXEMPLARY_2023
    from congdanso.vn import vietnam_today

    today = vietnam_today()
    this_year = campaign_create(
        place=ea_yong,
        name="Công dân số năm nay",
        start_date=today - dt.timedelta(days=30),
        end_date=today + dt.timedelta(days=60),
        criteria=EXEMPLARY_2023,
        exemplary=EXEMPLARY_2023,
        target_exemplary=100,
        cohort_ages=(16, 50),
        cohort_target="0.5",
    )
    session = session_at(this_year, today + dt.timedelta(days=10))  # planned, not held yet
    person = ResidentFactory(village=ea_yong.children.first())

    with pytest.raises(DomainError) as error:
        turns_bulk_record(
            session=session, entries=[TurnEntry(person.pk, criterion("vneid_level2").pk)]
        )

    assert error.value.code == "date_in_future"


def test_a_cancelled_session_takes_no_turn(campaign, ea_yong) -> None:  # type: ignore[no-untyped-def]
    session = session_at(campaign)
    session_status_set(session=session, status=SessionStatus.CANCELLED)
    person = ResidentFactory(village=ea_yong.children.first())

    with pytest.raises(DomainError) as error:
        turns_bulk_record(session=session, entries=[TurnEntry(person.pk, None, "guidance")])

    assert error.value.code == "session_cancelled"
    assert not Turn.objects.exists()


@pytest.mark.parametrize("people", [3, 20])
def test_the_number_of_queries_does_not_grow_with_the_entries(  # type: ignore[no-untyped-def]
    campaign, ea_yong, units, django_assert_max_num_queries, people: int
) -> None:
    session = session_at(campaign)
    village = ea_yong.children.first()
    residents = [ResidentFactory(village=village) for _ in range(people)]
    for resident in residents[::2]:  # half have a later achievement, to be replaced
        achievement_record(
            resident=resident, criterion=criterion("vneid_level2"), achieved_on=dt.date(2023, 8, 1)
        )
    codes = ["vneid_level2", "public_service_account", "ehealth_book", "sim_standardized"]
    entries = [
        TurnEntry(r.pk, criterion(code).pk, "", units["police"].pk)
        for r in residents
        for code in codes
    ] + [TurnEntry(r.pk, None, "guidance", units["youth"].pk) for r in residents]

    # lock + campaign, rules, residents, turns, insert, achievements, insert, update, held,
    # and the savepoint: the same for 3 people as for 20 (inserts split only past ~100 rows);
    # the tallies: the residents with their achievements, the campaigns around them, their
    # turns, the same two again after, the session's earlier people (it was planned), one
    # upsert; on PostgreSQL two more, the row locks on those people taken before reading.
    with django_assert_max_num_queries(22):  # with the batch's audit event
        result = turns_bulk_record(session=session, entries=entries)

    assert result.turns_created == people * 5
    assert result.achievements_updated == len(residents[::2])
