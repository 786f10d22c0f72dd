"""The rejects file: every row that was not imported, as it was in the file, with the reason.

Two formats. An Excel workbook (.xlsx, the default): it opens the same on every computer,
with its Vietnamese text, whatever the system's list separator. Or CSV as Excel on a
Vietnamese Windows reads it: `;` between cells (the list separator where `,` is the decimal
sign) and UTF-8 with a BOM, without which Excel reads the accents as another code page.

Cells are written as the user saw them: 7.0 → 7, a date cell → dd/mm/yyyy. In the CSV, a text
that a spreadsheet would read as a formula gets an apostrophe before it (`core.cells`), which
the import takes off again; in the workbook every cell is a text cell, never a formula.
"""

import csv
import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import xlsxwriter
from django.utils import translation

from congdanso.core.cells import cell_safe
from congdanso.core.files import open_private, write_private

if TYPE_CHECKING:  # the pipeline's import log uses cell_text from here
    from congdanso.people.importing.cleaning import RejectedRow
    from congdanso.people.importing.pipeline import ImportResult

#: The file formats of a rejects file, the default first.
XLSX, CSV = "xlsx", "csv"
FORMATS = (XLSX, CSV)
#: The CSV's cell separator: Excel's list separator on a Vietnamese Windows.
CSV_DELIMITER = ";"
ROW_HEADER, REASON_HEADER = "Dòng", "Lý do"


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


def rejects_table(
    header_cells: Sequence[str], rejected_rows: Iterable["RejectedRow"]
) -> tuple[list[str], list[list[str]]]:
    """The header and the rows of the rejects file, as texts: the row number, the cells as
    they were (padded to the widest row), the reason in Vietnamese."""
    rows = list(rejected_rows)
    width = max([len(header_cells)] + [len(r.cells) for r in rows])
    headers = [ROW_HEADER, *header_cells, *[""] * (width - len(header_cells)), REASON_HEADER]
    table = []
    with translation.override("vi"):
        for row in rows:
            cells = [cell_text(c) for c in row.cells]
            table.append(
                [str(row.row_number), *cells, *[""] * (width - len(cells)), str(row.reason)]
            )
    return headers, table


def write_rejects(out: IO[str], result: "ImportResult") -> None:
    write_rejected_rows(out, result.header_cells, result.rejected_rows)


def write_rejected_rows(
    out: IO[str], header_cells: Sequence[str], rejected_rows: Iterable["RejectedRow"]
) -> None:
    """The rejects file as CSV (`;`; the caller writes the BOM: open the file with
    `utf-8-sig`) from the header and the rows (the import page keeps them apart from a
    result: `write_rejects` is this for a result)."""
    headers, table = rejects_table(header_cells, rejected_rows)
    writer = csv.writer(out, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow(headers)
    for row in table:
        # The row number stays as it is; every cell of the file and the reason are escaped.
        writer.writerow([row[0], *(cell_safe(cell) for cell in row[1:])])


def write_rejected_rows_xlsx(
    path: Path, header_cells: Sequence[str], rejected_rows: Iterable["RejectedRow"]
) -> None:
    """The rejects file as an Excel workbook at `path`: the header bold and frozen, the row
    number a number, every cell text (a CCCD keeps its leading 0; nothing is a formula)."""
    headers, table = rejects_table(header_cells, rejected_rows)
    book = xlsxwriter.Workbook(
        str(path),
        {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False},
    )
    try:
        sheet = book.add_worksheet("Dòng bị loại")
        bold = book.add_format({"bold": True, "bg_color": "#E7ECF1", "border": 1})
        sheet.freeze_panes(1, 0)
        for col, header in enumerate(headers):
            sheet.write_string(0, col, header, bold)
            sheet.set_column(col, col, 8 if col == 0 else 60 if col == len(headers) - 1 else 18)
        for index, row in enumerate(table, start=1):
            sheet.write_number(index, 0, int(row[0]))
            for col, cell in enumerate(row[1:], start=1):
                if cell:
                    sheet.write_string(index, col, cell)
        sheet.autofilter(0, 0, max(len(table), 1), len(headers) - 1)
    finally:
        book.close()


def rejects_format(path: Path, asked: str | None = None) -> str:
    """The format of a rejects file: the one asked for, else by the name's suffix (.csv is
    CSV, anything else the workbook)."""
    if asked:
        return asked
    return CSV if path.suffix.lower() == ".csv" else XLSX


def save_rejects(path: Path, result: "ImportResult", file_format: str | None = None) -> None:
    """The rejects file of an import at `path`, in `file_format` (else by its suffix)."""
    # The rejected cells hold CCCDs and phones in clear: 0600, whole or nothing.
    if rejects_format(path, file_format) == XLSX:
        write_private(
            path,
            lambda temporary: write_rejected_rows_xlsx(
                temporary, result.header_cells, result.rejected_rows
            ),
        )
        return
    with open_private(path, "w", encoding="utf-8-sig", newline="") as out:
        write_rejects(out, result)
