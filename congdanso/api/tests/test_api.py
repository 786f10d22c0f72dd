import json
import uuid

import pytest

from congdanso.accounts.services import token_revoke
from congdanso.campaigns.models import Achievement
from congdanso.core.models import AuditEvent
from congdanso.outreach.models import Turn

pytestmark = pytest.mark.django_db


def _post(client, url: str, body: dict):  # type: ignore[no-untyped-def]
    return client.post(url, json.dumps(body, default=str), content_type="application/json")


def _record(world, who: str = "unit_a", client_uuid: uuid.UUID | None = None, **changes):  # type: ignore[no-untyped-def]
    body = {
        "client_uuid": str(client_uuid or uuid.uuid4()),
        "resident_id": world.resident.pk,
        "criterion": "vneid_level2",
        "achieved_on": "2023-05-04",
        "campaign_id": world.campaign.pk,
    } | changes
    return _post(world.client(who), "/api/v1/achievements", body)


def test_a_retried_write_is_applied_once_and_answered_the_same(world) -> None:  # type: ignore[no-untyped-def]
    client_uuid = uuid.uuid4()
    first = _record(world, client_uuid=client_uuid)
    again = _record(world, client_uuid=client_uuid)

    assert first.status_code == again.status_code == 201
    assert first.json()["result"] == again.json()["result"]
    assert (first.json()["replayed"], again.json()["replayed"]) == (False, True)
    assert (
        Achievement.objects.filter(resident=world.resident, criterion__code="vneid_level2").count()
        == 1
    )
    achievement = Achievement.objects.get(resident=world.resident, criterion__code="vneid_level2")
    assert achievement.unit == world.unit  # a unit member records through their unit
    assert achievement.recorded_by == world.users["unit_a"]


def test_the_same_uuid_with_other_data_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    client_uuid = uuid.uuid4()
    _record(world, client_uuid=client_uuid)
    response = _record(world, client_uuid=client_uuid, achieved_on="2023-05-01")

    assert response.status_code == 400
    assert response.json()["code"] == "client_uuid_reused"
    assert response.json()["message"] != response.json()["message_en"]  # Vietnamese first


def test_batch_applies_each_write_once_and_reports_each(world) -> None:  # type: ignore[no-untyped-def]
    repeated = str(uuid.uuid4())
    writes = [
        {
            "client_uuid": repeated,
            "operation": "turn.record",
            "data": {
                "session_id": world.session.pk,
                "resident_id": world.resident.pk,
                "criterion": "ehealth_book",
            },
        },
        {
            "client_uuid": repeated,
            "operation": "turn.record",
            "data": {
                "session_id": world.session.pk,
                "resident_id": world.resident.pk,
                "criterion": "ehealth_book",
            },
        },
        {
            "client_uuid": str(uuid.uuid4()),
            "operation": "session.anonymous_turns",
            "data": {"session_id": world.session.pk, "count": 3},
        },
        {
            "client_uuid": str(uuid.uuid4()),
            "operation": "achievement.record",
            "data": {
                "resident_id": world.resident_b.pk,
                "criterion": "vneid_level2",
                "achieved_on": "2023-05-04",
                "campaign_id": world.campaign.pk,
            },
        },
        {
            "client_uuid": str(uuid.uuid4()),
            "operation": "achievement.record",
            "data": {"resident_id": world.resident.pk},
        },
    ]
    response = _post(world.client("unit_a"), "/api/v1/batch", {"writes": writes})

    assert response.status_code == 200
    results = response.json()["results"]
    assert [(r["status"], r["replayed"]) for r in results] == [
        (201, False),
        (201, True),
        (200, False),
        (404, False),
        (422, False),
    ]
    assert Turn.objects.filter(resident=world.resident).count() == 1
    world.session.refresh_from_db()
    assert world.session.anonymous_turns == 3


def test_batch_refuses_more_than_500_writes(world) -> None:  # type: ignore[no-untyped-def]
    writes = [
        {
            "client_uuid": str(uuid.uuid4()),
            "operation": "session.anonymous_turns",
            "data": {"session_id": world.session.pk},
        }
        for _ in range(501)
    ]
    response = _post(world.client("unit_a"), "/api/v1/batch", {"writes": writes})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    world.session.refresh_from_db()
    assert world.session.anonymous_turns == 0


def test_a_revoked_or_wrong_token_gets_401_json(world) -> None:  # type: ignore[no-untyped-def]
    from congdanso.accounts.models import ApiToken

    token_revoke(token=ApiToken.objects.get(user=world.users["unit_a"]))
    for client in (world.client("unit_a"), world.client(None)):
        response = client.get("/api/v1/campaigns")
        assert response.status_code == 401
        assert response.json()["code"] == "unauthorized"


def test_bad_input_gets_422_with_the_fields(world) -> None:  # type: ignore[no-untyped-def]
    response = _record(world, achieved_on="31/02/2023")
    assert response.status_code == 422
    assert any("achieved_on" in e["field"] for e in response.json()["errors"])


def test_person_card_masks_personal_data_and_reveal_is_audited(world) -> None:  # type: ignore[no-untyped-def]
    card = world.client("unit_a").get(f"/api/v1/residents/{world.resident.pk}").json()
    assert card["cccd_masked"] == "066******345"
    assert card["phone_masked"] == "09******78"
    assert "066190012345" not in json.dumps(card)
    assert card["birth_date"] is None  # unit members see the year only
    assert {c["code"]: c["achieved_on"] for c in card["criteria"]}["bank_account"] == "2023-04-20"

    response = _post(
        world.client("manager_a"),
        f"/api/v1/residents/{world.resident.pk}/reveal",
        {"field": "cccd", "reason": "Đối chiếu hồ sơ"},
    )
    assert response.json() == {"field": "cccd", "value": "066190012345"}
    event = AuditEvent.objects.get(action="reveal")
    assert (event.actor_name, event.reason, event.object_id) == (
        "manager_a",
        "Đối chiếu hồ sơ",
        str(world.resident.pk),
    )


@pytest.mark.parametrize("reason", ["   ", "..."])
def test_a_reveal_through_the_api_without_a_reason_is_refused_and_not_audited(  # type: ignore[no-untyped-def]
    world, reason: str
) -> None:
    response = _post(
        world.client("manager_a"),
        f"/api/v1/residents/{world.resident.pk}/reveal",
        {"field": "cccd", "reason": reason},
    )

    assert response.status_code == 400
    assert response.json()["code"] == "reason_missing"
    assert "066190012345" not in response.content.decode()
    assert not AuditEvent.objects.filter(action="reveal").exists()


def test_search_finds_folded_name_fragments_and_number_endings(world) -> None:  # type: ignore[no-untyped-def]
    client = world.client("head_a")
    for query in ("hoa nguyen", "NGUYEN thi", "2345", "066190012345", "0912345678"):
        found = client.get("/api/v1/residents", {"q": query}).json()
        assert [r["id"] for r in found] == [world.resident.pk], query
    assert client.get("/api/v1/residents", {"q": "Y Hoà Niê"}).json() == []  # other commune


def test_indicators_and_sessions_through_the_api(world) -> None:  # type: ignore[no-untyped-def]
    client = world.client("viewer_a")
    data = client.get(
        f"/api/v1/campaigns/{world.campaign.pk}/indicators", {"date": "2023-06-30"}
    ).json()
    assert data["date"] == "2023-06-30"
    assert data["cohort"]["size"] == 1
    sessions = client.get(f"/api/v1/campaigns/{world.campaign.pk}/sessions").json()
    assert [s["id"] for s in sessions] == [world.session.pk]


def test_openapi_schema_is_served(world) -> None:  # type: ignore[no-untyped-def]
    response = world.client(None).get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert "/api/v1/batch" in response.json()["paths"]


def test_too_many_requests_get_429_json(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from django.core.cache import cache

    from congdanso.api.v1 import api

    cache.clear()
    throttle = api.throttle[0]  # type: ignore[index]
    monkeypatch.setattr(throttle, "num_requests", 3)
    client = world.client("unit_a")
    statuses = [client.get("/api/v1/campaigns").status_code for _ in range(5)]
    cache.clear()

    assert statuses == [200, 200, 200, 429, 429]
    response = client.get("/api/v1/campaigns")
    assert response.status_code == 200


def test_the_rate_limit_is_shared_by_every_server_process() -> None:
    """gunicorn runs several processes: the throttle's counts must live where all see them."""
    from django.conf import settings
    from django.core.cache import cache
    from django.core.cache.backends.filebased import FileBasedCache

    other_process = FileBasedCache(settings.CACHES["default"]["LOCATION"], {})
    cache.set("throttle_user_42", [1.0, 2.0], 60)

    assert other_process.get("throttle_user_42") == [1.0, 2.0]
    cache.delete("throttle_user_42")


def test_a_body_that_is_not_json_gets_a_vietnamese_400(world) -> None:  # type: ignore[no-untyped-def]
    response = world.client("unit_a").post(
        "/api/v1/achievements", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_json"
    assert response.json()["message"] != response.json()["message_en"]


def _ticks(world, residents, criterion: str = "ehealth_book") -> list[dict]:  # type: ignore[no-untyped-def]
    return [
        {
            "client_uuid": str(uuid.uuid4()),
            "operation": "turn.record",
            "data": {"session_id": world.session.pk, "resident_id": r.pk, "criterion": criterion},
        }
        for r in residents
    ]


def test_a_batch_reads_its_lookups_once_and_still_checks_each_write(world) -> None:  # type: ignore[no-untyped-def]
    """A phone's outbox of many ticks in one session: the session, the criteria, the units and
    the residents are read once for the batch, the tallies kept once across it, and
    each write is still checked on its own: a resident of another commune between two of the
    commune's is refused, a failed write does not leave the others a stale session, and the
    session is marked held as by one tick sent alone."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from congdanso.outreach.models import SessionStatus, SupportSession
    from congdanso.people.tests.factories import ResidentFactory
    from congdanso.progress.tallies import tally_check

    village = world.resident.village
    people = [ResidentFactory(village=village, full_name=f"Lê Văn Thử {n:02d}") for n in range(20)]
    SupportSession.objects.filter(pk=world.session.pk).update(status=SessionStatus.PLANNED)
    client = world.client("unit_a")

    writes = _ticks(world, [people[0], world.resident_b, people[1]])
    writes.insert(2, {**_ticks(world, [people[2]])[0], "operation": "turn.record"})
    writes[2]["data"] = {**writes[2]["data"], "criterion": "no_such_thing"}
    response = _post(client, "/api/v1/batch", {"writes": writes})
    assert [r["status"] for r in response.json()["results"]] == [201, 404, 400, 201]
    assert SupportSession.objects.get(pk=world.session.pk).status == SessionStatus.HELD
    assert set(Turn.objects.filter(session=world.session).values_list("resident", flat=True)) == {
        people[0].pk,
        people[1].pk,
    }

    with CaptureQueriesContext(connection) as one:
        _post(client, "/api/v1/batch", {"writes": _ticks(world, people[2:3])})
    with CaptureQueriesContext(connection) as many:
        response = _post(client, "/api/v1/batch", {"writes": _ticks(world, people[3:])})
    assert {r["status"] for r in response.json()["results"]} == {201}
    assert Turn.objects.filter(session=world.session).count() == 2 + 1 + 17
    assert tally_check(world.campaign) == []  # the batch's one tally change is exact
    again = _post(client, "/api/v1/batch", {"writes": writes}).json()["results"]
    assert [(r["status"], r["replayed"]) for r in again] == [
        (201, True), (404, False), (400, False), (201, True),
    ]  # fmt: skip
    assert Turn.objects.filter(session=world.session).count() == 2 + 1 + 17
    per_write = (len(many) - len(one)) / 16
    # the tick's own work: its turn and achievement (select, savepoint, insert, audit) and the
    # record of the client's UUID — 13 on SQLite and PostgreSQL. Read per write, the session,
    # its campaign, criteria, units, the resident and the UUID would add 8; the tallies kept
    # per write instead of once for the batch, 9 more
    assert per_write <= 13, f"{per_write:.1f} queries a write in a batch"
