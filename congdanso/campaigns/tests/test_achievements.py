"""Recording and withdrawing achievements (campaigns/achievements.py): what each write stores
— the row, its audit row, the tallies — and what each refuses, with the message a user reads.

These are the module's own tests (`make mutate` runs them, and only them, against it)."""

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from congdanso.campaigns.achievements import Outcome, achievement_record, achievement_withdraw
from congdanso.campaigns.models import Achievement, AchievementSource, Campaign, Criterion
from congdanso.core.errors import DomainError
from congdanso.core.models import AuditEvent
from congdanso.outreach.models import SupportSession
from congdanso.outreach.services import session_create
from congdanso.partners.models import Unit, UnitKind
from congdanso.partners.services import unit_get_or_create
from congdanso.people.models import Resident
from congdanso.people.tests.factories import ResidentFactory
from congdanso.places.models import Place
from congdanso.progress.tallies import tally_check
from congdanso.vn import vietnam_today

pytestmark = pytest.mark.django_db


def _resident(village: Place, **fields: Any) -> Resident:
    return ResidentFactory(village=village, **fields)  # type: ignore[return-value]


@pytest.fixture
def village(ea_yong: Place) -> Place:
    return Place.objects.get(parent=ea_yong, name="Thôn Cao Bằng")


@pytest.fixture
def resident(village: Place) -> Resident:
    return _resident(village, full_name="Y Bhăm Niê", birth_date=dt.date(1990, 5, 17))


@pytest.fixture
def vneid() -> Criterion:
    return Criterion.objects.get(code="vneid_level2")


@pytest.fixture
def officer(django_user_model):  # type: ignore[no-untyped-def]
    return django_user_model.objects.create_user("canbo")


@pytest.fixture
def unit(village: Place) -> Unit:
    unit, _ = unit_get_or_create(place=village, name="Chi đoàn thôn", kind=UnitKind.YOUTH_UNION)
    return unit


@pytest.fixture
def session(campaign: Campaign, village: Place) -> SupportSession:
    return session_create(campaign=campaign, place=village, date=dt.date(2023, 5, 2))


def _events(action: str) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(object_type="campaigns.achievement", action=action).order_by("id")
    )


def test_the_same_fact_twice_is_one_achievement(resident: Resident, vneid: Criterion) -> None:
    first = achievement_record(resident=resident, criterion=vneid, achieved_on=dt.date(2023, 5, 4))
    again = achievement_record(resident=resident, criterion=vneid, achieved_on=dt.date(2023, 5, 4))
    later = achievement_record(resident=resident, criterion=vneid, achieved_on=dt.date(2023, 6, 1))

    assert first.outcome == Outcome.CREATED
    assert again.outcome == later.outcome == Outcome.UNCHANGED
    assert first.achievement.pk == again.achievement.pk == later.achievement.pk
    assert Achievement.objects.get(resident=resident).achieved_on == dt.date(2023, 5, 4)
    assert len(_events("create")) == 1
    assert _events("update") == []


def test_by_default_a_fact_is_from_the_field_with_no_note(
    resident: Resident, vneid: Criterion
) -> None:
    recorded = achievement_record(
        resident=resident, criterion=vneid, achieved_on=dt.date(2023, 5, 4)
    )

    stored = Achievement.objects.get(pk=recorded.achievement.pk)
    assert (
        stored.source,
        stored.note,
        stored.unit_id,
        stored.session_id,
        stored.recorded_by_id,
    ) == (
        AchievementSource.FIELD,
        "",
        None,
        None,
        None,
    )


def test_a_new_fact_is_stored_as_given_and_audited_with_its_recorder(  # type: ignore[no-untyped-def]
    resident: Resident, vneid: Criterion, officer, unit: Unit, session: SupportSession
) -> None:
    recorded = achievement_record(
        resident=resident,
        criterion=vneid,
        achieved_on=dt.date(2023, 5, 2),
        recorded_by=officer,
        unit_id=unit.pk,
        session_id=session.pk,
        source=AchievementSource.IMPORT,
        note="  Có   giấy hẹn ",
    )

    assert recorded.outcome == Outcome.CREATED
    stored = Achievement.objects.get(pk=recorded.achievement.pk)
    assert (
        stored.commune_id,
        stored.resident_id,
        stored.criterion_id,
        stored.achieved_on,
        stored.source,
        stored.unit_id,
        stored.session_id,
        stored.note,
        stored.recorded_by_id,
        stored.withdrawn_at,
    ) == (
        resident.commune_id,
        resident.pk,
        vneid.pk,
        dt.date(2023, 5, 2),
        "import",
        unit.pk,
        session.pk,
        "Có giấy hẹn",
        officer.pk,
        None,
    )
    [event] = _events("create")
    assert (event.object_id, event.actor_id, event.actor_name, event.commune_id) == (
        str(stored.pk),
        officer.pk,
        "canbo",
        resident.commune_id,
    )
    assert event.changes == {
        "resident": [None, resident.pk],
        "criterion": [None, vneid.pk],
        "achieved_on": [None, "2023-05-02"],
        "source": [None, "import"],
        "unit": [None, unit.pk],
        "session": [None, session.pk],
        "note": [None, "Có giấy hẹn"],
    }


def test_an_earlier_date_replaces_the_later_one_with_how_it_was_reached(  # type: ignore[no-untyped-def]
    resident: Resident, vneid: Criterion, officer, unit: Unit, session: SupportSession
) -> None:
    first = achievement_record(
        resident=resident,
        criterion=vneid,
        achieved_on=dt.date(2023, 6, 1),
        source=AchievementSource.IMPORT,
        note="Danh sách của xã",
    )
    earlier = achievement_record(
        resident=resident,
        criterion=vneid,
        achieved_on=dt.date(2023, 5, 2),
        recorded_by=officer,
        unit_id=unit.pk,
        session_id=session.pk,
    )

    assert earlier.outcome == Outcome.UPDATED
    assert earlier.achievement.pk == first.achievement.pk
    stored = Achievement.objects.get(resident=resident)
    # Everything about how it was reached is the earlier record's; a blank note keeps the one
    # the row had.
    assert (
        stored.achieved_on,
        stored.source,
        stored.unit_id,
        stored.session_id,
        stored.recorded_by_id,
        stored.note,
    ) == (dt.date(2023, 5, 2), "field", unit.pk, session.pk, officer.pk, "Danh sách của xã")
    [event] = _events("update")
    assert (event.object_id, event.actor_id) == (str(stored.pk), officer.pk)
    assert event.changes == {
        "achieved_on": ["2023-06-01", "2023-05-02"],
        "source": ["import", "field"],
        "unit": [None, unit.pk],
        "session": [None, session.pk],
    }

    earliest = achievement_record(
        resident=resident,
        criterion=vneid,
        achieved_on=dt.date(2023, 4, 20),
        source=AchievementSource.SELF_DECLARED,
        note=" Tự khai ",
    )

    assert earliest.outcome == Outcome.UPDATED
    stored.refresh_from_db()
    assert (
        stored.achieved_on,
        stored.source,
        stored.unit_id,
        stored.session_id,
        stored.recorded_by_id,
        stored.note,
    ) == (dt.date(2023, 4, 20), "self_declared", None, None, None, "Tự khai")
    assert _events("update")[1].changes["note"] == ["Danh sách của xã", "Tự khai"]


def test_a_fact_in_force_is_found_by_the_look_up_not_by_a_failed_insert(
    resident: Resident, vneid: Criterion
) -> None:
    """The common case — a resident ticked twice, a list imported again — must not lean on
    the unique constraint: on PostgreSQL each failed insert is an ERROR in the server's log
    and a rolled-back savepoint."""
    achievement_record(resident=resident, criterion=vneid, achieved_on=dt.date(2023, 5, 4))

    with CaptureQueriesContext(connection) as queries:
        again = achievement_record(
            resident=resident, criterion=vneid, achieved_on=dt.date(2023, 6, 4)
        )

    assert again.outcome == Outcome.UNCHANGED
    table = Achievement._meta.db_table
    assert [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].lstrip().upper().startswith("INSERT") and f'"{table}"' in query["sql"]
    ] == []


def test_only_the_residents_own_fact_of_that_criterion_counts_as_in_force(
    village: Place, resident: Resident, vneid: Criterion
) -> None:
    neighbour = _resident(village)
    bank = Criterion.objects.get(code="bank_account")
    achievement_record(resident=neighbour, criterion=vneid, achieved_on=dt.date(2023, 4, 1))
    achievement_record(resident=resident, criterion=bank, achieved_on=dt.date(2023, 4, 1))

    recorded = achievement_record(
        resident=resident, criterion=vneid, achieved_on=dt.date(2023, 5, 4)
    )

    assert recorded.outcome == Outcome.CREATED
    assert (recorded.achievement.resident_id, recorded.achievement.criterion_id) == (
        resident.pk,
        vneid.pk,
    )
    assert Achievement.objects.count() == 3


def test_a_date_after_today_is_refused_and_today_is_not(
    resident: Resident, vneid: Criterion
) -> None:
    today = vietnam_today()
    tomorrow = today + dt.timedelta(days=1)

    with pytest.raises(DomainError) as error:
        achievement_record(resident=resident, criterion=vneid, achieved_on=tomorrow)

    assert error.value.code == "date_in_future"
    assert error.value.message.render("en") == (
        f"The date {tomorrow:%d/%m/%Y} is in the future (today is {today:%d/%m/%Y})."
    )
    assert not Achievement.objects.exists()
    recorded = achievement_record(resident=resident, criterion=vneid, achieved_on=today)
    assert recorded.outcome == Outcome.CREATED


def test_a_date_before_birth_is_refused_and_the_birth_date_itself_is_not(
    resident: Resident, vneid: Criterion
) -> None:
    with pytest.raises(DomainError) as error:
        achievement_record(resident=resident, criterion=vneid, achieved_on=dt.date(1990, 5, 16))

    assert error.value.code == "date_before_birth"
    assert error.value.message.render("en") == "The date 16/05/1990 is before Y Bhăm Niê was born."
    assert not Achievement.objects.exists()
    recorded = achievement_record(
        resident=resident, criterion=vneid, achieved_on=dt.date(1990, 5, 17)
    )
    assert recorded.outcome == Outcome.CREATED


def test_without_a_birth_date_any_past_date_is_taken(village: Place, vneid: Criterion) -> None:
    person = _resident(village, birth_date=None)

    recorded = achievement_record(resident=person, criterion=vneid, achieved_on=dt.date(1950, 1, 1))

    assert recorded.outcome == Outcome.CREATED


def test_a_note_over_500_characters_is_refused_not_cut(
    resident: Resident, vneid: Criterion
) -> None:
    with pytest.raises(DomainError) as error:
        achievement_record(
            resident=resident, criterion=vneid, achieved_on=dt.date(2023, 5, 4), note="x" * 501
        )

    assert error.value.code == "text_too_long"
    assert error.value.message.render("en") == (
        "Note is too long: at most 500 characters, 501 given."
    )
    assert not Achievement.objects.exists()
    recorded = achievement_record(
        resident=resident, criterion=vneid, achieved_on=dt.date(2023, 5, 4), note="x" * 500
    )
    assert Achievement.objects.get(pk=recorded.achievement.pk).note == "x" * 500


def test_withdrawal_keeps_the_row_with_who_when_and_why_and_is_audited(  # type: ignore[no-untyped-def]
    resident: Resident, vneid: Criterion, officer
) -> None:
    recorded = achievement_record(
        resident=resident, criterion=vneid, achieved_on=dt.date(2023, 6, 1), note="Nhà văn hoá"
    )
    started = timezone.now()

    withdrawn = achievement_withdraw(
        achievement=recorded.achievement, reason="  Ghi   nhầm người ", withdrawn_by=officer
    )

    stored = Achievement.objects.get(pk=recorded.achievement.pk)
    assert stored.withdrawn_at is not None and started <= stored.withdrawn_at <= timezone.now()
    assert (stored.withdrawn_by_id, stored.withdrawal_reason) == (officer.pk, "Ghi nhầm người")
    assert (withdrawn.pk, withdrawn.withdrawn_at) == (stored.pk, stored.withdrawn_at)
    [event] = _events("withdraw")
    assert (event.object_id, event.actor_id, event.reason) == (
        str(stored.pk),
        officer.pk,
        "Ghi nhầm người",
    )
    assert event.changes == {
        "resident": [resident.pk, None],
        "criterion": [vneid.pk, None],
        "achieved_on": ["2023-06-01", None],
        "source": ["field", None],
        "note": ["Nhà văn hoá", None],
    }


def test_withdrawal_needs_a_reason_and_the_fact_can_be_recorded_again(
    resident: Resident, vneid: Criterion
) -> None:
    recorded = achievement_record(
        resident=resident, criterion=vneid, achieved_on=dt.date(2023, 6, 1)
    )
    with pytest.raises(DomainError) as error:
        achievement_withdraw(achievement=recorded.achievement, reason="  ")
    assert error.value.code == "withdrawal_reason_missing"
    assert error.value.message.render("en") == "Say why the achievement is withdrawn."
    assert Achievement.objects.get(pk=recorded.achievement.pk).withdrawn_at is None

    achievement_withdraw(achievement=recorded.achievement, reason="Ghi nhầm người")
    again = achievement_record(resident=resident, criterion=vneid, achieved_on=dt.date(2023, 7, 1))

    assert again.outcome == Outcome.CREATED
    rows = Achievement.objects.filter(resident=resident).order_by("recorded_at")
    assert [(a.achieved_on, a.withdrawal_reason) for a in rows] == [
        (dt.date(2023, 6, 1), "Ghi nhầm người"),
        (dt.date(2023, 7, 1), ""),
    ]


def test_an_achievement_is_withdrawn_once(  # type: ignore[no-untyped-def]
    resident: Resident, vneid: Criterion, officer
) -> None:
    recorded = achievement_record(
        resident=resident, criterion=vneid, achieved_on=dt.date(2023, 6, 1)
    )
    first = achievement_withdraw(
        achievement=recorded.achievement, reason="Ghi nhầm người", withdrawn_by=officer
    )

    with pytest.raises(DomainError) as error:
        achievement_withdraw(achievement=recorded.achievement, reason="Lần nữa")

    assert error.value.code == "achievement_already_withdrawn"
    assert error.value.message.render("en") == "This achievement was withdrawn already."
    stored = Achievement.objects.get(pk=recorded.achievement.pk)
    assert (stored.withdrawn_at, stored.withdrawn_by_id, stored.withdrawal_reason) == (
        first.withdrawn_at,
        officer.pk,
        "Ghi nhầm người",
    )
    assert len(_events("withdraw")) == 1


def test_the_tallies_follow_each_record_and_withdrawal(
    campaign: Campaign, resident: Resident, vneid: Criterion
) -> None:
    later = achievement_record(resident=resident, criterion=vneid, achieved_on=dt.date(2023, 6, 1))
    assert tally_check(campaign) == []
    achievement_record(resident=resident, criterion=vneid, achieved_on=dt.date(2023, 5, 2))
    assert tally_check(campaign) == []
    achievement_withdraw(achievement=later.achievement, reason="Ghi nhầm người")
    assert tally_check(campaign) == []


@pytest.mark.parametrize(
    ("theirs", "outcome", "in_force"),
    [
        # theirs is later: this earlier date replaces it
        (dt.date(2023, 6, 1), Outcome.UPDATED, dt.date(2023, 5, 4)),
        # theirs is earlier: nothing changes
        (dt.date(2023, 4, 20), Outcome.UNCHANGED, dt.date(2023, 4, 20)),
    ],
)
def test_a_record_that_loses_the_insert_race_keeps_the_earlier_date(
    village: Place,
    resident: Resident,
    vneid: Criterion,
    theirs: dt.date,
    outcome: str,
    in_force: dt.date,
) -> None:
    """Another request records the same fact between this one's look-up and its insert: a
    database wrapper inserts that row right after the look-up, as the other request would.
    This one then meets the unique constraint and takes the other's row as the current one —
    that row, not the resident's withdrawn one of the same criterion, nor their other
    criterion's, nor a neighbour's of the same criterion."""
    withdrawn = achievement_record(
        resident=resident, criterion=vneid, achieved_on=dt.date(2023, 4, 1)
    )
    achievement_withdraw(achievement=withdrawn.achievement, reason="Ghi nhầm ngày")
    bank = Criterion.objects.get(code="bank_account")
    achievement_record(resident=resident, criterion=bank, achieved_on=dt.date(2023, 4, 1))
    neighbour = _resident(village)
    achievement_record(resident=neighbour, criterion=vneid, achieved_on=dt.date(2023, 4, 1))
    table = Achievement._meta.db_table
    raced: list[Achievement] = []

    def other_request_inserts_after_the_look_up(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        result = execute(sql, params, many, context)
        if not raced and sql.lstrip().upper().startswith("SELECT") and f'"{table}"' in sql:
            raced.append(
                Achievement.objects.create(
                    commune_id=resident.commune_id,
                    resident=resident,
                    criterion=vneid,
                    achieved_on=theirs,
                    source="field",
                )
            )
        return result

    with connection.execute_wrapper(other_request_inserts_after_the_look_up):
        recorded = achievement_record(
            resident=resident, criterion=vneid, achieved_on=dt.date(2023, 5, 4)
        )

    assert len(raced) == 1
    assert recorded.outcome == outcome
    assert recorded.achievement.pk == raced[0].pk
    current = Achievement.objects.get(resident=resident, criterion=vneid, withdrawn_at__isnull=True)
    assert (current.pk, current.achieved_on) == (raced[0].pk, in_force)
    assert Achievement.objects.filter(resident=resident, criterion=vneid).count() == 2
