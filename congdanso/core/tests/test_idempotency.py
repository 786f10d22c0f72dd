"""Applying a client's write once: the replay belongs to the user who sent it, and a copy that
loses the race to its twin gets the twin's answer instead of an error."""

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
    # The twin's stored request hash: the same write by someone else, copied over.
    write_once(
        user_id=BOB,
        client_uuid=uuid.uuid4(),
        operation="achievement",
        payload=PAYLOAD,
        apply=_applied(201, {"by": "bob"}, []),
    )
    twin_hash = ClientWrite.objects.get(user_id=BOB).request_hash
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
    assert ClientWrite.objects.filter(user_id=ALICE).count() == 1
