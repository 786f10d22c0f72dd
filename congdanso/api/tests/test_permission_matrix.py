"""The permission matrix, generated from the URL configuration.

Every API operation must declare its access rule (`x-access` in the OpenAPI schema) and have a
request here that targets an object of commune A (the site's pages have their own matrix in
core/tests/test_site_matrix.py). A new endpoint without both fails here until its rules are
declared. Then, for every role, the outcome must be the
rule's: a user of another commune or village gets 404 (never 403: existence is not revealed),
a viewer never receives a resident's personal data, and the anonymous user gets 401 from the
API and the log-in page from the site.
"""

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from congdanso.api.v1 import api

pytestmark = pytest.mark.django_db

OK = "ok"
WHO = (None, "admin", "manager_a", "unit_a", "head_a", "viewer_a", "manager_b")

#: Expected outcome per API rule and caller (None = anonymous).
EXPECTED: dict[str, dict[str | None, Any]] = {
    "signed-in": {None: 401} | {who: OK for who in WHO if who},
    "campaign": {None: 401, "manager_b": 404} | dict.fromkeys(WHO[1:6], OK),
    "person": {None: 401, "viewer_a": 404, "manager_b": 404} | dict.fromkeys(WHO[1:5], OK),
    "reveal": {
        None: 401, "admin": OK, "manager_a": OK, "unit_a": 403, "head_a": 403,
        "viewer_a": 404, "manager_b": 404,
    },
    "write": {None: 401, "viewer_a": 404, "manager_b": 404} | dict.fromkeys(WHO[1:5], OK),
    "withdraw": {
        None: 401, "admin": OK, "manager_a": OK, "unit_a": 403, "head_a": 403,
        "viewer_a": 404, "manager_b": 404,
    },
    "batch": {None: 401} | {who: OK for who in WHO if who},
    # Every signed-in user may search; what they find is their scope (checked below).
    "search": {None: 401} | {who: OK for who in WHO if who},
}  # fmt: skip

# The rule a write endpoint really follows, where it is narrower than its declared "write".
NARROWER = {("POST", "/api/v1/achievements/{achievement_id}/withdraw"): "withdraw",
            ("POST", "/api/v1/batch"): "batch"}  # fmt: skip


def _body(world: Any, **fields: Any) -> dict[str, Any]:
    return {"client_uuid": str(uuid.uuid4())} | fields


#: (method, path) → function(world) giving (url, JSON body or None) aimed at commune A.
REQUESTS: dict[tuple[str, str], Callable[[Any], tuple[str, dict[str, Any] | None]]] = {
    ("GET", "/api/v1/campaigns"): lambda w: ("/api/v1/campaigns", None),
    ("GET", "/api/v1/campaigns/{campaign_id}"): lambda w: (
        f"/api/v1/campaigns/{w.campaign.pk}", None),
    ("GET", "/api/v1/campaigns/{campaign_id}/indicators"): lambda w: (
        f"/api/v1/campaigns/{w.campaign.pk}/indicators?date=2023-06-30", None),
    ("GET", "/api/v1/campaigns/{campaign_id}/sessions"): lambda w: (
        f"/api/v1/campaigns/{w.campaign.pk}/sessions", None),
    ("GET", "/api/v1/residents"): lambda w: ("/api/v1/residents?q=hoa", None),
    ("POST", "/api/v1/residents/search"): lambda w: ("/api/v1/residents/search", {"q": "hoa"}),
    ("GET", "/api/v1/residents/{resident_id}"): lambda w: (
        f"/api/v1/residents/{w.resident.pk}", None),
    ("POST", "/api/v1/residents/{resident_id}/reveal"): lambda w: (
        f"/api/v1/residents/{w.resident.pk}/reveal", {"field": "phone", "reason": "Kiểm tra"}),
    ("POST", "/api/v1/achievements"): lambda w: ("/api/v1/achievements", _body(
        w, resident_id=w.resident.pk, criterion="vneid_level2", achieved_on="2023-05-04",
        campaign_id=w.campaign.pk)),
    ("POST", "/api/v1/achievements/{achievement_id}/withdraw"): lambda w: (
        f"/api/v1/achievements/{w.achievement.pk}/withdraw", _body(w, reason="Nhầm")),
    ("POST", "/api/v1/sessions/{session_id}/turns"): lambda w: (
        f"/api/v1/sessions/{w.session.pk}/turns", _body(
            w, resident_id=w.resident.pk, service="guidance")),
    ("POST", "/api/v1/sessions/{session_id}/anonymous-turns"): lambda w: (
        f"/api/v1/sessions/{w.session.pk}/anonymous-turns", _body(w, count=1)),
    ("POST", "/api/v1/sessions/{session_id}/newcomers"): lambda w: (
        f"/api/v1/sessions/{w.session.pk}/newcomers", _body(w, full_name="Trần Văn Mới")),
    ("POST", "/api/v1/batch"): lambda w: ("/api/v1/batch", {"writes": []}),
}  # fmt: skip


def _operations() -> list[tuple[str, str, str | None]]:
    schema = api.get_openapi_schema()
    return [
        (method.upper(), path, operation.get("x-access"))
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]


def test_every_api_operation_declares_its_rule_and_has_a_request_here() -> None:
    missing = [
        f"{method} {path}"
        for method, path, rule in _operations()
        if rule not in EXPECTED or (method, path) not in REQUESTS
    ]
    assert missing == [], "declare x-access and add a request to REQUESTS for: " + ", ".join(
        missing
    )


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize(("method", "path"), sorted(REQUESTS))
def test_api_outcome_for_every_role(world, method: str, path: str, who: str | None) -> None:  # type: ignore[no-untyped-def]
    rule = NARROWER.get((method, path)) or {(m, p): r for m, p, r in _operations()}[(method, path)]
    url, body = REQUESTS[(method, path)](world)
    client = world.client(who)
    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, json.dumps(body), content_type="application/json")

    expected = EXPECTED[rule][who]
    if expected == OK:
        assert 200 <= response.status_code < 300, response.content
    else:
        assert response.status_code == expected, response.content
    if who in ("viewer_a", "manager_b", None):
        text = response.content.decode()
        for private in ("Nguyễn Thị Hoà", "066190012345", "0912345678", "1990-05-17"):
            assert private not in text, (who, url)


#: The requests about one resident (or their achievement), asked again about a resident of
#: commune A's second village: the head of the first village must get 404, as from outside.
ONE_PERSON = [
    ("GET", "/api/v1/residents/{resident_id}"),
    ("POST", "/api/v1/residents/{resident_id}/reveal"),
    ("POST", "/api/v1/achievements"),
    ("POST", "/api/v1/achievements/{achievement_id}/withdraw"),
    ("POST", "/api/v1/sessions/{session_id}/turns"),
]


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize(("method", "path"), ONE_PERSON)
def test_api_outcome_for_a_resident_of_the_next_village(  # type: ignore[no-untyped-def]
    next_village, method: str, path: str, who: str | None
) -> None:
    rule = NARROWER.get((method, path)) or {(m, p): r for m, p, r in _operations()}[(method, path)]
    url, body = REQUESTS[(method, path)](next_village)
    client = next_village.client(who)
    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, json.dumps(body), content_type="application/json")

    expected = 404 if who == "head_a" else EXPECTED[rule][who]
    if expected == OK:
        assert 200 <= response.status_code < 300, response.content
    else:
        assert response.status_code == expected, response.content
    if who in ("head_a", "viewer_a", "manager_b", None):
        text = response.content.decode()
        for private in ("Trần Văn Hoà", "066190054321", "0987654321"):
            assert private not in text, (who, url)


@pytest.mark.parametrize("who", WHO)
def test_search_only_finds_people_in_scope(next_village, who: str | None) -> None:  # type: ignore[no-untyped-def]
    response = next_village.client(who).get("/api/v1/residents", {"q": "hoa"})
    if who is None:
        assert response.status_code == 401
        return
    names = {r["full_name"] for r in response.json()}
    expected = {
        "admin": {"Nguyễn Thị Hoà", "Trần Văn Hoà", "Y Hoà Niê"},
        "manager_a": {"Nguyễn Thị Hoà", "Trần Văn Hoà"},
        "unit_a": {"Nguyễn Thị Hoà", "Trần Văn Hoà"},
        "head_a": {"Nguyễn Thị Hoà"},  # their village, not the commune
        "viewer_a": set(),
        "manager_b": {"Y Hoà Niê"},
    }[who]
    assert names == expected
