import datetime as dt

import pytest
from django.db import connection

from congdanso.campaigns.achievements import Outcome, achievement_record, achievement_withdraw
from congdanso.campaigns.models import Achievement, Criterion
from congdanso.campaigns.services import campaign_create
from congdanso.core.errors import DomainError
from congdanso.people.tests.factories import ResidentFactory
from congdanso.places.models import Place

pytestmark = pytest.mark.django_db


@pytest.fixture
def resident(ea_yong: Place):  # type: ignore[no-untyped-def]
    return ResidentFactory(village=ea_yong.children.first())


def test_the_same_fact_twice_is_one_achievement(resident) -> None:  # type: ignore[no-untyped-def]
    vneid = Criterion.objects.get(code="vneid_level2")
    first = achievement_record(resident=resident, criterion=vneid, achieved_on=dt.date(2023, 5, 4))
    again = achievement_record(resident=resident, criterion=vneid, achieved_on=dt.date(2023, 5, 4))
    later = achievement_record(resident=resident, criterion=vneid, achieved_on=dt.date(2023, 6, 1))

    assert first.outcome == Outcome.CREATED
    assert again.outcome == later.outcome == Outcome.UNCHANGED
    assert Achievement.objects.filter(resident=resident).count() == 1


def test_an_earlier_date_replaces_a_later_one(resident) -> None:  # type: ignore[no-untyped-def]
    vneid = Criterion.objects.get(code="vneid_level2")
    achievement_record(resident=resident, criterion=vneid, achieved_on=dt.date(2023, 6, 1))
    earlier = achievement_record(
        resident=resident, criterion=vneid, achieved_on=dt.date(2023, 4, 12)
    )

    assert earlier.outcome == Outcome.UPDATED
    assert Achievement.objects.get(resident=resident).achieved_on == dt.date(2023, 4, 12)


def test_withdrawal_needs_a_reason_and_is_kept_as_history(resident) -> None:  # type: ignore[no-untyped-def]
    vneid = Criterion.objects.get(code="vneid_level2")
    recorded = achievement_record(
        resident=resident, criterion=vneid, achieved_on=dt.date(2023, 6, 1)
    )
    with pytest.raises(DomainError) as error:
        achievement_withdraw(achievement=recorded.achievement, reason="  ")
    assert error.value.code == "withdrawal_reason_missing"

    achievement_withdraw(achievement=recorded.achievement, reason="Ghi nhầm người")
    again = achievement_record(resident=resident, criterion=vneid, achieved_on=dt.date(2023, 7, 1))

    assert again.outcome == Outcome.CREATED
    rows = Achievement.objects.filter(resident=resident).order_by("recorded_at")
    assert [(a.achieved_on, a.withdrawal_reason) for a in rows] == [
        (dt.date(2023, 6, 1), "Ghi nhầm người"),
        (dt.date(2023, 7, 1), ""),
    ]


def test_a_date_in_the_future_or_before_birth_is_refused(resident) -> None:  # type: ignore[no-untyped-def]
    vneid = Criterion.objects.get(code="vneid_level2")
    for day, code in (
        (dt.date(2999, 1, 1), "date_in_future"),
        (dt.date(1980, 1, 1), "date_before_birth"),
    ):
        with pytest.raises(DomainError) as error:
            achievement_record(resident=resident, criterion=vneid, achieved_on=day)
        assert error.value.code == code
    assert not Achievement.objects.exists()


def test_campaign_exemplary_defaults_to_all_criteria(ea_yong: Place) -> None:
    campaign = campaign_create(
        place=ea_yong,
        name="Năm 2024",
        start_date=dt.date(2024, 1, 1),
        end_date=dt.date(2024, 12, 31),
        criteria=["vneid_level2", "bank_account"],
        target_exemplary=500,
    )
    assert sorted(
        campaign.rules.filter(is_exemplary=True).values_list("criterion__code", flat=True)
    ) == [
        "bank_account",
        "vneid_level2",
    ]


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"criteria": ["vneid_level2", "nope"]}, "criterion_unknown"),
        ({"exemplary": ["bank_account"]}, "exemplary_not_tracked"),
        ({"end_date": dt.date(2022, 1, 1)}, "campaign_dates_invalid"),
        ({"cohort_ages": (50, 16)}, "cohort_ages_invalid"),
        ({"cohort_target": "1.5"}, "cohort_target_invalid"),
        ({"target_exemplary": 0}, "target_invalid"),
        ({"name": "  "}, "campaign_name_missing"),
    ],
)
def test_campaign_bad_input_is_refused_with_a_code(ea_yong: Place, changes, code) -> None:  # type: ignore[no-untyped-def]
    arguments = {
        "place": ea_yong,
        "name": "Năm 2024",
        "start_date": dt.date(2024, 1, 1),
        "end_date": dt.date(2024, 12, 31),
        "criteria": ["vneid_level2"],
        "target_exemplary": 500,
        **changes,
    }
    with pytest.raises(DomainError) as error:
        campaign_create(**arguments)
    assert error.value.code == code


def test_text_is_stored_nfc_and_too_long_text_is_refused_not_cut(ea_yong: Place) -> None:
    import unicodedata

    campaign = campaign_create(
        place=ea_yong,
        name=unicodedata.normalize("NFD", "  Công dân số   2024 "),
        start_date=dt.date(2024, 1, 1),
        end_date=dt.date(2024, 12, 31),
        criteria=["vneid_level2"],
        target_exemplary=5,
    )
    assert campaign.name == unicodedata.normalize("NFC", "Công dân số 2024")
    with pytest.raises(DomainError) as error:
        campaign_create(
            place=ea_yong,
            name="x" * 201,
            start_date=dt.date(2024, 1, 1),
            end_date=dt.date(2024, 12, 31),
            criteria=["vneid_level2"],
            target_exemplary=5,
        )
    assert error.value.code == "text_too_long"


@pytest.mark.parametrize(
    ("theirs", "outcome", "in_force"),
    [
        # theirs is later: this earlier date replaces it
        (dt.date(2023, 6, 1), Outcome.UPDATED, dt.date(2023, 5, 4)),
        # theirs is earlier: nothing changes
        (dt.date(2023, 4, 20), Outcome.UNCHANGED, dt.date(2023, 4, 20)),
    ],
)
def test_a_record_that_loses_the_insert_race_keeps_the_earlier_date(  # type: ignore[no-untyped-def]
    resident, theirs: dt.date, outcome: str, in_force: dt.date
) -> None:
    """Another request records the same fact between this one's look-up and its insert: a
    database wrapper inserts that row right after the look-up, as the other request would.
    This one then meets the unique constraint and treats the other's row as the current one."""
    vneid = Criterion.objects.get(code="vneid_level2")
    table = Achievement._meta.db_table
    raced: list[bool] = []

    def other_request_inserts_after_the_look_up(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        result = execute(sql, params, many, context)
        if not raced and sql.lstrip().upper().startswith("SELECT") and f'"{table}"' in sql:
            raced.append(True)
            Achievement.objects.create(
                commune_id=resident.commune_id,
                resident=resident,
                criterion=vneid,
                achieved_on=theirs,
                source="field",
            )
        return result

    with connection.execute_wrapper(other_request_inserts_after_the_look_up):
        recorded = achievement_record(
            resident=resident, criterion=vneid, achieved_on=dt.date(2023, 5, 4)
        )

    assert raced == [True]
    assert recorded.outcome == outcome
    current = Achievement.objects.get(resident=resident, withdrawn_at__isnull=True)
    assert (current.pk, current.achieved_on) == (recorded.achievement.pk, in_force)
    assert Achievement.objects.filter(resident=resident).count() == 1
