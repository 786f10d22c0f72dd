"""The SQLite side of a backup and a restore: the online backup API, both ways.

Backing up, the online backup API copies the live database in one step — one consistent
snapshot even while the app writes (WAL) — then `PRAGMA integrity_check` runs on the copy,
and the manifest's row counts are read from the copy itself. Restoring, the same API copies
the backup into the configured file through SQLite's own locking. A module of its own
because nothing here is shared with PostgreSQL but the counting (`backup.database`).
"""

import os
import sqlite3
from pathlib import Path

from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils.translation import gettext_lazy as _

from congdanso.core.backup.database import contents, sqlite_file
from congdanso.core.errors import DomainError, Message

BUSY_SECONDS = 20


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


def sqlite_backup(
    connection: BaseDatabaseWrapper, temp: Path
) -> tuple[dict[str, int], dict[str, list[str]]]:
    """Copy the database to `temp`, check the copy; its (rows per table, migrations)."""
    source = sqlite_file(connection)
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
        return contents(copy.cursor(), "sqlite", connection.ops.quote_name)
    finally:
        copy.close()


def sqlite_restore(connection: BaseDatabaseWrapper, path: Path) -> None:
    target = sqlite_file(connection)
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
