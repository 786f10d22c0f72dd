"""What the import commands share: their output options, and the lines they print after a
run (resident, achievement and group lists alike)."""

from pathlib import Path

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from congdanso.people.importing.pipeline import ImportResult
from congdanso.people.importing.rejects import FORMATS as REJECTS_FORMATS

#: Rejected rows shown on screen; the rejects file has them all.
SHOWN_REJECTS = 10


def add_output_arguments(parser: CommandParser) -> None:
    """--sheet, --dry-run, --rejects, --rejects-format and --json of a list import."""
    parser.add_argument("--sheet", default=None, help="Sheet name or number (from 1).")
    parser.add_argument("--dry-run", action="store_true", help="Check only; write nothing.")
    parser.add_argument(
        "--rejects",
        type=Path,
        default=None,
        help="File of the rejected rows: .xlsx, or .csv (';', UTF-8 with BOM).",
    )
    parser.add_argument(
        "--rejects-format",
        choices=REJECTS_FORMATS,
        default=None,
        help="Format of the rejects file (default: from its name, .csv or else .xlsx).",
    )
    parser.add_argument("--json", action="store_true", help="Print one JSON object.")


def header_and_counts(result: ImportResult) -> list[str]:
    return [
        _("Header found on row %(row)d; columns: %(columns)s")
        % {
            "row": result.header_row,
            "columns": ", ".join(f"{k} ← {v}" for k, v in result.columns.items()),
        },
        _(
            "%(rows)d rows: %(created)d created, %(updated)d updated, "
            "%(unchanged)d unchanged, %(rejected)d rejected; %(warnings)d warnings "
            "(%(seconds).1f s)."
        )
        % result.as_json(),
    ]


def rejects(result: ImportResult, *, saved: bool) -> list[str]:
    lines = [
        _("  row %(row)d: %(reason)s") % {"row": row.row_number, "reason": row.reason}
        for row in result.rejected_rows[:SHOWN_REJECTS]
    ]
    if result.rejected > SHOWN_REJECTS:
        more = result.rejected - SHOWN_REJECTS
        lines.append(_("  … and %(count)d more rejected rows.") % {"count": more})
    if result.rejected and not saved:
        lines.append(_("Use --rejects FILE.csv to save the rejected rows with their reasons."))
    return lines


def warnings_and_rejects(result: ImportResult, *, saved: bool) -> list[str]:
    """The warnings by code, then the rejected rows (`rejects`)."""
    lines = [f"  {code}: {count}" for code, count in sorted(result.warnings_by_code.items())]
    return lines + rejects(result, saved=saved)
