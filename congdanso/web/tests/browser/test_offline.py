"""Session mode with no signal, in the real browser (issue 15, item 3): the volunteer keeps
the session's list on the phone, the network goes, the session page is reloaded (the service
worker serves the app shell), people are found and ticked, two newcomers are added, the
network comes back, and the outbox is applied — each write exactly once, even when a sync is
cut off half-way or two phones queued the same tick. Log-out leaves nothing on the phone."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect

from congdanso.outreach.models import Newcomer, SupportSession, Turn
from congdanso.outreach.services import session_create
from congdanso.people.models import Resident
from congdanso.people.tests.factories import ResidentFactory
from congdanso.vn import vietnam_today
from congdanso.web.tests.browser.conftest import PHONE
from congdanso.web.tests.browser.pages import log_in_with_the_form
from congdanso.web.tests.browser.scene import PASSWORD, VOLUNTEER, Scene

pytestmark = pytest.mark.browser

PEOPLE = 20


@pytest.fixture
def today_session(scene: Scene) -> SupportSession:
    village = scene.villages["Thôn Cao Bằng"]
    for n in range(PEOPLE):
        ResidentFactory(village=village, full_name=f"Phạm Văn Thử {n:02d}")
    return session_create(
        campaign=scene.campaign, place=village, date=vietnam_today(), units=[scene.unit]
    )


def _phone(browser: Browser) -> Iterator[tuple[BrowserContext, Page]]:
    context = browser.new_context(**PHONE)
    context.set_default_timeout(10_000)
    yield context, context.new_page()
    context.close()


@pytest.fixture
def phone_context(browser: Browser) -> Iterator[tuple[BrowserContext, Page]]:
    yield from _phone(browser)


def _session_url(live_server: Any, session: SupportSession) -> str:
    return live_server.url + reverse("outreach:session", args=[session.campaign_id, session.pk])


def _keep_the_list(page: Page, live_server: Any, session: SupportSession) -> None:
    log_in_with_the_form(page, live_server, VOLUNTEER, PASSWORD)
    page.goto(_session_url(live_server, session))
    page.get_by_role("button", name="Giữ danh sách để dùng khi không có mạng").click()
    expect(page.locator("[data-offline-status]")).to_contain_text("đã được giữ", timeout=15_000)


def _go_offline_and_reload(context: BrowserContext, page: Page) -> None:
    context.set_offline(True)
    page.reload()
    expect(page.locator("[data-offline-state]")).to_contain_text("Không có mạng")
    expect(page.locator("[data-offline-undo]")).to_be_hidden()  # nothing to take back yet


def _tick(page: Page, name: str, button: str = "VNeID mức 2 — xong") -> None:
    box = page.locator("#offline-q")
    box.fill(name.lower())
    page.locator("[data-offline-results] .person-row", has_text=name).first.click()
    page.locator("[data-offline-person]").get_by_role("button", name=button).click()
    expect(page.locator("[data-offline-undo]")).to_be_visible()
    page.locator("[data-offline-next]").click()


def _outbox_text(page: Page) -> str:
    """Everything the phone's outbox holds, as JSON text."""
    return str(
        page.evaluate("""() => new Promise((resolve) => {
            const open = indexedDB.open("congdanso");
            open.onsuccess = () => {
              const all = open.result.transaction("outbox").objectStore("outbox").getAll();
              all.onsuccess = () => resolve(JSON.stringify(all.result));
            };
          })""")
    )


def _unsent(page: Page) -> int:
    return int(page.locator(".outbox [data-outbox-count]").inner_text())


def test_a_volunteer_works_offline_and_every_write_is_applied_once(
    scene: Scene, today_session: SupportSession, phone_context: tuple[BrowserContext, Page],
    live_server: Any,
) -> None:  # fmt: skip
    context, page = phone_context
    _keep_the_list(page, live_server, today_session)
    _go_offline_and_reload(context, page)

    for n in range(PEOPLE):
        _tick(page, f"Phạm Văn Thử {n:02d}")
    page.locator("[data-offline-newcomer] summary").click()
    page.fill("#offline-nc-name", "Trần Văn Mới")
    page.fill("#offline-nc-year", "1985")
    page.locator("[data-offline-plus]").click()
    page.locator("[data-offline-newcomer] summary").click()
    page.locator("[data-offline-plus]").click()  # a +1 without details
    expect(page.locator(".outbox [data-outbox-count]")).to_have_text(str(PEOPLE + 2))
    assert Turn.objects.filter(session=today_session).count() == 0  # nothing left the phone

    context.set_offline(False)
    page.locator("[data-offline-sync]").click()
    expect(page.locator(".outbox [data-outbox-count]")).to_have_text("0", timeout=20_000)

    turns = Turn.objects.filter(session=today_session)
    assert turns.count() == PEOPLE
    assert {t.criterion.code for t in turns} == {"vneid_level2"}
    today_session.refresh_from_db()
    assert today_session.anonymous_turns == 2
    assert list(Newcomer.objects.values_list("full_name", "birth_year")) == [("Trần Văn Mới", 1985)]


def test_a_sync_cut_off_half_way_is_sent_again_and_applied_once(
    scene: Scene, today_session: SupportSession, phone_context: tuple[BrowserContext, Page],
    live_server: Any,
) -> None:  # fmt: skip
    context, page = phone_context
    _keep_the_list(page, live_server, today_session)
    _go_offline_and_reload(context, page)
    for n in range(3):
        _tick(page, f"Phạm Văn Thử {n:02d}")

    cut = {"done": False}

    def lose_the_answer(route: Route) -> None:
        if cut["done"]:
            route.continue_()
            return
        cut["done"] = True
        route.fetch()  # the server applies the writes…
        route.abort("internetdisconnected")  # …and the phone never hears back

    page.route("**/api/v1/batch", lose_the_answer)
    context.set_offline(False)
    page.locator("[data-offline-sync]").click()
    page.wait_for_timeout(500)
    assert _unsent(page) == 3  # the phone does not know they arrived
    assert Turn.objects.filter(session=today_session).count() == 3

    page.locator("[data-offline-sync]").click()
    expect(page.locator(".outbox [data-outbox-count]")).to_have_text("0")
    assert Turn.objects.filter(session=today_session).count() == 3


def test_two_phones_queue_the_same_tick_and_it_is_recorded_once(
    scene: Scene, today_session: SupportSession, browser: Browser, live_server: Any
) -> None:
    phones = [_phone(browser), _phone(browser)]
    opened = [next(p) for p in phones]
    for context, page in opened:
        _keep_the_list(page, live_server, today_session)
        _go_offline_and_reload(context, page)
        _tick(page, "Phạm Văn Thử 07")
    for context, page in opened:
        context.set_offline(False)
        page.locator("[data-offline-sync]").click()
        expect(page.locator(".outbox [data-outbox-count]")).to_have_text("0")

    assert Turn.objects.filter(session=today_session).count() == 1
    expect(opened[1][1].locator(".outbox-already")).to_have_count(1)
    for phone in phones:
        next(phone, None)


def test_a_refused_write_stays_with_its_reason_until_dismissed(
    scene: Scene, today_session: SupportSession, phone_context: tuple[BrowserContext, Page],
    live_server: Any,
) -> None:  # fmt: skip
    context, page = phone_context
    _keep_the_list(page, live_server, today_session)
    _go_offline_and_reload(context, page)
    _tick(page, "Phạm Văn Thử 03")
    Resident.objects.get(full_name="Phạm Văn Thử 03").delete()  # erased meanwhile

    context.set_offline(False)
    page.locator("[data-offline-sync]").click()
    refused = page.locator(".outbox-refused")
    expect(refused).to_have_count(1)
    assert _unsent(page) == 1
    page.locator("[data-offline-sync]").click()  # never sent again blindly
    expect(refused).to_have_count(1)
    refused.get_by_role("button", name="Bỏ qua").click()
    expect(page.locator(".outbox [data-outbox-count]")).to_have_text("0")


def test_log_out_leaves_no_roster_on_the_phone(
    scene: Scene, today_session: SupportSession, phone_context: tuple[BrowserContext, Page],
    live_server: Any,
) -> None:  # fmt: skip
    _context, page = phone_context
    _keep_the_list(page, live_server, today_session)
    names = page.evaluate("() => indexedDB.databases().then(d => d.map(x => x.name))")
    assert "congdanso" in names

    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url("**/dang-nhap/**")
    names = page.evaluate("() => indexedDB.databases().then(d => d.map(x => x.name))")
    assert "congdanso" not in names


def test_a_card_scanned_offline_finds_the_person_or_queues_a_newcomer_with_its_number(
    scene: Scene, today_session: SupportSession, phone_context: tuple[BrowserContext, Page],
    live_server: Any,
) -> None:  # fmt: skip
    """Offline, a card's QR code (a scanner typing it into the box) is matched against the roster
    by name and birth year, confirmed by the number's last four digits; a card of nobody on the
    list fills the "+1" form, and its whole number travels only inside that outbox item."""
    import datetime as dt

    from congdanso.outreach.newcomers import newcomer_numbers

    village = scene.villages["Thôn Cao Bằng"]
    ResidentFactory(
        village=village, full_name="Lê Thị Quét", cccd="066190012399",
        birth_date=dt.date(1990, 3, 15), gender="F",
    )  # fmt: skip
    context, page = phone_context
    _keep_the_list(page, live_server, today_session)
    _go_offline_and_reload(context, page)
    box = page.locator("#offline-q")

    box.fill("066190012399||Lê Thị Quét|15031990|Nữ|Thôn Cao Bằng, Ea Yông, Krông Pắc|01012022")
    box.press("Enter")
    expect(page.locator("[data-offline-person] .person-name")).to_have_text("Lê Thị Quét")
    page.locator("[data-offline-person]").get_by_role("button", name="VNeID mức 2 — xong").click()
    expect(page.locator("[data-offline-undo]")).to_be_visible()
    page.locator("[data-offline-next]").click()

    box.fill("079085001234||Trần Văn Lạ|01011985|Nam|Phường 1, Quận 3, TP. Hồ Chí Minh|01012022")
    box.press("Enter")
    expect(page.locator("#offline-nc-name")).to_have_value("Trần Văn Lạ")
    expect(page.locator("#offline-nc-year")).to_have_value("1985")
    page.locator("[data-offline-plus]").click()
    expect(page.locator(".outbox [data-outbox-count]")).to_have_text("2")
    stored = _outbox_text(page)
    assert "079085001234" in stored  # inside the +1 item, and nowhere else on the phone
    assert "066190012399" not in stored

    context.set_offline(False)
    page.locator("[data-offline-sync]").click()
    expect(page.locator(".outbox [data-outbox-count]")).to_have_text("0", timeout=20_000)
    stored = _outbox_text(page)
    assert "079085001234" not in stored  # gone from the phone once sent
    turn = Turn.objects.get(session=today_session)
    assert turn.resident.full_name == "Lê Thị Quét"
    newcomer = Newcomer.objects.get(session=today_session)
    assert (newcomer.full_name, newcomer.birth_year) == ("Trần Văn Lạ", 1985)
    assert newcomer_numbers(newcomer)["cccd"] == "079085001234"  # sealed on the server
