"""Reading a table from a file: .xlsx/.xlsm/.xls/.ods through python-calamine, .csv streamed.

A source yields `(row_number, cells)` with the row number as the user sees it in the file
(1-based), whatever blank rows the sheet starts with. CSV is streamed so that memory stays flat
for a million rows; its encoding is detected (BOM for UTF-8/UTF-16, else UTF-8 if the start
decodes, else Windows-1258) and its delimiter sniffed.
"""

import codecs
import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import python_calamine
from django.utils.translation import gettext_lazy as _

from congdanso.core.errors import Message
from congdanso.people.importing.errors import ImportFailed

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"}
CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
_SNIFF_BYTES = 1 << 20


@dataclass
class TableSource:
    path: Path
    sheet_name: str
    encoding: str | None
    rows: Iterator[tuple[int, list[Any]]]


def open_table(path: Path, *, sheet: str | int | None = None) -> TableSource:
    if not path.exists():
        raise ImportFailed(Message(_("File not found: %(path)s"), path=path), code="file_not_found")
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return _open_csv(path)
    if suffix in SPREADSHEET_SUFFIXES:
        return _open_spreadsheet(path, sheet)
    raise ImportFailed(
        Message(
            _("Unsupported file type %(suffix)s: use .xlsx, .xls, .ods or .csv."),
            suffix=suffix or "?",
        ),
        code="file_type",
    )


def _open_spreadsheet(path: Path, sheet: str | int | None) -> TableSource:
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception as error:  # calamine raises several unrelated types for broken files
        raise ImportFailed(
            Message(
                _("Cannot read the spreadsheet %(path)s: %(error)s"), path=path.name, error=error
            ),
            code="file_unreadable",
        ) from error
    names = workbook.sheet_names
    if not names:
        raise ImportFailed(_("The workbook has no sheet."), code="no_sheet")
    if sheet is None:
        name = names[0]
    elif isinstance(sheet, int) or (isinstance(sheet, str) and sheet.isdigit()):
        index = int(sheet)
        # Sheets are numbered from 1 for users; 0 is accepted as the first sheet too.
        position = index - 1 if index >= 1 else 0
        if position >= len(names):
            raise ImportFailed(
                Message(
                    _(
                        "The workbook has %(count)d sheets; there is no sheet %(index)s. "
                        "Sheets: %(names)s"
                    ),
                    count=len(names),
                    index=sheet,
                    names=", ".join(names),
                ),
                code="no_sheet",
            )
        name = names[position]
    elif sheet in names:
        name = sheet
    else:
        raise ImportFailed(
            Message(
                _("No sheet named %(sheet)s. Sheets: %(names)s"),
                sheet=sheet,
                names=", ".join(names),
            ),
            code="no_sheet",
        )
    try:
        data = workbook.get_sheet_by_name(name)
    except Exception as error:
        raise ImportFailed(
            Message(_("Cannot read the sheet %(sheet)s: %(error)s"), sheet=name, error=error),
            code="file_unreadable",
        ) from error
    first_row = data.start[0] if data.start else 0

    def rows() -> Iterator[tuple[int, list[Any]]]:
        for offset, cells in enumerate(data.iter_rows()):
            yield first_row + offset + 1, cells

    return TableSource(path=path, sheet_name=name, encoding=None, rows=rows())


def detect_encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        # A multi-byte character may be cut at the end of the sample.
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(head) - 4:
            return "cp1258"
    return "utf-8"


def _open_csv(path: Path) -> TableSource:
    with path.open("rb") as raw:
        head = raw.read(_SNIFF_BYTES)
    encoding = detect_encoding(head)
    sample = head[:65536].decode(encoding, errors="ignore")
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel

    def rows() -> Iterator[tuple[int, list[Any]]]:
        number = 0
        try:
            with path.open(encoding=encoding, newline="") as handle:
                for number, cells in enumerate(csv.reader(handle, dialect), start=1):  # noqa: B007
                    yield number, cells
        except UnicodeDecodeError as error:
            raise ImportFailed(
                Message(
                    _(
                        "The file cannot be read as %(encoding)s text after row %(row)d "
                        "(byte %(byte)s). Save it again as 'CSV UTF-8' and import it again."
                    ),
                    encoding=encoding,
                    row=number,
                    byte=error.object[error.start : error.start + 1].hex(),
                ),
                code="file_encoding",
            ) from error
        except csv.Error as error:
            raise ImportFailed(
                Message(
                    _("The CSV file is malformed after row %(row)d: %(error)s"),
                    row=number,
                    error=error,
                ),
                code="file_csv",
            ) from error

    return TableSource(path=path, sheet_name="", encoding=encoding, rows=rows())
