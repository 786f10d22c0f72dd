"""Writing the resident registry out: CSV (UTF-8 with BOM, opens in Excel) or XLSX.

Columns are a contract: id, full_name, birth_date, birth_date_precision, gender, cccd, phone,
village, status, issues. Importing the file again changes nothing.

The file holds every CCCD and phone in clear: each export writes an audit row (who, when,
which commune, how many residents), as showing a number on a person card does.
"""

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import xlsxwriter

from congdanso.core.audit import audit_record
from congdanso.core.cells import cell_safe
from congdanso.core.models import AuditAction
from congdanso.people.selectors import ExportRow, resident_export_rows
from congdanso.places.models import Place
from congdanso.vn import format_birth_date

EXPORT_COLUMNS = (
    "id",
    "full_name",
    "birth_date",
    "birth_date_precision",
    "gender",
    "cccd",
    "phone",
    "village",
    "status",
    "issues",
)


def _cells(row: ExportRow) -> list[str | int]:
    return [
        row.id,
        row.full_name,
        format_birth_date(row.birth_date, row.birth_date_precision or None),
        row.birth_date_precision,
        row.gender,
        row.cccd or "",
        row.phone,
        row.village,
        row.status,
        ";".join(row.issues),
    ]


def export_csv(commune: Place, out: IO[str] | Any) -> int:
    """The registry as CSV; text that a spreadsheet would read as a formula gets an
    apostrophe before it (`core.cells`), which the import takes off again."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    count = 0
    for row in resident_export_rows(commune):
        writer.writerow([cell_safe(c) if isinstance(c, str) else c for c in _cells(row)])
        count += 1
    _audit(commune, "csv", count)
    return count


def _audit(commune: Place, file_format: str, count: int) -> None:
    audit_record(
        action=AuditAction.EXPORT,
        obj=commune,
        commune_id=commune.pk,
        changes={
            "what": "export-residents",
            "format": file_format,
            "residents": count,
            "fields": ["cccd", "phone"],
        },
    )


def export_xlsx(commune: Place, path: Path) -> int:
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet("residents")
    bold = workbook.add_format({"bold": True})
    text = workbook.add_format({"num_format": "@"})
    sheet.freeze_panes(1, 0)
    for index, width in enumerate((8, 28, 12, 10, 7, 14, 12, 22, 11, 24)):
        sheet.set_column(index, index, width, text if index in (2, 5, 6) else None)
    sheet.write_row(0, 0, EXPORT_COLUMNS, bold)
    count = 0
    rows: Iterator[ExportRow] = resident_export_rows(commune)
    for count, row in enumerate(rows, start=1):
        # CCCD, phone and partial dates stay text so Excel keeps their leading zeros.
        for column, value in enumerate(_cells(row)):
            if isinstance(value, int):
                sheet.write_number(count, column, value)
            else:
                sheet.write_string(count, column, value)
    workbook.close()
    _audit(commune, "xlsx", count)
    return count
