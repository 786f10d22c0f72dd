"""The database a backup reads or a restore replaces, as both backends see it.

Which backends can be backed up (SQLite in a file, PostgreSQL) and the extension of their
backups; how the database is named in messages and how its errors read; and its contents —
the rows of every table and the migrations applied — counted by one function whether the
cursor reads an SQLite copy, a PostgreSQL snapshot or the restored database, so that the
manifest's counts and the counts after a restore compare like with like. A module of its
own because the SQLite side, the PostgreSQL side and the orchestration all use it.
"""

from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from django.db import DatabaseError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils.translation import gettext_lazy as _

from congdanso.core.errors import DomainError, Message

EXTENSIONS = {"sqlite": ".sqlite3", "postgresql": ".dump"}

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


def backend_of(connection: BaseDatabaseWrapper) -> str:
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


def sqlite_file(connection: BaseDatabaseWrapper) -> Path:
    return Path(connection.settings_dict["NAME"]).absolute()


def database_label(connection: BaseDatabaseWrapper) -> str:
    if connection.vendor == "sqlite":
        return str(sqlite_file(connection))
    params = connection.settings_dict
    host = params.get("HOST") or "localhost"
    return f"{params.get('NAME')} ({host}:{params.get('PORT') or 5432})"


def database_error(connection: BaseDatabaseWrapper, error: Exception) -> DomainError:
    first_line = (str(error).strip().splitlines() or ["?"])[0]
    return DomainError(
        Message(
            _("The database %(database)s cannot be used: %(error)s"),
            database=database_label(connection),
            error=first_line,
        ),
        code="database_error",
    )


def database_tables(connection: BaseDatabaseWrapper) -> dict[str, int]:
    """Rows per table of the database; {} for an SQLite file that does not exist yet."""
    if connection.vendor == "sqlite" and not sqlite_file(connection).is_file():
        return {}
    try:
        with connection.cursor() as cursor:
            return table_counts(cursor, connection.vendor, connection.ops.quote_name)
    except DatabaseError as error:
        raise database_error(connection, error) from error


def contents(
    cursor: Any, vendor: str, quote: Callable[[str], str]
) -> tuple[dict[str, int], dict[str, list[str]]]:
    tables = table_counts(cursor, vendor, quote)
    migrations: dict[str, list[str]] = {}
    if "django_migrations" in tables:
        cursor.execute("SELECT app, name FROM django_migrations")
        for app, name in cursor.fetchall():
            migrations.setdefault(app, []).append(name)
    return tables, {app: sorted(names) for app, names in sorted(migrations.items())}


def table_counts(cursor: Any, vendor: str, quote: Callable[[str], str]) -> dict[str, int]:
    cursor.execute(_TABLES_SQL[vendor])
    counts = {}
    for (name,) in sorted(cursor.fetchall()):
        # The name comes from the schema and is quoted; no value is interpolated.
        cursor.execute(f"SELECT COUNT(*) FROM {quote(name)}")  # noqa: S608
        counts[name] = cursor.fetchone()[0]
    return counts
