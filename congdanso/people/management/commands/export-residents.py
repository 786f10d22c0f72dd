"""`congdanso export-residents --commune CODE [--format csv|xlsx] [--out PATH]`."""

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext_lazy as _

from congdanso.core.commands import Command as BaseCommand
from congdanso.core.errors import DomainError
from congdanso.core.files import open_private, write_private
from congdanso.people.exporters import export_csv, export_xlsx
from congdanso.places.selectors import commune_get


class Command(BaseCommand):
    help = "Export the residents of a commune as CSV (default, to stdout) or XLSX."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--commune", required=True)
        parser.add_argument("--format", choices=["csv", "xlsx"], default=None)
        parser.add_argument("--out", type=Path, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        out: Path | None = options["out"]
        fmt = options["format"] or ("xlsx" if out and out.suffix.lower() == ".xlsx" else "csv")
        commune = commune_get(options["commune"])
        # The file holds every number in clear: 0600, written whole or not at all.
        if fmt == "xlsx":
            if out is None:
                raise DomainError(
                    _("An .xlsx export is a file: give --out FILE.xlsx."), code="out_missing"
                )
            count = write_private(out, lambda path: export_xlsx(commune, path))
        elif out is None:
            count = export_csv(commune, self.stdout)
        else:
            with open_private(out, "w", encoding="utf-8-sig", newline="") as handle:
                count = export_csv(commune, handle)
        if out is not None:
            self.stderr.write(f"{count} → {out}")
