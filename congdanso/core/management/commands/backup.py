"""`congdanso backup [--out PATH] [--include-keys] [--database ALIAS]`."""

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.db import DEFAULT_DB_ALIAS
from django.utils.translation import gettext as _

from congdanso.core.backup import backup_create
from congdanso.core.commands import Command as BaseCommand
from congdanso.vn.numbers import format_number


class Command(BaseCommand):
    help = (
        "Back up the whole database (SQLite online backup, or pg_dump) to a 0600 file with a "
        "JSON manifest beside it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--out",
            type=Path,
            default=None,
            help="File or folder (default: DATA_DIR/backups/congdanso-YYYYmmdd-HHMMSS.<ext>).",
        )
        parser.add_argument(
            "--include-keys",
            action="store_true",
            help="Also copy the key files of the data dir into a separate 0600 <file>.keys.tar.",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database alias.")

    def handle(self, *args: Any, **options: Any) -> None:
        result = backup_create(
            out=options["out"], include_keys=options["include_keys"], using=options["database"]
        )
        manifest = result.manifest
        write = self.stdout.write
        write(_("Backup: %(path)s") % {"path": result.path})
        write(
            _("Size: %(size)s bytes; SHA-256: %(sha256)s")
            % {"size": format_number(manifest.size), "sha256": manifest.sha256}
        )
        write(
            _("Manifest: %(path)s (%(tables)s tables, %(rows)s rows)")
            % {
                "path": result.manifest_path,
                "tables": format_number(len(manifest.tables)),
                "rows": format_number(manifest.rows),
            }
        )
        if result.keys_path is not None:
            write(
                _(
                    "The key files were copied to %(path)s (mode 0600): keep that file apart from "
                    "the backup, in a safe place."
                )
                % {"path": result.keys_path}
            )
        elif result.key_files:
            write(
                _(
                    "The encryption keys are NOT in the backup: keep a copy of these files "
                    "separately, in a safe place (or use --include-keys): %(files)s"
                )
                % {"files": ", ".join(str(path) for path in result.key_files)}
            )
        for variable in result.keys_in_environment:
            write(
                _("A key comes from the environment variable %(variable)s: keep a copy of it too.")
                % {"variable": variable}
            )
