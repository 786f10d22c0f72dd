"""`congdanso import-residents PATH --commune CODE` — see README "Importing residents".

Test support: with CONGDANSO_TEST_PAUSE_FILE set, the import writes that file after each
batch it has written (inside its transaction) and sleeps CONGDANSO_TEST_PAUSE_SECONDS
(default 60), so that a test can kill it half-way at a known point.
"""

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from congdanso.core.commands import Command as BaseCommand
from congdanso.core.files import target_check
from congdanso.people.importing import ImportResult, import_residents, summary
from congdanso.people.importing.rejects import save_rejects
from congdanso.places.selectors import commune_get


def _pause_for_tests(rows: int) -> None:
    Path(os.environ["CONGDANSO_TEST_PAUSE_FILE"]).write_text(str(rows), encoding="ascii")
    time.sleep(float(os.environ.get("CONGDANSO_TEST_PAUSE_SECONDS", "60")))


class Command(BaseCommand):
    help = "Import a resident list (.xlsx, .xls, .ods, .csv) into a commune."
    # The system checks load the whole URL configuration (the site, the API: ~0.9 s of a
    # start) and find nothing an import depends on; `congdanso check` and CI run them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--commune", required=True, help="Commune code, e.g. 24490.")
        parser.add_argument(
            "--create-villages", action="store_true", help="Create villages not yet known."
        )
        summary.add_output_arguments(parser)
        parser.add_argument(
            "--force",
            action="store_true",
            help="Read the file again even if it was imported into unchanged data.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        progress = None
        if not options["json"] and sys.stderr.isatty():
            progress = self._progress
        if os.environ.get("CONGDANSO_TEST_PAUSE_FILE"):
            progress = _pause_for_tests
        if options["rejects"]:
            target_check(options["rejects"])  # a bad path is refused before the import
        commune = commune_get(options["commune"])
        result = import_residents(
            options["path"],
            commune=commune,
            sheet=options["sheet"],
            create_villages=options["create_villages"],
            dry_run=options["dry_run"],
            progress=progress,
            reuse_previous=not options["force"],
        )
        if progress:
            sys.stderr.write("\n")
        if options["rejects"]:
            save_rejects(options["rejects"], result, options["rejects_format"])
        if options["json"]:
            self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False))
            return
        self._summary(result, options)

    def _progress(self, rows: int) -> None:
        sys.stderr.write("\r" + _("%(rows)d rows read…") % {"rows": rows})
        sys.stderr.flush()

    def _summary(self, result: ImportResult, options: dict[str, Any]) -> None:
        write = self.stdout.write
        if result.dry_run:
            write(_("Dry run: nothing was written."))
        if result.same_as_run:
            write(
                _(
                    "This file was already imported (run %(run)d) and the data has not changed "
                    "since: nothing to do. Use --force to read it again."
                )
                % {"run": result.same_as_run}
            )
        for line in summary.header_and_counts(result):
            write(line)
        for code, count in sorted(result.warnings_by_code.items()):
            write(f"  {code}: {count}")
        if result.villages_created:
            write(_("Villages created: %(names)s") % {"names": ", ".join(result.villages_created)})
        for line in summary.rejects(result, saved=bool(options["rejects"])):
            write(line)
