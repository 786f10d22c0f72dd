import datetime as dt
import unicodedata
from collections import Counter

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from congdanso.campaigns.models import Campaign
from congdanso.campaigns.services import campaign_create
from congdanso.core.errors import DomainError
from congdanso.core.parsing import date_parse, time_parse
from congdanso.outreach.models import SessionStatus, SupportSession
from congdanso.outreach.schedule import (
    ProposedSession,
    Reason,
    schedule_commit,
    schedule_propose,
)
from congdanso.outreach.selectors import session_list
from congdanso.outreach.services import session_anonymous_turns_add, session_create
from congdanso.outreach.session_days import holidays_between, schedule_days, weekdays_parse
from congdanso.partners.models import Unit
from congdanso.partners.selectors import campaign_units_find
from congdanso.partners.services import unit_get_or_create
from congdanso.places.models import Place, PlaceKind
from congdanso.places.services import commune_get_or_create, village_get_or_create

pytestmark = pytest.mark.django_db

EVERY_DAY = tuple(range(7))
THU_FRI = (3, 4)


@pytest.fixture
def campaign_2024(ea_yong: Place) -> Campaign:
    return campaign_create(
        place=ea_yong,
        name="Công dân số 2024",
        start_date=dt.date(2024, 1, 1),
        end_date=dt.date(2024, 12, 31),
        criteria=["vneid_level2"],
        target_exemplary=500,
    )


@pytest.fixture
def school(ea_yong: Place) -> Place:
    place, _created = village_get_or_create(
        commune=ea_yong, name="Trường Tiểu học Chu Văn An", kind=PlaceKind.SCHOOL
    )
    return place


def _villages(commune: Place) -> dict[str, Place]:
    return {
        p.name: p for p in Place.objects.filter(parent=commune, kind__in={"village", "ede_village"})
    }


def _proposals(campaign: Campaign, **options: object) -> list[ProposedSession]:
    arguments: dict = {"weekdays": THU_FRI, "date_from": campaign.start_date, **options}
    return schedule_propose(campaign=campaign, **arguments)


# --- weekdays ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("thu,fri", (3, 4)),
        ("fri, thu, fri", (3, 4)),
        ("Thursday,Friday", (3, 4)),
        ("THU;FRI", (3, 4)),
        ("thu fri", (3, 4)),
        ("t5,t6", (3, 4)),
        ("T5, T6", (3, 4)),
        ("thứ 5, thứ 6", (3, 4)),
        ("Thứ 5 và Thứ 6", (3, 4)),
        ("thu5,thu6", (3, 4)),
        ("thứ năm, thứ sáu", (3, 4)),
        ("THỨ NĂM", (3,)),
        (unicodedata.normalize("NFD", "thứ năm"), (3,)),
        ("thứ hai", (0,)),
        ("thứ ba", (1,)),
        ("thứ tư", (2,)),
        ("thứ bảy", (5,)),
        ("t7", (5,)),
        ("cn", (6,)),
        ("Chủ nhật", (6,)),
        ("sat,sun", (5, 6)),
        ("mon-fri", (0, 1, 2, 3, 4)),
        ("t2-t6", (0, 1, 2, 3, 4)),
        ("thứ 2 – thứ 4", (0, 1, 2)),
        ("t2..cn", EVERY_DAY),
        ("tue/wed", (1, 2)),
    ],
)
def test_weekdays_parse_reads_english_and_vietnamese_names(
    text: str, expected: tuple[int, ...]
) -> None:
    assert weekdays_parse(text) == expected


@pytest.mark.parametrize(
    ("text", "culprit"),
    [
        ("xyz", "xyz"),
        ("t8", "t8"),
        ("thứ 1", "thứ 1"),
        ("5", "5"),
        ("fri-mon", "fri-mon"),
        ("thu,xyz", "xyz"),
    ],
)
def test_weekdays_parse_names_the_unknown_part(text: str, culprit: str) -> None:
    with pytest.raises(DomainError) as error:
        weekdays_parse(text)
    assert error.value.code == "weekdays_invalid"
    assert culprit in error.value.message.render("en")


@pytest.mark.parametrize("text", ["", "   ", " , ;"])
def test_weekdays_parse_refuses_nothing(text: str) -> None:
    with pytest.raises(DomainError) as error:
        weekdays_parse(text)
    assert error.value.code == "weekdays_invalid"


_FORMS = {
    0: ["mon", "Monday", "t2", "thứ 2", "thứ hai"],
    1: ["tue", "t3", "thứ ba"],
    2: ["wed", "t4", "thứ tư"],
    3: ["thu", "t5", "thứ năm", "thu5"],
    4: ["fri", "t6", "thứ sáu"],
    5: ["sat", "t7", "thứ bảy"],
    6: ["sun", "cn", "chủ nhật"],
}


@given(
    st.lists(st.sampled_from([(d, f) for d, forms in _FORMS.items() for f in forms]), min_size=1)
)
def test_weekdays_parse_any_list_of_known_forms_gives_the_sorted_days(
    picks: list[tuple[int, str]],
) -> None:
    assert weekdays_parse(", ".join(form for _day, form in picks)) == tuple(
        sorted({day for day, _form in picks})
    )


@given(st.text(max_size=30))
def test_weekdays_parse_either_returns_days_or_refuses_cleanly(text: str) -> None:
    try:
        days = weekdays_parse(text)
    except DomainError as error:
        assert error.code == "weekdays_invalid"
    else:
        assert days and days == tuple(sorted(set(days))) and set(days) <= set(EVERY_DAY)


# --- dates and times ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-02-08", dt.date(2024, 2, 8)),
        ("08/02/2024", dt.date(2024, 2, 8)),
        (" 8/2/2024 ", dt.date(2024, 2, 8)),
    ],
)
def test_date_parse_reads_iso_and_vietnamese_order(text: str, expected: dt.date) -> None:
    assert date_parse(text) == expected


@pytest.mark.parametrize("text", ["", "2024-02-30", "31/02/2024", "tomorrow", "2024/02/08"])
def test_date_parse_refuses_what_is_not_a_date(text: str) -> None:
    with pytest.raises(DomainError) as error:
        date_parse(text)
    assert error.value.code == "date_invalid"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("07:30", dt.time(7, 30)),
        ("7:30", dt.time(7, 30)),
        ("7h30", dt.time(7, 30)),
        ("14h", dt.time(14, 0)),
        ("14", dt.time(14, 0)),
    ],
)
def test_time_parse(text: str, expected: dt.time) -> None:
    assert time_parse(text) == expected


@pytest.mark.parametrize("text", ["", "24:00", "7:60", "noon", "7:3"])
def test_time_parse_refuses_what_is_not_a_time(text: str) -> None:
    with pytest.raises(DomainError) as error:
        time_parse(text)
    assert error.value.code == "time_invalid"


# --- holidays -----------------------------------------------------------------------------

TET_2024 = [dt.date(2024, 2, d) for d in range(8, 15)]
FIXED_2024 = [dt.date(2024, 4, 30), dt.date(2024, 5, 1), dt.date(2024, 9, 2)]
# Giỗ Tổ Hùng Vương is the 10th of the 3rd lunar month: a different solar date every year.
HUNG_KINGS = [dt.date(2023, 4, 29), dt.date(2024, 4, 18), dt.date(2025, 4, 7)]


@pytest.mark.parametrize("day", [*TET_2024, *FIXED_2024, *HUNG_KINGS])
def test_holidays_between_knows_tet_the_fixed_days_and_the_lunar_hung_kings_day(
    day: dt.date,
) -> None:
    found = holidays_between(day - dt.timedelta(days=1), day + dt.timedelta(days=1))
    assert day in found


def test_holidays_between_gives_vietnamese_names_and_substitute_days() -> None:
    found = holidays_between(dt.date(2023, 1, 1), dt.date(2024, 12, 31))
    assert "Tết" in found[dt.date(2024, 2, 10)]
    assert "Hùng Vương" in found[dt.date(2024, 4, 18)]
    assert "nghỉ bù" in found[dt.date(2023, 5, 2)]  # 29/04/2023 fell on a Saturday
    assert all(unicodedata.is_normalized("NFC", name) for name in found.values())
    assert list(found) == sorted(found)


def test_holidays_between_is_inclusive_and_empty_outside() -> None:
    assert list(holidays_between(dt.date(2024, 9, 2), dt.date(2024, 9, 2))) == [dt.date(2024, 9, 2)]
    assert holidays_between(dt.date(2024, 6, 1), dt.date(2024, 6, 30)) == {}


# --- days of a plan -----------------------------------------------------------------------


@pytest.mark.parametrize("day", [*TET_2024, *FIXED_2024, dt.date(2024, 4, 18)])
def test_proposals_skip_the_2024_holidays(campaign_2024: Campaign, day: dt.date) -> None:
    proposals = _proposals(campaign_2024, weekdays=EVERY_DAY)
    assert day not in {p.date for p in proposals}
    assert dt.date(2024, 2, 7) in {p.date for p in proposals}  # the day before Tết is worked


def test_schedule_days_lists_the_holidays_skipped_on_the_chosen_weekdays(
    campaign_2024: Campaign,
) -> None:
    plan = schedule_days(
        campaign=campaign_2024,
        weekdays=THU_FRI,
        date_from=dt.date(2024, 2, 1),
        date_to=dt.date(2024, 4, 30),
    )
    assert set(plan.holidays_skipped) == {
        dt.date(2024, 2, 8),  # Thursday, 29 Tết
        dt.date(2024, 2, 9),  # Friday, Giao thừa
        dt.date(2024, 4, 18),  # Thursday, Giỗ Tổ Hùng Vương
    }
    assert all(day.weekday() in THU_FRI for day in plan.days)
    assert not set(plan.days) & set(plan.holidays_skipped)
    assert plan.days[0] == dt.date(2024, 2, 1)


def test_the_range_defaults_to_the_campaign_end(campaign: Campaign) -> None:
    plan = schedule_days(campaign=campaign, weekdays=THU_FRI, date_from=dt.date(2023, 12, 1))
    assert plan.end == dt.date(2023, 12, 31)
    assert plan.days[-1] == dt.date(2023, 12, 29)


def test_a_range_partly_outside_the_campaign_is_clipped(campaign: Campaign) -> None:
    plan = schedule_days(
        campaign=campaign,
        weekdays=EVERY_DAY,
        date_from=dt.date(2023, 1, 1),
        date_to=dt.date(2024, 3, 1),
    )
    assert (plan.start, plan.end) == (campaign.start_date, campaign.end_date)
    assert plan.days[0] == dt.date(2023, 4, 12)
    assert plan.days[-1] == dt.date(2023, 12, 31)


@pytest.mark.parametrize(
    ("date_from", "date_to"),
    [(dt.date(2024, 1, 4), None), (dt.date(2022, 1, 1), dt.date(2023, 4, 11))],
)
def test_a_range_wholly_outside_the_campaign_is_refused(
    campaign: Campaign, date_from: dt.date, date_to: dt.date | None
) -> None:
    with pytest.raises(DomainError) as error:
        _proposals(campaign, date_from=date_from, date_to=date_to)
    assert error.value.code == "date_outside_campaign"


def test_an_end_before_the_start_is_refused(campaign: Campaign) -> None:
    with pytest.raises(DomainError) as error:
        _proposals(campaign, date_from=dt.date(2023, 6, 1), date_to=dt.date(2023, 5, 1))
    assert error.value.code == "date_range_invalid"


@pytest.mark.parametrize(("weekdays", "per_day"), [((), 1), ((7,), 1), (THU_FRI, 0)])
def test_bad_weekdays_or_per_day_are_refused(
    campaign: Campaign, weekdays: tuple[int, ...], per_day: int
) -> None:
    with pytest.raises(DomainError) as error:
        _proposals(campaign, weekdays=weekdays, per_day=per_day)
    assert error.value.code in {"weekdays_invalid", "per_day_invalid"}


# --- which site ---------------------------------------------------------------------------


def test_sites_are_the_campaigns_live_villages_and_schools_only(
    campaign: Campaign, ea_yong: Place, school: Place
) -> None:
    villages = _villages(ea_yong)
    archived = villages["Thôn Tân Tiến"]
    Place.objects.filter(pk=archived.pk).update(archived_at=timezone.now())
    other, _created = commune_get_or_create(parent=ea_yong.parent, name="Xã Ea Kly")
    village_get_or_create(commune=other, name="Thôn Khác")

    visited = {p.place.pk for p in _proposals(campaign)}

    assert visited == {
        villages["Thôn Cao Bằng"].pk,
        villages["Thôn Tân Lập"].pk,
        villages["Buôn Ghamah"].pk,
        school.pk,
    }


def test_a_campaign_without_sites_is_refused(ea_yong: Place) -> None:
    empty, _created = commune_get_or_create(parent=ea_yong.parent, name="Xã Trống")
    bare = campaign_create(
        place=empty,
        name="Không thôn",
        start_date=dt.date(2024, 1, 1),
        end_date=dt.date(2024, 3, 31),
        criteria=["vneid_level2"],
        target_exemplary=1,
    )
    with pytest.raises(DomainError) as error:
        _proposals(bare)
    assert error.value.code == "campaign_no_sites"


NEEDS = [
    None,
    {"Thôn Cao Bằng": 300},
    {"Thôn Cao Bằng": 300, "Thôn Tân Lập": 100, "Buôn Ghamah": 40},
    {"Buôn Ghamah": 5, "Thôn Tân Tiến": 1000},
    {"Thôn Cao Bằng": -20},  # over its target: no gap
]


def _need(ea_yong: Place, by_name: dict[str, int] | None) -> dict[int, int] | None:
    if by_name is None:
        return None
    villages = _villages(ea_yong)
    return {villages[name].pk: gap for name, gap in by_name.items()}


@pytest.mark.parametrize("by_name", NEEDS)
def test_the_plan_is_deterministic(
    campaign: Campaign, ea_yong: Place, school: Place, by_name: dict[str, int] | None
) -> None:
    need = _need(ea_yong, by_name)
    assert _proposals(campaign, need=need) == _proposals(campaign, need=need)


@pytest.mark.parametrize("by_name", NEEDS)
def test_every_site_comes_first_within_the_first_round(
    campaign: Campaign, ea_yong: Place, school: Place, by_name: dict[str, int] | None
) -> None:
    proposals = _proposals(campaign, need=_need(ea_yong, by_name))
    sites = 5
    assert len({p.place.pk for p in proposals[:sites]}) == sites
    assert {p.reason for p in proposals[:sites]} == {Reason.FIRST_VISIT}
    assert Reason.FIRST_VISIT not in {p.reason for p in proposals[sites:]}


@pytest.mark.parametrize("by_name", NEEDS)
@pytest.mark.parametrize("per_day", [1, 2, 3])
def test_no_site_ever_has_more_than_twice_the_visits_of_the_least_visited_plus_one(
    campaign: Campaign,
    ea_yong: Place,
    school: Place,
    by_name: dict[str, int] | None,
    per_day: int,
) -> None:
    proposals = _proposals(campaign, need=_need(ea_yong, by_name), per_day=per_day)
    visits = Counter({site.pk: 0 for site in [*_villages(ea_yong).values(), school]})
    for proposal in proposals:
        visits[proposal.place.pk] += 1
        assert max(visits.values()) <= 2 * min(visits.values()) + 1


@pytest.mark.parametrize("per_day", [2, 3, 5, 8])
def test_no_site_twice_on_one_day_and_each_day_filled(
    campaign: Campaign, school: Place, per_day: int
) -> None:
    proposals = _proposals(campaign, per_day=per_day)
    by_day = Counter(p.date for p in proposals)
    assert len(set(by_day.values())) == 1
    assert next(iter(by_day.values())) == min(per_day, 5)
    assert len({(p.date, p.place.pk) for p in proposals}) == len(proposals)


def test_the_villages_furthest_behind_get_more_visits(campaign: Campaign, ea_yong: Place) -> None:
    need = _need(ea_yong, {"Thôn Cao Bằng": 300, "Thôn Tân Lập": 100})
    visits = Counter(p.place.name for p in _proposals(campaign, need=need))
    assert visits["Thôn Cao Bằng"] > visits["Thôn Tân Lập"] > visits["Buôn Ghamah"]
    assert visits["Buôn Ghamah"] > 0 and abs(visits["Buôn Ghamah"] - visits["Thôn Tân Tiến"]) <= 1
    assert visits["Thôn Cao Bằng"] <= 2 * visits["Thôn Tân Tiến"] + 1


def test_a_plain_rotation_visits_every_site_equally(campaign: Campaign, school: Place) -> None:
    proposals = _proposals(campaign)
    visits = Counter(p.place.pk for p in proposals)
    assert max(visits.values()) - min(visits.values()) <= 1
    assert {p.reason for p in proposals[5:]} == {Reason.ROTATION}
    assert {p.need for p in proposals} == {0}


def test_the_need_and_reason_are_reported(campaign: Campaign, ea_yong: Place) -> None:
    need = _need(ea_yong, {"Thôn Cao Bằng": 300, "Thôn Tân Lập": -5})
    proposals = _proposals(campaign, need=need)
    first = proposals[0]
    assert (first.place.name, first.need, first.reason) == ("Thôn Cao Bằng", 300, "first_visit")
    later = {(p.place.name, p.reason) for p in proposals[4:]}
    assert ("Thôn Cao Bằng", Reason.BEHIND_TARGET) in later
    assert ("Thôn Tân Lập", Reason.ROTATION) in later
    assert {p.need for p in proposals if p.place.name == "Thôn Tân Lập"} == {0}


# --- existing sessions --------------------------------------------------------------------


def test_a_day_with_a_session_already_is_full_and_cancelled_ones_do_not_count(
    campaign: Campaign, ea_yong: Place
) -> None:
    villages = _villages(ea_yong)
    held_on, cancelled_on = dt.date(2023, 4, 13), dt.date(2023, 4, 14)
    session_create(campaign=campaign, place=villages["Thôn Tân Lập"], date=held_on)
    session_create(
        campaign=campaign,
        place=villages["Thôn Cao Bằng"],
        date=cancelled_on,
        status=SessionStatus.CANCELLED,
    )
    days = {p.date for p in _proposals(campaign)}
    assert held_on not in days
    assert cancelled_on in days
    assert held_on in {p.date for p in _proposals(campaign, skip_existing=False)}


def test_an_existing_session_takes_one_slot_and_its_place(
    campaign: Campaign, ea_yong: Place
) -> None:
    village = _villages(ea_yong)["Thôn Tân Lập"]
    day = dt.date(2023, 4, 13)
    session_create(campaign=campaign, place=village, date=day)
    on_day = [p for p in _proposals(campaign, per_day=3) if p.date == day]
    assert len(on_day) == 2
    assert village not in {p.place for p in on_day}


def test_earlier_sessions_count_as_visits(campaign: Campaign, ea_yong: Place) -> None:
    villages = _villages(ea_yong)
    for day in (dt.date(2023, 4, 13), dt.date(2023, 4, 14)):
        session_create(campaign=campaign, place=villages["Thôn Cao Bằng"], date=day)
    proposals = _proposals(campaign, date_from=dt.date(2023, 5, 1))
    assert villages["Thôn Cao Bằng"] not in {p.place for p in proposals[:3]}


# --- saving -------------------------------------------------------------------------------


def test_commit_saves_planned_sessions_with_units_and_times(
    campaign: Campaign, ea_yong: Place
) -> None:
    police, _created = unit_get_or_create(place=ea_yong, name="Công an xã", kind="police")
    proposals = _proposals(campaign, date_to=dt.date(2023, 4, 30))

    saved = schedule_commit(
        campaign=campaign,
        proposals=proposals,
        units=[police],
        starts_at=dt.time(7, 30),
        ends_at=dt.time(11, 0),
    )

    assert [(s.date, s.place) for s in saved] == [(p.date, p.place) for p in proposals]
    assert {s.status for s in saved} == {SessionStatus.PLANNED}
    assert {(s.starts_at, s.ends_at) for s in saved} == {(dt.time(7, 30), dt.time(11, 0))}
    assert all(list(s.units.all()) == [police] for s in saved)


def test_commit_is_idempotent_and_a_new_proposal_is_then_empty(campaign: Campaign) -> None:
    proposals = _proposals(campaign, date_to=dt.date(2023, 5, 31), per_day=2)
    first = schedule_commit(campaign=campaign, proposals=proposals)

    again = schedule_commit(campaign=campaign, proposals=[*proposals, proposals[0]])

    assert len(first) == len(proposals)
    assert again == []
    assert SupportSession.objects.filter(campaign=campaign).count() == len(proposals)
    assert _proposals(campaign, date_to=dt.date(2023, 5, 31), per_day=2) == []


def test_commit_writes_nothing_when_one_proposal_is_invalid(
    campaign: Campaign, ea_yong: Place
) -> None:
    good = _proposals(campaign, date_to=dt.date(2023, 4, 30))
    outside = ProposedSession(date=dt.date(2024, 1, 4), place=good[0].place, need=0, reason="x")
    with pytest.raises(DomainError) as error:
        schedule_commit(campaign=campaign, proposals=[*good, outside])
    assert error.value.code == "date_outside_campaign"
    assert not SupportSession.objects.filter(campaign=campaign).exists()


def test_commit_refuses_an_end_time_before_the_start(campaign: Campaign) -> None:
    proposals = _proposals(campaign, date_to=dt.date(2023, 4, 30))
    with pytest.raises(DomainError) as error:
        schedule_commit(
            campaign=campaign, proposals=proposals, starts_at=dt.time(14), ends_at=dt.time(8)
        )
    assert error.value.code == "session_times_invalid"
    assert not SupportSession.objects.exists()


# --- reads --------------------------------------------------------------------------------


def test_session_list_filters_by_date_and_counts_turns(
    campaign: Campaign, ea_yong: Place, django_assert_num_queries
) -> None:
    village = _villages(ea_yong)["Thôn Cao Bằng"]
    first = session_create(campaign=campaign, place=village, date=dt.date(2023, 4, 13))
    session_create(campaign=campaign, place=village, date=dt.date(2023, 5, 4))
    session_anonymous_turns_add(session=first, count=3)

    with django_assert_num_queries(2):  # the sessions, then their units
        listed = list(session_list(campaign=campaign, date_to=dt.date(2023, 4, 30)))
        names = [[u.name for u in s.units.all()] for s in listed]

    assert [(s.date, s.anonymous_turns, s.turn_count) for s in listed] == [
        (dt.date(2023, 4, 13), 3, 0)
    ]
    assert names == [[]]


@pytest.mark.parametrize("typed", ["Công an xã", "cong an xa", "  CÔNG AN XÃ "])
def test_units_are_found_by_folded_name_among_those_of_the_campaign(
    campaign: Campaign, ea_yong: Place, typed: str
) -> None:
    police, _created = unit_get_or_create(place=ea_yong, name="Công an xã", kind="police")
    province_bank, _created = unit_get_or_create(
        place=ea_yong.parent.parent, name="BIDV", kind="bank"
    )
    assert campaign_units_find(campaign=campaign, names=[typed, "bidv"]) == [police, province_bank]


def test_a_unit_of_another_commune_is_not_found(campaign: Campaign, ea_yong: Place) -> None:
    other, _created = commune_get_or_create(parent=ea_yong.parent, name="Xã Ea Kly")
    unit_get_or_create(place=other, name="Công an xã Ea Kly", kind="police")
    with pytest.raises(DomainError) as error:
        campaign_units_find(campaign=campaign, names=["Công an xã Ea Kly"])
    assert error.value.code == "unit_not_found"
    assert not Unit.objects.filter(place=ea_yong).exists()
