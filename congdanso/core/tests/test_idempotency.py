"""Applying a client's write once: the replay belongs to the user who sent it, and a copy that
loses the race to its twin gets the twin's answer instead of an error."""

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from congdanso.core.errors import DomainError
from congdanso.core.idempotency import write_once, writes_known
from congdanso.core.models import ClientWrite

pytestmark = pytest.mark.django_db

ALICE, BOB = 101, 202
PAYLOAD = {"resident": 7, "criterion": "vneid_level2"}


def _applied(status: int, body: dict[str, Any], log: list[str]) -> Callable[[], Any]:
    def apply() -> tuple[int, dict[str, Any]]:
        log.append(body["by"])
        return status, body

    return apply


def test_another_user_with_the_same_client_uuid_gets_their_own_write() -> None:
    shared = uuid.uuid4()
    log: list[str] = []
    alice = write_once(
        user_id=ALICE,
        client_uuid=shared,
        operation="achievement",
        payload=PAYLOAD,
        apply=_applied(201, {"by": "alice"}, log),
    )

    assert writes_known(BOB, [shared]) == set()
    bob = write_once(
        user_id=BOB,
        client_uuid=shared,
        operation="achievement",
        payload=PAYLOAD,
        apply=_applied(201, {"by": "bob"}, log),
    )

    assert (alice.body, alice.replayed) == ({"by": "alice"}, False)
    assert (bob.body, bob.replayed) == ({"by": "bob"}, False)
    assert log == ["alice", "bob"]
    assert ClientWrite.objects.filter(client_uuid=shared).count() == 2


def test_another_user_reusing_a_client_uuid_for_other_data_is_not_refused() -> None:
    # "Already used for a different write" is about the user's own writes only.
    shared = uuid.uuid4()
    write_once(
        user_id=ALICE,
        client_uuid=shared,
        operation="achievement",
        payload=PAYLOAD,
        apply=_applied(201, {"by": "alice"}, []),
    )

    bob = write_once(
        user_id=BOB,
        client_uuid=shared,
        operation="turn",
        payload={"resident": 8},
        apply=_applied(201, {"by": "bob"}, []),
    )

    assert bob.body == {"by": "bob"}


def test_the_same_user_repeating_gets_the_stored_answer_and_other_data_is_refused() -> None:
    mine = uuid.uuid4()
    log: list[str] = []
    first = write_once(
        user_id=ALICE,
        client_uuid=mine,
        operation="achievement",
        payload=PAYLOAD,
        apply=_applied(201, {"by": "alice"}, log),
    )
    again = write_once(
        user_id=ALICE,
        client_uuid=mine,
        operation="achievement",
        payload=PAYLOAD,
        apply=_applied(500, {"by": "twice"}, log),
        known=writes_known(ALICE, [mine]),
    )

    assert (again.status, again.body, again.replayed) == (first.status, first.body, True)
    assert log == ["alice"]
    with pytest.raises(DomainError) as refused:
        write_once(
            user_id=ALICE,
            client_uuid=mine,
            operation="achievement",
            payload={"resident": 8},
            apply=_applied(201, {"by": "other"}, log),
        )
    assert refused.value.code == "client_uuid_reused"


def test_a_copy_that_loses_the_race_gets_the_winners_answer_and_writes_nothing() -> None:
    """The twin commits between this copy's look-up and its insert: a database wrapper adds
    the twin's row right after the look-up, as the other request would."""
    mine = uuid.uuid4()
    # The twin's stored request hash: the same write with the same UUID by another user
    # (whose answer must not be given), copied over; and an earlier write of Alice's (which
    # must not be taken for the twin).
    write_once(
        user_id=BOB,
        client_uuid=mine,
        operation="achievement",
        payload=PAYLOAD,
        apply=_applied(201, {"by": "bob"}, []),
    )
    twin_hash = ClientWrite.objects.get(user_id=BOB).request_hash
    write_once(
        user_id=ALICE,
        client_uuid=uuid.uuid4(),
        operation="achievement",
        payload=PAYLOAD,
        apply=_applied(201, {"by": "alice before"}, []),
    )
    table = ClientWrite._meta.db_table
    raced: list[bool] = []

    def twin_commits_after_the_look_up(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        result = execute(sql, params, many, context)
        if not raced and sql.lstrip().upper().startswith("SELECT") and table in sql:
            raced.append(True)
            ClientWrite.objects.create(
                user_id=ALICE,
                client_uuid=mine,
                operation="achievement",
                request_hash=twin_hash,
                status=201,
                response={"by": "twin"},
            )
        return result

    written: list[str] = []

    def apply() -> tuple[int, dict[str, Any]]:
        ClientWrite.objects.create(  # stands for the write itself, which must roll back
            user_id=ALICE,
            client_uuid=uuid.uuid4(),
            operation="loser",
            request_hash="",
            status=201,
        )
        written.append("loser")
        return 201, {"by": "loser"}

    with connection.execute_wrapper(twin_commits_after_the_look_up):
        answer = write_once(
            user_id=ALICE,
            client_uuid=mine,
            operation="achievement",
            payload=PAYLOAD,
            apply=apply,
        )

    assert raced == [True]
    assert written == ["loser"]  # it ran, and lost
    assert (answer.status, answer.body, answer.replayed) == (201, {"by": "twin"}, True)
    assert not ClientWrite.objects.filter(operation="loser").exists()
    assert ClientWrite.objects.filter(user_id=ALICE).count() == 2


def test_the_request_hash_is_stable_across_versions() -> None:
    """A phone may retry after an upgrade: the hash of the same write must not change, or
    its retry would be refused as other data. Keys in any order, dates as ISO text and
    Vietnamese as UTF-8 (not escaped) — pinned."""
    mine = uuid.uuid4()
    payload = {
        "resident": 7,
        "criterion": "vneid_level2",
        "achieved_on": dt.date(2023, 5, 4),
        "note": "Đã hướng dẫn",
    }
    write_once(
        user_id=ALICE,
        client_uuid=mine,
        operation="achievement",
        payload=payload,
        apply=_applied(201, {"by": "alice"}, []),
    )

    stored = ClientWrite.objects.get(client_uuid=mine)
    assert stored.operation == "achievement"
    assert stored.request_hash == (
        "f341c449b5724e92fd464e26b52135d32880506a1afa25f830257583e7cd73b7"
    )


def test_the_same_data_with_keys_in_another_order_is_a_retry() -> None:
    mine = uuid.uuid4()
    first = write_once(
        user_id=ALICE,
        client_uuid=mine,
        operation="achievement",
        payload={"resident": 7, "criterion": "vneid_level2"},
        apply=_applied(201, {"by": "alice"}, []),
    )
    again = write_once(
        user_id=ALICE,
        client_uuid=mine,
        operation="achievement",
        payload={"criterion": "vneid_level2", "resident": 7},
        apply=_applied(201, {"by": "twice"}, []),
    )

    assert (again.body, again.replayed) == (first.body, True)


def test_the_same_data_for_another_operation_is_refused() -> None:
    mine = uuid.uuid4()
    write_once(
        user_id=ALICE,
        client_uuid=mine,
        operation="achievement",
        payload=PAYLOAD,
        apply=_applied(201, {"by": "alice"}, []),
    )

    with pytest.raises(DomainError) as refused:
        write_once(
            user_id=ALICE,
            client_uuid=mine,
            operation="turn",
            payload=PAYLOAD,
            apply=_applied(201, {"by": "turn"}, []),
        )
    assert refused.value.code == "client_uuid_reused"


def test_writes_known_names_only_the_asked_uuids_the_user_used() -> None:
    used, other, never = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    for client_uuid in (used, other):
        write_once(
            user_id=ALICE,
            client_uuid=client_uuid,
            operation="achievement",
            payload=PAYLOAD,
            apply=_applied(201, {"by": "alice"}, []),
        )

    assert writes_known(ALICE, [used, never]) == {used}
    assert writes_known(ALICE, []) == set()
