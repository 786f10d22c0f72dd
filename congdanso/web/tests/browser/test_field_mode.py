"""Field mode on a phone, as issue 5 tells it: a volunteer logs in, opens today's session,
finds Nguyễn Thị Hoà by typing "hoa nguyen", taps "VNeID … — xong", and the dashboard's
numbers move by one."""

import re
from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect

from congdanso.campaigns.models import Criterion
from congdanso.outreach.models import SupportSession, Turn
from congdanso.vn import vietnam_today
from congdanso.web.tests.browser.pages import log_in_with_the_form
from congdanso.web.tests.browser.scene import PASSWORD, VOLUNTEER, Scene

pytestmark = pytest.mark.browser


def vi(message: str) -> str:
    with translation.override("vi"):
        return gettext(message)


def _number(text: str) -> int:
    """A figure as the dashboard writes it ("1.234")."""
    return int(re.sub(r"\D", "", text))


def dashboard_figures(page: Page, criterion: Criterion) -> dict[str, int]:
    """The exemplary count, the cohort's exemplary count and the criterion's coverage (ages
    16–50 and all ages), read off the dashboard."""
    exemplary = page.locator(".target-grid .target").nth(0).locator(".big-number .figure-link")
    cohort_met = page.locator(".target-grid .target").nth(1).locator(".figure-link").nth(0)
    row = page.locator("section[aria-labelledby=h-criteria] tbody tr").filter(
        has=page.locator("th", has_text=criterion.name)
    )
    return {
        "exemplary": _number(exemplary.inner_text()),
        "cohort exemplary": _number(cohort_met.inner_text()),
        "criterion, cohort": _number(row.locator("td").nth(0).inner_text()),
        "criterion, all ages": _number(row.locator("td").nth(1).inner_text()),
    }


def test_a_volunteer_ticks_vneid_for_hoa_in_todays_session_and_the_dashboard_counts_her(
    scene: Scene, phone: Page, live_server: Any
) -> None:
    vneid = Criterion.objects.get(code="vneid_level2")
    log_in_with_the_form(phone, live_server, VOLUNTEER, PASSWORD)
    # The home page sends the volunteer to the campaign's sessions, where their work is.
    expect(phone).to_have_url(re.compile(rf"/chien-dich/{scene.campaign.pk}/buoi/$"))
    phone.get_by_role("link", name=vi("Dashboard"), exact=True).click()
    expect(phone.locator("h1")).to_have_text(scene.campaign.name)
    before = dashboard_figures(phone, vneid)

    phone.get_by_role("link", name=vi("Sessions"), exact=True).click()
    phone.get_by_label(vi("Where")).select_option(label="Thôn Cao Bằng")
    phone.get_by_role("button", name=vi("Open today's session")).click()
    session = SupportSession.objects.get(campaign=scene.campaign, date=vietnam_today())
    assert session.place == scene.villages["Thôn Cao Bằng"]
    expect(phone.locator(".session-count strong")).to_have_text("0")

    # Typed key by key: the results come as the volunteer types (site.js), no submit.
    phone.get_by_role("searchbox").press_sequentially("hoa nguyen", delay=30)
    results = phone.locator("#search-results .person-list a.person-row")
    expect(results).to_have_count(2)  # Nguyễn Thị Hoà and Nguyễn Văn Hòa, not Trần Thị Hoa
    results.filter(has=phone.locator(".person-name", has_text="Nguyễn Thị Hoà")).tap()
    person = phone.locator("section.person-open")
    expect(person.locator(".person-name")).to_have_text("Nguyễn Thị Hoà")
    person.get_by_role("button", name="VNeID mức 2 — xong").tap()

    expect(phone.locator(".messages .message-success")).to_contain_text("Nguyễn Thị Hoà")
    expect(phone.locator(".session-count strong")).to_have_text("1")
    # She stays open for her next criterion; "Người tiếp theo" goes back to an empty box.
    expect(person.get_by_role("button", name="VNeID mức 2 — xong")).to_have_count(0)
    expect(person.locator("form.tick-form button").first).to_be_visible()  # her next ones
    person.get_by_role("link", name=vi("Next person")).tap()
    expect(phone.get_by_role("searchbox")).to_be_focused()
    expect(phone.get_by_role("searchbox")).to_have_value("")
    assert Turn.objects.filter(session=session, resident=scene.hoa, criterion=vneid).count() == 1

    phone.get_by_role("link", name=vi("Dashboard"), exact=True).click()
    after = dashboard_figures(phone, vneid)
    assert after == {name: value + 1 for name, value in before.items()}
    assert before["exemplary"] == 1  # Lê Văn An; Hoà is the second


def test_a_number_typed_in_the_search_never_reaches_the_url_or_the_history(
    scene: Scene, phone: Page, live_server: Any
) -> None:
    log_in_with_the_form(phone, live_server, VOLUNTEER, PASSWORD)
    phone.goto(f"{live_server.url}/chien-dich/{scene.campaign.pk}/tim/")
    box = phone.get_by_role("searchbox")
    box.press_sequentially("2345", delay=30)  # the last four digits of Hoà's CCCD
    expect(phone.locator("#search-results .person-name")).to_contain_text(["Nguyễn Thị Hoà"])
    box.fill("")
    box.press_sequentially("12345", delay=30)  # more than the last four: nobody, a hint
    expect(phone.locator("#search-results .person-name")).to_have_count(0)
    expect(phone.locator("#search-results")).to_contain_text("4")
    box.fill("066190012345")
    box.press("Enter")  # the plain form: a POST, its answer the results
    expect(phone.locator("#search-results .person-name")).to_have_text(["Nguyễn Thị Hoà"])
    history = phone.evaluate("() => [location.href, history.length]")
    assert "2345" not in history[0] and "q=" not in history[0]
