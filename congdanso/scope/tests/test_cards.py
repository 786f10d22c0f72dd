"""The person card is one read model: the site's card page and the API's `GET
/residents/{id}` render the same `scope.cards.person_card`, which follows the campaign's rule
of an exemplary citizen and filters every query on resident data by the commune."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from congdanso.campaigns.achievements import achievement_record
from congdanso.campaigns.models import CampaignCriterion, Criterion
from congdanso.core.tests.world import World
from congdanso.scope.access import access_for
from congdanso.scope.cards import person_card

pytestmark = pytest.mark.django_db

#: Tables that hold resident data (Citus would shard them by commune).
RESIDENT_TABLES = ("people_resident", "people_dataissue", "campaigns_achievement", "outreach_turn")


def _resident_queries(queries: list[dict]) -> list[str]:
    found = []
    for query in queries:
        sql = query["sql"]
        tables = re.findall(r'FROM "?(\w+)"?', sql)
        if tables and tables[0] in RESIDENT_TABLES:
            found.append(sql)
    return found


def test_the_api_and_the_page_read_the_same_card(world: World) -> None:
    card = person_card(access_for(world.users["unit_a"]), world.campaign, world.resident)
    api = (
        world.client("unit_a")
        .get(f"/api/v1/residents/{world.resident.pk}", {"campaign": world.campaign.pk})
        .json()
    )

    assert [c["code"] for c in api["criteria"]] == [s.criterion.code for s in card.states]
    assert [c["achieved_on"] for c in api["criteria"]] == [
        s.achieved_on.isoformat() if s.achieved_on else None for s in card.states
    ]
    assert api["exemplary"] is card.exemplary is False
    assert [h["id"] for h in api["history"]] == [a.pk for a in card.history]
    page = world.site("unit_a").get(
        reverse("people:card", args=[world.campaign.pk, world.resident.pk])
    )
    assert page.context["card"] == card


def test_a_campaign_without_exemplary_criteria_has_no_exemplary_citizen(world: World) -> None:
    CampaignCriterion.objects.filter(campaign=world.campaign).update(is_exemplary=False)
    for code in ("vneid_level2", "public_service_account"):
        achievement_record(
            resident=world.resident,
            criterion=Criterion.objects.get(code=code),
            achieved_on=dt.date(2023, 5, 1),
        )

    api = (
        world.client("manager_a")
        .get(f"/api/v1/residents/{world.resident.pk}", {"campaign": world.campaign.pk})
        .json()
    )
    assert api["exemplary"] is False  # it said True: all() of nothing
    card = person_card(access_for(world.users["manager_a"]), world.campaign, world.resident)
    assert card.exemplary is False


@pytest.mark.parametrize("via", ["api", "page"])
def test_every_query_of_the_card_on_resident_data_names_the_commune(world: World, via: str) -> None:
    if via == "api":
        client, url = world.client("manager_a"), f"/api/v1/residents/{world.resident.pk}"
    else:
        client = world.site("manager_a")
        url = reverse("people:card", args=[world.campaign.pk, world.resident.pk])
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200

    queries = _resident_queries(captured.captured_queries)
    assert queries, "the card reads resident data"
    assert [q for q in queries if "commune_id" not in q] == []
