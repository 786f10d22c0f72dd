"""Field mode: the sessions page, opening today's session, and session mode (find → tick →
next, turns, +1 person not in the list)."""

import datetime as dt

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import timezone

from congdanso.accounts.models import Role, User
from congdanso.accounts.services import role_grant
from congdanso.campaigns.models import Achievement, Campaign
from congdanso.campaigns.services import campaign_create
from congdanso.conftest import EXEMPLARY_2023
from congdanso.core.models import AuditEvent
from congdanso.core.tests.world import World
from congdanso.outreach.models import Newcomer, SessionStatus, SupportSession, Turn
from congdanso.partners.models import UnitKind
from congdanso.partners.services import pledge_upsert, unit_get_or_create
from congdanso.people.models import Resident
from congdanso.people.tests.factories import ResidentFactory
from congdanso.places.models import Place
from congdanso.progress.tallies import tally_check
from congdanso.vn import vietnam_today

pytestmark = pytest.mark.django_db


def _soup(response) -> BeautifulSoup:  # type: ignore[no-untyped-def]
    return BeautifulSoup(response.content, "html.parser")


def _session_url(world: World) -> str:
    return reverse("outreach:session", args=[world.campaign.pk, world.session.pk])


def _turn_url(world: World) -> str:
    return reverse("outreach:session_turn", args=[world.campaign.pk, world.session.pk])


def _anonymous_url(world: World) -> str:
    return reverse("outreach:session_anonymous", args=[world.campaign.pk, world.session.pk])


def _count(soup: BeautifulSoup) -> int:
    return int(soup.select_one(".session-count strong").get_text(strip=True))


@pytest.fixture
def current(world: World, ea_yong: Place) -> Campaign:
    """A campaign running today, where the police unit has a pledge."""
    today = vietnam_today()
    campaign = campaign_create(
        place=ea_yong,
        name="Chiến dịch đang chạy",
        start_date=today - dt.timedelta(days=30),
        end_date=today + dt.timedelta(days=30),
        criteria=list(EXEMPLARY_2023),
        target_exemplary=100,
    )
    pledge_upsert(unit=world.unit, campaign=campaign, target_people=10)
    return campaign


# The sessions page.


def test_the_sessions_page_lists_past_sessions_and_offers_to_open_today(world: World) -> None:
    response = world.site("unit_a").get(reverse("outreach:sessions", args=[world.campaign.pk]))

    assert response.status_code == 200
    soup = _soup(response)
    links = [a["href"] for a in soup.select("a.session-row")]
    assert links == [_session_url(world)]
    form = soup.select_one("form.session-open")
    assert form["action"] == reverse("outreach:session_open", args=[world.campaign.pk])
    places = [o.get_text(strip=True) for o in form.select("select[name=place] option")]
    assert "Thôn Cao Bằng" in places


@pytest.mark.parametrize("who", ["viewer_a", "manager_b"])
def test_the_sessions_page_does_not_exist_for_viewers_and_other_communes(
    world: World, who: str
) -> None:
    url = reverse("outreach:sessions", args=[world.campaign.pk])
    assert world.site(who).get(url).status_code == 404


def test_opening_today_creates_one_session_through_the_users_unit_and_not_twice(
    world: World, current: Campaign
) -> None:
    village = world.session.place
    url = reverse("outreach:session_open", args=[current.pk])
    client = world.site("unit_a")

    first = client.post(url, {"place": str(village.pk)})
    second = client.post(url, {"place": str(village.pk)})

    session = SupportSession.objects.get(campaign=current)
    assert session.date == vietnam_today()
    assert list(session.units.all()) == [world.unit]
    target = reverse("outreach:session", args=[current.pk, session.pk])
    assert first["Location"] == second["Location"] == target
    today = _soup(client.get(reverse("outreach:sessions", args=[current.pk])))
    assert [a["href"] for a in today.select("a.session-row")] == [target]


def test_opening_a_session_outside_the_campaign_dates_says_why_and_writes_nothing(
    world: World,
) -> None:
    response = world.site("manager_a").post(
        reverse("outreach:session_open", args=[world.campaign.pk]),
        {"place": str(world.session.place.pk)},
    )

    assert response.status_code == 200
    error = _soup(response).select_one("#id_place").find_previous("ul", class_="errorlist")
    assert "31/12/2023" in error.get_text()  # "… nằm ngoài thời gian chiến dịch (…)"
    assert "chiến dịch" in error.get_text()
    assert SupportSession.objects.filter(campaign=world.campaign).count() == 1


@pytest.mark.parametrize("place", ["", "999999", "abc"])
def test_opening_needs_a_place_of_the_campaign(world: World, current: Campaign, place: str) -> None:
    response = world.site("manager_a").post(
        reverse("outreach:session_open", args=[current.pk]), {"place": place}
    )

    assert response.status_code == 200
    assert _soup(response).select_one("#id_place").find_previous("ul", class_="errorlist")
    assert not SupportSession.objects.filter(campaign=current).exists()


# Session mode.


def test_session_mode_finds_a_person_as_a_short_row_that_opens_them(world: World) -> None:
    response = world.site("unit_a").get(_session_url(world), {"q": "hoa nguyen"})

    soup = _soup(response)
    (row,) = soup.select("#search-results .person-list a.person-row")
    assert row.select_one(".person-name").get_text(strip=True) == "Nguyễn Thị Hoà"
    assert row["href"] == f"{_session_url(world)}?nguoi={world.resident.pk}"
    assert soup.select("#search-results form") == []  # a short row: no buttons in the list
    box = soup.select_one("form.field-search input[name=q]")
    assert box["value"] == "hoa nguyen"
    assert not box.has_attr("autofocus")  # the results, not the keyboard, after a search


def test_an_open_person_offers_a_big_button_per_criterion_not_done(world: World) -> None:
    response = world.site("unit_a").get(_session_url(world), {"nguoi": world.resident.pk})

    soup = _soup(response)
    person = soup.select_one("section.person-open")
    assert person.select_one(".person-name").get_text(strip=True) == "Nguyễn Thị Hoà"
    codes = [b["value"] for b in person.select("form.tick-form button[name=criterion]")]
    assert "bank_account" not in codes  # done already
    assert codes == ["vneid_level2", "public_service_account", "ehealth_book",
                     "cashless_payment", "sim_standardized"]  # fmt: skip
    assert person.select_one("form.help-form select[name=service]") is not None
    links = [a["href"] for a in person.select(".person-open-links a")]
    assert links[0] == _session_url(world)  # "Người tiếp theo": back to an empty box
    assert links[1].startswith(reverse("people:card", args=[world.campaign.pk, world.resident.pk]))
    assert not soup.select_one("form.field-search input[name=q]").has_attr("autofocus")


def test_a_person_outside_the_users_scope_cannot_be_opened(world: World) -> None:
    response = world.site("unit_a").get(_session_url(world), {"nguoi": world.resident_b.pk})
    assert response.status_code == 404


def test_a_tick_records_a_turn_and_the_achievement_and_the_person_stays_open(
    world: World,
) -> None:
    client = world.site("unit_a")
    before = _count(_soup(client.get(_session_url(world))))

    response = client.post(
        _turn_url(world), {"resident": world.resident.pk, "criterion": "vneid_level2"}, follow=True
    )

    opened = f"{_session_url(world)}?nguoi={world.resident.pk}"
    assert response.redirect_chain == [(opened, 302)]
    soup = _soup(response)
    assert _count(soup) == before + 1
    assert "Nguyễn Thị Hoà" in soup.select_one(".messages").get_text()
    person = soup.select_one("section.person-open")
    codes = [b["value"] for b in person.select("form.tick-form button[name=criterion]")]
    assert "vneid_level2" not in codes and "public_service_account" in codes  # the next one
    turn = Turn.objects.get(session=world.session)
    assert turn.criterion.code == "vneid_level2"
    assert turn.unit == world.unit
    achievement = Achievement.objects.get(resident=world.resident, criterion__code="vneid_level2")
    assert achievement.achieved_on == world.session.date
    assert achievement.session == world.session
    world.session.refresh_from_db()
    assert world.session.status == SessionStatus.HELD
    # "Người tiếp theo": the search box again, empty and focused
    following = _soup(client.get(person.select_one(".person-open-links a")["href"]))
    box = following.select_one("form.field-search input[name=q]")
    assert box.get("value", "") == "" and box.has_attr("autofocus")
    assert following.select_one("section.person-open") is None


def test_the_search_puts_whole_names_and_the_sessions_village_first(world: World) -> None:
    village = world.resident.village
    other = Place.objects.get(parent=village.parent, name="Thôn Tân Lập")
    for name in ("Hoàng Văn Nguyên", "Nguyễn Thị Hoài", "Nguyễn Văn Khoa"):
        ResidentFactory(village=village, full_name=name)
    ResidentFactory(village=other, full_name="Nguyễn Thị Hoa")  # whole, but elsewhere

    response = world.site("unit_a").get(_session_url(world), {"q": "hoa nguyen"})

    names = [n.get_text(strip=True) for n in _soup(response).select(".person-list .person-name")]
    assert (
        names
        == [
            "Nguyễn Thị Hoà",  # both whole syllables, in the session's village
            "Nguyễn Thị Hoa",  # both whole, in another village
            "Hoàng Văn Nguyên",  # two starts of syllables
            "Nguyễn Thị Hoài",  # one whole, one start
            "Nguyễn Văn Khoa",  # one whole, one inside a syllable
        ]
        or names[:2] == ["Nguyễn Thị Hoà", "Nguyễn Thị Hoa"]
    )
    assert names[:2] == ["Nguyễn Thị Hoà", "Nguyễn Thị Hoa"]
    assert names[-1] == "Nguyễn Văn Khoa"


def test_a_second_tap_on_the_same_criterion_adds_nothing(world: World) -> None:
    client = world.site("head_a")
    data = {"resident": world.resident.pk, "criterion": "ehealth_book"}

    client.post(_turn_url(world), data)
    client.post(_turn_url(world), data)

    assert Turn.objects.filter(session=world.session).count() == 1
    assert Achievement.objects.filter(criterion__code="ehealth_book").count() == 1


def test_other_help_records_a_turn_without_an_achievement(world: World) -> None:
    client = world.site("unit_a")
    achievements = Achievement.objects.count()

    response = client.post(
        _turn_url(world), {"resident": world.resident.pk, "service": "guidance"}, follow=True
    )

    assert _count(_soup(response)) == 1
    assert Turn.objects.get(session=world.session).service == "guidance"
    assert Achievement.objects.count() == achievements


@pytest.mark.parametrize(
    "data",
    [
        {"criterion": "vneid_level2"},
        {"resident": "abc", "criterion": "vneid_level2"},
        {"resident": "1"},
        {"resident": "1", "service": "massage"},
        {"resident": "1", "criterion": "no_such"},
    ],
)
def test_a_bad_tap_says_why_and_records_nothing(world: World, data: dict[str, str]) -> None:
    response = world.site("unit_a").post(_turn_url(world), data, follow=True)

    assert response.status_code == 200
    assert _soup(response).select_one(".messages .message-error") is not None
    assert not Turn.objects.exists()


def test_a_resident_of_another_commune_cannot_be_ticked(world: World) -> None:
    response = world.site("manager_a").post(
        _turn_url(world), {"resident": world.resident_b.pk, "criterion": "vneid_level2"}
    )

    assert response.status_code == 404
    assert not Turn.objects.exists()


def test_a_unit_member_without_a_pledge_cannot_tick(world: World, ea_yong: Place) -> None:
    youth, _ = unit_get_or_create(place=ea_yong, name="Đoàn Thanh niên", kind=UnitKind.YOUTH_UNION)
    member = User.objects.create_user("youth")
    role_grant(user=member, role=Role.UNIT_MEMBER, place=ea_yong, unit=youth)
    client = world.site(None)
    client.force_login(member)

    page = _soup(client.get(_session_url(world), {"q": "hoa nguyen"}))
    response = client.post(
        _turn_url(world), {"resident": world.resident.pk, "criterion": "vneid_level2"}
    )
    anonymous = client.post(_anonymous_url(world), {"count": "1"})

    assert page.select("button[name=criterion]") == []
    assert response.status_code == 404
    assert anonymous.status_code == 404
    assert not Turn.objects.exists()
    world.session.refresh_from_db()
    assert world.session.anonymous_turns == 0


def test_plus_one_counts_a_person_not_in_the_list_and_can_be_taken_back(world: World) -> None:
    client = world.site("unit_a")

    client.post(_anonymous_url(world), {"count": "1"})
    response = client.post(_anonymous_url(world), {"count": "1"}, follow=True)

    soup = _soup(response)
    assert _count(soup) == 2
    assert soup.select_one("form.anonymous-form button[value='1']") is not None
    world.session.refresh_from_db()
    assert world.session.anonymous_turns == 2

    client.post(_anonymous_url(world), {"count": "-1"})
    world.session.refresh_from_db()
    assert world.session.anonymous_turns == 1


@pytest.mark.parametrize("count", ["", "5", "x"])
def test_plus_one_refuses_anything_but_one(world: World, count: str) -> None:
    response = world.site("unit_a").post(_anonymous_url(world), {"count": count}, follow=True)

    assert _soup(response).select_one(".messages .message-error") is not None
    world.session.refresh_from_db()
    assert world.session.anonymous_turns == 0


def test_taking_back_below_zero_says_why(world: World) -> None:
    response = world.site("unit_a").post(_anonymous_url(world), {"count": "-1"}, follow=True)

    assert _soup(response).select_one(".messages .message-error") is not None


def test_a_session_of_another_campaign_does_not_exist_here(world: World) -> None:
    url = reverse("outreach:session", args=[world.campaign_b.pk, world.session.pk])

    assert world.site("admin").get(url).status_code == 404


def test_session_mode_partial_answers_only_the_results(world: World) -> None:
    response = world.site("unit_a").get(_session_url(world), {"q": "hoa nguyen", "partial": "1"})

    soup = _soup(response)
    assert soup.select_one("html") is None
    assert len(soup.select(".person-list a.person-row")) == 1


def test_session_mode_search_reads_a_page_of_results_in_a_fixed_number_of_queries(
    world: World, django_assert_max_num_queries
) -> None:
    for n in range(20):
        ResidentFactory(village=world.resident.village, full_name=f"Lê Thị Hoa {n}")
    client = world.site("unit_a")
    client.get(_session_url(world), {"q": "le hoa"})

    # Request and scope (4), the session, the criteria, the ids found and their rows, their
    # achievements, their turns here, the user's unit, the running count, the tick to undo,
    # the navigation: 14 for a full page of results.
    with django_assert_max_num_queries(14):
        response = client.get(_session_url(world), {"q": "le hoa"})

    assert len(_soup(response).select(".person-list a.person-row")) == 10
    assert _soup(response).select_one("#search-results p.muted") is not None  # type more


def _status_url(world: World) -> str:
    return reverse("outreach:session_status", args=[world.campaign.pk, world.session.pk])


def test_a_planned_session_without_turns_can_be_cancelled_then_planned_again(
    world: World,
) -> None:
    client = world.site("unit_a")

    cancelled = client.post(_status_url(world), {"status": "cancelled"}, follow=True)
    world.session.refresh_from_db()
    assert world.session.status == SessionStatus.CANCELLED
    assert _soup(cancelled).select_one("form.session-status-form button[value=planned]")

    client.post(_status_url(world), {"status": "planned"})
    world.session.refresh_from_db()
    assert world.session.status == SessionStatus.PLANNED


def test_a_session_with_turns_cannot_be_cancelled_and_its_figures_stay_exact(
    world: World,
) -> None:
    client = world.site("unit_a")
    client.post(_turn_url(world), {"resident": world.resident.pk, "service": "guidance"})

    response = client.post(_status_url(world), {"status": "cancelled"}, follow=True)

    world.session.refresh_from_db()
    assert world.session.status == SessionStatus.HELD
    assert response.status_code == 200
    assert _soup(response).select_one(".message-error")
    assert tally_check(world.campaign) == []


@pytest.mark.parametrize("status", ["", "closed"])
def test_an_unknown_status_says_why_and_changes_nothing(world: World, status: str) -> None:
    response = world.site("unit_a").post(_status_url(world), {"status": status}, follow=True)

    world.session.refresh_from_db()
    assert world.session.status == SessionStatus.PLANNED
    assert _soup(response).select_one(".message-error")


def test_a_village_head_of_another_village_cannot_change_the_session(
    world: World, ea_yong: Place
) -> None:
    other = Place.objects.filter(parent=ea_yong).exclude(pk=world.session.place_id).first()
    head = User.objects.create_user("truong-thon-khac")
    role_grant(user=head, role=Role.VILLAGE_HEAD, place=other)
    client = world.site(None)
    client.force_login(head)

    response = client.post(_status_url(world), {"status": "cancelled"})

    assert response.status_code == 404
    world.session.refresh_from_db()
    assert world.session.status == SessionStatus.PLANNED


def _undo_url(world: World) -> str:
    return reverse("outreach:session_undo", args=[world.campaign.pk, world.session.pk])


def test_a_tick_can_be_undone_for_a_few_minutes_and_its_achievement_is_withdrawn(
    world: World,
) -> None:
    client = world.site("unit_a")
    client.post(_turn_url(world), {"resident": world.resident.pk, "criterion": "vneid_level2"})
    page = _soup(client.get(_session_url(world)))
    form = page.select_one("form.undo-form")
    turn = Turn.objects.get(session=world.session)
    assert form.select_one("input[name=turn]")["value"] == str(turn.pk)

    response = client.post(_undo_url(world), {"turn": turn.pk}, follow=True)

    assert "Nguyễn Thị Hoà" in _soup(response).select_one(".messages").get_text()
    assert not Turn.objects.filter(session=world.session).exists()
    achievement = Achievement.objects.get(resident=world.resident, criterion__code="vneid_level2")
    assert achievement.withdrawn_at is not None and achievement.withdrawal_reason == "ghi nhầm"
    assert AuditEvent.objects.filter(action="delete", object_type="outreach.turn").exists()
    assert _soup(client.get(_session_url(world))).select_one("form.undo-form") is None


def test_an_earlier_achievement_stays_when_its_tick_is_undone(world: World) -> None:
    client = world.site("unit_a")  # Hoà has had her bank account since 20/04/2023
    client.post(_turn_url(world), {"resident": world.resident.pk, "criterion": "bank_account"})
    turn = Turn.objects.get(session=world.session)

    world.achievement.refresh_from_db()
    assert world.achievement.achieved_on == world.session.date  # the tick dated it earlier

    client.post(_undo_url(world), {"turn": turn.pk})

    assert not Turn.objects.filter(pk=turn.pk).exists()
    world.achievement.refresh_from_db()
    assert world.achievement.withdrawn_at is None
    assert (world.achievement.achieved_on, world.achievement.session_id) == (
        dt.date(2023, 4, 20),
        None,
    )


def test_a_tick_is_undone_only_by_its_author_or_a_manager_and_only_for_ten_minutes(
    world: World,
) -> None:
    world.site("unit_a").post(
        _turn_url(world), {"resident": world.resident.pk, "criterion": "vneid_level2"}
    )
    turn = Turn.objects.get(session=world.session)
    assert world.site("head_a").post(_undo_url(world), {"turn": turn.pk}).status_code == 404
    assert Turn.objects.filter(pk=turn.pk).exists()

    Turn.objects.filter(pk=turn.pk).update(recorded_at=timezone.now() - dt.timedelta(minutes=11))
    late = world.site("manager_a").post(_undo_url(world), {"turn": turn.pk}, follow=True)
    assert "10" in _soup(late).select_one(".messages").get_text()
    assert Turn.objects.filter(pk=turn.pk).exists()


def test_the_card_lets_a_manager_or_its_recorder_withdraw_with_a_reason(world: World) -> None:
    card = reverse("people:card", args=[world.campaign.pk, world.resident.pk])
    url = reverse(
        "people:withdraw", args=[world.campaign.pk, world.resident.pk, world.achievement.pk]
    )
    assert _soup(world.site("unit_a").get(card)).select("details.withdraw") == []  # not theirs
    assert world.site("unit_a").post(url, {"reason": "nhầm"}).status_code == 404

    page = _soup(world.site("manager_a").get(card))
    assert page.select_one(f"details.withdraw form[action='{url}']") is not None
    blank = world.site("manager_a").post(url, {"reason": "  ..."})
    assert _soup(blank).select_one("details.withdraw[open] .errorlist") is not None
    done = world.site("manager_a").post(url, {"reason": "Ghi nhầm người"})
    assert done.status_code == 302
    world.achievement.refresh_from_db()
    assert world.achievement.withdrawal_reason == "Ghi nhầm người"


def _plus_one(world: World, who: str = "unit_a", **details: str):  # type: ignore[no-untyped-def]
    url = reverse("outreach:session_anonymous", args=[world.campaign.pk, world.session.pk])
    return world.site(who).post(url, {"count": "1", **details}, follow=True)


def test_plus_one_with_what_they_told_waits_for_a_manager_who_adds_them(world: World) -> None:
    _plus_one(world, full_name="trần văn mới", birth_year="1985", phone="0912 000 111")
    world.session.refresh_from_db()
    assert world.session.anonymous_turns == 1
    newcomer = Newcomer.objects.get(session=world.session)
    assert (newcomer.full_name, newcomer.birth_year) == ("Trần Văn Mới", 1985)
    assert "0912000111" not in newcomer.phone_encrypted  # sealed

    # the volunteer sees no queue; the commune's manager does
    assert _soup(world.site("unit_a").get(_session_url(world))).select(".newcomers") == []
    page = _soup(world.site("manager_a").get(_session_url(world)))
    (entry,) = page.select(".newcomer-list > li")
    assert "09******11" in entry.get_text()
    url = entry.select_one("form")["action"]

    done = world.site("manager_a").post(
        url, {"action": "add", "village": world.resident.village.pk, "full_name": "Trần Văn Mới"}
    )

    person = Resident.objects.get(name_key="tran van moi")
    assert done["Location"].endswith(f"?nguoi={person.pk}")
    assert (person.phone, person.birth_date.year, person.village) == (
        "0912000111",
        1985,
        world.resident.village,
    )
    newcomer.refresh_from_db()
    assert newcomer.resident == person and newcomer.settled_at is not None
    assert _soup(world.site("manager_a").get(_session_url(world))).select(".newcomers") == []


def test_plus_one_without_details_only_counts(world: World) -> None:
    _plus_one(world)
    assert not Newcomer.objects.exists()
    world.session.refresh_from_db()
    assert world.session.anonymous_turns == 1


def test_a_bad_phone_is_refused_and_nothing_is_counted(world: World) -> None:
    response = _plus_one(world, phone="0111 222 333")
    assert "0111" in _soup(response).select_one(".messages").get_text()
    world.session.refresh_from_db()
    assert world.session.anonymous_turns == 0
    assert not Newcomer.objects.exists()


def test_only_a_manager_of_the_commune_settles_a_newcomer(world: World) -> None:
    _plus_one(world, full_name="Trần Văn Mới")
    newcomer = Newcomer.objects.get()
    url = reverse(
        "outreach:session_newcomer", args=[world.campaign.pk, world.session.pk, newcomer.pk]
    )
    for who in ("unit_a", "head_a"):
        assert world.site(who).post(url, {"action": "dismiss"}).status_code == 404
    world.site("manager_a").post(url, {"action": "dismiss"})
    newcomer.refresh_from_db()
    assert newcomer.settled_at is not None and newcomer.resident is None
