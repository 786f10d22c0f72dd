"""Community digital technology teams: their villages and members, the leaderboard against
their villages' parts of each target, and the turns credited to them like any unit's."""

import datetime as dt

import pytest

from congdanso.campaigns.achievements import achievement_record
from congdanso.campaigns.models import Campaign, Criterion
from congdanso.conftest import EXEMPLARY_2023
from congdanso.core.errors import DomainError
from congdanso.outreach.services import session_create, turn_record
from congdanso.partners.models import TeamMember
from congdanso.partners.teams import team_create, team_member_add, team_member_remove
from congdanso.people.tests.factories import ResidentFactory
from congdanso.places.models import Place
from congdanso.progress.indicators import campaign_indicators

pytestmark = pytest.mark.django_db

DAY = dt.date(2023, 6, 1)


def _exemplary(resident: object) -> None:
    for code in EXEMPLARY_2023:
        achievement_record(
            resident=resident,  # type: ignore[arg-type]
            criterion=Criterion.objects.get(code=code),
            achieved_on=dt.date(2023, 5, 2),
        )


def test_the_leaderboard_ranks_teams_by_progress_on_their_villages_parts(
    campaign: Campaign, ea_yong: Place
) -> None:
    villages = list(ea_yong.children.order_by("path"))
    people = {v.pk: [ResidentFactory(village=v) for _ in range(5)] for v in villages[:3]}
    for person in people[villages[0].pk][:2] + people[villages[2].pk][:4]:
        _exemplary(person)
    slow = team_create(commune=ea_yong, name="Tổ CNSCĐ thôn 1", villages=villages[:2])
    fast = team_create(commune=ea_yong, name="Tổ CNSCĐ thôn 3", villages=[villages[2]])
    team_member_add(
        team=fast, full_name="Y Bhiăo Ayun", role="Tổ trưởng", organisation="Trưởng thôn",
        phone="0912 345 678",
    )  # fmt: skip

    result = campaign_indicators(campaign, on=DAY)

    assert [row.name for row in result.teams] == [fast.name, slow.name]
    exemplary = result.targets[0]
    parts = {row.place_id: row for row in exemplary.villages}
    first, second = result.teams[0].targets[0], result.teams[1].targets[0]
    assert (first.count, first.needed) == (4, parts[villages[2].pk].needed)
    assert (second.count, second.needed) == (
        2,
        parts[villages[0].pk].needed + parts[villages[1].pk].needed,
    )
    assert result.teams[0].members == 1
    assert result.as_json()["teams"][0]["villages"] == [villages[2].name]


def test_a_team_s_session_and_turns_count_as_its_own(campaign: Campaign, ea_yong: Place) -> None:
    village = ea_yong.children.order_by("path").first()
    team = team_create(commune=ea_yong, name="Tổ CNSCĐ", villages=[village])
    person = ResidentFactory(village=village)
    session = session_create(campaign=campaign, place=village, date=DAY, units=[team])
    turn_record(
        session=session,
        resident=person,
        criterion=Criterion.objects.get(code="vneid_level2"),
        unit=team,
    )

    units = {row.unit_id: row for row in campaign_indicators(campaign, on=DAY).units}

    assert units[team.pk].turns == 1


def test_a_team_needs_villages_of_its_commune_and_named_members(ea_yong: Place) -> None:
    other = Place.objects.exclude(pk=ea_yong.pk).filter(kind="commune").first()
    with pytest.raises(DomainError):
        team_create(commune=ea_yong, name="Tổ", villages=[])
    if other is not None:
        with pytest.raises(DomainError):
            team_create(commune=ea_yong, name="Tổ", villages=[other])
    team = team_create(commune=ea_yong, name="Tổ", villages=[ea_yong.children.first()])
    with pytest.raises(DomainError):
        team_member_add(team=team, full_name=" ")
    with pytest.raises(DomainError):
        team_member_add(team=team, full_name="Lê Thị Hoa", phone="12")
    member = team_member_add(team=team, full_name="Lê Thị Hoa", organisation="Hội Phụ nữ")
    team_member_remove(member=member)
    assert not TeamMember.objects.exists()


def test_the_cli_creates_a_team_adds_a_member_and_lists_it(ea_yong: Place) -> None:
    import io
    import json

    from django.core.management import call_command
    from django.core.management.base import CommandError

    village = ea_yong.children.order_by("path").first()

    def run(*args: str) -> str:
        out = io.StringIO()
        call_command("team", *args, stdout=out)
        return out.getvalue().strip()

    pk = run("create", "--commune", ea_yong.code, "--name", "Tổ 1", "--villages", village.code)
    run("member-add", "--team", pk, "--name", "Nguyễn Văn An", "--role", "Tổ trưởng",
        "--from", "Viettel")  # fmt: skip
    (team,) = json.loads(run("list", "--commune", ea_yong.code, "--json"))

    assert (team["villages"], team["members"][0]["from"]) == ([village.code], "Viettel")
    with pytest.raises(CommandError):
        run("member-add", "--team", "999999", "--name", "Ai")
