"""Applying a client's write exactly once.

A phone that loses the network after sending a write cannot know whether it arrived, so it
sends it again with the same client-generated UUID. The write and the record of its answer
commit in one transaction; a repeat finds the record and gets the same answer without
writing; two copies racing each other meet on the unique (user, UUID) constraint, and the
loser's transaction — its write included — rolls back before it reads the winner's answer.
The same UUID with different data is refused: it is a client bug, not a retry.
"""

import hashlib
import json
import uuid
from collections.abc import Callable, Container, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from congdanso.core.errors import DomainError
from congdanso.core.models import ClientWrite


@dataclass(frozen=True)
class WriteAnswer:
    status: int
    body: dict[str, Any]
    replayed: bool


def _hash(operation: str, payload: dict[str, Any]) -> str:
    text = json.dumps([operation, payload], sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _replay(found: ClientWrite, request_hash: str) -> WriteAnswer:
    if found.request_hash != request_hash:
        raise DomainError(
            _("This client UUID was already used for a different write."),
            code="client_uuid_reused",
        )
    return WriteAnswer(status=found.status, body=found.response, replayed=True)


def write_once(
    *,
    user_id: int,
    client_uuid: uuid.UUID,
    operation: str,
    payload: dict[str, Any],
    apply: Callable[[], tuple[int, dict[str, Any]]],
    known: Container[uuid.UUID] | None = None,
) -> WriteAnswer:
    """Run `apply` (which returns (status, body)) unless this UUID was applied already.

    `known`: of a batch's UUIDs, those the user had already sent (`writes_known`), read in one
    query; the others are not looked up one by one (a copy racing this one still meets it on
    the unique constraint)."""
    request_hash = _hash(operation, payload)
    if known is None or client_uuid in known:
        found = ClientWrite.objects.filter(user_id=user_id, client_uuid=client_uuid).first()
        if found is not None:
            return _replay(found, request_hash)
    try:
        with transaction.atomic():
            status, body = apply()
            ClientWrite.objects.create(
                user_id=user_id,
                client_uuid=client_uuid,
                operation=operation,
                request_hash=request_hash,
                status=status,
                response=body,
            )
    except IntegrityError:
        found = ClientWrite.objects.filter(user_id=user_id, client_uuid=client_uuid).first()
        if found is None:
            raise
        return _replay(found, request_hash)
    return WriteAnswer(status=status, body=body, replayed=False)


def writes_known(user_id: int, client_uuids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    """Which of these UUIDs the user's writes already used (for `write_once(known=…)`)."""
    wanted = list(client_uuids)
    return set(
        ClientWrite.objects.filter(user_id=user_id, client_uuid__in=wanted).values_list(
            "client_uuid", flat=True
        )
    )
