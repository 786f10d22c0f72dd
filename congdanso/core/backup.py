"""Backing up the whole database, and restoring a backup.

SQLite: the online backup API copies the live database in one step — one consistent snapshot
even while the app writes (WAL) — then `PRAGMA integrity_check` runs on the copy, and the
manifest's row counts are read from the copy itself. PostgreSQL: `pg_dump --format=custom`
reads a snapshot exported by our own read-only transaction, which also counts the rows, so the
manifest describes exactly what the dump holds.

Every backup `X` has a manifest `X.json` beside it: when, which backend, the migrations
applied per app, the rows per table, size and SHA-256 of `X`, the congdanso version and a
SHA-256 of each key file. A restore checks it before touching anything, and compares the row
counts after. Files are written under a temporary name in the destination folder, mode 0600
(they hold personal data), and renamed when complete: a failed backup leaves nothing behind.

The keys in the data dir (`secret_key`, `keys.json`) are not in the database, and a database
restored without the keys its fields were encrypted with cannot be read: `backup` names them,
or copies them (`include_keys`) into a separate 0600 archive `X.keys.tar`, and the manifest
keeps the fingerprints of the keys the data needs (`core.keycheck`; never the keys). `restore`
refuses, before it writes anything, when those keys are not in place — unless told to go on
`without_keys`; the restored database then refuses every start until they are back. For an
older manifest without fingerprints it refuses when the keyring file is missing, and checks
after restoring that the keys at hand open the data.

A PostgreSQL restore pipes `pg_restore --clean --if-exists --no-owner` into `psql` as one
transaction that first empties the schema (tables, views, sequences, functions and types
that no extension owns), so that nothing of a newer schema is left for `migrate` to trip on
when an older backup is brought forward; a failure changes nothing. The audit log lives in
the default database: a backup of it and a restore into it are recorded there.
"""

import contextlib
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any, cast

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
from congdanso.core.errors import DomainError, Message
from congdanso.core.models import AuditAction
from congdanso.vn.numbers import format_number

MANIFEST_FORMAT = 1
# Secrets outside the database, as settings.py and core/crypto.py find them.
KEY_ENVIRONMENT = ("CONGDANSO_SECRET_KEY", "CONGDANSO_KEYS")
EXTENSIONS = {"sqlite": ".sqlite3", "postgresql": ".dump"}
BUSY_SECONDS = 20
# Filled by `migrate` itself: a database holding rows only there has nothing to lose.
STRUCTURAL_TABLES = frozenset({"django_migrations", "django_content_type", "auth_permission"})

_TABLES_SQL = {
    "sqlite": (
        "SELECT name FROM sqlite_master WHERE type = 'table' "
        "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
    ),
    "postgresql": (
        "SELECT c.relname FROM pg_catalog.pg_class c "
        "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema()"
    ),
}

# The restore replaces the whole schema: whatever the backup does not have must go too.
_EMPTY_SCHEMA_SQL = """
DO $$
DECLARE
  statement text;
BEGIN
  FOR statement IN
    SELECT format('DROP %s IF EXISTS %I.%I CASCADE',
                  CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                                 WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE'
                                 WHEN 'c' THEN 'TYPE' ELSE 'TABLE' END,
                  n.nspname, c.relname)
    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'c')
      AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend d
                      WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                        AND d.deptype IN ('e', 'i', 'a'))  -- an extension's, a column's
    UNION ALL
    SELECT format('DROP ROUTINE IF EXISTS %I.%I(%s) CASCADE', n.nspname, p.proname,
                  pg_catalog.pg_get_function_identity_arguments(p.oid))
    FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = current_schema() AND p.prokind IN ('f', 'p')
      AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend d
                      WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                        AND d.deptype = 'e')
    UNION ALL
    SELECT format('DROP TYPE IF EXISTS %I.%I CASCADE', n.nspname, t.typname)
    FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
    WHERE n.nspname = current_schema() AND t.typtype IN ('e', 'd', 'r', 'm')
      AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend d
                      WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid
                        AND d.deptype = 'e')
  LOOP
    EXECUTE statement;
  END LOOP;
END
$$
"""


@dataclass(frozen=True)
class Manifest:
    backend: str
    file: str
    size: int
    sha256: str
    created_at: str
    version: str
    migrations: dict[str, list[str]]
    tables: dict[str, int]
    key_files: dict[str, str]  # "secret_key"/"keyring" -> SHA-256 when the backup was made
    keys_archive: str | None = None
    format: int = MANIFEST_FORMAT
    #: "data:1"/"index:1" -> fingerprint of each key the data needs ({}: none; None: unknown,
    #: a manifest older than the fingerprints).
    key_fingerprints: dict[str, str] | None = None

    @property
    def rows(self) -> int:
        return sum(self.tables.values())

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2, sort_keys=True) + "\n"

    @classmethod
    def read(cls, path: Path) -> "Manifest":
        if not path.is_file():
            raise DomainError(
                Message(
                    _("The manifest %(path)s is missing: it must be beside the backup."), path=path
                ),
                code="manifest_missing",
            )
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") != MANIFEST_FORMAT:
                raise ValueError(f"format {data.get('format')!r}")
            manifest = cls(**data)
            if not (
                isinstance(manifest.tables, dict)
                and isinstance(manifest.migrations, dict)
                and isinstance(manifest.key_files, dict)
                and isinstance(manifest.key_fingerprints, dict | None)
            ):
                raise ValueError("tables, migrations, key_files or key_fingerprints")
            if manifest.key_fingerprints:
                keycheck.fingerprints_from_json(manifest.key_fingerprints)
        except (ValueError, TypeError, AttributeError) as error:
            raise DomainError(
                Message(
                    _("%(path)s is not a congdanso backup manifest (%(error)s)."),
                    path=path,
                    error=error,
                ),
                code="manifest_invalid",
            ) from error
        return manifest


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
    backend = _backend(connection)
    path = _backup_path(out, backend)
    keys = key_files()
    prints = keycheck.fingerprints_for_backup(using)
    created_at = timezone.localtime().isoformat(timespec="seconds")
    with _staging() as stage:
        temp = stage.add(path)
        if backend == "sqlite":
            tables, migrations = _sqlite_backup(connection, temp)
        else:
            tables, migrations = _postgres_backup(connection, temp)
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


def key_locations() -> dict[str, Path]:
    """Where the Django secret key and the keyring of `core/crypto.py` are read from."""
    return {"secret_key": Path(settings.DATA_DIR) / "secret_key", "keyring": crypto.keys_path()}


def key_files() -> dict[str, Path]:
    """The key files that exist: they are not in the database."""
    return {name: path for name, path in key_locations().items() if path.is_file()}


def manifest_path_for(backup: Path) -> Path:
    return backup.with_name(backup.name + ".json")


def keys_archive_path_for(backup: Path) -> Path:
    return backup.with_name(backup.name + ".keys.tar")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def sqlite_copy(source: Path, target: Path) -> None:
    """Copy a live SQLite database with the online backup API, all pages in one step: the copy
    is one consistent snapshot of what was committed, even while other connections write."""
    try:
        reader = sqlite3.connect(
            f"{source.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_SECONDS
        )
        try:
            writer = sqlite3.connect(target, timeout=BUSY_SECONDS)
            try:
                reader.backup(writer)
            finally:
                writer.close()
        finally:
            reader.close()
    except sqlite3.Error as error:
        raise DomainError(
            Message(
                _("Cannot copy the SQLite database %(path)s: %(error)s"), path=source, error=error
            ),
            code="sqlite_copy_failed",
        ) from error


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


def _sqlite_backup(
    connection: BaseDatabaseWrapper, temp: Path
) -> tuple[dict[str, int], dict[str, list[str]]]:
    source = _sqlite_file(connection)
    if not source.is_file():
        raise DomainError(
            Message(_("The database file %(path)s does not exist."), path=source),
            code="database_missing",
        )
    sqlite_copy(source, temp)
    copy = sqlite3.connect(temp)
    try:
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside
        problems = [row[0] for row in copy.execute("PRAGMA integrity_check")]
        if problems != ["ok"]:
            raise DomainError(
                Message(
                    _(
                        "The copy of the database fails its integrity check (%(problem)s); "
                        "no backup was kept. Check the database itself with sqlite3 and "
                        "PRAGMA integrity_check."
                    ),
                    problem=problems[0],
                ),
                code="backup_damaged",
            )
        return _contents(copy.cursor(), "sqlite", connection.ops.quote_name)
    finally:
        copy.close()


def _postgres_backup(
    connection: BaseDatabaseWrapper, temp: Path
) -> tuple[dict[str, int], dict[str, list[str]]]:
    pg_dump = pg_tool("pg_dump")
    database = cast(Any, connection).Database  # the driver module (psycopg)
    try:
        raw = database.connect(**connection.get_connection_params())
    except database.Error as error:
        raise _database_error(connection, error) from error
    try:
        with raw.cursor() as cursor:
            # pg_dump reads the snapshot this transaction exports, so the counts taken here
            # describe exactly the rows of the dump, whatever the app writes meanwhile.
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_catalog.pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            contents = _contents(cursor, "postgresql", connection.ops.quote_name)
            _run_tool(
                [
                    pg_dump,
                    "--format=custom",
                    "--no-password",
                    f"--snapshot={snapshot}",
                    f"--file={temp}",
                ],
                connection,
            )
    except database.Error as error:
        raise _database_error(connection, error) from error
    finally:
        raw.close()
    return contents


def _contents(
    cursor: Any, vendor: str, quote: Callable[[str], str]
) -> tuple[dict[str, int], dict[str, list[str]]]:
    tables = _table_counts(cursor, vendor, quote)
    migrations: dict[str, list[str]] = {}
    if "django_migrations" in tables:
        cursor.execute("SELECT app, name FROM django_migrations")
        for app, name in cursor.fetchall():
            migrations.setdefault(app, []).append(name)
    return tables, {app: sorted(names) for app, names in sorted(migrations.items())}


def _table_counts(cursor: Any, vendor: str, quote: Callable[[str], str]) -> dict[str, int]:
    cursor.execute(_TABLES_SQL[vendor])
    counts = {}
    for (name,) in sorted(cursor.fetchall()):
        # The name comes from the schema and is quoted; no value is interpolated.
        cursor.execute(f"SELECT COUNT(*) FROM {quote(name)}")  # noqa: S608
        counts[name] = cursor.fetchone()[0]
    return counts


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
    backend = _backend(connection)
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
    missing_keys = _keys_not_in_place(manifest)
    if missing_keys is not None and not without_keys:
        raise _keys_refused(missing_keys, archive)
    current = _database_tables(connection)
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
        _sqlite_restore(connection, path)
    else:
        _postgres_restore(connection, path)
    found = _database_tables(connection)
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
    locations = key_locations()
    changed, missing = [], []
    for name, digest in sorted(manifest.key_files.items()):
        key = locations.get(name, Path(settings.DATA_DIR) / name)
        if not key.is_file():
            missing.append(key)
        elif file_sha256(key) != digest:
            changed.append(key)
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


def _keys_not_in_place(manifest: Manifest) -> Message | None:
    """Why the keys the backup's data needs are not those at hand, or None. Read without
    ever making a keyring."""
    if manifest.key_fingerprints is None:  # an older manifest: the keyring file, at least
        keyring_file = key_locations()["keyring"]
        if "keyring" in manifest.key_files and not (
            os.environ.get(crypto.KEYS_ENV) or keyring_file.is_file()
        ):
            return Message(_("the keyring file %(path)s is missing."), path=keyring_file)
        return None
    needed = keycheck.fingerprints_from_json(manifest.key_fingerprints)
    if not needed:
        return None
    ring, trouble = keycheck.keyring_at_hand()
    if ring is None:
        if trouble is not None and trouble.code == "keyring_missing":
            return Message(_("the keyring file %(path)s is missing."), path=crypto.keys_path())
        return trouble.message if trouble is not None else None
    held = keycheck.keyring_fingerprints(ring)
    for key, value in sorted(needed.items()):
        if key not in held:
            return Message(
                _("the keyring at hand (%(source)s) lacks %(key)s."),
                source=ring.source,
                key=keycheck.key_label(key),
            )
        if held[key] != value:
            return Message(
                _("%(key)s of the keyring at hand (%(source)s) is another key."),
                key=keycheck.key_label(key),
                source=ring.source,
            )
    return None


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


def _database_tables(connection: BaseDatabaseWrapper) -> dict[str, int]:
    """Rows per table of the database; {} for an SQLite file that does not exist yet."""
    if connection.vendor == "sqlite" and not _sqlite_file(connection).is_file():
        return {}
    try:
        with connection.cursor() as cursor:
            return _table_counts(cursor, connection.vendor, connection.ops.quote_name)
    except DatabaseError as error:
        raise _database_error(connection, error) from error


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


def _sqlite_restore(connection: BaseDatabaseWrapper, path: Path) -> None:
    target = _sqlite_file(connection)
    connection.close()
    if not target.parent.is_dir():
        raise DomainError(
            Message(_("The folder %(folder)s does not exist."), folder=target.parent),
            code="backup_folder_missing",
        )
    if not target.exists():
        # The database holds personal data: readable by the service account only.
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    # The backup API writes through SQLite's own locking: connections that stay open (a
    # running server) see the restored database, never a half-copied file.
    sqlite_copy(path, target)


def _postgres_restore(connection: BaseDatabaseWrapper, path: Path) -> None:
    pg_restore, psql = pg_tool("pg_restore"), pg_tool("psql")
    connection.close()
    with tempfile.TemporaryFile() as restore_errors, tempfile.TemporaryFile() as load_errors:
        restore = subprocess.Popen(  # noqa: S603 - a tool found on PATH, arguments are ours
            [pg_restore, "--clean", "--if-exists", "--no-owner", "--file=-", str(path)],
            stdout=subprocess.PIPE,
            stderr=restore_errors,
        )
        load = subprocess.Popen(  # noqa: S603 - a tool found on PATH, arguments are ours
            [
                psql,
                "--no-psqlrc",
                "--quiet",
                "--no-password",
                "--set=ON_ERROR_STOP=1",
                "--single-transaction",
                f"--command={_EMPTY_SCHEMA_SQL}",
                "--file=-",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=load_errors,
            env=_pg_environment(connection),
        )
        source, sink = cast(IO[bytes], restore.stdout), cast(IO[bytes], load.stdin)
        # psql commits when its input ends: it must end only once pg_restore has succeeded.
        try:
            for chunk in iter(lambda: source.read(1 << 16), b""):
                sink.write(chunk)
        except BrokenPipeError:  # psql stopped on an error: its message tells why
            restore.kill()
            restore.wait()
            load.wait()
            raise _tool_error("psql", load_errors) from None
        if restore.wait() != 0:
            load.kill()  # before its input ended: the transaction is rolled back
            load.wait()
            raise _tool_error("pg_restore", restore_errors)
        with contextlib.suppress(BrokenPipeError):
            sink.close()
        if load.wait() != 0:
            raise _tool_error("psql", load_errors)


def _migrate(connection: BaseDatabaseWrapper) -> tuple[str, ...]:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if not plan:
        return ()
    call_command(
        "migrate", database=connection.alias, interactive=False, verbosity=0, stdout=io.StringIO()
    )
    return tuple(f"{migration.app_label}.{migration.name}" for migration, _backwards in plan)


# ---------------------------------------------------------------------------------------------
# Shared


def database_label(connection: BaseDatabaseWrapper) -> str:
    if connection.vendor == "sqlite":
        return str(_sqlite_file(connection))
    params = connection.settings_dict
    host = params.get("HOST") or "localhost"
    return f"{params.get('NAME')} ({host}:{params.get('PORT') or 5432})"


def pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise DomainError(
            Message(
                _(
                    "%(tool)s was not found: install the PostgreSQL client tools (package "
                    "postgresql-client), of the server's major version or newer."
                ),
                tool=name,
            ),
            code="pg_tool_missing",
        )
    return found


def _backend(connection: BaseDatabaseWrapper) -> str:
    if connection.vendor not in EXTENSIONS:
        raise DomainError(
            Message(
                _("Only SQLite and PostgreSQL databases can be backed up, not %(vendor)s."),
                vendor=connection.vendor,
            ),
            code="backup_backend",
        )
    if connection.vendor == "sqlite" and cast(Any, connection).is_in_memory_db():
        raise DomainError(
            Message(_("The database is in memory: there is no file to back up or restore.")),
            code="backup_in_memory",
        )
    return connection.vendor


def _sqlite_file(connection: BaseDatabaseWrapper) -> Path:
    return Path(connection.settings_dict["NAME"]).absolute()


def _pg_environment(connection: BaseDatabaseWrapper) -> dict[str, str]:
    """libpq's environment for the tools: the password never appears on a command line."""
    params = connection.settings_dict
    options = params.get("OPTIONS") or {}
    values = {
        "PGHOST": params.get("HOST"),
        "PGPORT": params.get("PORT"),
        "PGUSER": params.get("USER"),
        "PGPASSWORD": params.get("PASSWORD"),
        "PGDATABASE": params.get("NAME"),
        "PGSERVICE": options.get("service"),
        "PGPASSFILE": options.get("passfile"),
        "PGSSLMODE": options.get("sslmode"),
        "PGSSLROOTCERT": options.get("sslrootcert"),
        "PGSSLCERT": options.get("sslcert"),
        "PGSSLKEY": options.get("sslkey"),
    }
    environment = dict(os.environ)
    environment.update({key: str(value) for key, value in values.items() if value})
    return environment


def _run_tool(command: list[str], connection: BaseDatabaseWrapper) -> None:
    with tempfile.TemporaryFile() as errors:
        finished = subprocess.run(  # noqa: S603 - a tool found on PATH, arguments are ours
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=errors,
            env=_pg_environment(connection),
            check=False,
        )
        if finished.returncode != 0:
            raise _tool_error(Path(command[0]).name, errors)


def _tool_error(tool: str, errors: IO[bytes]) -> DomainError:
    errors.seek(0)
    lines = [line.strip() for line in errors.read().decode(errors="replace").splitlines()]
    # The first error line says what went wrong; CONTEXT and DETAIL lines follow it.
    marked = [line for line in lines if any(m in line for m in ("ERROR:", "FATAL:", "error:"))]
    message = (marked or [line for line in reversed(lines) if line] or ["?"])[0]
    return DomainError(
        Message(_("%(tool)s failed: %(error)s"), tool=tool, error=message), code="pg_tool_failed"
    )


def _database_error(connection: BaseDatabaseWrapper, error: Exception) -> DomainError:
    first_line = (str(error).strip().splitlines() or ["?"])[0]
    return DomainError(
        Message(
            _("The database %(database)s cannot be used: %(error)s"),
            database=database_label(connection),
            error=first_line,
        ),
        code="database_error",
    )


def _audit(
    connection: BaseDatabaseWrapper, *, action: AuditAction, label: str, changes: dict[str, Any]
) -> None:
    if connection.alias != DEFAULT_DB_ALIAS:
        return  # the audit log is in the default database only
    try:
        audit_record(action=action, object_type="database", label=label, changes=changes)
    except DatabaseError as error:
        raise _database_error(connection, error) from error
