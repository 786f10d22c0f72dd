"""The campaign set-up pages, through the browser's eyes: parsed HTML, a real database, the
services underneath — and for every refusal, the message next to the field and nothing
written."""

import datetime as dt
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup, Tag
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext

from congdanso.accounts.models import User
from congdanso.campaigns.achievements import achievement_record
from congdanso.campaigns.models import Campaign, CampaignCriterion, Criterion
from congdanso.core.models import AuditEvent
from congdanso.core.tests import world as world_fixture
from congdanso.core.tests.world import World
from congdanso.outreach.models import SupportSession
from congdanso.outreach.session_days import schedule_days
from congdanso.partners.models import Donation, DonationItem, Pledge, Twinning, Unit, UnitKind
from congdanso.partners.services import donation_create, twinning_get_or_create
from congdanso.people.tests.factories import ResidentFactory
from congdanso.places.models import Place
from congdanso.progress.indicators import campaign_indicators
from congdanso.progress.tallies import tally_check
from congdanso.web.setup.fields import whole_number_parse

pytestmark = pytest.mark.django_db
world = world_fixture.world  # the fixture, under its name


# --- helpers --------------------------------------------------------------------------------


def _soup(response) -> BeautifulSoup:  # type: ignore[no-untyped-def]
    return BeautifulSoup(response.content.decode(), "html.parser")


def _field_errors(soup: BeautifulSoup, name: str) -> list[str]:
    """The error messages shown with the field of that name (in its own block of the form,
    or its table cell)."""
    field = soup.find(attrs={"name": name})
    assert isinstance(field, Tag), name
    for parent in field.parents:
        if parent.name == "td" or (parent.name == "div" and parent.parent.name == "form"):
            return [li.get_text(strip=True) for li in parent.select("ul.errorlist li")]
    raise AssertionError(name)


def _form_errors(soup: BeautifulSoup) -> list[str]:
    return [li.get_text(strip=True) for li in soup.select("ul.errorlist.nonfield li")]


def _messages(soup: BeautifulSoup) -> list[str]:
    return [li.get_text(strip=True) for li in soup.select("ul.messages li")]


def _audit_count() -> int:
    return AuditEvent.objects.count()


def _village(world: World, name: str) -> Place:
    return Place.objects.get(parent=world.campaign.place, name=name)


def _targets(campaign: Campaign, **changes: str) -> dict[str, str]:
    data = {
        "name": campaign.name,
        "start_date": campaign.start_date.isoformat(),
        "end_date": campaign.end_date.isoformat(),
        "target_exemplary": str(campaign.target_exemplary),
        "cohort_min_age": str(campaign.cohort_min_age),
        "cohort_max_age": str(campaign.cohort_max_age),
        "cohort_percent": "50",
    }
    return data | changes


@pytest.fixture
def manager(world: World) -> Client:
    return world.site("manager_a")


# --- numbers typed the Vietnamese way (no database) -----------------------------------------


@pytest.mark.django_db(databases=[])
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4.000.000", 4_000_000),
        ("4000000", 4_000_000),
        ("4,000,000", 4_000_000),
        ("4 000 000", 4_000_000),
        ("4.000.000 đ", 4_000_000),
        ("4.000.000đ", 4_000_000),
        ("2.500.000 đồng", 2_500_000),
        ("2500000 VND", 2_500_000),
        (" 1.000 ", 1_000),
        ("0", 0),
        ("4,5", None),
        ("4.5", None),
        ("4.00.000", None),
        ("4.000,000", None),
        ("-4000", None),
        ("+4000", None),
        ("4e6", None),
        ("bốn triệu", None),
        ("", None),
        ("٤٠٠", None),  # digits of another script are not typed by a commune secretary
    ],
)
def test_whole_numbers_are_read_with_or_without_thousands_separators(
    text: str, expected: int | None
) -> None:
    assert whole_number_parse(text) == expected


# --- overview and access --------------------------------------------------------------------


def test_the_overview_links_every_section(manager: Client, world: World) -> None:
    response = manager.get(reverse("campaigns:setup", args=[world.campaign.pk]))

    assert response.status_code == 200
    soup = _soup(response)
    links = {a["href"] for a in soup.select(".setup-sections a")}
    for name in ("setup_targets", "setup_units", "setup_twinnings", "setup_donations"):
        assert reverse(f"campaigns:{name}", args=[world.campaign.pk]) in links
    assert reverse("campaigns:setup_schedule", args=[world.campaign.pk]) in links
    current = soup.select_one('.site-nav a[aria-current="page"]')
    assert current is not None
    assert current["href"] == reverse("campaigns:setup", args=[world.campaign.pk])
    assert soup.find(attrs={"style": True}) is None
    assert not [s for s in soup.find_all("script") if not s.get("src")]


@pytest.mark.parametrize("who", ["manager_b", "unit_a", "head_a", "viewer_a"])
def test_no_one_but_the_campaign_managers_sees_or_changes_the_set_up(
    world: World, who: str
) -> None:
    client = world.site(who)
    campaign = world.campaign
    before = _audit_count()

    pages = [
        reverse(f"campaigns:{name}", args=[campaign.pk])
        for name in ("setup", "setup_targets", "setup_units", "setup_donations", "setup_schedule")
    ]
    for url in pages:
        assert client.get(url).status_code == 404, url
    posted = client.post(
        reverse("campaigns:setup_targets", args=[campaign.pk]),
        _targets(campaign, target_exemplary="5"),
    )
    unit = client.post(
        reverse("campaigns:setup_units", args=[campaign.pk]),
        {"name": "Đoàn Thanh niên", "kind": UnitKind.YOUTH_UNION, "place": campaign.place_id},
    )

    assert posted.status_code == unit.status_code == 404
    campaign.refresh_from_db()
    assert campaign.target_exemplary == 1000
    assert not Unit.objects.filter(name="Đoàn Thanh niên").exists()
    assert _audit_count() == before


# --- targets, period and criteria -----------------------------------------------------------


def test_editing_the_targets_and_period_keeps_every_figure_exact(
    manager: Client, world: World
) -> None:
    campaign = world.campaign
    vneid = Criterion.objects.get(code="vneid_level2")
    young = ResidentFactory(village=world.resident.village, birth_date=dt.date(2006, 3, 1))
    achievement_record(resident=young, criterion=vneid, achieved_on=dt.date(2023, 5, 2))

    response = manager.post(
        reverse("campaigns:setup_targets", args=[campaign.pk]),
        _targets(
            campaign,
            start_date="12/04/2023",
            end_date="2024-06-30",
            target_exemplary="1.200",
            cohort_min_age="18",
            cohort_max_age="45",
            cohort_percent="52,5",
        ),
        follow=True,
    )

    assert response.status_code == 200
    assert _messages(_soup(response)) == [gettext("The targets and the period are saved.")]
    campaign.refresh_from_db()
    assert (campaign.end_date, campaign.target_exemplary) == (dt.date(2024, 6, 30), 1200)
    assert (campaign.cohort_min_age, campaign.cohort_max_age) == (18, 45)
    assert campaign.cohort_target == Decimal("0.525")
    assert tally_check(campaign) == []
    event = AuditEvent.objects.filter(object_type="campaigns.campaign", action="update").get()
    assert event.changes["target_exemplary"] == [1000, 1200]
    form = _soup(manager.get(reverse("campaigns:setup_targets", args=[campaign.pk])))
    assert form.find("input", attrs={"name": "target_exemplary"})["value"] == "1.200"
    assert form.find("input", attrs={"name": "cohort_percent"})["value"] == "52,5"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"end_date": "2023-04-01"},
            "end_date",
            "The end date must be on or after the start date.",
        ),
        ({"end_date": "31/13/2023"}, "end_date", "Write the date as dd/mm/yyyy, e.g. 12/04/2023."),
        ({"target_exemplary": "1,5"}, "target_exemplary", "Write a whole number, e.g. 1.000."),
        ({"target_exemplary": "0"}, "target_exemplary", "The number must be %(min)s or more."),
        (
            {"cohort_max_age": "12"},
            "cohort_max_age",
            "The oldest age must not be below the youngest.",
        ),
        ({"cohort_min_age": "abc"}, "cohort_min_age", "Write an age between 0 and 130."),
        (
            {"cohort_percent": "150"},
            "cohort_percent",
            "Write a percentage above 0 and at most 100, e.g. 50.",
        ),
    ],
)
def test_bad_targets_are_shown_next_to_their_field_and_nothing_is_written(
    manager: Client, world: World, changes: dict[str, str], field: str, message: str
) -> None:
    campaign = world.campaign
    before = _audit_count()

    response = manager.post(
        reverse("campaigns:setup_targets", args=[campaign.pk]), _targets(campaign, **changes)
    )

    assert response.status_code == 200
    assert _field_errors(_soup(response), field) == [
        gettext(message) % {"min": 1} if "%(min)s" in gettext(message) else gettext(message)
    ]
    saved = Campaign.objects.get(pk=campaign.pk)
    assert (saved.end_date, saved.target_exemplary, saved.cohort_max_age) == (
        campaign.end_date,
        1000,
        50,
    )
    assert _audit_count() == before


def test_a_shorter_period_that_strands_a_session_is_refused(manager: Client, world: World) -> None:
    campaign = world.campaign  # its session is on 13/04/2023

    response = manager.post(
        reverse("campaigns:setup_targets", args=[campaign.pk]),
        _targets(campaign, start_date="2023-05-01"),
    )

    errors = _field_errors(_soup(response), "start_date")
    assert len(errors) == 1 and "13/04/2023" in errors[0]
    campaign.refresh_from_db()
    assert campaign.start_date == dt.date(2023, 4, 12)


def _criteria_post(campaign: Campaign, rows: dict[str, tuple[bool, bool, int]]) -> dict[str, str]:
    data: dict[str, str] = {}
    for criterion in Criterion.objects.all():
        track, exemplary, position = rows.get(criterion.code, (False, False, 0))
        if track:
            data[f"track_{criterion.pk}"] = "on"
        if exemplary:
            data[f"exemplary_{criterion.pk}"] = "on"
        data[f"position_{criterion.pk}"] = str(position) if position else ""
    return data


def test_choosing_reordering_and_marking_criteria(manager: Client, world: World) -> None:
    campaign = world.campaign
    data = _criteria_post(
        campaign,
        {
            "bank_account": (True, True, 1),
            "vneid_level2": (True, True, 2),
            "public_service_account": (True, False, 3),
        },
    )

    response = manager.post(
        reverse("campaigns:setup_criteria", args=[campaign.pk]), data, follow=True
    )

    assert _messages(_soup(response)) == [gettext("The criteria are saved.")]
    rules = list(
        CampaignCriterion.objects.filter(campaign=campaign)
        .order_by("position")
        .values_list("criterion__code", "is_exemplary")
    )
    assert rules == [
        ("bank_account", True),
        ("vneid_level2", True),
        ("public_service_account", False),
    ]
    assert tally_check(campaign) == []


def test_criteria_without_an_exemplary_one_are_refused(manager: Client, world: World) -> None:
    campaign = world.campaign
    before = list(CampaignCriterion.objects.filter(campaign=campaign).values_list("pk", flat=True))
    sim = Criterion.objects.get(code="sim_standardized")
    data = _criteria_post(campaign, {"vneid_level2": (True, False, 1)})
    data[f"exemplary_{sim.pk}"] = "on"  # exemplary but not tracked

    response = manager.post(reverse("campaigns:setup_criteria", args=[campaign.pk]), data)

    soup = _soup(response)
    assert _form_errors(soup) == [
        gettext("Choose at least one criterion that makes a citizen exemplary.")
    ]
    assert _field_errors(soup, f"exemplary_{sim.pk}") == [
        gettext("Only a tracked criterion can make a citizen exemplary.")
    ]
    after = list(CampaignCriterion.objects.filter(campaign=campaign).values_list("pk", flat=True))
    assert after == before


def test_a_campaign_adds_a_criterion_of_its_own(manager: Client, world: World) -> None:
    campaign = world.campaign

    manager.post(
        reverse("campaigns:setup_criterion_add", args=[campaign.pk]),
        {"new-code": "zalo_account", "new-name": "Tài khoản Zalo", "new-exemplary": "on"},
    )
    again = manager.post(
        reverse("campaigns:setup_criterion_add", args=[campaign.pk]),
        {"new-code": "zalo_account", "new-name": "Tài khoản Zalo"},
    )

    last = CampaignCriterion.objects.filter(campaign=campaign).order_by("position").last()
    assert last is not None
    assert (last.criterion.code, last.is_exemplary) == ("zalo_account", True)
    assert len(_field_errors(_soup(again), "new-code")) == 1
    assert Criterion.objects.filter(code="zalo_account").count() == 1
    assert tally_check(campaign) == []


# --- units and pledges ----------------------------------------------------------------------


def test_adding_a_unit_then_its_pledge(manager: Client, world: World) -> None:
    campaign = world.campaign
    cao_bang, ghamah = _village(world, "Thôn Cao Bằng"), _village(world, "Buôn Ghamah")

    added = manager.post(
        reverse("campaigns:setup_units", args=[campaign.pk]),
        {"name": "Đoàn Thanh niên xã", "kind": UnitKind.YOUTH_UNION, "place": campaign.place_id},
    )
    unit = Unit.objects.get(name="Đoàn Thanh niên xã")
    assert added["Location"] == reverse("campaigns:setup_pledge", args=[campaign.pk, unit.pk])
    manager.post(
        added["Location"],
        {
            "signed_on": "12/04/2023",
            "deadline": "30/09/2023",
            "target_people": "1.000",
            "target_sessions": "20",
            "target_achievements": "",
            "villages": [cao_bang.pk, ghamah.pk],
            "note": "",
        },
    )

    pledge = Pledge.objects.get(unit=unit, campaign=campaign)
    # a pledge is the unit's target: by its deadline, in its villages
    assert pledge.deadline == dt.date(2023, 9, 30)
    (row,) = [u for u in campaign_indicators(campaign).units if u.unit_id == unit.pk]
    assert (row.deadline, row.villages) == (dt.date(2023, 9, 30), ("Buôn Ghamah", "Thôn Cao Bằng"))
    assert (pledge.target_people, pledge.target_sessions, pledge.target_achievements) == (
        1000,
        20,
        None,
    )
    assert set(pledge.villages.all()) == {cao_bang, ghamah}
    listing = _soup(manager.get(reverse("campaigns:setup_units", args=[campaign.pk])))
    row = next(tr for tr in listing.select("tbody tr") if "Đoàn Thanh niên xã" in tr.get_text())
    assert "Thôn Cao Bằng" in row.get_text()


def test_a_pledge_with_a_bad_target_is_refused(manager: Client, world: World) -> None:
    campaign, unit = world.campaign, world.unit

    response = manager.post(
        reverse("campaigns:setup_pledge", args=[campaign.pk, unit.pk]),
        {"target_people": "ba trăm", "villages": ["999999"]},
    )

    soup = _soup(response)
    assert _field_errors(soup, "target_people") == [gettext("Write a whole number, e.g. 1.000.")]
    assert len(_field_errors(soup, "villages")) == 1
    assert Pledge.objects.get(unit=unit, campaign=campaign).target_people == 300


def test_removing_a_pledge(manager: Client, world: World) -> None:
    campaign, unit = world.campaign, world.unit

    response = manager.post(reverse("campaigns:setup_pledge_delete", args=[campaign.pk, unit.pk]))

    assert response.status_code == 302
    assert not Pledge.objects.filter(unit=unit, campaign=campaign).exists()
    assert AuditEvent.objects.filter(object_type="partners.pledge", action="delete").exists()


def test_a_unit_of_another_commune_has_no_pledge_page(manager: Client, world: World) -> None:
    other = Unit.objects.create(
        place=world.campaign_b.place, name="Công an xã Ea Phê", name_key="cong an xa ea phe",
        kind=UnitKind.POLICE,
    )  # fmt: skip

    response = manager.get(reverse("campaigns:setup_pledge", args=[world.campaign.pk, other.pk]))

    assert response.status_code == 404


# --- twinnings ------------------------------------------------------------------------------


def test_twinning_a_unit_with_a_village_and_removing_it(manager: Client, world: World) -> None:
    campaign, ghamah = world.campaign, _village(world, "Buôn Ghamah")

    manager.post(
        reverse("campaigns:setup_twinnings", args=[campaign.pk]),
        {"unit": world.unit.pk, "village": ghamah.pk, "since": "2023-04-12", "note": ""},
    )
    twinning = Twinning.objects.get(unit=world.unit, village=ghamah)
    listed = _soup(manager.get(reverse("campaigns:setup_twinnings", args=[campaign.pk])))
    manager.post(reverse("campaigns:setup_twinning_delete", args=[campaign.pk, twinning.pk]))

    assert twinning.since == dt.date(2023, 4, 12)
    assert "Buôn Ghamah" in listed.select_one("tbody").get_text()
    assert not Twinning.objects.filter(pk=twinning.pk).exists()


def test_a_twinning_with_a_village_of_another_commune_is_refused(
    manager: Client, world: World
) -> None:
    response = manager.post(
        reverse("campaigns:setup_twinnings", args=[world.campaign.pk]),
        {"unit": world.unit.pk, "village": world.resident_b.village_id},
    )

    assert len(_field_errors(_soup(response), "village")) == 1
    assert not Twinning.objects.exists()


def test_a_twinning_of_another_commune_cannot_be_removed(manager: Client, world: World) -> None:
    theirs = twinning_get_or_create(unit=world.unit, village=world.resident_b.village)[0]

    response = manager.post(
        reverse("campaigns:setup_twinning_delete", args=[world.campaign.pk, theirs.pk])
    )

    assert response.status_code == 404
    assert Twinning.objects.filter(pk=theirs.pk).exists()


# --- donations ------------------------------------------------------------------------------


def _donation_data(world: World, **changes: object) -> dict[str, object]:
    party, _ = Unit.objects.get_or_create(
        place=world.campaign.place.parent,
        name_key="huyen uy krong pac",
        defaults={"name": "Huyện ủy Krông Pắc", "kind": UnitKind.PARTY_OFFICE},
    )
    data: dict[str, object] = {
        "village": _village(world, "Thôn Cao Bằng").pk,
        "donor_units": [party.pk],
        "donor_villages": [_village(world, "Thôn Tân Lập").pk],
        "item": DonationItem.INTERNET_LINE,
        "description": "",
        "site": "Nhà văn hóa",
        "value_vnd": "4.000.000",
        "given_on": "12/04/2023",
        "note": "",
    }
    return data | changes


def test_a_donation_typed_with_dots_is_saved_and_listed(manager: Client, world: World) -> None:
    campaign = world.campaign

    response = manager.post(
        reverse("campaigns:setup_donations", args=[campaign.pk]),
        _donation_data(world),
        follow=True,
    )

    donation = Donation.objects.get(campaign=campaign)
    assert (donation.value_vnd, donation.given_on) == (4_000_000, dt.date(2023, 4, 12))
    assert [v.name for v in donation.donor_villages.all()] == ["Thôn Tân Lập"]
    assert [u.name for u in donation.donor_units.all()] == ["Huyện ủy Krông Pắc"]
    soup = _soup(response)
    assert _messages(soup) == [gettext("The donation is saved.")]
    assert soup.select_one("tbody td.setup-number").get_text(strip=True) == "4.000.000 đ"


@pytest.mark.parametrize("value", ["4,5", "-4000000", "0", "bốn triệu", "4.00.000", ""])
def test_a_donation_value_must_be_a_whole_positive_number(
    manager: Client, world: World, value: str
) -> None:
    before = _audit_count()

    response = manager.post(
        reverse("campaigns:setup_donations", args=[world.campaign.pk]),
        _donation_data(world, value_vnd=value),
    )

    assert response.status_code == 200
    expected = (
        gettext("This field is required.")
        if not value
        else gettext("Write the value in đồng as a whole positive number, e.g. 4.000.000.")
    )
    assert _field_errors(_soup(response), "value_vnd") == [expected]
    assert not Donation.objects.exists()
    assert _audit_count() == before


def test_a_donation_needs_a_donor(manager: Client, world: World) -> None:
    response = manager.post(
        reverse("campaigns:setup_donations", args=[world.campaign.pk]),
        _donation_data(world, donor_units=[], donor_villages=[]),
    )

    assert _field_errors(_soup(response), "donor_units") == [
        gettext("Choose at least one donor: a unit or a village.")
    ]
    assert not Donation.objects.exists()


def test_editing_and_removing_a_donation(manager: Client, world: World) -> None:
    campaign = world.campaign
    donation = donation_create(
        campaign=campaign,
        village=_village(world, "Buôn Ghamah"),
        item=DonationItem.INTERNET_LINE,
        given_on=dt.date(2023, 4, 12),
        value_vnd=2_000_000,
        donor_units=[world.unit],
    )
    url = reverse("campaigns:setup_donation", args=[campaign.pk, donation.pk])
    form = _soup(manager.get(url))
    assert form.find("input", attrs={"name": "value_vnd"})["value"] == "2.000.000"

    manager.post(
        url,
        _donation_data(
            world, village=_village(world, "Buôn Ghamah").pk, value_vnd="2500000", donor_villages=[]
        ),
    )
    donation.refresh_from_db()
    assert donation.value_vnd == 2_500_000
    manager.post(reverse("campaigns:setup_donation_delete", args=[campaign.pk, donation.pk]))

    assert not Donation.objects.filter(pk=donation.pk).exists()
    actions = list(
        AuditEvent.objects.filter(object_type="partners.donation")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "update", "delete"]


def test_a_donation_of_another_campaign_is_not_found(manager: Client, world: World) -> None:
    theirs = donation_create(
        campaign=world.campaign_b,
        village=world.resident_b.village,
        item=DonationItem.DEVICE,
        given_on=dt.date(2023, 5, 1),
        value_vnd=1_000_000,
        donor_units=[world.unit],
    )

    edit = manager.get(reverse("campaigns:setup_donation", args=[world.campaign.pk, theirs.pk]))
    delete = manager.post(
        reverse("campaigns:setup_donation_delete", args=[world.campaign.pk, theirs.pk])
    )

    assert edit.status_code == delete.status_code == 404
    assert Donation.objects.filter(pk=theirs.pk).exists()


# --- schedule -------------------------------------------------------------------------------


PROPOSE = {
    "date_from": "2023-08-31",
    "date_to": "2023-09-08",
    "weekdays": ["3", "4"],
    "per_day": "1",
    "starts_at": "07:30",
    "ends_at": "11:00",
}


def _rows_post(soup: BeautifulSoup) -> dict[str, object]:
    """What the browser sends back for the proposal form as shown."""
    form = soup.find("form", attrs={"method": "post", "class": "setup-form"})
    assert isinstance(form, Tag)
    data: dict[str, object] = {}
    for field in form.find_all(["input", "select"]):
        name = field.get("name")
        if not name:
            continue
        if field.name == "select":
            chosen = [o["value"] for o in field.find_all("option") if o.has_attr("selected")]
            data[name] = chosen if field.has_attr("multiple") else (chosen or [""])[0]
        elif field.get("type") == "checkbox":
            if field.has_attr("checked"):
                data[name] = field.get("value", "on")
        else:
            data[name] = field.get("value", "")
    return data


def test_schedule_propose_edit_then_save_creates_exactly_those_sessions(
    manager: Client, world: World
) -> None:
    campaign = world.campaign
    url = reverse("campaigns:setup_schedule", args=[campaign.pk])
    days = schedule_days(
        campaign=campaign,
        weekdays=[3, 4],
        date_from=dt.date(2023, 8, 31),
        date_to=dt.date(2023, 9, 8),
    )
    assert dt.date(2023, 9, 1) in days.holidays_skipped  # Quốc khánh

    params = PROPOSE | {"units": [str(world.unit.pk)]}
    proposal = _soup(manager.get(url, params))
    data = _rows_post(proposal)
    assert data["row-TOTAL_FORMS"] == str(len(days.days)) == "3"
    assert [data[f"row-{n}-date"] for n in range(3)] == [d.isoformat() for d in days.days]
    assert "01/09/2023" in proposal.select_one(".setup-holidays").get_text()
    tan_tien = _village(world, "Thôn Tân Tiến")
    data["row-0-date"] = "2023-09-06"  # a Wednesday this time
    data["row-0-place"] = str(tan_tien.pk)
    data["row-0-units"] = []
    data["row-1-DELETE"] = "on"
    response = manager.post(url + "?" + _query(params), data, follow=True)

    created = list(
        SupportSession.objects.filter(campaign=campaign)
        .exclude(pk=world.session.pk)
        .order_by("date")
    )
    assert [(s.date, s.place_id) for s in created] == [
        (dt.date(2023, 9, 6), tan_tien.pk),
        (days.days[2], int(str(data["row-2-place"]))),
    ]
    assert list(created[0].units.all()) == []
    assert list(created[1].units.all()) == [world.unit]
    assert {(s.starts_at, s.ends_at) for s in created} == {(dt.time(7, 30), dt.time(11, 0))}
    assert _messages(_soup(response)) == [gettext("%(count)s sessions are saved.") % {"count": 2}]


def _query(data: dict[str, object]) -> str:
    from urllib.parse import urlencode

    return urlencode(data, doseq=True)


def test_a_plan_with_a_place_twice_on_a_day_is_refused_and_nothing_saved(
    manager: Client, world: World
) -> None:
    campaign = world.campaign
    url = reverse("campaigns:setup_schedule", args=[campaign.pk])
    data = _rows_post(_soup(manager.get(url, PROPOSE)))
    data["row-1-date"] = data["row-0-date"]
    data["row-1-place"] = data["row-0-place"]

    response = manager.post(url + "?" + _query(PROPOSE), data)

    assert _field_errors(_soup(response), "row-1-place") == [
        gettext("This place already has a session that day in the list.")
    ]
    assert SupportSession.objects.filter(campaign=campaign).count() == 1


def test_a_plan_row_clashing_with_a_saved_session_is_refused(manager: Client, world: World) -> None:
    campaign = world.campaign
    url = reverse("campaigns:setup_schedule", args=[campaign.pk])
    data = _rows_post(_soup(manager.get(url, PROPOSE)))
    data["row-0-date"] = world.session.date.isoformat()
    data["row-0-place"] = str(world.session.place_id)

    response = manager.post(url + "?" + _query(PROPOSE), data)

    errors = _form_errors(_soup(response))
    assert len(errors) == 1 and "13/04/2023" in errors[0]
    assert SupportSession.objects.filter(campaign=campaign).count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"weekdays": []}, "weekdays"),
        ({"date_from": "2022-01-06"}, "date_from"),
        ({"date_to": "2023-08-01"}, "date_to"),
        ({"per_day": "9"}, "per_day"),
        ({"ends_at": "06:00"}, "ends_at"),
        ({"date_from": "hôm nay"}, "date_from"),
        (  # every day of the year at every site: too long a list to edit at once
            {"date_from": "2023-04-13", "date_to": "", "weekdays": list("0123456"), "per_day": "5"},
            "date_to",
        ),
    ],
)
def test_a_bad_proposal_request_says_what_is_wrong(
    manager: Client, world: World, changes: dict[str, object], field: str
) -> None:
    response = manager.get(
        reverse("campaigns:setup_schedule", args=[world.campaign.pk]), PROPOSE | changes
    )

    assert response.status_code == 200
    soup = _soup(response)
    assert len(_field_errors(soup, field)) == 1
    assert soup.find(attrs={"name": "row-TOTAL_FORMS"}) is None


def test_the_proposal_page_costs_no_query_per_row(
    manager: Client, world: World, django_assert_max_num_queries
) -> None:
    url = reverse("campaigns:setup_schedule", args=[world.campaign.pk])
    whole_year = PROPOSE | {"date_from": "2023-04-13", "date_to": ""}
    manager.get(url, whole_year)  # the session and the campaign remembered

    with django_assert_max_num_queries(40):
        response = manager.get(url, whole_year)

    rows = _soup(response).find(attrs={"name": "row-TOTAL_FORMS"})
    assert int(rows["value"]) > 60


# --- calendar -------------------------------------------------------------------------------


def test_the_calendar_downloads_for_a_manager(manager: Client, world: World) -> None:
    response = manager.get(reverse("campaigns:calendar", args=[world.campaign.pk]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    assert f"UID:session-{world.session.pk}@congdanso" in response.content.decode()


def _feed_url(soup: BeautifulSoup) -> str:
    field = soup.find("input", attrs={"id": "feed-url"})
    assert isinstance(field, Tag)
    return str(field["value"]).removeprefix("http://testserver")


def test_the_subscription_link_works_without_a_session_and_dies_with_the_password(
    manager: Client, world: World
) -> None:
    url = _feed_url(
        _soup(manager.get(reverse("campaigns:setup_schedule", args=[world.campaign.pk])))
    )
    app = Client()  # a calendar app: no session cookie

    first = app.get(url)
    wrong = app.get(url.replace(".ics", "0.ics"))
    user: User = world.users["manager_a"]
    user.set_password("a-New-password-2024")
    user.save()
    after = app.get(url)

    assert first.status_code == 200
    assert b"BEGIN:VEVENT" in first.content
    assert wrong.status_code == 404
    assert after.status_code == 404


def test_a_subscription_link_stops_when_the_user_may_no_longer_manage(world: World) -> None:
    from congdanso.web.setup.calendar_links import calendar_token

    user = world.users["manager_b"]  # manages commune B, not A
    token = calendar_token(campaign_id=world.campaign.pk, user=user)

    response = Client().get(
        reverse("campaigns:calendar_feed", args=[world.campaign.pk, user.pk, token])
    )

    assert response.status_code == 404


# --- community digital technology teams -----------------------------------------------------


def test_a_team_is_added_with_its_villages_then_its_members(manager: Client, world: World) -> None:
    from congdanso.partners.models import TeamMember

    campaign = world.campaign
    cao_bang, tan_lap = _village(world, "Thôn Cao Bằng"), _village(world, "Thôn Tân Lập")
    teams_url = reverse("campaigns:setup_teams", args=[campaign.pk])
    page = _soup(manager.get(teams_url))
    # every village is listed as still without a team, and offered as a choice
    assert "Thôn Cao Bằng" in page.select_one(".setup-warning").get_text()
    offered = {i["value"] for i in page.select('input[name="villages"]')}
    assert {str(cao_bang.pk), str(tan_lap.pk)} <= offered

    added = manager.post(
        teams_url, {"name": "Tổ công nghệ số thôn Cao Bằng", "villages": [cao_bang.pk]}
    )

    team = Unit.objects.get(name="Tổ công nghệ số thôn Cao Bằng")
    assert team.kind == UnitKind.DIGITAL_TEAM
    assert [v.name for v in team.villages.all()] == ["Thôn Cao Bằng"]
    team_url = reverse("campaigns:setup_team", args=[campaign.pk, team.pk])
    assert added.status_code == 302 and added["Location"] == team_url

    member = manager.post(
        team_url,
        {
            "form": "member",
            "member-full_name": "  Nguyễn Văn Thành ",
            "member-role": "Tổ trưởng",
            "member-organisation": "Đoàn Thanh niên",
            "member-phone": "+84 905 123 456",
        },
    )
    bad_phone = manager.post(
        team_url, {"form": "member", "member-full_name": "Lê Thị Mai", "member-phone": "12345"}
    )
    no_name = manager.post(team_url, {"form": "member", "member-full_name": " "})

    assert member.status_code == 302
    saved = TeamMember.objects.get(unit=team)
    assert (saved.full_name, saved.role, saved.organisation, saved.phone) == (
        "Nguyễn Văn Thành",
        "Tổ trưởng",
        "Đoàn Thanh niên",
        "0905123456",
    )
    assert bad_phone.status_code == no_name.status_code == 200
    assert _field_errors(_soup(bad_phone), "member-phone")
    assert _field_errors(_soup(no_name), "member-full_name")
    assert TeamMember.objects.filter(unit=team).count() == 1
    shown = _soup(manager.get(team_url))
    assert "Nguyễn Văn Thành" in shown.select_one(".team-members").get_text()
    assert shown.select_one('a[href="tel:0905123456"]') is not None

    moved = manager.post(team_url, {"form": "villages", "villages-villages": [tan_lap.pk]})
    removed = manager.post(
        reverse("campaigns:setup_team_member_remove", args=[campaign.pk, team.pk, saved.pk])
    )

    assert moved.status_code == removed.status_code == 302
    assert [v.name for v in team.villages.all()] == ["Thôn Tân Lập"]
    assert not TeamMember.objects.filter(unit=team).exists()
    listed = _soup(manager.get(teams_url))
    assert "Tổ công nghệ số thôn Cao Bằng" in listed.select_one("table").get_text()
    assert "Thôn Cao Bằng" in listed.select_one(".setup-warning").get_text()


def test_a_team_without_a_village_or_with_another_commune_s_is_refused(
    manager: Client, world: World
) -> None:
    campaign = world.campaign
    other = Place.objects.get(name="Thôn Tân Lập", parent__name="Xã Ea Phê")
    url = reverse("campaigns:setup_teams", args=[campaign.pk])
    before = _audit_count()

    none = manager.post(url, {"name": "Tổ 1", "villages": []})
    outside = manager.post(url, {"name": "Tổ 1", "villages": [other.pk]})

    assert none.status_code == outside.status_code == 200
    assert _field_errors(_soup(none), "villages")
    assert _field_errors(_soup(outside), "villages")
    assert not Unit.objects.filter(name="Tổ 1").exists()
    assert _audit_count() == before


@pytest.mark.parametrize("who", ["manager_b", "unit_a", "head_a", "viewer_a"])
def test_only_the_campaign_s_managers_see_or_change_its_teams(world: World, who: str) -> None:
    from congdanso.partners.teams import team_create, team_member_add

    campaign = world.campaign
    team = team_create(
        commune=campaign.place, name="Tổ CNS", villages=[_village(world, "Thôn Cao Bằng")]
    )
    member = team_member_add(team=team, full_name="Y Duin Niê")
    client = world.site(who)

    pages = [
        reverse("campaigns:setup_teams", args=[campaign.pk]),
        reverse("campaigns:setup_team", args=[campaign.pk, team.pk]),
    ]
    removed = client.post(
        reverse("campaigns:setup_team_member_remove", args=[campaign.pk, team.pk, member.pk])
    )

    assert [client.get(url).status_code for url in pages] == [404, 404]
    assert removed.status_code == 404
    assert team.members.count() == 1
