"""Rotating the data key of the encryption at rest (`congdanso keys status | rotate`).

A model with encrypted columns names them in ``encrypted_columns`` (column → associated data)
and keeps in ``key_version`` the oldest key version among its row's tokens.
``congdanso keys rotate`` saves a keyring with a new active key *before* encrypting anything
with it, then re-encrypts the rows whose ``key_version`` is not the active one, a batch per
transaction, in id order; a row changed meanwhile (its tokens differ from what was read) is
left for the next run. Killed at any point, every row still decrypts (under the old or the new
key, both in the keyring) and the next ``keys rotate`` finishes the job instead of adding
another key. A process started before the rotation goes on writing under the old key until
it reloads the keyring (restart the services after a rotation); ``keys status`` counts such
rows and ``keys rotate`` takes them. ``keys rotate --retire-old`` removes old keys only when
no row names them.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from congdanso.core.crypto import (
    KEYS_ENV,
    Keyring,
    KeyringError,
    keyring,
    keyring_reload,
    keyring_save,
    token_version,
)
from congdanso.core.errors import Message


@dataclass(frozen=True)
class EncryptedTable:
    model: Any
    columns: Mapping[str, str]  # column → associated data

    @property
    def label(self) -> str:
        return str(self.model._meta.label_lower)


def encrypted_tables() -> list[EncryptedTable]:
    from django.apps import apps

    return [
        EncryptedTable(model, getattr(model, "encrypted_columns"))  # noqa: B009 - typed Any
        for model in apps.get_models()
        if getattr(model, "encrypted_columns", None)
    ]


def _rows_by_version(table: EncryptedTable) -> dict[int, int]:
    from django.db.models import Count

    counted = (
        table.model.objects.filter(key_version__isnull=False)
        .order_by()
        .values_list("key_version")
        .annotate(rows=Count("pk"))
    )
    return dict(sorted(counted))


@dataclass(frozen=True)
class KeysStatus:
    active: int
    versions: tuple[int, ...]
    source: str
    from_environment: bool
    rows: dict[str, dict[int, int]]  # table → key version → rows

    @property
    def pending(self) -> int:
        """Rows still under an old key."""
        return sum(n for by in self.rows.values() for v, n in by.items() if v != self.active)

    @property
    def unused(self) -> tuple[int, ...]:
        """Old keys no row uses."""
        used = {v for by in self.rows.values() for v in by}
        return tuple(v for v in self.versions if v != self.active and v not in used)


def keys_rows() -> dict[str, dict[int, int]]:
    """Table → key version → rows (a full read of each key version column)."""
    return {table.label: _rows_by_version(table) for table in encrypted_tables()}


def keys_status() -> KeysStatus:
    ring = keyring_reload()
    return KeysStatus(
        active=ring.active,
        versions=tuple(sorted(ring.keys)),
        source=ring.source,
        from_environment=ring.from_environment,
        rows=keys_rows(),
    )


@dataclass(frozen=True)
class RotationResult:
    previous: int
    active: int
    new_key: bool
    rewritten: dict[str, int]
    retired: tuple[int, ...]
    #: Old keys no row uses that could not be removed (a keyring from the environment).
    removable: tuple[int, ...] = ()


def _rewrite_batch(table: EncryptedTable, ring: Keyring, after: int, size: int) -> list[Any]:
    """Re-encrypt under the active key the next `size` rows after id `after` that are under
    an old one; returns those rows (as read). A row changed since it was read (its tokens
    differ) is left alone: it was written under the active key, or the next run takes it."""
    from django.db import connection, transaction

    columns = list(table.columns)
    contexts = [table.columns[c] for c in columns]
    quote = connection.ops.quote_name
    same = "IS" if connection.vendor == "sqlite" else "IS NOT DISTINCT FROM"
    sql = (
        f"UPDATE {quote(table.model._meta.db_table)} SET "  # noqa: S608 - names from the models
        + ", ".join(f"{quote(c)} = %s" for c in columns)
        + f", {quote('key_version')} = %s WHERE {quote('id')} = %s AND "
        + " AND ".join(f"{quote(c)} {same} %s" for c in columns)
    )
    with transaction.atomic():
        rows = list(
            table.model.objects.filter(pk__gt=after, key_version__isnull=False)
            .exclude(key_version=ring.active)
            .order_by("pk")
            .values_list("pk", *columns)[:size]
        )
        updates = []
        for pk, *tokens in rows:
            fresh = [
                ring.encrypt(ring.decrypt(token, context), context)
                if token and token_version(token, context) != ring.active
                else token
                for token, context in zip(tokens, contexts, strict=True)
            ]
            updates.append((*fresh, ring.active, pk, *tokens))
        if updates:
            with connection.cursor() as cursor:
                cursor.executemany(sql, updates)
    return rows


def keys_rotate(
    *,
    batch: int = 1000,
    retire_old: bool = False,
    after_batch: Any = None,
) -> RotationResult:
    """Make a new key active and re-encrypt every encrypted value under it, `batch` rows per
    transaction; `after_batch(table, rows)` is called after each committed batch.

    When rows are still under an old key (an earlier rotation was interrupted) they are
    re-encrypted under the active key and no key is added. With `retire_old`, the old keys no
    row uses any more are then removed from the keyring.
    """
    from congdanso.core import keycheck

    keycheck.keys_verify()  # never a new key on a keyring that does not open the data
    status = keys_status()
    ring = keyring()
    keycheck.fingerprints_record(ring)  # keys a keyring from the environment gained
    previous = ring.active
    new_key = False
    if not status.pending:
        if ring.from_environment:
            raise KeyringError(
                Message(
                    _(
                        "The keyring comes from the environment variable %(variable)s: run "
                        "`congdanso keys generate --add-key`, put its output into the variable, "
                        "then run `congdanso keys rotate` again."
                    ),
                    variable=KEYS_ENV,
                ),
                code="keyring_in_environment",
            )
        # Saved, and its fingerprint recorded, before anything is encrypted with it: a value
        # is never under a lost key, nor under one the database does not know.
        ring = keyring_save(ring.with_new_active_key())
        keycheck.fingerprints_record(ring)
        new_key = True
    rewritten: dict[str, int] = {}
    for table in encrypted_tables():
        done, last = 0, 0
        while rows := _rewrite_batch(table, ring, last, batch):
            last = rows[-1][0]
            done += len(rows)
            if after_batch is not None:
                after_batch(table.label, done)
        rewritten[table.label] = done
    retired: tuple[int, ...] = ()
    removable: tuple[int, ...] = ()
    if retire_old:
        unused = keys_status().unused
        if ring.from_environment:
            removable = unused
        elif unused:
            ring = keyring_save(keyring().without(unused))
            keycheck.fingerprints_forget(unused)
            retired = unused
    _audit_rotation(previous, ring.active, rewritten, retired)
    return RotationResult(previous, ring.active, new_key, rewritten, retired, removable)


def _audit_rotation(previous: int, active: int, rewritten: dict[str, int], retired: tuple) -> None:
    from congdanso.core.audit import audit_record
    from congdanso.core.models import AuditAction

    audit_record(
        action=AuditAction.UPDATE,
        object_type="core.keyring",
        object_id=active,
        label="keyring",
        changes={
            "active_key": [previous, active],
            "rewritten": rewritten,
            "retired": list(retired),
        },
    )
