"""The pages of issue 5 as the browser tests open them, how a test signs in, and the checks
run on each page."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Page

from congdanso.accounts.models import User
from congdanso.web.tests.browser.scene import Scene


@dataclass(frozen=True)
class SitePage:
    label: str
    url: Callable[[Scene], str]
    signed_in: bool = True  # as the secretary (a campaign manager), who sees every page


def _on_campaign(name: str, *more: Callable[[Scene], Any], query: str = "") -> Callable:  # type: ignore[type-arg]
    return lambda s: reverse(name, args=[s.campaign.pk, *(get(s) for get in more)]) + query


def _village(s: Scene) -> str:
    return s.villages["Thôn Cao Bằng"].code


#: Every page listed in issue 5 ("Pages"), each in the state a user meets it with content.
SITE_PAGES: tuple[SitePage, ...] = (
    SitePage("log-in", lambda s: reverse("accounts:login"), signed_in=False),
    SitePage("campaign list", lambda s: reverse("campaigns:list")),
    SitePage("dashboard", _on_campaign("campaigns:dashboard")),
    SitePage("people list", _on_campaign("campaigns:people")),
    SitePage("village page", _on_campaign("campaigns:village", _village)),
    SitePage("print view", _on_campaign("campaigns:village_print", _village)),
    SitePage("search with results", _on_campaign("people:search", query="?q=hoa+nguyen")),
    SitePage("person card", _on_campaign("people:card", lambda s: s.hoa.pk)),
    SitePage("person card with a data issue", _on_campaign("people:card", lambda s: s.with_issue.pk)),  # noqa: E501
    SitePage("sessions", _on_campaign("outreach:sessions")),
    SitePage("session mode", _on_campaign("outreach:session", lambda s: s.session.pk, query="?q=hoa")),  # noqa: E501
    SitePage("session mode, a person open", lambda s: reverse("outreach:session", args=[s.campaign.pk, s.session.pk]) + f"?nguoi={s.hoa.pk}"),  # noqa: E501
    SitePage("scan a card", _on_campaign("people:scan")),
    SitePage("offline app shell", lambda s: reverse("offline_shell")),
    SitePage("set-up", _on_campaign("campaigns:setup")),
    SitePage("set-up: targets and criteria", _on_campaign("campaigns:setup_targets")),
    SitePage("set-up: units", _on_campaign("campaigns:setup_units")),
    SitePage("set-up: pledge", _on_campaign("campaigns:setup_pledge", lambda s: s.unit.pk)),
    SitePage("set-up: teams", _on_campaign("campaigns:setup_teams")),
    SitePage("set-up: team", _on_campaign("campaigns:setup_team", lambda s: s.team.pk)),
    SitePage("set-up: twinnings", _on_campaign("campaigns:setup_twinnings")),
    SitePage("set-up: donations", _on_campaign("campaigns:setup_donations")),
    SitePage("set-up: donation", _on_campaign("campaigns:setup_donation", lambda s: s.donation.pk)),  # noqa: E501
    SitePage("set-up: schedule", _on_campaign("campaigns:setup_schedule")),
    SitePage("import", lambda s: reverse("people:import")),
    SitePage("places", lambda s: reverse("places:list")),
    SitePage("audit log", lambda s: reverse("accounts:audit")),
)  # fmt: skip

_AXE = Axe()
SERIOUS = ("serious", "critical")


def accessibility_problems(page: Page) -> list[str]:
    """axe-core's violations of impact serious or critical on the page, one line each."""
    results = _AXE.run(page, options={"resultTypes": ["violations"]})
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        for violation in results.response["violations"]
        if violation["impact"] in SERIOUS
    ]


def page_width(page: Page) -> int:
    """The width of the page's content: wider than the viewport means sideways scrolling."""
    return int(page.evaluate("document.documentElement.scrollWidth"))


def sign_in(page: Page, live_server: Any, user: User) -> None:
    """Signs the page's browser in as the user without the log-in form (a session made on
    the server, its cookie given to the browser): the form has its own test."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


def log_in_with_the_form(page: Page, live_server: Any, username: str, password: str) -> None:
    page.goto(live_server.url + reverse("accounts:login"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("form.form-stacked button[type=submit]")
