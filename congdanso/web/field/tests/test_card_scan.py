"""A CCCD card's QR code read into the search box (a scanner typing it, or a paste): the
person found by the card's number; else a namesake without a number offered "gắn số CCCD
này"; else "Thêm vào danh sách" with what the card says. The card's text is never shown back,
stored or logged."""

import io

import pytest
import segno
from bs4 import BeautifulSoup
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from congdanso.core.models import AuditEvent
from congdanso.core.tests.world import World
from congdanso.people.models import Resident
from congdanso.people.tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db

ADDRESS = "Thôn Cao Bằng, xã Ea Yông, huyện Krông Pắc, tỉnh Đắk Lắk"
HOA = f"066190012345|241234567|Nguyễn Thị Hoà|17051990|Nữ|{ADDRESS}|01072021"
NEW = f"066085000777||Trần Văn Mới|03031985|Nam|{ADDRESS}|10102022"


def _search(world: World, who: str, q: str, url: str | None = None):  # type: ignore[no-untyped-def]
    return world.site(who).post(url or reverse("people:search", args=[world.campaign.pk]), {"q": q})


def _soup(response) -> BeautifulSoup:  # type: ignore[no-untyped-def]
    return BeautifulSoup(response.content, "html.parser")


def test_a_scanned_card_finds_its_person_and_its_text_is_not_shown_back(world: World) -> None:
    response = _search(world, "unit_a", HOA)

    page = response.content.decode()
    names = [n.get_text(strip=True) for n in _soup(response).select(".person-list .person-name")]
    assert names == ["Nguyễn Thị Hoà"]
    assert ADDRESS not in page and "241234567" not in page and "066190012345" not in page
    assert _soup(response).select_one("input[name=q]").get("value", "") == ""
    event = AuditEvent.objects.get(action="search")
    assert event.changes["kind"] == "qr" and event.changes["found"] == [world.resident.pk]
    assert ADDRESS not in str(event.changes)


def test_a_namesake_without_a_number_is_offered_the_cards_number(world: World) -> None:
    Resident.objects.filter(pk=world.resident.pk).update(cccd_hmac=None, cccd_encrypted=None)
    response = _search(world, "unit_a", HOA)

    form = _soup(response).select_one(".card-scanned form[action*='gan-cccd']")
    assert form is not None
    world.site("unit_a").post(
        form["action"], {"cccd": form.select_one("input[name=cccd]")["value"]}
    )
    world.resident.refresh_from_db()
    assert world.resident.cccd == "066190012345"
    assert AuditEvent.objects.filter(
        action="update", object_type="people.resident", reason__contains="QR"
    ).exists()


def test_a_card_of_nobody_is_added_to_the_list_by_a_unit_member(world: World) -> None:
    response = _search(world, "unit_a", NEW)

    soup = _soup(response)
    form = soup.select_one("form.card-add-form")
    assert form.select_one("input[name=full_name]")["value"] == "Trần Văn Mới"
    data = {i["name"]: i.get("value", "") for i in form.select("input")}
    data["village"] = world.resident.village.pk
    done = world.site("unit_a").post(form["action"], data)

    person = Resident.objects.get(name_key="tran van moi")
    assert done["Location"].endswith(reverse("people:card", args=[world.campaign.pk, person.pk]))
    assert (person.cccd, person.gender, str(person.birth_date)) == (
        "066085000777",
        "M",
        "1985-03-03",
    )
    assert ADDRESS not in str(AuditEvent.objects.values_list("changes", "reason"))


def test_a_village_head_is_not_offered_to_add_and_cannot(world: World) -> None:
    response = _search(world, "head_a", NEW)
    assert _soup(response).select_one("form.card-add-form") is None
    refused = world.site("head_a").post(
        reverse("people:card_add", args=[world.campaign.pk]),
        {"full_name": "Trần Văn Mới", "cccd": "066085000777", "village": 1},
    )
    assert refused.status_code == 404
    assert not Resident.objects.filter(name_key="tran van moi").exists()


@pytest.mark.parametrize(
    "text",
    [
        "https://dichvucong.gov.vn/p/home/dvc-trang-chu.html",
        "00020101021138570010A00000072701270006970436011300112345678",
        "066190012345|241234567|Nguyễn Thị Hoà|17051990",
    ],
)
def test_a_code_that_is_not_a_card_gets_a_clear_message(world: World, text: str) -> None:
    response = _search(world, "unit_a", text)
    error = _soup(response).select_one("form.field-search .errorlist").get_text()
    assert "không phải mã QR của thẻ căn cước" in error
    assert not AuditEvent.objects.filter(action="search").exists()


def test_scanning_in_session_mode_adds_and_opens_the_person(world: World) -> None:
    session = reverse("outreach:session", args=[world.campaign.pk, world.session.pk])
    response = _search(world, "unit_a", NEW, url=session)
    form = _soup(response).select_one("form.card-add-form")
    data = {i["name"]: i.get("value", "") for i in form.select("input")}
    data["village"] = _soup(response).select_one("#card-add-village option[selected]")["value"]

    done = world.site("unit_a").post(form["action"], data)

    person = Resident.objects.get(name_key="tran van moi")
    assert done["Location"] == f"{session}?nguoi={person.pk}"
    assert person.village == world.session.place


def test_a_namesake_is_not_given_a_number_that_disagrees_with_them(world: World) -> None:
    other = ResidentFactory(
        village=world.resident.village, full_name="Lê Văn Tám", gender="M", birth_date=None
    )
    url = reverse("people:card_attach", args=[world.campaign.pk, other.pk])
    world.site("manager_a").post(url, {"cccd": "066190012345"})  # a woman's, born 1990
    other.refresh_from_db()
    assert other.cccd is None  # a woman's number is not a man's


def _card_photo(text: str, *, kind: str = "jpeg", scale: int = 8) -> SimpleUploadedFile:
    """A photo of a card's QR code: the code drawn by segno, saved as a camera would."""
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=scale, border=6)
    image = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    photo = io.BytesIO()
    image.save(photo, format=kind.upper(), quality=85)
    return SimpleUploadedFile(f"card.{kind}", photo.getvalue(), content_type=f"image/{kind}")


def test_a_photo_of_a_card_finds_its_person(world: World) -> None:
    url = reverse("people:search", args=[world.campaign.pk])
    response = world.site("unit_a").post(url, {"photo": _card_photo(HOA)})

    names = [n.get_text(strip=True) for n in _soup(response).select(".person-list .person-name")]
    assert names == ["Nguyễn Thị Hoà"]
    assert ADDRESS not in response.content.decode()


@pytest.mark.parametrize(
    ("upload", "words"),
    [
        (SimpleUploadedFile("x.jpg", b"MZ\x90\x00 not an image", "image/jpeg"), "không phải ảnh"),
        ("blank", "Không đọc được mã QR"),
    ],
)
def test_a_photo_without_a_card_code_gets_a_clear_message(
    world: World, upload: object, words: str
) -> None:
    if upload == "blank":
        blank = io.BytesIO()
        Image.new("RGB", (800, 600), "white").save(blank, format="JPEG")
        upload = SimpleUploadedFile("x.jpg", blank.getvalue(), "image/jpeg")
    url = reverse("people:search", args=[world.campaign.pk])
    response = world.site("unit_a").post(url, {"photo": upload})
    assert words in _soup(response).select_one("form.field-search .errorlist").get_text()
