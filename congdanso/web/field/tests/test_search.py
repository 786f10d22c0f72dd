"""Field mode: finding a person in a campaign (people:search)."""

import re
from urllib.parse import urlencode

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from congdanso.core.tests.world import World
from congdanso.people.tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db


def _search(world: World, who: str, q: str, **extra: str):  # type: ignore[no-untyped-def]
    """The search as the page's form sends it: posted (`partial` in the URL, as site.js)."""
    url = reverse("people:search", args=[world.campaign.pk])
    if extra:
        url += "?" + urlencode(extra)
    return world.site(who).post(url, {"q": q})


def _rows(response) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    soup = BeautifulSoup(response.content, "html.parser")
    return [
        {
            "name": a.select_one(".person-name").get_text(strip=True),
            "facts": a.select_one(".person-facts").get_text(" ", strip=True),
            "progress": a.select_one(".person-progress").get_text(" ", strip=True),
            "href": a["href"],
        }
        for a in soup.select(".person-list a.person-row")
    ]


@pytest.mark.parametrize(
    "q", ["hoa nguyen", "NGUYEN hoa", "thi hoà", "5678", "2345", "0912 345 678"]
)
def test_search_finds_the_resident_by_name_fragments_or_number_ends(world: World, q: str) -> None:
    response = _search(world, "manager_a", q)

    assert response.status_code == 200
    rows = _rows(response)
    assert [r["name"] for r in rows] == ["Nguyễn Thị Hoà"]
    card = reverse("people:card", args=[world.campaign.pk, world.resident.pk])
    assert rows[0]["href"] == card


def test_a_result_shows_birth_year_village_masked_numbers_and_progress(world: World) -> None:
    row = _rows(_search(world, "unit_a", "hoa nguyen"))[0]

    assert "1990" in row["facts"]
    assert "Thôn Cao Bằng" in row["facts"]
    assert "09******78" in row["facts"]
    assert "0912345678" not in row["facts"]
    assert "066190012345" not in row["facts"]
    assert re.search(r"\b1/6\b", row["progress"])  # bank account, of the six criteria
    assert "6" in row["progress"]


def test_a_number_fragment_from_the_middle_finds_nobody(world: World) -> None:
    response = _search(world, "manager_a", "3456")

    soup = BeautifulSoup(response.content, "html.parser")
    assert _rows(response) == []
    assert soup.select_one(".field-empty") is not None


def test_residents_of_another_commune_are_not_found(world: World) -> None:
    # Y Hoà Niê lives in Ea Phê, outside manager_a's commune and outside the campaign.
    names = [r["name"] for r in _rows(_search(world, "manager_a", "hoa"))]

    assert "Y Hoà Niê" not in names
    assert names == ["Nguyễn Thị Hoà"]


def test_a_village_head_finds_only_their_village(world: World, ea_yong) -> None:  # type: ignore[no-untyped-def]
    from congdanso.places.models import Place

    other_village = Place.objects.get(parent=ea_yong, name="Buôn Ghamah")
    ResidentFactory(village=other_village, full_name="H Hoa Mlô")

    assert [r["name"] for r in _rows(_search(world, "head_a", "hoa"))] == ["Nguyễn Thị Hoà"]
    assert len(_rows(_search(world, "manager_a", "hoa"))) == 2


@pytest.mark.parametrize("who", ["viewer_a", "manager_b"])
def test_the_search_page_does_not_exist_for_viewers_and_other_communes(
    world: World, who: str
) -> None:
    response = _search(world, who, "hoa nguyen")

    assert response.status_code == 404
    assert "Nguyễn Thị Hoà" not in response.content.decode()


def test_the_page_works_as_a_plain_form_and_marks_itself_for_search_as_you_type(
    world: World,
) -> None:
    url = reverse("people:search", args=[world.campaign.pk])
    response = world.site("unit_a").get(url)

    soup = BeautifulSoup(response.content, "html.parser")
    form = soup.select_one("form.field-search")
    assert form["method"] == "post"  # a number typed never lands in a URL or the history
    assert form.select_one("input[name=csrfmiddlewaretoken]") is not None
    assert form["action"] == url
    assert form["data-live-search"] == "search-results"
    box = form.select_one("input[name=q]")
    assert box["type"] == "search"
    assert box.has_attr("autofocus")
    assert soup.select_one("#search-results") is not None
    assert soup.select("script:not([src])") == []  # CSP: no inline script
    assert soup.select("[style]") == []


def test_partial_answers_only_the_results_list(world: World) -> None:
    response = _search(world, "unit_a", "hoa nguyen", partial="1")

    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.select_one("html") is None
    assert soup.select_one("header") is None
    assert [r["name"] for r in _rows(response)] == ["Nguyễn Thị Hoà"]


def test_a_too_long_search_shows_an_error_next_to_the_box(world: World) -> None:
    response = _search(world, "unit_a", "x" * 300)

    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    errors = soup.select("form.field-search .errorlist li")
    assert len(errors) == 1
    assert soup.select_one("input[name=q]")["aria-invalid"] == "true"
    assert _rows(response) == []


def test_search_shows_at_most_twenty_and_says_to_type_more(world: World) -> None:
    village = world.resident.village
    for n in range(25):
        ResidentFactory(village=village, full_name=f"Trần Văn Hòa {n}")

    response = _search(world, "manager_a", "tran hoa")

    soup = BeautifulSoup(response.content, "html.parser")
    assert len(_rows(response)) == 20
    assert soup.select_one("#search-results p.muted") is not None


def test_search_reads_the_criteria_of_a_page_of_results_in_one_query(
    world: World, django_assert_max_num_queries
) -> None:
    village = world.resident.village
    for n in range(20):
        ResidentFactory(village=village, full_name=f"Lê Thị Hoa {n}", phone=f"09880000{n:02d}")
    client = world.site("unit_a")
    url = reverse("people:search", args=[world.campaign.pk])
    client.post(url, {"q": "le hoa"})  # warm the session and the campaign memory

    # Session, user, grants, campaign, its rules, the ids found, their rows, their
    # achievements (one query for the page), the navigation's campaign: nine for 1 or 20.
    with django_assert_max_num_queries(9):
        response = client.post(url, {"q": "le hoa"})

    assert len(_rows(response)) == 20
