"""Indicators on a hand-made commune whose figures can be counted on the fingers."""

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from congdanso.campaigns.achievements import achievement_record, achievement_withdraw
from congdanso.campaigns.models import Campaign, Criterion
from congdanso.conftest import EXEMPLARY_2023
from congdanso.core.errors import DomainError
from congdanso.core.hooks import residents_changing
from congdanso.outreach.services import session_anonymous_turns_add, session_create, turn_record
from congdanso.partners.models import DonationItem, UnitKind
from congdanso.partners.services import donation_create, pledge_upsert, unit_get_or_create
from congdanso.people.models import DataIssue, IssueCode, Resident
from congdanso.people.tests.factories import ResidentFactory
from congdanso.places.models import Place
from congdanso.progress.indicators import campaign_indicators

pytestmark = pytest.mark.django_db


def _exemplary(resident: Resident, on: dt.date, codes=EXEMPLARY_2023) -> None:  # type: ignore[no-untyped-def]
    for code in codes:
        achievement_record(
            resident=resident, criterion=Criterion.objects.get(code=code), achieved_on=on
        )


@pytest.fixture
def villages(ea_yong: Place) -> dict[str, Place]:
    return {p.name: p for p in Place.objects.filter(parent=ea_yong)}


def test_a_person_counts_once_every_exemplary_criterion_is_reached(
    campaign: Campaign, villages: dict[str, Place]
) -> None:
    young = ResidentFactory(village=villages["Thôn Cao Bằng"], birth_date=dt.date(2000, 1, 1))
    ResidentFactory(village=villages["Thôn Cao Bằng"], birth_date=dt.date(1990, 1, 1))
    _exemplary(young, dt.date(2023, 5, 4), EXEMPLARY_2023[:-1])
    _exemplary(young, dt.date(2023, 6, 9), EXEMPLARY_2023[-1:])

    before = campaign_indicators(campaign, on=dt.date(2023, 6, 8))
    after = campaign_indicators(campaign, on=dt.date(2023, 6, 9))

    assert (before.exemplary.count, after.exemplary.count) == (0, 1)
    assert (after.cohort.size, after.cohort.met, after.cohort.share) == (2, 1, 0.5)
    row = next(v for v in after.villages if v.name == "Thôn Cao Bằng")
    assert (row.residents, row.cohort, row.met, row.exemplary, row.gap) == (2, 2, 1, 1, 0)


def test_withdrawn_moved_away_and_out_of_cohort_people_do_not_count(
    campaign: Campaign, villages: dict[str, Place]
) -> None:
    village = villages["Buôn Ghamah"]
    withdrawn = ResidentFactory(village=village)
    moved = ResidentFactory(village=village, status="moved_away")
    old = ResidentFactory(village=village, birth_date=dt.date(1960, 3, 3))
    for person in (withdrawn, moved, old):
        _exemplary(person, dt.date(2023, 5, 4))
    vneid = Criterion.objects.get(code="vneid_level2")
    achievement_withdraw(
        achievement=withdrawn.achievements.get(criterion=vneid), reason="Nhập nhầm"
    )

    result = campaign_indicators(campaign, on=dt.date(2023, 12, 31))

    assert result.exemplary.count == 1  # only the old person, who is not in the cohort
    assert (result.cohort.size, result.cohort.met) == (1, 0)


def test_the_date_is_capped_at_the_end_and_refused_before_the_start(campaign: Campaign) -> None:
    assert campaign_indicators(campaign, on=dt.date(2025, 1, 1)).date == dt.date(2023, 12, 31)
    with pytest.raises(DomainError) as error:
        campaign_indicators(campaign, on=dt.date(2023, 1, 1))
    assert error.value.code == "date_before_campaign"


def test_a_place_outside_the_campaign_is_refused(campaign: Campaign) -> None:
    other = Place.objects.filter(kind="commune").exclude(pk=campaign.place_id).first()
    with pytest.raises(DomainError) as error:
        campaign_indicators(campaign, place=other)
    assert error.value.code == "place_outside_campaign"


def test_units_sessions_and_donations(campaign: Campaign, villages: dict[str, Place]) -> None:
    commune = campaign.place
    police, _ = unit_get_or_create(place=commune, name="Công an xã Ea Yông", kind=UnitKind.POLICE)
    bank, _ = unit_get_or_create(place=commune, name="BIDV Krông Pắc", kind=UnitKind.BANK)
    pledge_upsert(
        unit=police,
        campaign=campaign,
        target_people=300,
        target_sessions=20,
        villages=[villages["Thôn Cao Bằng"]],
    )
    session = session_create(
        campaign=campaign,
        place=villages["Thôn Cao Bằng"],
        date=dt.date(2023, 4, 12),
        units=[police, bank],
    )
    people = [ResidentFactory(village=villages["Thôn Cao Bằng"]) for _ in range(3)]
    vneid = Criterion.objects.get(code="vneid_level2")
    bank_account = Criterion.objects.get(code="bank_account")
    for person in people:
        turn_record(session=session, resident=person, criterion=vneid, unit=police)
    turn_record(session=session, resident=people[0], service="data_update", unit=police)
    turn_record(session=session, resident=people[0], criterion=bank_account, unit=bank)
    session_anonymous_turns_add(session=session, count=7)
    donation_create(
        village=villages["Thôn Cao Bằng"],
        item=DonationItem.INTERNET_LINE,
        value_vnd=4_000_000,
        given_on=dt.date(2023, 4, 12),
        donor_units=[police],
        donor_villages=[villages["Thôn Tân Lập"]],
        campaign=campaign,
    )

    result = campaign_indicators(campaign, on=dt.date(2023, 4, 30))

    units = {u.name: u for u in result.units}
    assert (units["Công an xã Ea Yông"].turns, units["Công an xã Ea Yông"].people) == (4, 3)
    assert units["Công an xã Ea Yông"].achievements == 3
    assert units["Công an xã Ea Yông"].sessions == 1
    assert units["Công an xã Ea Yông"].target_people == 300
    assert (units["BIDV Krông Pắc"].turns, units["BIDV Krông Pắc"].pledged) == (1, False)
    assert (result.sessions.held, result.sessions.turns, result.sessions.people) == (1, 12, 3)
    assert result.as_json()["donations_value_vnd"] == 4_000_000
    assert result.donations[0].donors == ("Công an xã Ea Yông", "Thôn Tân Lập")
    elsewhere = campaign_indicators(
        campaign, place=villages["Buôn Ghamah"], on=dt.date(2023, 4, 30)
    )
    assert (elsewhere.sessions.held, elsewhere.units[0].turns, elsewhere.donations) == (0, 0, ())


def test_projection_reaches_the_target_at_a_steady_pace(ea_yong: Place, villages) -> None:  # type: ignore[no-untyped-def]
    from congdanso.campaigns.services import campaign_create

    campaign = campaign_create(
        place=ea_yong,
        name="Nhỏ",
        start_date=dt.date(2023, 1, 2),
        end_date=dt.date(2023, 3, 31),
        criteria=["vneid_level2"],
        target_exemplary=20,
        cohort_ages=(16, 50),
        cohort_target="1",
    )
    # One person a day on the 28 days up to 29/01 (the last four weeks).
    for n in range(28):
        person = ResidentFactory(village=villages["Thôn Tân Tiến"])
        _exemplary(person, dt.date(2023, 1, 2) + dt.timedelta(days=n), ["vneid_level2"])
    for _ in range(40):
        ResidentFactory(village=villages["Thôn Tân Tiến"])

    result = campaign_indicators(campaign, on=dt.date(2023, 1, 29))
    p = result.projection

    assert p.exemplary_per_day == pytest.approx(1.0)
    assert p.exemplary_target_date == dt.date(2023, 1, 21)  # reached on its 20th day
    assert p.exemplary_at_end == 28 + 61
    # 68 in the cohort: all of them by the 40 more days needed, i.e. 10/03/2023.
    assert p.cohort_target_date == dt.date(2023, 3, 10)
    assert p.cohort_share_at_end == 1.0
    slower = campaign_indicators(campaign, on=dt.date(2023, 3, 31)).projection
    assert slower.exemplary_per_day == 0
    assert slower.cohort_target_date is None  # not reachable at this pace


def test_a_target_out_of_reach_for_millennia_is_simply_not_reached(
    ea_yong: Place, villages
) -> None:  # type: ignore[no-untyped-def]
    """A province-size target and one person on the first day: the pace would reach it after
    the year 9999, which no date can hold."""
    from congdanso.campaigns.services import campaign_create

    campaign = campaign_create(
        place=ea_yong,
        name="Toàn tỉnh",
        start_date=dt.date(2023, 4, 12),
        end_date=dt.date(2023, 12, 31),
        criteria=["vneid_level2"],
        target_exemplary=2_000_000,
    )
    person = ResidentFactory(village=villages["Thôn Tân Tiến"])
    _exemplary(person, dt.date(2023, 4, 12), ["vneid_level2"])

    result = campaign_indicators(campaign, on=dt.date(2023, 5, 9))

    assert result.projection.exemplary_target_date is None
    assert result.projection_campaign.exemplary_target_date is None


def test_data_quality_counts_people_with_open_issues(campaign: Campaign, villages) -> None:  # type: ignore[no-untyped-def]
    person = ResidentFactory(village=villages["Thôn Tân Lập"], birth_date=None)
    for code in (IssueCode.POSSIBLE_DUPLICATE, IssueCode.PHONE_INVALID):
        with residents_changing(residents=[person.pk]):
            DataIssue.objects.create(commune=campaign.place, resident=person, code=code)

    quality = campaign_indicators(campaign, on=dt.date(2023, 5, 1)).data_quality

    assert (quality.with_open_issues, quality.possible_duplicates) == (1, 1)
    assert quality.without_birth_date == 1


def test_indicators_use_a_fixed_number_of_queries(
    campaign: Campaign,
    villages,
    django_assert_max_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    for n in range(30):
        _exemplary(ResidentFactory(village=villages["Thôn Cao Bằng"]), dt.date(2023, 5, 1 + n % 20))
    with django_assert_max_num_queries(16):
        campaign_indicators(campaign, on=dt.date(2023, 12, 31))


def test_indicators_command_json_has_the_contract_keys(
    campaign: Campaign, villages, capsys
) -> None:  # type: ignore[no-untyped-def]
    _exemplary(ResidentFactory(village=villages["Thôn Cao Bằng"]), dt.date(2023, 5, 1))

    call_command("indicators", "--campaign", str(campaign.pk), "--date", "2023-06-30", "--json")
    data = json.loads(capsys.readouterr().out)

    assert data["date"] == "2023-06-30"
    assert set(data["exemplary"]) >= {"count", "target", "share_of_target"}
    assert set(data["cohort"]) >= {"size", "met", "share", "target_share"}
    assert set(data["criteria"][0]) >= {"code", "count", "share"}
    assert set(data["villages"][0]) >= {"code", "name", "cohort", "met", "share", "exemplary"}
    assert set(data["weekly"][0]) >= {"week_start", "exemplary", "cohort_met"}
    assert set(data["projection"]) >= {
        "exemplary_at_end",
        "cohort_share_at_end",
        "exemplary_target_date",
        "cohort_target_date",
    }
    assert data["exemplary"]["count"] == 1


def test_indicators_command_prints_vietnamese(campaign: Campaign, capsys) -> None:  # type: ignore[no-untyped-def]
    call_command("indicators", "--campaign", str(campaign.pk), "--date", "2023-06-30")
    out = capsys.readouterr().out
    assert "Công dân số tiêu biểu: 0 / 1.000" in out or "1.000" in out
    assert "30/06/2023" in out


@pytest.mark.parametrize(
    ("arguments", "fragment"),
    [
        (["--campaign", "999999"], "999999"),
        (["--date", "31/02/2023"], "31/02/2023"),
        (["--date", "2022-01-01"], "01/01/2022"),
        (["--place", "khong-co"], "khong-co"),
    ],
)
def test_indicators_command_bad_input_is_one_clear_line(
    campaign: Campaign, arguments, fragment
) -> None:  # type: ignore[no-untyped-def]
    if arguments[0] != "--campaign":
        arguments = ["--campaign", str(campaign.pk), *arguments]
    with pytest.raises(CommandError) as error:
        call_command("indicators", *arguments)
    assert error.value.returncode == 2
    assert fragment in str(error.value)
    assert "\n" not in str(error.value)


def test_campaign_create_prints_the_id_and_show_lists_criteria(ea_yong: Place, capsys) -> None:  # type: ignore[no-untyped-def]
    call_command(
        "campaign",
        "create",
        "--place",
        ea_yong.code,
        "--name",
        "Công dân số 2024",
        "--start",
        "2024-01-01",
        "--end",
        "2024-12-31",
        "--criteria",
        "vneid_level2,bank_account,sim_standardized",
        "--exemplary",
        "vneid_level2,bank_account",
        "--target-exemplary",
        "1500",
        "--cohort-ages",
        "16-60",
        "--cohort-target",
        "0.6",
    )
    campaign_id = int(capsys.readouterr().out.strip())
    call_command("campaign", "show", str(campaign_id), "--json")
    shown = json.loads(capsys.readouterr().out)

    assert shown["cohort_ages"] == [16, 60]
    assert shown["cohort_target"] == 0.6
    assert [(c["code"], c["exemplary"]) for c in shown["criteria"]] == [
        ("vneid_level2", True),
        ("bank_account", True),
        ("sim_standardized", False),
    ]
    call_command("campaign", "list", "--place", ea_yong.code)
    assert "Công dân số 2024" in capsys.readouterr().out


def test_campaign_create_refuses_an_unknown_criterion(ea_yong: Place) -> None:
    with pytest.raises(CommandError) as error:
        call_command(
            "campaign",
            "create",
            "--place",
            ea_yong.code,
            "--name",
            "X",
            "--start",
            "2024-01-01",
            "--end",
            "2024-12-31",
            "--criteria",
            "vneid,bank_account",
            "--target-exemplary",
            "10",
        )
    assert error.value.returncode == 2
    assert "vneid" in str(error.value)
    assert not Campaign.objects.filter(name="X").exists()
