"""Schemathesis against the API's own OpenAPI schema (issue 4, "Bad input").

Every operation of `/api/v1/openapi.json`, as the WSGI application serves it, gets requests
generated from its schema — valid ones and, separately, ones that break it — sent with the token
of a campaign manager and of a unit member of the `world` fixture. No answer may be a 5xx; an
answer whose status the schema documents must match the documented body, and any other answer
(the errors, which the operations do not declare) must be the API's JSON error.

Random ids almost never exist, so most generated ids are replaced by the world's real campaign,
resident, session, achievement and unit: only then do the requests reach the services, where bad
values do harm. The queued writes of `POST /batch` carry `data` the schema does not type; they
are drawn as a valid write of their operation with some fields replaced by any JSON value.

Deterministic for CI: Hypothesis is derandomized, keeps no example database and runs a bounded
number of examples per operation, mode and caller.

`status_code_conformance` runs on the operations that declare error answers; today none does
(they declare only their 2xx, not the 400/401/403/404/422/429 they give).
"""

import datetime as dt
import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import CheckContext, not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from congdanso.api.schemas import ErrorOut
from congdanso.api.v1 import api
from congdanso.conftest import EXEMPLARY_2023

pytestmark = pytest.mark.django_db

# The application congdanso.wsgi serves, without that module's start checks (the umask, the
# keys against the database): they belong to a process start, not to a test collection.
application = get_wsgi_application()

SCHEMA_PATH = "/api/v1/openapi.json"
EXAMPLES = 25  # per operation, generation mode and caller
OPERATIONS = [
    (method.upper(), path)
    for path, methods in api.get_openapi_schema(path_prefix="/api/v1")["paths"].items()
    for method in methods
]
CRITERIA = (*EXEMPLARY_2023, "sim_standardized")

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=2**31 - 2, max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.dates().map(dt.date.isoformat),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=5,
)


@pytest.fixture
def wsgi_without_connection_closing() -> Iterator[None]:
    """The WSGI handler closes "old" database connections when a request starts and ends, which
    would end the test's transaction; Django's test client disconnects it the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def errors_are_the_api_error(ctx: CheckContext, response: Any, case: Any) -> bool | None:
    """An answer the schema does not document is `{"code", "message", "message_en"}` in JSON."""
    if response.status_code >= 500 or case.operation.responses.find_by_status_code(
        response.status_code
    ):
        return None  # a 5xx is not_a_server_error's
    assert response.headers.get("content-type", [""])[0].startswith("application/json")
    body = json.loads(response.content)
    ErrorOut.model_validate(body)
    assert body["code"] and body["message"] and body["message_en"], body
    return None


def _real(world: Any) -> dict[str, st.SearchStrategy[Any]]:
    """The world's objects, by the name of the field or parameter that refers to them; mostly
    those of commune A, where both callers work."""
    return {
        "campaign_id": st.sampled_from([world.campaign.pk, world.campaign.pk, world.campaign_b.pk]),
        "campaign": st.just(world.campaign.pk),
        "resident_id": st.sampled_from([world.resident.pk, world.resident.pk, world.resident_b.pk]),
        "session_id": st.just(world.session.pk),
        "achievement_id": st.just(world.achievement.pk),
        "unit_id": st.just(world.unit.pk),
        "criterion": st.sampled_from(CRITERIA),
        "place": st.sampled_from(["ea-yong", "ea-phe"]),
        "achieved_on": st.dates(dt.date(2023, 4, 1), dt.date(2024, 6, 30)).map(dt.date.isoformat),
        "service": st.sampled_from([None, "guidance", "data_update"]),
    }


def _queued_writes(world: Any) -> st.SearchStrategy[dict[str, Any]]:
    """A queued write of `POST /batch`: valid data of its operation, some fields replaced by any
    JSON value or left out."""
    real = _real(world)
    valid = {
        "achievement.record": {
            "campaign_id": real["campaign_id"],
            "resident_id": real["resident_id"],
            "criterion": real["criterion"],
            "achieved_on": real["achieved_on"],
            "note": st.text(max_size=20),
            "unit_id": real["unit_id"] | st.none(),
            "session_id": real["session_id"] | st.none(),
        },
        "achievement.withdraw": {
            "achievement_id": real["achievement_id"],
            "reason": st.text(min_size=1, max_size=20),
        },
        "turn.record": {
            "session_id": real["session_id"],
            "resident_id": real["resident_id"],
            "criterion": real["criterion"] | st.none(),
            "service": st.sampled_from(["guidance", "data_update", "other", ""]),
            "unit_id": real["unit_id"] | st.none(),
        },
        "session.anonymous_turns": {
            "session_id": real["session_id"],
            "count": st.integers(-100, 100),
        },
    }

    @st.composite
    def write(draw: st.DrawFn) -> dict[str, Any]:
        operation = draw(st.sampled_from(sorted(valid)))
        data = draw(st.fixed_dictionaries(valid[operation]))
        how = draw(st.sampled_from(["valid", "one field", "one field", "any field"]))
        if how == "valid":
            keys = []
        elif how == "one field":
            keys = [draw(st.sampled_from(sorted(data)))]
        else:
            keys = sorted(data)
        for key in keys:
            if draw(st.booleans()):
                del data[key]
            else:
                data[key] = draw(json_values)
        return {"client_uuid": str(draw(st.uuids())), "operation": operation, "data": data}

    return write()


def _steer(data: st.DataObject, values: dict[str, Any], real: dict[str, Any]) -> None:
    """Replace (in place) all, some or none of the generated references by real ones."""
    how = data.draw(st.sampled_from(["all", "all", "all", "some", "none"]), label="real refs")
    for key in sorted(values):
        if key in real and (how == "all" or how == "some" and data.draw(st.booleans())):
            values[key] = data.draw(real[key], label=key)


def _fuzz(operation: Any, mode: GenerationMode, token: str, world: Any) -> None:
    real = _real(world)
    queued = _queued_writes(world)
    checks = [not_a_server_error, response_schema_conformance, errors_are_the_api_error]
    if any(code.startswith("4") for code in operation.responses.status_codes):
        checks.append(status_code_conformance)

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        case = data.draw(operation.as_strategy(generation_mode=mode), label="case")
        for values in (case.path_parameters, case.query, case.body):
            if isinstance(values, dict):
                _steer(data, values, real)
        writes = case.body.get("writes") if isinstance(case.body, dict) else None
        if isinstance(writes, list):
            for index in range(len(writes)):
                if data.draw(st.sampled_from([True, True, True, False]), label="real write?"):
                    writes[index] = data.draw(queued, label="queued write")
        cache.clear()  # the throttle (600 requests a minute per token) is not under test
        # identity: the site gzips what a client accepts, and the WSGI transport here would
        # hand the checks compressed bytes
        response = case.call(
            headers={"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"}
        )
        case.validate_response(response, checks=checks)

    check()


@pytest.mark.usefixtures("wsgi_without_connection_closing")
@pytest.mark.parametrize("who", ["manager_a", "unit_a"])
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_an_operation_answers_generated_requests_without_5xx_as_its_schema_says(
    world: Any, who: str, mode: GenerationMode, method: str, path: str
) -> None:
    schema = schemathesis.openapi.from_wsgi(SCHEMA_PATH, application)

    _fuzz(schema[path][method], mode, world.keys[who], world)


def test_the_schema_served_is_the_one_fuzzed(client: Any) -> None:
    served = client.get(SCHEMA_PATH).json()

    assert sorted((m.upper(), p) for p, ms in served["paths"].items() for m in ms) == sorted(
        OPERATIONS
    )
    assert len(OPERATIONS) >= 12


# Found by the fuzz above and fixed; each stays as a regression test.


def _post(world: Any, url: str, body: dict[str, Any], who: str = "manager_a") -> Any:
    return world.client(who).post(url, json.dumps(body), content_type="application/json")


def _queue(world: Any, operation: str, data: dict[str, Any]) -> Any:
    write = {"client_uuid": str(uuid.uuid4()), "operation": operation, "data": data}
    return _post(world, "/api/v1/batch", {"writes": [write]})


@pytest.mark.parametrize(
    ("operation", "changes"),
    [
        ("achievement.record", {"note": 5}),
        ("achievement.record", {"note": True}),
        ("achievement.withdraw", {"reason": 5}),
    ],
)
def test_a_queued_write_with_text_of_another_type_is_refused(
    world: Any, operation: str, changes: dict[str, Any]
) -> None:
    data = {
        "achievement.record": {
            "campaign_id": world.campaign.pk,
            "resident_id": world.resident.pk,
            "criterion": "vneid_level2",
            "achieved_on": "2023-05-04",
        },
        "achievement.withdraw": {"achievement_id": world.achievement.pk},
    }[operation] | changes

    response = _queue(world, operation, data)

    assert response.status_code == 200
    assert response.json()["results"][0]["status"] == 422


@pytest.mark.parametrize("count", [10**30, 3_000_000_000])
def test_queued_anonymous_turns_beyond_an_integer_are_refused(world: Any, count: int) -> None:
    response = _queue(
        world, "session.anonymous_turns", {"session_id": world.session.pk, "count": count}
    )

    assert response.status_code == 200
    assert response.json()["results"][0]["status"] == 422
    world.session.refresh_from_db()
    assert world.session.anonymous_turns == 0


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/api/v1/residents?q=ho%00a", None),
        ("/api/v1/campaigns/{campaign}/indicators?place=ea%00yong", None),
        ("/api/v1/achievements", {"note": "a\x00b"}),
        ("/api/v1/residents/{resident}/reveal", {"field": "phone", "reason": "a\x00b"}),
        ("/api/v1/achievements/{achievement}/withdraw", {"reason": "a\x00b"}),
        ("/api/v1/batch", {"note": "a\x00b"}),
    ],
)
def test_a_nul_character_is_refused_not_a_server_error(
    world: Any, url: str, body: dict[str, Any] | None
) -> None:
    url = url.format(
        campaign=world.campaign.pk, resident=world.resident.pk, achievement=world.achievement.pk
    )
    record = {
        "campaign_id": world.campaign.pk,
        "resident_id": world.resident.pk,
        "criterion": "vneid_level2",
        "achieved_on": "2023-05-04",
    }
    if body is None:
        response = world.client("manager_a").get(url)
    elif url.endswith("/batch"):
        response = _queue(world, "achievement.record", record | body)
    else:
        if url.endswith("/achievements"):
            body = record | body
        response = _post(world, url, {"client_uuid": str(uuid.uuid4())} | body)

    assert response.status_code == 400  # the whole request, a batch too, before any write
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json()["code"] == "nul_character"


@pytest.mark.parametrize("operation", ["achievement.record", "turn.record"])
def test_a_write_sent_alone_then_queued_again_is_answered_the_same(
    world: Any, operation: str
) -> None:
    client_uuid = str(uuid.uuid4())
    if operation == "achievement.record":
        url = "/api/v1/achievements"
        data: dict[str, Any] = {
            "campaign_id": world.campaign.pk,
            "resident_id": world.resident.pk,
            "criterion": "vneid_level2",
            "achieved_on": "2023-05-04",
        }
    else:
        url = f"/api/v1/sessions/{world.session.pk}/turns"
        data = {"resident_id": world.resident.pk, "service": "guidance"}
    alone = _post(world, url, {"client_uuid": client_uuid} | data)
    queued_data = data | ({"session_id": world.session.pk} if operation == "turn.record" else {})
    write = {"client_uuid": client_uuid, "operation": operation, "data": queued_data}

    queued = _post(world, "/api/v1/batch", {"writes": [write]}).json()["results"][0]

    assert alone.status_code == 201
    assert (queued["status"], queued["replayed"]) == (201, True)
    assert queued["result"] == alone.json()["result"]
