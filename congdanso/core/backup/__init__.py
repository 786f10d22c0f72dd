"""Backing up the whole database, and restoring a backup.

`backup_create` copies the database — SQLite with the online backup API (`backup.sqlite`),
PostgreSQL with pg_dump of a snapshot our own transaction exports (`backup.postgres`) — and
writes its manifest beside it (`backup.manifest`: when, which backend, the migrations, the
rows per table, size and SHA-256, the keys the data needs). Files are written under a
temporary name in the destination folder, mode 0600 (they hold personal data), and renamed
when complete: a failed backup leaves nothing behind.

The keys in the data dir (`secret_key`, `keys.json`) are not in the database: `backup` names
them, or copies them (`include_keys`) into a separate 0600 archive `X.keys.tar`.
`backup_restore` checks the manifest before touching anything and refuses, before it writes
anything, when the keys the data needs are not in place — unless told to go on
`without_keys`; the restored database then refuses every start until they are back. For an
older manifest without fingerprints it refuses when the keyring file is missing, and checks
after restoring that the keys at hand open the data. It compares the row counts after the
restore and migrates a backup older than the code. The audit log lives in the default
database: a backup of it and a restore into it are recorded there.

This module orchestrates; `backup.database` says what both backends share (which databases
can be backed up, their rows per table, their label and errors in messages).
"""

import contextlib
import io
import os
import tarfile
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

import congdanso
from congdanso.core import crypto, keycheck
from congdanso.core.audit import audit_record
from congdanso.core.backup.database import (
    EXTENSIONS,
    backend_of,
    database_error,
    database_label,
    database_tables,
)
from congdanso.core.backup.manifest import (
    KEY_ENVIRONMENT,
    Manifest,
    file_sha256,
    key_files,
    key_files_differing,
    keys_archive_path_for,
    keys_not_in_place,
    manifest_path_for,
)
from congdanso.core.backup.postgres import postgres_backup, postgres_restore
from congdanso.core.backup.sqlite import sqlite_backup, sqlite_restore
from congdanso.core.errors import DomainError, Message
from congdanso.core.models import AuditAction
from congdanso.vn.numbers import format_number

# Filled by `migrate` itself: a database holding rows only there has nothing to lose.
STRUCTURAL_TABLES = frozenset({"django_migrations", "django_content_type", "auth_permission"})


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest_path: Path
    manifest: Manifest
    key_files: tuple[Path, ...]  # the keys this backup's data needs (in keys_path when set)
    keys_path: Path | None
    keys_in_environment: tuple[str, ...]  # variables holding secrets to keep as well


@dataclass(frozen=True)
class TableDifference:
    table: str
    expected: int | None  # from the manifest; None: the backup has no such table
    found: int | None  # in the restored database


@dataclass(frozen=True)
class RestoreResult:
    path: Path
    manifest: Manifest
    database: str
    replaced_rows: int
    tables: dict[str, int]
    differences: tuple[TableDifference, ...]
    migrated: tuple[str, ...]  # "app.migration" applied after the restore
    keys_changed: tuple[Path, ...] = field(default=())
    keys_missing: tuple[Path, ...] = field(default=())
    keys_archive: Path | None = None
    #: Restored without its keys: why every start will be refused until they are back.
    keys_refusal: Message | None = None


# ---------------------------------------------------------------------------------------------
# Backup


def backup_create(
    *, out: Path | None = None, include_keys: bool = False, using: str = DEFAULT_DB_ALIAS
) -> BackupResult:
    """Back up the database `using` to `out` (a file, a folder, or by default
    `DATA_DIR/backups/congdanso-YYYYmmdd-HHMMSS.<ext>`) with its manifest beside it."""
    connection = connections[using]
    backend = backend_of(connection)
    path = _backup_path(out, backend)
    keys = key_files()
    prints = keycheck.fingerprints_for_backup(using)
    created_at = timezone.localtime().isoformat(timespec="seconds")
    with _staging() as stage:
        temp = stage.add(path)
        if backend == "sqlite":
            tables, migrations = sqlite_backup(connection, temp)
        else:
            tables, migrations = postgres_backup(connection, temp)
        keys_path = None
        if include_keys and keys:
            keys_path = keys_archive_path_for(path)
            with tarfile.open(stage.add(keys_path), "w") as archive:
                for key in keys.values():
                    archive.add(key, arcname=key.name)
        manifest = Manifest(
            backend=backend,
            file=path.name,
            size=temp.stat().st_size,
            sha256=file_sha256(temp),
            created_at=created_at,
            version=congdanso.__version__,
            migrations=migrations,
            tables=tables,
            key_files={name: file_sha256(key) for name, key in keys.items()},
            keys_archive=keys_path.name if keys_path else None,
            key_fingerprints=None if prints is None else keycheck.fingerprints_to_json(prints),
        )
        manifest_path = manifest_path_for(path)
        stage.add(manifest_path).write_text(manifest.to_json(), encoding="utf-8")
        # A backup copies everyone's personal data: it is logged like an export.
        _audit(
            connection,
            action=AuditAction.EXPORT,
            label=path.name,
            changes={"sha256": manifest.sha256, "size": manifest.size, "rows": manifest.rows},
        )
    return BackupResult(
        path=path,
        manifest_path=manifest_path,
        manifest=manifest,
        key_files=tuple(keys.values()),
        keys_path=keys_path,
        keys_in_environment=tuple(name for name in KEY_ENVIRONMENT if os.environ.get(name)),
    )


def _backup_path(out: Path | None, backend: str) -> Path:
    name = f"congdanso-{timezone.localtime():%Y%m%d-%H%M%S}{EXTENSIONS[backend]}"
    if out is None:
        folder = Path(settings.DATA_DIR) / "backups"
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = folder / name
    else:
        path = out / name if out.is_dir() else out
    path = path.absolute()
    if not path.parent.is_dir():
        raise DomainError(
            Message(_("The folder %(folder)s does not exist."), folder=path.parent),
            code="backup_folder_missing",
        )
    for existing in (path, manifest_path_for(path), keys_archive_path_for(path)):
        if existing.exists():
            raise DomainError(
                Message(_("%(path)s already exists: choose another --out."), path=existing),
                code="backup_exists",
            )
    return path


class _Stage:
    """Temporary files in their destination folders, renamed into place together at the end,
    or removed on any failure."""

    def __init__(self) -> None:
        self.files: list[tuple[Path, Path]] = []

    def add(self, final: Path) -> Path:
        handle, name = tempfile.mkstemp(  # created with mode 0600
            dir=final.parent, prefix=f".{final.name}.", suffix=".partial"
        )
        os.close(handle)
        self.files.append((Path(name), final))
        return Path(name)


@contextlib.contextmanager
def _staging() -> Iterator[_Stage]:
    stage = _Stage()
    try:
        yield stage
    except BaseException:
        for temp, _final in stage.files:
            temp.unlink(missing_ok=True)
        raise
    for temp, final in stage.files:  # the manifest last: it vouches for the rest
        os.replace(temp, final)


# ---------------------------------------------------------------------------------------------
# Restore


def backup_restore(
    *,
    path: Path,
    overwrite: bool = False,
    without_keys: bool = False,
    using: str = DEFAULT_DB_ALIAS,
) -> RestoreResult:
    """Restore the backup `path` (or its manifest) into the database `using`, which must be
    empty unless `overwrite`, and whose keys must be in place unless `without_keys`; migrate
    it when the backup is older than the code."""
    path, manifest = _backup_and_manifest(path)
    connection = connections[using]
    backend = backend_of(connection)
    if manifest.backend != backend:
        raise DomainError(
            Message(
                _(
                    "This backup is of a %(backup)s database and the configured database is "
                    "%(current)s: a backup can only be restored into the same kind of database."
                ),
                backup=manifest.backend,
                current=backend,
            ),
            code="restore_other_backend",
        )
    if path.stat().st_size != manifest.size or file_sha256(path) != manifest.sha256:
        raise DomainError(
            Message(
                _(
                    "The backup file %(path)s does not match its manifest (size or SHA-256 "
                    "differ): it is damaged or was changed. Nothing was restored."
                ),
                path=path,
            ),
            code="restore_checksum",
        )
    newer = _unknown_migrations(manifest)
    if newer:
        raise DomainError(
            Message(
                _(
                    "This backup was made by a newer version of congdanso (migrations unknown "
                    "here: %(migrations)s). Upgrade congdanso, then restore it."
                ),
                migrations=", ".join(newer),
            ),
            code="restore_newer",
        )
    archive = path.with_name(Path(manifest.keys_archive).name) if manifest.keys_archive else None
    archive = archive if archive and archive.is_file() else None
    missing_keys = keys_not_in_place(manifest)
    if missing_keys is not None and not without_keys:
        raise _keys_refused(missing_keys, archive)
    current = database_tables(connection)
    at_stake = {t: n for t, n in current.items() if n and t not in STRUCTURAL_TABLES}
    if at_stake and not overwrite:
        raise DomainError(
            Message(
                _(
                    "The database %(database)s is not empty: restoring would replace its "
                    "%(rows)s rows (%(tables)s). Run again with --yes to replace them."
                ),
                database=database_label(connection),
                rows=format_number(sum(at_stake.values())),
                tables=_tables_described(at_stake),
            ),
            code="restore_not_empty",
        )
    if backend == "sqlite":
        sqlite_restore(connection, path)
    else:
        postgres_restore(connection, path)
    found = database_tables(connection)
    differences = tuple(
        TableDifference(table, manifest.tables.get(table), found.get(table))
        for table in sorted(set(found) | set(manifest.tables))
        if manifest.tables.get(table) != found.get(table)
    )
    migrated = _migrate(connection)
    check = keycheck.keys_check(using)
    keys_refusal = None if check.ok else check.refusal()
    if keys_refusal is not None and not without_keys:
        # An older manifest (no fingerprints) whose keyring file is there but does not open
        # the data: restored, and every start will refuse until the right keys are back.
        raise DomainError(
            Message(
                _(
                    "The backup was restored, but the keys at hand do not open its encrypted "
                    "data; congdanso will refuse to start until the right keys are back. %(why)s"
                ),
                why=keys_refusal,
            ),
            code="restore_keys_wrong",
        )
    changed, missing = key_files_differing(manifest)
    _audit(
        connection,
        action=AuditAction.IMPORT,
        label=path.name,
        changes={
            "sha256": manifest.sha256,
            "created_at": manifest.created_at,
            "rows": manifest.rows,
            "replaced_rows": sum(at_stake.values()),
            "migrated": list(migrated),
        },
    )
    return RestoreResult(
        path=path,
        manifest=manifest,
        database=database_label(connection),
        replaced_rows=sum(at_stake.values()),
        tables=found,
        differences=differences,
        migrated=migrated,
        keys_changed=tuple(changed),
        keys_missing=tuple(missing),
        keys_archive=archive,
        keys_refusal=keys_refusal,
    )


def _keys_refused(why: Message, archive: Path | None) -> DomainError:
    if archive is not None:
        message = Message(
            _(
                "The keys of this backup are not in place: %(why)s Nothing was restored. Put "
                "them back first: tar -xpf %(archive)s -C %(folder)s — or run again with "
                "--without-keys to restore anyway (congdanso will then refuse to start until "
                "they are back)."
            ),
            why=why,
            archive=archive,
            folder=crypto.keys_path().parent,
        )
    else:
        message = Message(
            _(
                "The keys of this backup are not in place: %(why)s Nothing was restored. Put "
                "back the keyring in use when the backup was made (%(path)s, or the variable "
                "%(variable)s) — or run again with --without-keys to restore anyway (congdanso "
                "will then refuse to start until it is back)."
            ),
            why=why,
            path=crypto.keys_path(),
            variable=crypto.KEYS_ENV,
        )
    return DomainError(message, code="restore_keys_missing")


def _backup_and_manifest(path: Path) -> tuple[Path, Manifest]:
    if path.name.endswith(".json"):  # the manifest was named: its backup is beside it
        path = path.with_name(path.name.removesuffix(".json"))
    path = path.absolute()
    if not path.is_file():
        raise DomainError(
            Message(_("The backup file %(path)s does not exist."), path=path),
            code="backup_missing",
        )
    return path, Manifest.read(manifest_path_for(path))


def _unknown_migrations(manifest: Manifest) -> list[str]:
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return [
        f"{app}.{name}"
        for app, names in sorted(manifest.migrations.items())
        for name in names
        if (app, name) not in known
    ]


def _tables_described(counts: Mapping[str, int], shown: int = 5) -> str | Promise:
    """ "residents: 12.034, achievements: 16.900, …" in the language it is shown in."""
    names: dict[str, Any] = {
        model._meta.db_table: model._meta.verbose_name_plural
        for model in apps.get_models(include_auto_created=True)
    }
    largest = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    parts = [format_lazy("{}: {}", names.get(t, t), format_number(n)) for t, n in largest[:shown]]
    if len(largest) > shown:
        parts.append("…")
    return format_lazy(", ".join(["{}"] * len(parts)), *parts)


def _migrate(connection: BaseDatabaseWrapper) -> tuple[str, ...]:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if not plan:
        return ()
    call_command(
        "migrate", database=connection.alias, interactive=False, verbosity=0, stdout=io.StringIO()
    )
    return tuple(f"{migration.app_label}.{migration.name}" for migration, _backwards in plan)


def _audit(
    connection: BaseDatabaseWrapper, *, action: AuditAction, label: str, changes: dict[str, Any]
) -> None:
    if connection.alias != DEFAULT_DB_ALIAS:
        return  # the audit log is in the default database only
    try:
        audit_record(action=action, object_type="database", label=label, changes=changes)
    except DatabaseError as error:
        raise database_error(connection, error) from error
