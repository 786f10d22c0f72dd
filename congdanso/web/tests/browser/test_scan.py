"""Scanning a CCCD card in field mode, as a volunteer's phone does it: the camera (Chromium's
fake camera playing a video of the card's QR code, made here with segno), a photo, or a
scanner typing the code into the search box. Each finds Nguyễn Thị Hoà."""

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import segno
from django.urls import reverse
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from congdanso.web.tests.browser.conftest import CHROMIUM, PHONE
from congdanso.web.tests.browser.pages import log_in_with_the_form
from congdanso.web.tests.browser.scene import PASSWORD, VOLUNTEER, Scene

pytestmark = pytest.mark.browser

ADDRESS = "Thôn Cao Bằng, xã Ea Yông, huyện Krông Pắc, tỉnh Đắk Lắk"
HOA = f"066190012345|241234567|Nguyễn Thị Hoà|17051990|Nữ|{ADDRESS}|01072021"


def _card_image(text: str, size: int) -> Image.Image:
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=6, border=4)
    code = Image.open(io.BytesIO(buffer.getvalue())).convert("L")
    code = code.resize((size, size), Image.Resampling.NEAREST)
    frame = Image.new("L", (640, 480), 235)
    frame.paste(code, ((640 - size) // 2, (480 - size) // 2))
    return frame


def _card_video(path: Path, text: str) -> Path:
    """A Y4M video (what Chromium's fake camera plays): the card's code, still, grey."""
    frame = _card_image(text, 400)
    luma = frame.tobytes()
    chroma = bytes([128]) * (640 * 480 // 4)
    with path.open("wb") as video:
        video.write(b"YUV4MPEG2 W640 H480 F10:1 Ip A1:1 C420jpeg\n")
        for _ in range(10):
            video.write(b"FRAME\n" + luma + chroma + chroma)
    return path


@pytest.fixture
def camera_phone(browser: Browser, tmp_path: Path) -> Iterator[Page]:
    """A phone whose camera sees Hoà's card."""
    video = _card_video(tmp_path / "card.y4m", HOA)
    chromium = browser.browser_type.launch(
        executable_path=str(CHROMIUM),
        args=[
            "--no-sandbox",
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    context = chromium.new_context(**PHONE)
    context.set_default_timeout(15_000)
    context.grant_permissions(["camera"])
    yield context.new_page()
    context.close()
    chromium.close()


def test_the_camera_reads_a_card_and_session_mode_finds_its_person(
    scene: Scene, camera_phone: Page, live_server: Any
) -> None:
    page = camera_phone
    log_in_with_the_form(page, live_server, VOLUNTEER, PASSWORD)
    search = reverse("people:search", args=[scene.campaign.pk])
    page.goto(f"{live_server.url}{search}")
    page.get_by_role("link", name="Quét thẻ CCCD bằng máy ảnh").click()

    expect(page.locator(".person-list .person-name")).to_have_text(["Nguyễn Thị Hoà"])
    assert ADDRESS not in page.content()
    assert page.get_by_role("searchbox").input_value() == ""


def test_a_photo_of_the_card_finds_its_person(
    scene: Scene, phone: Page, live_server: Any, tmp_path: Path
) -> None:
    photo = tmp_path / "card.jpg"
    _card_image(HOA, 360).convert("RGB").save(photo, quality=85)
    log_in_with_the_form(phone, live_server, VOLUNTEER, PASSWORD)
    phone.goto(f"{live_server.url}{reverse('people:search', args=[scene.campaign.pk])}")

    phone.locator("#id_photo").set_input_files(str(photo))  # the form sends itself

    expect(phone.locator(".person-list .person-name")).to_have_text(["Nguyễn Thị Hoà"])


def test_a_scanner_typing_the_code_into_the_box_finds_its_person(
    scene: Scene, phone: Page, live_server: Any
) -> None:
    log_in_with_the_form(phone, live_server, VOLUNTEER, PASSWORD)
    phone.goto(f"{live_server.url}{reverse('people:search', args=[scene.campaign.pk])}")
    box = phone.get_by_role("searchbox")
    box.fill(HOA)  # a keyboard-wedge scanner types the whole text at once
    box.press("Enter")

    expect(phone.locator(".person-list .person-name")).to_have_text(["Nguyễn Thị Hoà"])
    assert ADDRESS not in phone.content()
