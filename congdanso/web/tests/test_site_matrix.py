"""The site's permission matrix, generated from the URL configuration.

Every URL of the site must be named, have a rule in `congdanso.urls.ACCESS_RULES` (each app
declares its pages' rules in its urls.py) and a request in `SITE_REQUESTS` aimed at commune A
of the test world; a new page without both fails here until they are declared. Then, for
every role: the anonymous user gets the log-in page; a user of another commune or village
gets 404 (never 403: existence is not revealed); a viewer never receives a resident's
personal data; and no page answers 5xx.
"""

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from congdanso.core.tests.world import World
from congdanso.reports.models import ReportSubmission
from congdanso.reports.selectors import report_request
from congdanso.reports.submissions import report_submit
from congdanso.urls import ACCESS_RULES
from congdanso.web.imports.tests.site_requests import IMPORT_REQUESTS
from congdanso.web.setup.tests.site_requests import SETUP_REQUESTS

pytestmark = pytest.mark.django_db

WHO = ("admin", "manager_a", "unit_a", "head_a", "viewer_a", "manager_b")
PRIVATE = ("Nguyễn Thị Hoà", "066190012345", "0912345678", "17/05/1990", "1990-05-17")

OK = "ok"
#: Outcome of each rule for each signed-in role. OK: any answer below 400 (a redirect too).
SITE_EXPECTED: dict[str, dict[str, Any]] = {
    "public": dict.fromkeys(WHO, OK),
    "signed-in": dict.fromkeys(WHO, OK),
    "manager": {"admin": OK, "manager_a": OK, "manager_b": OK,
                "unit_a": 404, "head_a": 404, "viewer_a": 404},
    "campaign": dict.fromkeys(WHO, OK) | {"manager_b": 404},
    "campaign-person": dict.fromkeys(WHO, OK) | {"viewer_a": 404, "manager_b": 404},
    "campaign-manage": {"admin": OK, "manager_a": OK, "unit_a": 404, "head_a": 404,
                        "viewer_a": 404, "manager_b": 404},
    # An object of commune A that is not a campaign's (an import job): its managers only.
    "commune-manage": {"admin": OK, "manager_a": OK, "unit_a": 404, "head_a": 404,
                       "viewer_a": 404, "manager_b": 404},
}  # fmt: skip


def _campaign(name: str) -> Callable[[World], str]:
    return lambda w: reverse(name, args=[w.campaign.pk])


def _submission(world: World) -> Any:
    """Commune A's report for 30/09/2023, sent by its manager."""
    found = ReportSubmission.objects.filter(campaign=world.campaign).first()
    if found is None:
        request = report_request(campaign_id=world.campaign.pk, on=dt.date(2023, 9, 30))
        found = report_submit(request, submitted_by=world.users["manager_a"])
    return found


def _sent(name: str) -> Callable[[World], str]:
    return lambda w: reverse(name, args=[w.campaign.pk, _submission(w).pk])


#: URL name → the GET request aimed at commune A (by default the name without arguments).
SITE_REQUESTS: dict[str, Callable[[World], str]] = {
    **SETUP_REQUESTS,  # the campaign set-up pages
    **IMPORT_REQUESTS,  # the import pages
    "campaigns:dashboard": _campaign("campaigns:dashboard"),
    "campaigns:people": _campaign("campaigns:people"),
    "campaigns:village": lambda w: reverse(
        "campaigns:village", args=[w.campaign.pk, w.resident.village.code]
    ),
    "campaigns:village_print": lambda w: reverse(
        "campaigns:village_print", args=[w.campaign.pk, w.resident.village.code]
    ),
    # "Tải Excel" of a list: the people the page shows, so the same people may have it.
    "campaigns:people_xlsx": _campaign("campaigns:people_xlsx"),
    "campaigns:village_xlsx": lambda w: reverse(
        "campaigns:village_xlsx", args=[w.campaign.pk, w.resident.village.code]
    ),
    # Field mode (people, outreach, campaigns:record); a POST-only page redirects a GET.
    "people:search": lambda w: reverse("people:search", args=[w.campaign.pk]) + "?q=hoa",
    "people:card": lambda w: reverse("people:card", args=[w.campaign.pk, w.resident.pk]),
    "people:reveal": lambda w: reverse("people:reveal", args=[w.campaign.pk, w.resident.pk]),
    "people:card_add": _campaign("people:card_add"),
    "people:scan": _campaign("people:scan"),
    "people:card_attach": lambda w: reverse(
        "people:card_attach", args=[w.campaign.pk, w.resident.pk]
    ),
    "people:issue_fix": lambda w: reverse(
        "people:issue_fix", args=[w.campaign.pk, w.resident.pk, 1]
    ),
    "campaigns:record": lambda w: reverse("campaigns:record", args=[w.campaign.pk, w.resident.pk]),
    "outreach:sessions": _campaign("outreach:sessions"),
    "outreach:session_open": _campaign("outreach:session_open"),
    "outreach:session": lambda w: (
        reverse("outreach:session", args=[w.campaign.pk, w.session.pk]) + "?q=hoa"
    ),
    "outreach:session_turn": lambda w: reverse(
        "outreach:session_turn", args=[w.campaign.pk, w.session.pk]
    ),
    "outreach:session_anonymous": lambda w: reverse(
        "outreach:session_anonymous", args=[w.campaign.pk, w.session.pk]
    ),
    "outreach:session_status": lambda w: reverse(
        "outreach:session_status", args=[w.campaign.pk, w.session.pk]
    ),
    "outreach:session_roster": lambda w: reverse(
        "outreach:session_roster", args=[w.campaign.pk, w.session.pk]
    ),
    "outreach:session_undo": lambda w: reverse(
        "outreach:session_undo", args=[w.campaign.pk, w.session.pk]
    ),
    "outreach:session_newcomer": lambda w: reverse(
        "outreach:session_newcomer", args=[w.campaign.pk, w.session.pk, 1]
    ),
    "people:withdraw": lambda w: reverse(
        "people:withdraw", args=[w.campaign.pk, w.resident.pk, w.achievement.pk]
    ),
    # The report downloads (aggregates: viewers too).
    "reports:docx": _campaign("reports:docx"),
    "reports:pdf": _campaign("reports:pdf"),
    "reports:xlsx": _campaign("reports:xlsx"),
    # Reports sent up: the list, one report, its files as sent.
    "reports:submissions": _campaign("reports:submissions"),
    "reports:submission": _sent("reports:submission"),
    "reports:submission_docx": _sent("reports:submission_docx"),
    "reports:submission_xlsx": _sent("reports:submission_xlsx"),
    "reports:card": _campaign("reports:card"),
}


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> list[tuple[str, str]]:
    found = []
    for p in patterns:
        if isinstance(p, URLResolver):
            space = p.namespace or namespace
            found += _walk(p.url_patterns, prefix + str(p.pattern), space)
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}" if namespace and p.name else (p.name or "")
            found.append((prefix + str(p.pattern), name))
    return found


def _site_urls() -> list[tuple[str, str]]:
    return [
        (route, name)
        for route, name in _walk(get_resolver().url_patterns)
        if not route.startswith(("admin/", "api/v1/"))
        and not name.startswith(("admin:", "api-v1:"))
    ]


def test_every_site_url_is_named_has_a_rule_and_a_request() -> None:
    undeclared = [
        f"{route} ({name or 'no name'})"
        for route, name in _site_urls()
        if name not in ACCESS_RULES
        or ACCESS_RULES[name] not in SITE_EXPECTED
        or ("<" in route and name not in SITE_REQUESTS)
    ]
    assert undeclared == [], (
        "add a rule to the app's urls.ACCESS and a request to SITE_REQUESTS for: "
        + ", ".join(undeclared)
    )


#: Pages whose answer LibreOffice makes (without it they say how to install it, 503).
NEEDS_LIBREOFFICE = {"reports:pdf"}

#: Pages that only accept POST (a GET changes nothing): a GET by an allowed role gets 405.
POST_ONLY = {"accounts:logout"}


def _url(name: str, world: World) -> str:
    request = SITE_REQUESTS.get(name)
    return request(world) if request else reverse(name)


@pytest.mark.parametrize("name", sorted(ACCESS_RULES))
def test_site_pages_send_the_anonymous_user_to_the_log_in_page(world, name: str) -> None:  # type: ignore[no-untyped-def]
    response = world.site(None).get(_url(name, world))
    if ACCESS_RULES[name] == "public":
        assert response.status_code in (200, 302)
    else:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("name", sorted(ACCESS_RULES))
def test_site_pages_for_every_role(world, name: str, who: str, request) -> None:  # type: ignore[no-untyped-def]
    expected = SITE_EXPECTED[ACCESS_RULES[name]][who]
    if name in NEEDS_LIBREOFFICE and expected == OK:
        request.getfixturevalue("libreoffice")  # the PDF is made by LibreOffice: skip without
    response = world.site(who).get(_url(name, world))

    if expected == OK and name in POST_ONLY:
        assert response.status_code == 405, (name, who, response.status_code)
    elif expected == OK:
        assert response.status_code < 400, (name, who, response.status_code)
    else:
        assert response.status_code == expected, (name, who, response.status_code)
    if who in ("viewer_a", "manager_b"):
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode(errors="replace")
        for private in PRIVATE:
            assert private not in text, (name, who, private)


#: The pages about one resident (or their achievement, or their village), asked again about a
#: resident of commune A's second village: the head of the first village must get 404, as
#: from outside; every other role gets what it gets in commune A.
ONE_PERSON_PAGES = (
    "campaigns:village",
    "campaigns:village_print",
    "campaigns:village_xlsx",
    "people:card",
    "people:reveal",
    "people:card_attach",
    "campaigns:record",
    "people:withdraw",
)
NEXT_VILLAGE_PRIVATE = ("Trần Văn Hoà", "066190054321", "0987654321")


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("name", ONE_PERSON_PAGES)
def test_site_pages_about_a_resident_of_the_next_village(next_village, name: str, who: str) -> None:  # type: ignore[no-untyped-def]
    response = next_village.site(who).get(_url(name, next_village))

    expected = 404 if who == "head_a" else SITE_EXPECTED[ACCESS_RULES[name]][who]
    if expected == OK:
        assert response.status_code < 400, (name, who, response.status_code)
    else:
        assert response.status_code == expected, (name, who, response.status_code)
    if who in ("head_a", "viewer_a", "manager_b"):
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode(errors="replace")
        for private in NEXT_VILLAGE_PRIVATE:
            assert private not in text, (name, who, private)


@pytest.mark.parametrize("who", WHO[1:])
def test_the_admin_site_is_for_administrators_only(world, who: str) -> None:  # type: ignore[no-untyped-def]
    client = world.site(who)
    response = client.get(reverse("admin:people_resident_changelist"))
    assert response.status_code == 302  # to the admin log-in: not staff
    assert world.site("admin").get(reverse("admin:people_resident_changelist")).status_code == 200


@pytest.mark.parametrize(
    ("who", "page"),
    [
        ("manager_a", "campaigns:dashboard"),
        ("unit_a", "outreach:sessions"),  # a unit member's work is at the sessions
        ("head_a", "campaigns:dashboard"),
        ("viewer_a", "campaigns:dashboard"),
    ],
)
def test_home_sends_each_user_to_their_campaign(world, who: str, page: str) -> None:  # type: ignore[no-untyped-def]
    response = world.site(who).get(reverse("home"))

    assert response["Location"] == reverse(page, args=[world.campaign.pk])
