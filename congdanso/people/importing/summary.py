"""The lines an import command prints after a run (resident and achievement imports alike)."""

from django.utils.translation import gettext as _

from congdanso.people.importing.pipeline import ImportResult

#: Rejected rows shown on screen; the rejects file has them all.
SHOWN_REJECTS = 10


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
