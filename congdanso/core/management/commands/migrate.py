"""`congdanso migrate`: Django's migrate, then the data made private again.

A database created before the application set its umask (or copied in by hand) may be
readable by other users of the machine — the SQLite file holds the signed-in sessions. Every
start warns about it (`congdanso.core.startup`); `migrate`, which every upgrade runs, puts it
right: files 0600, folders 0700, said in one line.
"""

from pathlib import Path
from typing import Any

from django.core.management.commands.migrate import Command as DjangoMigrate
from django.utils.translation import gettext as _

from congdanso.core.commands import Command as BaseCommand
from congdanso.core.startup import private_paths_tighten


class Command(BaseCommand, DjangoMigrate):
    def handle(self, *args: Any, **options: Any) -> None:
        super().handle(*args, **options)
        changed, failed = private_paths_tighten(options["database"])
        self._say(changed, failed)

    def _say(self, changed: list[Path], failed: list[Path]) -> None:
        if changed:
            self.stdout.write(
                _("Made private to this user (files 0600, folders 0700): %(paths)s.")
                % {"paths": ", ".join(map(str, changed))}
            )
        if failed:
            self.stderr.write(
                _("Could not make private (another user owns them?): %(paths)s.")
                % {"paths": ", ".join(map(str, failed))}
            )
