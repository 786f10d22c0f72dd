"""The set-up page's targets of the campaign's own: added with their criteria, ages,
deadline and milestones, refused next to the field at fault, removed."""

import datetime as dt
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.urls import reverse

from congdanso.campaigns.models import Target
from congdanso.campaigns.targets import targets_of
from congdanso.core.tests import world as world_fixture
from congdanso.core.tests.world import World
from congdanso.web.setup.tests.test_views import _field_errors, _messages, _soup

pytestmark = pytest.mark.django_db
world = world_fixture.world  # the fixture, under its name


@pytest.fixture
def manager(world: World) -> Client:
    return world.site("manager_a")


def _post(client: Client, world: World, **changes: object):  # type: ignore[no-untyped-def]
    data: dict[str, object] = {
        "target-name": "Người trưởng thành đạt kỹ năng số",
        "target-kind": "share",
        "target-value": "80%",
        "target-criteria": ["digital_skills_certified"],
        "target-min_age": "18",
        "target-max_age": "130",
        "target-deadline": "",
        "target-milestones": "",
    }
    data |= {f"target-{k}": v for k, v in changes.items()}
    url = reverse("campaigns:setup_target_add", args=[world.campaign.pk])
    return client.post(url, data, follow=True)


def test_a_target_is_added_and_listed_then_removed(manager: Client, world: World) -> None:
    end = world.campaign.end_date
    middle = world.campaign.start_date + (end - world.campaign.start_date) / 2

    response = _post(manager, world, milestones=f"{middle:%d/%m/%Y} = 50%")

    (added,) = [t for t in targets_of(world.campaign) if not t.role]
    assert (added.share, added.criteria, added.min_age, added.deadline) == (
        Decimal("0.8"),
        ("digital_skills_certified",),
        18,
        end,
    )
    assert added.milestones == ((middle, Decimal("0.5")),)
    soup = _soup(response)
    assert "Người trưởng thành đạt kỹ năng số" in soup.select_one("#more-targets").parent.text
    assert _messages(soup)

    url = reverse("campaigns:setup_target_remove", args=[world.campaign.pk, added.pk])
    manager.post(url)
    assert [t for t in targets_of(world.campaign) if not t.role] == []


@pytest.mark.parametrize(
    ("changes", "field", "text"),
    [
        ({"value": "150%"}, "target-value", "0"),
        ({"max_age": ""}, "target-max_age", ""),
        ({"milestones": "ngày mai 50%"}, "target-milestones", "ngày mai"),
        ({"deadline": "2099-01-01"}, "target-deadline", "2099"),
    ],
)
def test_a_bad_target_is_refused_next_to_its_field(
    manager: Client, world: World, changes: dict[str, str], field: str, text: str
) -> None:
    before = Target.objects.count()

    response = _post(manager, world, **changes)

    errors = _field_errors(_soup(response), field)
    assert errors and text in " ".join(errors)
    assert Target.objects.count() == before


def test_the_campaign_s_own_targets_are_not_removed(manager: Client, world: World) -> None:
    own = Target.objects.get(campaign=world.campaign, role="exemplary")

    url = reverse("campaigns:setup_target_remove", args=[world.campaign.pk, own.pk])
    response = manager.post(url, follow=True)

    assert Target.objects.filter(pk=own.pk).exists()
    assert _messages(_soup(response))


def test_the_page_answers_get_on_the_post_addresses_with_the_page(
    manager: Client, world: World
) -> None:
    response = manager.get(reverse("campaigns:setup_target_add", args=[world.campaign.pk]))
    assert response.status_code == 302


def test_a_village_s_part_is_set_by_hand_and_reset(manager: Client, world: World) -> None:
    own = Target.objects.get(campaign=world.campaign, role="exemplary")
    url = reverse("campaigns:setup_target_parts", args=[world.campaign.pk, own.pk])
    page = _soup(manager.get(url))
    boxes = page.select("input[name^=part-]")
    assert boxes and all(box["value"] == "" for box in boxes)
    first = boxes[0]["name"]

    manager.post(url, {first: "120"})
    assert own.parts.get().count == 120
    assert _soup(manager.get(url)).select_one(f"input[name={first}]")["value"] == "120"

    manager.post(url, {first: ""})
    assert not own.parts.exists()


def test_a_bad_part_is_shown_next_to_its_village(manager: Client, world: World) -> None:
    own = Target.objects.get(campaign=world.campaign, role="cohort")
    url = reverse("campaigns:setup_target_parts", args=[world.campaign.pk, own.pk])
    first = _soup(manager.get(url)).select_one("input[name^=part-]")["name"]

    response = manager.post(url, {first: "150%"})

    assert response.status_code == 200
    assert _soup(response).select("ul.errorlist li")
    assert not own.parts.exists()


def test_a_target_is_edited_on_its_page_and_counted_again(manager, world) -> None:  # type: ignore[no-untyped-def]
    from django.urls import reverse

    from congdanso.campaigns.models import Milestone, Target
    from congdanso.campaigns.targets import target_add
    from congdanso.core.models import AuditEvent
    from congdanso.progress.tallies import tally_check

    campaign = world.campaign
    target = target_add(
        campaign=campaign,
        name="Kỹ năng số",
        kind="share",
        value="62,5%",
        criteria=["vneid_level2"],
        milestones=[(dt.date(2023, 6, 30), "40%")],
    )
    url = reverse("campaigns:setup_target_edit", args=[campaign.pk, target.pk])
    page = BeautifulSoup(manager.get(url).content.decode(), "html.parser")
    # the form comes back as it was typed
    assert page.select_one('input[name="target-value"]')["value"] == "62,5%"
    assert "30/06/2023 = 40%" in page.select_one('textarea[name="target-milestones"]').get_text()
    assert page.select_one('input[name="target-criteria"][value="vneid_level2"]').has_attr(
        "checked"
    )

    bad = manager.post(
        url, {"target-name": "Kỹ năng số", "target-kind": "share", "target-value": "120%"}
    )
    saved = manager.post(
        url,
        {
            "target-name": "Bình dân học vụ số",
            "target-kind": "count",
            "target-value": "1.200",
            "target-criteria": ["bank_account"],
            "target-min_age": "18",
            "target-max_age": "60",
            "target-milestones": "30/06/2023 = 500",
        },
    )

    assert bad.status_code == 200
    assert "target-value" in bad.content.decode() and "errorlist" in bad.content.decode()
    assert saved.status_code == 302
    target = Target.objects.get(pk=target.pk)
    assert (target.name, target.kind, target.count, target.share) == (
        "Bình dân học vụ số",
        "count",
        1200,
        None,
    )
    assert (target.min_age, target.max_age) == (18, 60)
    assert list(target.criteria.values_list("code", flat=True)) == ["bank_account"]
    assert list(Milestone.objects.filter(target=target).values_list("count", flat=True)) == [500]
    assert tally_check(campaign) == []
    event = AuditEvent.objects.filter(action="update", object_id=str(target.pk)).last()
    assert event is not None and "name" in event.changes


def test_the_campaign_s_own_targets_are_edited_with_its_terms_not_here(manager, world) -> None:  # type: ignore[no-untyped-def]
    from django.urls import reverse

    from congdanso.campaigns.models import Target

    own = Target.objects.get(campaign=world.campaign, role="exemplary")
    url = reverse("campaigns:setup_target_edit", args=[world.campaign.pk, own.pk])

    posted = manager.post(url, {"target-name": "X", "target-kind": "count", "target-value": "5"})

    assert posted.status_code == 302
    own.refresh_from_db()
    assert (own.name, own.count) != ("X", 5)
