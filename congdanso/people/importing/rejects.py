"""The rejects file: every row that was not imported, as it was in the file, with the reason.

UTF-8 with BOM so that Excel opens the Vietnamese text correctly. Cells are written as the
user saw them: 7.0 → 7, a date cell → dd/mm/yyyy; a text that a spreadsheet would read as a
formula with an apostrophe before it (`core.cells`), which the import takes off again.
"""

import csv
import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from django.utils import translation

from congdanso.core.cells import cell_safe
from congdanso.core.files import open_private

if TYPE_CHECKING:  # the pipeline's import log uses cell_text from here
    from congdanso.people.importing.cleaning import RejectedRow
    from congdanso.people.importing.pipeline import ImportResult


def cell_text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, dt.datetime):
        return (
            cell.strftime("%d/%m/%Y %H:%M")
            if cell.time() != dt.time()
            else cell.strftime("%d/%m/%Y")
        )
    if isinstance(cell, dt.date):
        return cell.strftime("%d/%m/%Y")
    return str(cell)


def write_rejects(out: IO[str], result: "ImportResult") -> None:
    write_rejected_rows(out, result.header_cells, result.rejected_rows)


def write_rejected_rows(
    out: IO[str], header_cells: Sequence[str], rejected_rows: Iterable["RejectedRow"]
) -> None:
    """The rejects file from the header and the rows (the import page keeps them apart from
    a result: `write_rejects` is this for a result)."""
    rows = list(rejected_rows)
    width = max([len(header_cells)] + [len(r.cells) for r in rows])
    headers = list(header_cells) + [""] * (width - len(header_cells))
    writer = csv.writer(out)
    with translation.override("vi"):
        writer.writerow(["Dòng", *headers, "Lý do"])
        for row in rows:
            cells = [cell_safe(cell_text(c)) for c in row.cells]
            writer.writerow([row.row_number, *cells, *[""] * (width - len(cells)), str(row.reason)])


def save_rejects(path: Path, result: "ImportResult") -> None:
    # The rejected cells hold CCCDs and phones in clear: 0600, whole or nothing.
    with open_private(path, "w", encoding="utf-8-sig", newline="") as out:
        write_rejects(out, result)
