import datetime as dt
import io
import json
from pathlib import Path

import icalendar
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from congdanso.campaigns.models import Campaign
from congdanso.outreach.models import SupportSession
from congdanso.outreach.services import session_anonymous_turns_add, session_status_set, turn_record
from congdanso.partners.services import unit_get_or_create
from congdanso.people.tests.factories import ResidentFactory
from congdanso.places.models import Place

pytestmark = pytest.mark.django_db

# Thursdays and Fridays from 28/08/2023: 31/08, 01/09 (Quốc khánh, skipped), 07/09, 08/09.
RANGE = ("--weekdays", "thu,fri", "--from", "2023-08-28", "--to", "2023-09-08")


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def _schedule(campaign: Campaign, *args: str) -> str:
    return _run("schedule", "--campaign", str(campaign.pk), *RANGE, *args)


def _events(path: Path) -> list[icalendar.Event]:
    return list(icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT"))


@pytest.fixture
def behind(ea_yong: Place) -> Place:
    """Thôn Tân Tiến has ten people of the cohort and none done: a gap of five at 50%."""
    village = Place.objects.get(parent=ea_yong, name="Thôn Tân Tiến")
    ResidentFactory.create_batch(10, village=village)
    return village


def test_json_has_the_contract_keys_and_favours_the_village_behind(
    campaign: Campaign, behind: Place
) -> None:
    result = json.loads(_schedule(campaign, "--json"))

    assert set(result) == {"sessions", "holidays_skipped", "committed", "created"}
    assert [s["date"] for s in result["sessions"]] == ["2023-08-31", "2023-09-07", "2023-09-08"]
    first = result["sessions"][0]
    assert {"date", "place_code", "place_name", "need"} <= set(first)
    assert (first["place_code"], first["place_name"], first["need"]) == (
        behind.code,
        "Thôn Tân Tiến",
        5,
    )
    assert result["holidays_skipped"] == [{"date": "2023-09-01", "name": "Quốc khánh"}]
    assert (result["committed"], result["created"]) == (False, 0)
    assert not SupportSession.objects.exists()


def test_text_shows_a_table_with_vietnamese_weekdays_the_holidays_and_what_to_do(
    campaign: Campaign, behind: Place
) -> None:
    out = _schedule(campaign)

    assert "31/08/2023" in out and "Thứ năm" in out and "Thứ sáu" in out
    assert "Thôn Tân Tiến" in out
    assert "01/09/2023" in out and "Quốc khánh" in out
    assert "--commit" in out.splitlines()[-1]
    assert not SupportSession.objects.exists()


def test_commit_saves_once_with_units_and_times(campaign: Campaign, ea_yong: Place) -> None:
    police, _created = unit_get_or_create(place=ea_yong, name="Công an xã", kind="police")
    options = ("--commit", "--json", "--unit", "cong an xa", "--starts-at", "7h30")

    first = json.loads(_schedule(campaign, *options, "--ends-at", "11:00"))
    again = json.loads(_schedule(campaign, *options))

    assert (first["committed"], first["created"]) == (True, 3)
    assert (again["created"], again["sessions"]) == (0, [])
    saved = SupportSession.objects.filter(campaign=campaign)
    assert saved.count() == 3
    assert {(s.starts_at, s.ends_at) for s in saved} == {(dt.time(7, 30), dt.time(11, 0))}
    assert {tuple(s.units.all()) for s in saved} == {(police,)}


def test_ics_of_a_proposal_is_tentative_and_of_a_commit_confirmed(
    campaign: Campaign, tmp_path: Path
) -> None:
    draft, saved = tmp_path / "draft.ics", tmp_path / "saved.ics"

    _schedule(campaign, "--ics", str(draft))
    _schedule(campaign, "--commit", "--ics", str(saved))

    assert [str(e["STATUS"]) for e in _events(draft)] == ["TENTATIVE"] * 3
    ids = SupportSession.objects.order_by("date").values_list("pk", flat=True)
    assert [str(e["UID"]) for e in _events(saved)] == [f"session-{pk}@congdanso" for pk in ids]
    assert {str(e["STATUS"]) for e in _events(saved)} == {"CONFIRMED"}


@pytest.mark.parametrize(
    "args",
    [
        ("--campaign", "999999", *RANGE),
        ("--campaign", "abc", *RANGE),
        ("--campaign", "{id}", "--weekdays", "thu,xyz", "--from", "2023-08-28"),
        ("--campaign", "{id}", "--weekdays", "thu", "--from", "2023-13-01"),
        ("--campaign", "{id}", "--weekdays", "thu", "--from", "2023-09-08", "--to", "2023-09-01"),
        ("--campaign", "{id}", "--weekdays", "thu", "--from", "2024-01-04"),
        ("--campaign", "{id}", *RANGE, "--per-day", "0"),
        ("--campaign", "{id}", *RANGE, "--unit", "Ngân hàng Không Có"),
        ("--campaign", "{id}", *RANGE, "--starts-at", "25:00"),
        ("--campaign", "{id}", *RANGE, "--ics", "/nonexistent-folder/x.ics"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_writes_nothing(
    campaign: Campaign, tmp_path: Path, args: tuple[str, ...]
) -> None:
    ics = tmp_path / "out.ics"
    filled = [a.replace("{id}", str(campaign.pk)) for a in args]
    extra = [] if "--ics" in filled else ["--ics", str(ics)]

    with pytest.raises(CommandError) as error:
        _run("schedule", *filled, *extra, "--commit")

    assert error.value.returncode == 2
    assert "\n" not in str(error.value) and str(error.value)
    assert not SupportSession.objects.exists()
    assert not ics.exists()


def test_an_error_line_is_vietnamese_then_english(campaign: Campaign) -> None:
    with pytest.raises(CommandError) as error:
        _run(
            "schedule", "--campaign", str(campaign.pk), "--weekdays", "xyz", "--from", "2023-09-01"
        )
    vietnamese, english = str(error.value).split(" / ")
    assert "xyz" in vietnamese and "xyz" in english
    assert "is not a day of the week" in english and vietnamese != english


# --- sessions -----------------------------------------------------------------------------


@pytest.fixture
def saved(campaign: Campaign, ea_yong: Place) -> list[SupportSession]:
    police, _created = unit_get_or_create(place=ea_yong, name="Công an xã", kind="police")
    _schedule(campaign, "--commit", "--unit", "Công an xã")
    sessions = list(SupportSession.objects.filter(campaign=campaign).order_by("date"))
    resident = ResidentFactory(village=sessions[0].place)
    turn_record(session=sessions[0], resident=resident, service="guidance", unit=police)
    session_anonymous_turns_add(session=sessions[0], count=2)
    session_status_set(session=sessions[-1], status="cancelled")
    return sessions


def test_sessions_json_lists_date_place_status_units_and_turns(
    campaign: Campaign, saved: list[SupportSession]
) -> None:
    result = json.loads(_run("sessions", "--campaign", str(campaign.pk), "--json"))

    rows = result["sessions"]
    assert [r["id"] for r in rows] == [s.pk for s in saved]
    assert rows[0]["date"] == "2023-08-31"
    assert rows[0]["place_name"] == saved[0].place.name
    assert (rows[0]["status"], rows[0]["units"], rows[0]["turns"]) == ("held", ["Công an xã"], 3)
    assert (rows[-1]["status"], rows[-1]["turns"]) == ("cancelled", 0)


def test_sessions_text_and_date_filter(campaign: Campaign, saved: list[SupportSession]) -> None:
    out = _run("sessions", "--campaign", str(campaign.pk), "--from", "07/09/2023")

    assert "31/08/2023" not in out
    assert "07/09/2023" in out and "08/09/2023" in out
    assert "Công an xã" in out
    assert "2" in out.splitlines()[-1]


def test_sessions_ics_has_every_session_cancelled_ones_marked(
    campaign: Campaign, saved: list[SupportSession], tmp_path: Path
) -> None:
    path = tmp_path / "sessions.ics"
    _run("sessions", "--campaign", str(campaign.pk), "--ics", str(path))

    events = _events(path)
    assert [str(e["UID"]) for e in events] == [f"session-{s.pk}@congdanso" for s in saved]
    assert [str(e["STATUS"]) for e in events] == ["CONFIRMED", "CONFIRMED", "CANCELLED"]


@pytest.mark.parametrize(
    "args",
    [
        ("--campaign", "999999"),
        ("--campaign", "{id}", "--from", "2023-09-08", "--to", "2023-09-01"),
        ("--campaign", "{id}", "--from", "hôm qua"),
    ],
)
def test_sessions_bad_input_exits_2(
    campaign: Campaign, tmp_path: Path, args: tuple[str, ...]
) -> None:
    ics = tmp_path / "out.ics"
    with pytest.raises(CommandError) as error:
        _run("sessions", *[a.replace("{id}", str(campaign.pk)) for a in args], "--ics", str(ics))
    assert error.value.returncode == 2
    assert "\n" not in str(error.value)
    assert not ics.exists()
