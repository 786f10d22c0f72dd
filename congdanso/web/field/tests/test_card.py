"""Field mode: the person card (people:card), one-tap recording (campaigns:record), showing a
number in full (people:reveal) and fixing data issues (people:issue_fix)."""

import datetime as dt

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from congdanso.accounts.models import Role, User
from congdanso.accounts.services import role_grant
from congdanso.campaigns.models import Achievement
from congdanso.core.models import AuditAction, AuditEvent
from congdanso.core.tests.world import World
from congdanso.partners.models import UnitKind
from congdanso.partners.services import unit_get_or_create
from congdanso.people.models import DataIssue, IssueCode
from congdanso.vn import vietnam_today

pytestmark = pytest.mark.django_db


def _card_url(world: World, resident=None) -> str:  # type: ignore[no-untyped-def]
    resident = resident or world.resident
    return reverse("people:card", args=[world.campaign.pk, resident.pk])


def _record_url(world: World) -> str:
    return reverse("campaigns:record", args=[world.campaign.pk, world.resident.pk])


def _soup(response) -> BeautifulSoup:  # type: ignore[no-untyped-def]
    return BeautifulSoup(response.content, "html.parser")


def _achievements(world: World, code: str) -> list[Achievement]:
    return list(Achievement.objects.filter(resident=world.resident, criterion__code=code))


def test_the_card_shows_masked_details_and_a_done_button_per_criterion_not_done(
    world: World,
) -> None:
    response = world.site("unit_a").get(_card_url(world))

    assert response.status_code == 200
    soup = _soup(response)
    assert soup.h1.get_text(strip=True) == "Nguyễn Thị Hoà"
    facts = soup.select_one("dl.facts").get_text(" ", strip=True)
    assert "09******78" in facts
    assert "066******345" in facts
    assert "1990" in facts and "17/05/1990" not in facts  # a unit member sees the year only
    buttons = [b.get_text(strip=True) for b in soup.select("ul.criteria button.button-tick")]
    assert "VNeID mức 2 — xong" in buttons  # the criterion's short name
    assert len(buttons) == 5  # six criteria, the bank account done already
    done = soup.select_one("li.criterion-done").get_text(" ", strip=True)
    assert "20/04/2023" in done
    assert soup.select("script:not([src])") == []
    assert soup.select("[style]") == []
    assert soup.select("[onclick]") == []


def test_the_button_says_done_in_english(world: World) -> None:
    client = world.site("unit_a")
    client.cookies["django_language"] = "en"

    soup = _soup(client.get(_card_url(world), HTTP_ACCEPT_LANGUAGE="en"))

    buttons = [b.get_text(strip=True) for b in soup.select("ul.criteria button.button-tick")]
    assert "VNeID level 2 — done" in buttons


def test_a_manager_sees_the_birth_date_and_a_reveal_form(world: World) -> None:
    soup = _soup(world.site("manager_a").get(_card_url(world)))

    assert "17/05/1990" in soup.select_one("dl.facts").get_text(" ", strip=True)
    assert soup.select_one(
        f"form[action='{reverse('people:reveal', args=[world.campaign.pk, world.resident.pk])}']"
    )


def test_a_resident_of_another_commune_has_no_card(world: World) -> None:
    response = world.site("manager_a").get(_card_url(world, world.resident_b))

    assert response.status_code == 404
    assert "Y Hoà Niê" not in response.content.decode()


@pytest.mark.parametrize("who", ["viewer_a", "manager_b"])
def test_the_card_does_not_exist_for_viewers_and_other_communes(world: World, who: str) -> None:
    assert world.site(who).get(_card_url(world)).status_code == 404


def test_one_tap_records_exactly_one_achievement_today_and_a_second_tap_adds_nothing(
    world: World,
) -> None:
    client = world.site("unit_a")

    first = client.post(_record_url(world), {"criterion": "vneid_level2"})
    second = client.post(_record_url(world), {"criterion": "vneid_level2"})

    assert first.status_code == 302 and first["Location"] == _card_url(world)
    assert second.status_code == 302
    recorded = _achievements(world, "vneid_level2")
    assert len(recorded) == 1
    assert recorded[0].achieved_on == vietnam_today()
    assert recorded[0].unit == world.unit  # the unit member's unit, which has a pledge
    assert recorded[0].recorded_by == world.users["unit_a"]
    page = _soup(client.get(_card_url(world)))
    assert "Nguyễn Thị Hoà" in page.select_one(".messages").get_text()
    assert "vneid_level2" not in [
        i["value"] for i in page.select("ul.criteria input[name=criterion]")
    ]


def test_the_details_chooser_records_another_date_unit_and_session(world: World) -> None:
    response = world.site("manager_a").post(
        _record_url(world),
        {
            "criterion": "ehealth_book",
            "achieved_on": "13/04/2023",
            "unit": str(world.unit.pk),
            "session": str(world.session.pk),
        },
    )

    assert response.status_code == 302
    (recorded,) = _achievements(world, "ehealth_book")
    assert recorded.achieved_on == dt.date(2023, 4, 13)
    assert recorded.unit == world.unit
    assert recorded.session == world.session


def test_a_session_without_a_date_dates_the_achievement_on_the_session_day(world: World) -> None:
    world.site("manager_a").post(
        _record_url(world), {"criterion": "ehealth_book", "session": str(world.session.pk)}
    )

    assert _achievements(world, "ehealth_book")[0].achieved_on == world.session.date


def test_a_date_before_birth_shows_a_vietnamese_error_next_to_the_date_and_writes_nothing(
    world: World,
) -> None:
    events = AuditEvent.objects.count()

    response = world.site("unit_a").post(
        _record_url(world), {"criterion": "vneid_level2", "achieved_on": "1980-01-01"}
    )

    assert response.status_code == 200
    soup = _soup(response)
    assert soup.select_one("details.field-details[open]") is not None
    error = soup.select_one("#id_achieved_on").find_previous("ul", class_="errorlist")
    assert error.get_text(strip=True) == "Ngày 01/01/1980 là trước ngày sinh của Nguyễn Thị Hoà."
    assert _achievements(world, "vneid_level2") == []
    assert AuditEvent.objects.count() == events
    # The chooser comes back whole, to be used at once (the post named no unit or session).
    units = [o["value"] for o in soup.select("select[name=unit] option")]
    sessions = [o["value"] for o in soup.select("select[name=session] option")]
    assert str(world.unit.pk) in units and str(world.session.pk) in sessions
    assert soup.select_one("select[name=unit] option[selected]")["value"] == ""


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"criterion": "vneid_level2", "achieved_on": "31/02/2023"}, "achieved_on"),
        ({"criterion": "vneid_level2", "achieved_on": "2999-01-01"}, "achieved_on"),
        ({"criterion": "no_such_thing"}, "criterion"),
        ({"criterion": "vneid_level2", "unit": "999999"}, "unit"),
        ({"criterion": "vneid_level2", "session": "abc"}, "session"),
        ({}, "criterion"),
    ],
)
def test_bad_input_comes_back_next_to_its_field_and_writes_nothing(
    world: World, data: dict[str, str], field: str
) -> None:
    response = world.site("manager_a").post(_record_url(world), data)

    assert response.status_code == 200
    soup = _soup(response)
    assert soup.select_one(f"#id_{field}").find_previous("ul", class_="errorlist") is not None
    assert (
        not Achievement.objects.filter(resident=world.resident)
        .exclude(pk=world.achievement.pk)
        .exists()
    )


def test_a_unit_member_without_a_pledge_cannot_record(world: World, ea_yong) -> None:  # type: ignore[no-untyped-def]
    youth, _ = unit_get_or_create(
        place=ea_yong, name="Đoàn Thanh niên xã", kind=UnitKind.YOUTH_UNION
    )
    member = User.objects.create_user("youth")
    role_grant(user=member, role=Role.UNIT_MEMBER, place=ea_yong, unit=youth)
    client = world.site(None)
    client.force_login(member)

    card = _soup(client.get(_card_url(world)))
    response = client.post(_record_url(world), {"criterion": "vneid_level2"})

    assert card.select("button.button-tick") == []  # they see the card, without buttons
    assert response.status_code == 404
    assert _achievements(world, "vneid_level2") == []


def test_a_get_of_the_record_address_goes_to_the_card(world: World) -> None:
    response = world.site("head_a").get(_record_url(world))

    assert response.status_code == 302
    assert response["Location"] == _card_url(world)


def test_after_recording_it_goes_back_to_a_safe_next_page_only(world: World) -> None:
    client = world.site("unit_a")
    session_url = reverse("outreach:session", args=[world.campaign.pk, world.session.pk])

    back = client.post(_record_url(world), {"criterion": "vneid_level2", "next": session_url})
    away = client.post(
        _record_url(world), {"criterion": "ehealth_book", "next": "https://evil.example/"}
    )

    assert back["Location"] == session_url
    assert away["Location"] == _card_url(world)


def test_the_card_opened_from_a_session_passes_the_session_back(world: World) -> None:
    session_url = reverse("outreach:session", args=[world.campaign.pk, world.session.pk])

    soup = _soup(world.site("unit_a").get(_card_url(world), {"next": session_url}))

    assert soup.select_one(".back-link a")["href"] == session_url
    nexts = {i["value"] for i in soup.select("ul.criteria input[name=next]")}
    assert nexts == {session_url}


def test_recording_from_the_card_stays_within_a_few_queries(
    world: World, django_assert_max_num_queries
) -> None:
    client = world.site("unit_a")
    client.get(_card_url(world))

    # Request and scope (6), the unit and the criteria (2), then the service: its lock, the
    # tallies before and after, the insert, the audit row (11; one more row lock on
    # PostgreSQL). No list of units or sessions for a one-tap button.
    with django_assert_max_num_queries(20):
        response = client.post(_record_url(world), {"criterion": "vneid_level2"})

    assert response.status_code == 302


# Showing a number in full.


def _reveal_url(world: World) -> str:
    return reverse("people:reveal", args=[world.campaign.pk, world.resident.pk])


def test_a_manager_shows_the_phone_in_full_with_a_reason_and_it_is_audited(world: World) -> None:
    response = world.site("manager_a").post(
        _reveal_url(world), {"field": "phone", "reason": "Gọi hẹn lịch hỗ trợ"}
    )

    assert response.status_code == 200
    assert _soup(response).select_one("strong.revealed").get_text() == "0912345678"
    event = AuditEvent.objects.filter(action=AuditAction.REVEAL).get()
    assert event.reason == "Gọi hẹn lịch hỗ trợ"
    assert event.changes == {"field": "phone"}


def test_showing_a_number_needs_a_reason(world: World) -> None:
    response = world.site("manager_a").post(_reveal_url(world), {"field": "cccd", "reason": " "})

    soup = _soup(response)
    assert soup.select_one("#id_reason").find_previous("ul", class_="errorlist") is not None
    assert soup.select_one("strong.revealed") is None
    assert not AuditEvent.objects.filter(action=AuditAction.REVEAL).exists()


def test_a_unit_member_cannot_show_a_number(world: World) -> None:
    response = world.site("unit_a").post(_reveal_url(world), {"field": "phone", "reason": "x"})

    assert response.status_code == 404
    assert "0912345678" not in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.REVEAL).exists()


# Data issues.


@pytest.fixture
def phone_issue(world: World) -> DataIssue:
    issue = DataIssue(
        commune=world.resident.commune,
        resident=world.resident,
        code=IssueCode.PHONE_INVALID,
        field="phone",
        detail="Số điện thoại không hợp lệ",
    )
    issue.original = "091234"
    issue.save()
    return issue


def _fix_url(world: World, issue: DataIssue) -> str:
    return reverse("people:issue_fix", args=[world.campaign.pk, world.resident.pk, issue.pk])


def test_open_issues_are_listed_with_a_fix_form_for_managers_only(
    world: World, phone_issue: DataIssue
) -> None:
    manager = _soup(world.site("manager_a").get(_card_url(world)))
    member = _soup(world.site("unit_a").get(_card_url(world)))

    assert len(manager.select("ul.issues > li")) == 1
    assert manager.select_one(f"form[action='{_fix_url(world, phone_issue)}']") is not None
    assert len(member.select("ul.issues > li")) == 1
    assert member.select_one(f"form[action='{_fix_url(world, phone_issue)}']") is None


def test_a_manager_corrects_the_phone_and_the_issue_is_resolved(
    world: World, phone_issue: DataIssue
) -> None:
    prefix = f"issue-{phone_issue.pk}"
    response = world.site("manager_a").post(
        _fix_url(world, phone_issue),
        {
            f"{prefix}-value": "0987 654 321",
            f"{prefix}-reason": "Hỏi lại chị",
            f"{prefix}-action": "fix",
        },
    )

    assert response.status_code == 302
    world.resident.refresh_from_db()
    phone_issue.refresh_from_db()
    assert world.resident.phone == "0987654321"
    assert phone_issue.resolved_at is not None
    assert phone_issue.resolved_by == world.users["manager_a"]


def test_a_wrong_correction_shows_the_parser_error_and_changes_nothing(
    world: World, phone_issue: DataIssue
) -> None:
    prefix = f"issue-{phone_issue.pk}"
    response = world.site("manager_a").post(
        _fix_url(world, phone_issue),
        {f"{prefix}-value": "12345", f"{prefix}-reason": "Hỏi lại", f"{prefix}-action": "fix"},
    )

    assert response.status_code == 200
    field = _soup(response).select_one(f"#id_{prefix}-value")
    assert field.find_previous("ul", class_="errorlist") is not None
    world.resident.refresh_from_db()
    phone_issue.refresh_from_db()
    assert world.resident.phone == "0912345678"
    assert phone_issue.resolved_at is None


def test_an_issue_can_be_closed_as_it_is_with_a_reason(
    world: World, phone_issue: DataIssue
) -> None:
    prefix = f"issue-{phone_issue.pk}"
    client = world.site("manager_a")

    response = client.post(
        _fix_url(world, phone_issue),
        {f"{prefix}-reason": "Đã kiểm tra", f"{prefix}-action": "close"},
    )

    assert response.status_code == 302
    phone_issue.refresh_from_db()
    assert phone_issue.resolved_at is not None
    assert world.resident.phone == "0912345678"
    assert _soup(client.get(_card_url(world))).select("ul.issues > li") == []


def test_a_unit_member_cannot_fix_an_issue(world: World, phone_issue: DataIssue) -> None:
    prefix = f"issue-{phone_issue.pk}"
    response = world.site("unit_a").post(
        _fix_url(world, phone_issue), {f"{prefix}-reason": "x", f"{prefix}-action": "close"}
    )

    assert response.status_code == 404
    phone_issue.refresh_from_db()
    assert phone_issue.resolved_at is None
