"""The places page: a commune's villages and sites; add, rename, archive, bring back."""

from typing import Any

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext

from congdanso.accounts.models import Role, User
from congdanso.accounts.services import role_grant
from congdanso.core.models import AuditEvent
from congdanso.people.models import ResidentStatus
from congdanso.people.tests.factories import ResidentFactory
from congdanso.places.models import Place, PlaceKind
from congdanso.places.services import commune_get_or_create, village_get_or_create

pytestmark = pytest.mark.django_db
URL = reverse("places:list")


def _client(role: str, place: Place, name: str = "u") -> Client:
    user = User.objects.create_user(name)
    role_grant(user=user, role=role, place=place)
    client = Client()
    client.force_login(user)
    return client


def _soup(response: Any) -> BeautifulSoup:
    assert response.status_code == 200, response.status_code
    return BeautifulSoup(response.content, "html.parser")


def _items(soup: BeautifulSoup) -> dict[str, str]:
    return {
        li.select_one(".places-name").get_text(strip=True): li.select_one(".places-meta").get_text(
            " ", strip=True
        )
        for li in soup.select("li.places-item")
    }


@pytest.fixture
def other(ea_yong: Place) -> Place:
    return commune_get_or_create(parent=ea_yong.parent, name="Xã Ea Phê", code="ea-phe")[0]


def test_the_page_lists_villages_and_sites_with_their_residents(ea_yong: Place) -> None:
    village = Place.objects.get(parent=ea_yong, name="Thôn Cao Bằng")
    ResidentFactory(village=village)
    ResidentFactory(village=village)
    ResidentFactory(village=village, status=ResidentStatus.MOVED_AWAY)
    village_get_or_create(commune=ea_yong, name="Trường Tiểu học Chu Văn An")

    soup = _soup(_client(Role.MANAGER, ea_yong).get(URL))

    items = _items(soup)
    assert set(items) == {
        "Thôn Cao Bằng",
        "Thôn Tân Lập",
        "Buôn Ghamah",
        "Thôn Tân Tiến",
        "Trường Tiểu học Chu Văn An",
    }
    assert items["Thôn Cao Bằng"].startswith(str(PlaceKind.VILLAGE.label))
    assert "2" in items["Thôn Cao Bằng"]  # living here: the one who moved away not counted
    assert str(PlaceKind.SCHOOL.label) in items["Trường Tiểu học Chu Văn An"]
    assert soup.select_one(".site-nav a[aria-current=page]")["href"] == URL
    assert not soup.select("[style]") and not soup.find("script", src=False)


def test_a_manager_adds_a_village_and_its_kind_comes_from_the_name(ea_yong: Place) -> None:
    client = _client(Role.MANAGER, ea_yong)

    response = client.post(
        URL, {"xa": ea_yong.code, "action": "add", "add-name": "buôn  ea sar", "add-kind": ""}
    )

    assert response.status_code == 302
    place = Place.objects.get(parent=ea_yong, name="Buôn Ea Sar")
    assert place.kind == PlaceKind.EDE_VILLAGE
    assert AuditEvent.objects.filter(object_type="places.place", object_id=str(place.pk)).exists()
    assert "Buôn Ea Sar" in _items(_soup(client.get(response["Location"])))


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Write the name of the village or site."),
        ("Cao Bằng", "%(commune)s already has %(place)s: choose another name."),
    ],
)
def test_adding_a_bad_name_shows_the_message_by_the_field(
    ea_yong: Place, name: str, message: str
) -> None:
    before = Place.objects.filter(parent=ea_yong).count()

    soup = _soup(
        _client(Role.MANAGER, ea_yong).post(
            URL, {"action": "add", "add-name": name, "add-kind": ""}
        )
    )

    field = soup.find("input", attrs={"name": "add-name"})
    errors = field.find_previous("ul", class_="errorlist").get_text(" ", strip=True)
    expected = gettext(message) % {"commune": ea_yong.name, "place": "Thôn Cao Bằng"}
    assert expected in errors
    assert Place.objects.filter(parent=ea_yong).count() == before


def test_a_manager_renames_a_village_and_its_residents_stay(ea_yong: Place) -> None:
    village = Place.objects.get(parent=ea_yong, name="Thôn Tân Tiến")
    resident = ResidentFactory(village=village)
    client = _client(Role.MANAGER, ea_yong)

    response = client.post(
        URL, {"action": "rename", "place": village.pk, f"p{village.pk}-name": "Tân Tiến 2"}
    )

    assert response.status_code == 302
    village.refresh_from_db()
    assert (village.name, village.kind) == ("Thôn Tân Tiến 2", PlaceKind.VILLAGE)
    resident.refresh_from_db()
    assert resident.village_id == village.pk
    event = AuditEvent.objects.filter(object_id=str(village.pk)).latest("at")
    assert event.changes["name"] == ["Thôn Tân Tiến", "Thôn Tân Tiến 2"]


def test_renaming_to_a_name_in_use_is_refused_next_to_that_village(ea_yong: Place) -> None:
    village = Place.objects.get(parent=ea_yong, name="Thôn Tân Tiến")

    soup = _soup(
        _client(Role.MANAGER, ea_yong).post(
            URL, {"action": "rename", "place": village.pk, f"p{village.pk}-name": "Thôn Tân Lập"}
        )
    )

    item = soup.select_one(f"#noi-{village.pk}")
    assert item.select_one(".errorlist").get_text(strip=True)
    village.refresh_from_db()
    assert village.name == "Thôn Tân Tiến"


def test_a_village_is_archived_then_brought_back_and_never_deleted(ea_yong: Place) -> None:
    village = Place.objects.get(parent=ea_yong, name="Thôn Tân Tiến")
    client = _client(Role.MANAGER, ea_yong)

    client.post(URL, {"action": "archive", "place": village.pk})

    village.refresh_from_db()
    assert village.archived_at is not None
    soup = _soup(client.get(URL))
    assert soup.select_one(f"#noi-{village.pk}.places-archived") is not None
    assert soup.select_one(f"#noi-{village.pk} button[value=restore]") is not None

    client.post(URL, {"action": "restore", "place": village.pk})
    village.refresh_from_db()
    assert village.archived_at is None


def test_a_village_where_residents_live_is_not_archived(ea_yong: Place) -> None:
    village = Place.objects.get(parent=ea_yong, name="Thôn Cao Bằng")
    ResidentFactory(village=village)

    soup = _soup(
        _client(Role.MANAGER, ea_yong).post(URL, {"action": "archive", "place": village.pk})
    )

    assert soup.select_one(f"#noi-{village.pk} .errorlist")
    village.refresh_from_db()
    assert village.archived_at is None


def test_a_manager_of_several_communes_picks_one(ea_yong: Place, other: Place) -> None:
    village_get_or_create(commune=other, name="Thôn Ea Phê 1")
    district = ea_yong.parent
    client = _client(Role.MANAGER, district)

    soup = _soup(client.get(URL, {"xa": other.code}))

    options = [o["value"] for o in soup.select("select[name=xa] option")]
    assert ea_yong.code in options and other.code in options
    assert set(_items(soup)) == {"Thôn Ea Phê 1"}


def test_another_commune_and_its_places_do_not_exist_for_a_manager(
    ea_yong: Place, other: Place
) -> None:
    theirs, _ = village_get_or_create(commune=other, name="Thôn Ea Phê 1")
    client = _client(Role.MANAGER, ea_yong)

    assert client.get(URL, {"xa": other.code}).status_code == 404
    response = client.post(URL, {"xa": ea_yong.code, "action": "archive", "place": theirs.pk})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.archived_at is None


@pytest.mark.parametrize("role", [Role.VILLAGE_HEAD, Role.VIEWER])
def test_the_page_does_not_exist_for_other_roles(ea_yong: Place, role: str) -> None:
    place = (
        Place.objects.get(parent=ea_yong, name="Thôn Cao Bằng")
        if role == Role.VILLAGE_HEAD
        else ea_yong
    )
    client = _client(role, place)
    assert client.get(URL).status_code == 404
    assert client.post(URL, {"action": "add", "add-name": "Thôn Mới"}).status_code == 404
    assert not Place.objects.filter(name="Thôn Mới").exists()
