"""Issue 13: a masked number cannot be read back through search, on the site or the API.

The card shows `066******345` and `09******78`. Before, a search by 5 or more digits of a
number's end decrypted and compared endings, so a unit member could try `02345`…`92345`,
keep the digit that found the person and go on: the whole number in ~40 requests. Now only a
whole number or exactly its last four digits find anybody; searches are counted per user;
whole numbers that find nobody are a budget of their own; searches by number are audited.
"""

import json
from typing import Any

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from congdanso.core.models import AuditAction, AuditEvent
from congdanso.core.tests.world import World

pytestmark = pytest.mark.django_db

CCCD = "066190012345"  # Nguyễn Thị Hoà's, in the world fixture
PHONE = "0912345678"


def _web_names(world: World, who: str, q: str) -> list[str]:
    response = world.site(who).post(reverse("people:search", args=[world.campaign.pk]), {"q": q})
    assert response.status_code == 200, response.status_code
    soup = BeautifulSoup(response.content, "html.parser")
    return [el.get_text(strip=True) for el in soup.select(".person-list .person-name")]


def _api_names(world: World, who: str, q: str) -> list[str]:
    response = world.client(who).get("/api/v1/residents", {"q": q})
    assert response.status_code == 200, response.content
    return [r["full_name"] for r in response.json()]


def _recover(find: Any, known: str, digits: int) -> str:
    """The attack: extend the known ending one digit at a time, keeping the digit whose
    search finds the person."""
    for _ in range(digits):
        for digit in "0123456789":
            if "Nguyễn Thị Hoà" in find(digit + known):
                known = digit + known
                break
        else:
            return known
    return known


@pytest.mark.parametrize("who", ["unit_a", "head_a"])
@pytest.mark.parametrize("via", ["web", "api"])
@pytest.mark.parametrize(("number", "last4"), [(CCCD, "2345"), (PHONE, "5678")])
def test_digit_by_digit_search_recovers_nothing_beyond_the_last_four(
    world: World, settings: Any, who: str, via: str, number: str, last4: str
) -> None:
    settings.SEARCH_RATES = (1000, 1000, 1000)  # the attack itself, not the rate, is tested
    find = _web_names if via == "web" else _api_names

    def search(q: str) -> list[str]:
        return find(world, who, q)

    assert "Nguyễn Thị Hoà" in search(last4)  # the last four digits are what the card shows
    assert _recover(search, last4, 8) == last4
    # every longer ending short of a whole number (an 11-digit CCCD or a 9-digit phone is one:
    # the zero a spreadsheet dropped) finds nobody
    for length in range(5, len(number) - 1):
        assert search(number[-length:]) == [], number[-length:]


def test_a_whole_number_still_finds_its_person_on_the_site_and_the_api(world: World) -> None:
    for q in (CCCD, "066 190 012 345", PHONE, "+84 912 345 678"):
        assert _web_names(world, "unit_a", q) == ["Nguyễn Thị Hoà"], q
        assert _api_names(world, "unit_a", q) == ["Nguyễn Thị Hoà"], q


def test_guessing_whole_numbers_is_stopped_by_the_miss_budget(world: World, settings: Any) -> None:
    settings.SEARCH_RATES = (1000, 1000, 5)
    client = world.client("unit_a")
    statuses = [
        client.get("/api/v1/residents", {"q": f"066190{n:06d}"}).status_code for n in range(7)
    ]
    # five misses allowed, then every search by a whole number is refused for the hour —
    # the right number too — while names still work
    assert statuses == [200] * 5 + [429] * 2
    refused = client.get("/api/v1/residents", {"q": CCCD})
    assert refused.status_code == 429
    assert refused.json()["code"] == "throttled"
    assert client.get("/api/v1/residents", {"q": "hoa"}).status_code == 200


def test_searches_are_rate_limited_per_user_on_the_site_and_the_api_together(
    world: World, settings: Any
) -> None:
    settings.SEARCH_RATES = (4, 1000, 1000)
    url = reverse("people:search", args=[world.campaign.pk])
    site, api = world.site("unit_a"), world.client("unit_a")
    answers = [
        site.post(url, {"q": "hoa"}).status_code,
        api.get("/api/v1/residents", {"q": "hoa"}).status_code,
        site.post(url + "?partial=1", {"q": "hoa"}).status_code,
        api.post(
            "/api/v1/residents/search", json.dumps({"q": "hoa"}), content_type="application/json"
        ).status_code,
    ]
    assert answers == [200] * 4
    page = site.post(url, {"q": "hoa"})
    assert page.status_code == 429
    soup = BeautifulSoup(page.content, "html.parser")
    assert "chờ một phút" in soup.select_one("form.field-search .errorlist").get_text()
    partial = site.post(url + "?partial=1", {"q": "hoa"})
    assert partial.status_code == 429
    assert "chờ một phút" in BeautifulSoup(partial.content, "html.parser").get_text()
    assert api.get("/api/v1/residents", {"q": "hoa"}).status_code == 429
    # another user's count is their own
    assert world.site("manager_a").post(url, {"q": "hoa"}).status_code == 200


def test_a_number_search_is_audited_without_its_digits(world: World) -> None:
    _web_names(world, "unit_a", "2345")
    _api_names(world, "head_a", CCCD)
    _api_names(world, "unit_a", "066190099999")  # a whole CCCD of nobody
    _web_names(world, "unit_a", "hoa nguyen")  # a name: not audited

    events = list(AuditEvent.objects.filter(action=AuditAction.SEARCH).order_by("id"))
    assert [(e.actor_name, e.via, e.changes["kind"]) for e in events] == [
        ("unit_a", "web", "last4"),
        ("head_a", "api", "cccd"),
        ("unit_a", "api", "cccd"),
    ]
    assert events[0].changes["found"] == [world.resident.pk]
    assert events[0].commune_id == world.resident.commune_id
    assert events[2].changes["found"] == []
    for event in events:
        text = json.dumps([event.changes, event.object_label, event.reason])
        assert "2345" not in text and "0661900" not in text


def test_a_search_by_a_thousand_words_or_two_kilobytes_answers_422(world: World) -> None:
    client = world.client("unit_a")
    words = client.get("/api/v1/residents", {"q": " ".join(["hoa"] * 1000)})
    assert words.status_code == 422
    assert words.json()["code"] == "search_too_long"
    many = client.get("/api/v1/residents", {"q": " ".join(f"w{n}" for n in range(11))})
    assert many.status_code == 422
    assert many.json()["code"] == "search_too_many_words"
    assert "từ" in many.json()["message"]
    posted = client.post(
        "/api/v1/residents/search",
        json.dumps({"q": "a " * 1000}),
        content_type="application/json",
    )
    assert posted.status_code == 422
    # ten distinct words are still a search
    ten = client.get("/api/v1/residents", {"q": "hoa " + " ".join(["nguyen"] * 12)})
    assert ten.status_code == 200


def test_the_posted_search_answers_as_the_get_search(world: World) -> None:
    client = world.client("manager_a")
    for q in ("hoa", "2345", CCCD, "12345"):
        got = client.get("/api/v1/residents", {"q": q}).json()
        posted = client.post(
            "/api/v1/residents/search", json.dumps({"q": q}), content_type="application/json"
        ).json()
        assert posted == got, q


def test_a_link_may_carry_a_name_but_never_digits(world: World) -> None:
    url = reverse("people:search", args=[world.campaign.pk])
    named = world.site("unit_a").get(url, {"q": "hoa nguyen"})
    assert "Nguyễn Thị Hoà" in named.content.decode()
    numbered = world.site("unit_a").get(url, {"q": CCCD})
    soup = BeautifulSoup(numbered.content, "html.parser")
    assert soup.select(".person-list .person-name") == []
    assert soup.select_one("input[name=q]").get("value", "") == ""  # not echoed in the box
    assert not AuditEvent.objects.filter(action=AuditAction.SEARCH).exists()
