import datetime as dt
import unicodedata

import icalendar
import pytest

from congdanso.campaigns.models import Campaign
from congdanso.outreach.calendar import proposals_ics, sessions_ics
from congdanso.outreach.models import SessionStatus, SupportSession
from congdanso.outreach.schedule import schedule_propose
from congdanso.outreach.selectors import session_list
from congdanso.outreach.services import session_create
from congdanso.partners.models import Unit
from congdanso.partners.services import unit_get_or_create
from congdanso.places.models import Place

pytestmark = pytest.mark.django_db

STAMP = dt.datetime(2023, 4, 1, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def units(ea_yong: Place) -> list[Unit]:
    return [
        unit_get_or_create(place=ea_yong, name=name, kind=kind)[0]
        for name, kind in (("Công an xã", "police"), ("Đoàn Thanh niên", "youth_union"))
    ]


@pytest.fixture
def sessions(campaign: Campaign, ea_yong: Place, units: list[Unit]) -> list[SupportSession]:
    places = {p.name: p for p in Place.objects.filter(parent=ea_yong)}
    return [
        session_create(
            campaign=campaign, place=places["Thôn Cao Bằng"], date=dt.date(2023, 4, 13), units=units
        ),
        session_create(
            campaign=campaign,
            place=places["Buôn Ghamah"],
            date=dt.date(2023, 4, 14),
            starts_at=dt.time(7, 30),
            ends_at=dt.time(11, 0),
            title="Cài VNeID mức 2 tại nhà văn hóa buôn",
        ),
        session_create(
            campaign=campaign,
            place=places["Thôn Tân Lập"],
            date=dt.date(2023, 4, 20),
            starts_at=dt.time(14, 0),
            status=SessionStatus.CANCELLED,
        ),
    ]


def _parse(data: bytes) -> tuple[icalendar.Calendar, list[icalendar.Event]]:
    calendar = icalendar.Calendar.from_ical(data)
    return calendar, list(calendar.walk("VEVENT"))


def _export(campaign: Campaign, **options: object) -> bytes:
    return sessions_ics(
        session_list(campaign=campaign), calendar_name=campaign.name, stamp=STAMP, **options
    )


def test_one_event_per_session_with_a_stable_uid_stamp_and_calendar_name(
    campaign: Campaign, sessions: list[SupportSession]
) -> None:
    calendar, events = _parse(_export(campaign))

    assert str(calendar["X-WR-CALNAME"]) == "1.000 công dân số tiêu biểu"
    assert calendar["VERSION"] == "2.0"
    assert [str(e["UID"]) for e in events] == [f"session-{s.pk}@congdanso" for s in sessions]
    assert {e.decoded("DTSTAMP") for e in events} == {STAMP}
    assert _export(campaign) == _export(campaign)


def test_a_session_without_a_time_is_an_all_day_event(
    campaign: Campaign, sessions: list[SupportSession]
) -> None:
    _calendar, events = _parse(_export(campaign))
    all_day = events[0]
    assert all_day.decoded("DTSTART") == dt.date(2023, 4, 13)
    assert all_day.decoded("DTEND") == dt.date(2023, 4, 14)
    assert all_day["DTSTART"].params["VALUE"] == "DATE"


def test_a_timed_session_is_in_vietnam_time_with_its_timezone(
    campaign: Campaign, sessions: list[SupportSession]
) -> None:
    calendar, events = _parse(_export(campaign))
    timed = events[1]

    start, end = timed.decoded("DTSTART"), timed.decoded("DTEND")

    assert timed["DTSTART"].params["TZID"] == "Asia/Ho_Chi_Minh"
    assert (start.hour, start.minute, end.hour) == (7, 30, 11)
    assert start.utcoffset() == dt.timedelta(hours=7)
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Ho_Chi_Minh"]
    assert "DTEND" not in events[2]  # no end time given: no invented end


def test_summary_location_description_and_status(
    campaign: Campaign, sessions: list[SupportSession]
) -> None:
    _calendar, events = _parse(_export(campaign))
    village, titled, cancelled = events

    assert str(titled["SUMMARY"]) == "Cài VNeID mức 2 tại nhà văn hóa buôn"
    assert str(village["LOCATION"]) == "Thôn Cao Bằng, Xã Ea Yông"
    description = str(village["DESCRIPTION"])
    assert "Công an xã, Đoàn Thanh niên" in description
    assert "1.000 công dân số tiêu biểu" in description
    assert [str(e["STATUS"]) for e in events] == ["CONFIRMED", "CONFIRMED", "CANCELLED"]
    assert "Thôn Tân Lập" in str(cancelled["SUMMARY"])


@pytest.mark.parametrize(
    ("language", "summary"),
    [
        ("vi", "Hỗ trợ công dân số — Thôn Cao Bằng"),
        ("en", "Digital citizen support — Thôn Cao Bằng"),
    ],
)
def test_the_default_summary_is_in_the_language_asked(
    campaign: Campaign, sessions: list[SupportSession], language: str, summary: str
) -> None:
    _calendar, events = _parse(_export(campaign, language=language))
    assert str(events[0]["SUMMARY"]) == summary


def test_vietnamese_text_comes_back_nfc_and_long_lines_are_folded_at_75_octets(
    campaign: Campaign, ea_yong: Place
) -> None:
    village = Place.objects.get(parent=ea_yong, name="Buôn Ghamah")
    title = "Hướng dẫn cài đặt ứng dụng VNeID và Sổ sức khỏe điện tử cho người dân " * 2
    session_create(
        campaign=campaign,
        place=village,
        date=dt.date(2023, 5, 4),
        title=unicodedata.normalize("NFD", title),
    )

    data = _export(campaign)
    _calendar, events = _parse(data)

    assert str(events[0]["SUMMARY"]) == unicodedata.normalize("NFC", title.strip())
    lines = data.split(b"\r\n")
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)  # continuation lines
    for line in lines:
        line.decode("utf-8")  # no character is cut in two by the folding


def test_a_whole_campaign_costs_two_queries(
    campaign: Campaign, sessions: list[SupportSession], django_assert_num_queries
) -> None:
    with django_assert_num_queries(2):  # the sessions with place and campaign; the units
        _export(campaign)


def test_a_proposal_exports_as_tentative_events_with_their_units(
    campaign: Campaign, units: list[Unit]
) -> None:
    proposals = schedule_propose(
        campaign=campaign,
        weekdays=(3, 4),
        date_from=dt.date(2023, 4, 12),
        date_to=dt.date(2023, 4, 21),
    )
    data = proposals_ics(
        proposals,
        campaign=campaign,
        calendar_name=campaign.name,
        units=units,
        starts_at=dt.time(7, 30),
        stamp=STAMP,
    )
    _calendar, events = _parse(data)

    assert len(events) == len(proposals) == 4
    assert {str(e["STATUS"]) for e in events} == {"TENTATIVE"}
    first = proposals[0]
    assert str(events[0]["UID"]) == (
        f"proposal-{campaign.pk}-{first.place.code}-{first.date:%Y%m%d}@congdanso"
    )
    assert events[0].decoded("DTSTART").date() == first.date
    assert "Đoàn Thanh niên" in str(events[0]["DESCRIPTION"])
    assert not SupportSession.objects.exists()


def test_an_empty_list_is_a_valid_calendar(campaign: Campaign) -> None:
    calendar, events = _parse(_export(campaign))
    assert events == []
    assert str(calendar["X-WR-CALNAME"]) == campaign.name
