"""`congdanso restore PATH [--yes] [--without-keys] [--database ALIAS]`."""

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.db import DEFAULT_DB_ALIAS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from congdanso.core.backup import backup_restore
from congdanso.core.commands import Command as BaseCommand
from congdanso.core.errors import DomainError, Message
from congdanso.vn.numbers import format_number


class Command(BaseCommand):
    help = (
        "Restore a backup made by `congdanso backup` into the configured database, after "
        "checking its manifest; migrate it when it is older than the code."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="The backup file (or its .json manifest).")
        parser.add_argument(
            "--yes", action="store_true", help="Replace a database that is not empty."
        )
        parser.add_argument(
            "--without-keys",
            action="store_true",
            help=(
                "Restore even though the backup's keys are not in place (congdanso then "
                "refuses to start until they are put back)."
            ),
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database alias.")

    def handle(self, *args: Any, **options: Any) -> None:
        result = backup_restore(
            path=options["path"],
            overwrite=options["yes"],
            without_keys=options["without_keys"],
            using=options["database"],
        )
        manifest = result.manifest
        write = self.stdout.write
        write(
            _("Restored %(path)s (made %(created)s) into %(database)s.")
            % {
                "path": result.path,
                "created": _made_at(manifest.created_at),
                "database": result.database,
            }
        )
        if result.replaced_rows:
            write(
                _("%(rows)s rows that were in the database were replaced.")
                % {"rows": format_number(result.replaced_rows)}
            )
        for difference in result.differences:
            write(
                _("Table %(table)s: %(found)s rows, the manifest says %(expected)s.")
                % {
                    "table": difference.table,
                    "found": _count(difference.found),
                    "expected": _count(difference.expected),
                }
            )
        if not result.differences:
            write(
                _("Row counts match the manifest in all %(tables)s tables (%(rows)s rows).")
                % {
                    "tables": format_number(len(manifest.tables)),
                    "rows": format_number(manifest.rows),
                }
            )
        if result.migrated:
            write(
                _("The backup was older than the code: applied %(count)s migrations: %(names)s")
                % {"count": len(result.migrated), "names": ", ".join(result.migrated)}
            )
        for key in result.keys_missing:
            write(
                _(
                    "The key file %(path)s, in use when the backup was made, is missing: put it "
                    "back before starting congdanso."
                )
                % {"path": key}
            )
        for key in result.keys_changed:
            write(
                _(
                    "The key file %(path)s differs from the one in use when the backup was "
                    "made: make sure it still holds the keys this data was encrypted with."
                )
                % {"path": key}
            )
        if result.keys_archive and (result.keys_missing or result.keys_changed):
            folder = (result.keys_missing + result.keys_changed)[0].parent
            write(
                _("The backup's key files are in %(path)s: tar -xpf %(path)s -C %(folder)s")
                % {"path": result.keys_archive, "folder": folder}
            )
        if result.keys_refusal is not None:
            write(
                _(
                    "Restored without its keys: congdanso refuses to start (every command and "
                    "the server) until they are put back. %(why)s"
                )
                % {"why": result.keys_refusal}
            )
        if result.differences:
            raise DomainError(
                Message(
                    gettext_lazy(
                        "The restored database differs from its manifest in %(count)s tables."
                    ),
                    count=len(result.differences),
                ),
                code="restore_mismatch",
            )


def _made_at(created_at: str) -> str:
    try:
        return f"{dt.datetime.fromisoformat(created_at):%d/%m/%Y %H:%M}"
    except ValueError:
        return created_at


def _count(value: int | None) -> str:
    return "—" if value is None else format_number(value)
