"""Reading a table from a file: .xlsx/.xlsm/.xls/.ods through python-calamine, .csv streamed.

A source yields `(row_number, cells)` with the row number as the user sees it in the file
(1-based), whatever blank rows the sheet starts with. CSV is streamed so that memory stays flat
for a million rows; its encoding is detected (BOM for UTF-8/UTF-16, else UTF-8 if the start
decodes, else Windows-1258) and its delimiter sniffed.

A bad file is refused with an ImportFailed saying what is wrong, before it is read into memory
where that can be told: an empty file, a zip archive cut short or damaged, a workbook with a
password, a zip bomb (more than `MAX_UNPACKED_BYTES` unpacked, a part packed more than
`MAX_RATIO` to 1, more than `MAX_MEMBERS` parts), a table wider than `MAX_COLUMNS`, a CSV row
longer than `MAX_LINE_CHARS` (read line by line with that bound, so a 1 GB line is never held)
and UTF-16 text without its byte-order mark.
"""

import csv
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import python_calamine
from django.utils.translation import gettext_lazy as _

from congdanso.core.errors import Message
from congdanso.core.uploads import MAX_MEMBERS, MAX_RATIO, sample_encoding
from congdanso.core.uploads import _ole_stream_names as ole_stream_names
from congdanso.people.importing.errors import ImportFailed

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"}
CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
_SNIFF_BYTES = 1 << 20

#: A resident list has a few dozen columns; thousands mean a broken or hostile file.
MAX_COLUMNS = 1000
#: Longest CSV row, in characters, line breaks inside quoted cells included.
MAX_LINE_CHARS = 1_000_000
#: What a workbook may unpack to: a million-row list is about 300 MB of XML.
MAX_UNPACKED_BYTES = 500 * 1024 * 1024
#: Parts smaller than this cannot make a bomb, whatever they are packed to.
_RATIO_FLOOR = 1 << 20
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# What a damaged or hostile archive makes the zipfile module raise.
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, ValueError, OSError)


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
    if suffix not in CSV_SUFFIXES | SPREADSHEET_SUFFIXES:
        raise ImportFailed(
            Message(
                _("Unsupported file type %(suffix)s: use .xlsx, .xls, .ods or .csv."),
                suffix=suffix or "?",
            ),
            code="file_type",
        )
    if path.stat().st_size == 0:
        raise ImportFailed(Message(_("The file is empty.")), code="file_empty")
    if suffix in CSV_SUFFIXES:
        return _open_csv(path)
    return _open_spreadsheet(path, sheet)


def _unreadable(path: Path) -> ImportFailed:
    return ImportFailed(
        Message(
            _(
                "The file %(name)s is not a spreadsheet or is damaged. Open it in Excel or "
                "LibreOffice, save it again as .xlsx and import it again."
            ),
            name=path.name,
        ),
        code="file_unreadable",
    )


def _corrupt(path: Path, error: object) -> ImportFailed:
    return ImportFailed(
        Message(
            _(
                "The file %(name)s is damaged and cannot be read (%(error)s). Open it in Excel "
                "or LibreOffice, save it again as .xlsx and import it again."
            ),
            name=path.name,
            error=error,
        ),
        code="file_corrupt",
    )


def _encrypted(path: Path) -> ImportFailed:
    return ImportFailed(
        Message(
            _(
                "The file %(name)s has a password: open it in Excel, remove the password, "
                "save it and import it again."
            ),
            name=path.name,
        ),
        code="file_encrypted",
    )


def _too_big_unpacked(template: Any, path: Path, **params: Any) -> ImportFailed:
    return ImportFailed(Message(template, name=path.name, **params), code="file_too_big_unpacked")


def _calamine_failure(path: Path, error: Exception, *, sheet: str | None = None) -> ImportFailed:
    if isinstance(error, python_calamine.PasswordError):
        return _encrypted(path)
    if isinstance(error, python_calamine.ZipError | python_calamine.XmlError):
        return _corrupt(path, error)
    if sheet is not None:
        return ImportFailed(
            Message(_("Cannot read the sheet %(sheet)s: %(error)s"), sheet=sheet, error=error),
            code="file_unreadable",
        )
    return ImportFailed(
        Message(_("Cannot read the spreadsheet %(path)s: %(error)s"), path=path.name, error=error),
        code="file_unreadable",
    )


def _check_spreadsheet(path: Path) -> None:
    """Refuse, from the zip directory or the OLE2 directory only, what calamine should not
    unpack: a password, a bomb, an archive cut short or damaged, something not a workbook."""
    with path.open("rb") as file:
        head = file.read(len(_OLE_MAGIC))
        if head.startswith(_OLE_MAGIC):
            # Excel saves a password-protected .xlsx as an OLE2 file with an EncryptedPackage;
            # a legacy .xls with a password is told by calamine's PasswordError.
            if "EncryptedPackage" in ole_stream_names(file):
                raise _encrypted(path)
            return
        if not head.startswith(_ZIP_MAGIC):
            raise _unreadable(path)
        _check_zip(path, file)


def _check_zip(path: Path, file: IO[bytes]) -> None:
    file.seek(0)
    try:
        archive = zipfile.ZipFile(file)
    except zipfile.BadZipFile as error:
        # It starts as a zip archive but its directory, kept at the end, is missing.
        raise ImportFailed(
            Message(
                _(
                    "The file %(name)s is cut short: it was not copied or downloaded "
                    "completely. Copy it again from the original and import it again."
                ),
                name=path.name,
            ),
            code="file_truncated",
        ) from error
    except _ZIP_ERRORS as error:
        raise _corrupt(path, error) from error
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise _too_big_unpacked(
                _(
                    "The file %(name)s holds more than %(count)d parts: it is not an "
                    "ordinary spreadsheet and is not read."
                ),
                path,
                count=MAX_MEMBERS,
            )
        if sum(member.file_size for member in members) > MAX_UNPACKED_BYTES:
            raise _too_big_unpacked(
                _(
                    "The file %(name)s would unpack to more than %(limit)d MB: it is too big "
                    "to import. Split it into smaller files and import them one by one."
                ),
                path,
                limit=MAX_UNPACKED_BYTES // (1024 * 1024),
            )
        for member in members:
            if member.flag_bits & 0x1:
                raise _encrypted(path)
            ratio = member.file_size / max(member.compress_size, 1)
            if member.file_size > _RATIO_FLOOR and ratio > MAX_RATIO:
                raise _too_big_unpacked(
                    _(
                        "The file %(name)s holds data packed more than %(ratio)d to 1, which "
                        "an ordinary spreadsheet never is: it is not read."
                    ),
                    path,
                    ratio=MAX_RATIO,
                )
        manifest = next((m for m in members if m.filename == "META-INF/manifest.xml"), None)
        if manifest is not None and manifest.file_size < _RATIO_FLOOR:
            try:
                encrypted = b"encryption-data" in archive.read(manifest)
            except _ZIP_ERRORS as error:
                raise _corrupt(path, error) from error
            if encrypted:  # an ODS file saved with a password
                raise _encrypted(path)


def _open_spreadsheet(path: Path, sheet: str | int | None) -> TableSource:
    _check_spreadsheet(path)
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception as error:  # calamine raises several unrelated types for broken files
        raise _calamine_failure(path, error) from error
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
        raise _calamine_failure(path, error, sheet=name) from error
    if data.width > MAX_COLUMNS:
        raise ImportFailed(
            Message(
                _(
                    "The sheet %(sheet)s has %(count)d columns; at most %(limit)d are read. "
                    "Delete the extra columns and import it again."
                ),
                sheet=name,
                count=data.width,
                limit=MAX_COLUMNS,
            ),
            code="too_many_columns",
        )
    first_row = data.start[0] if data.start else 0

    def rows() -> Iterator[tuple[int, list[Any]]]:
        for offset, cells in enumerate(data.iter_rows()):
            yield first_row + offset + 1, cells

    return TableSource(path=path, sheet_name=name, encoding=None, rows=rows())


def detect_encoding(head: bytes) -> str:
    """The file's encoding from its first bytes: the upload check's rule (one rule, so that
    a file the check lets through is read as it was checked)."""
    return sample_encoding(head)


def _too_many_columns(count: int, row: int) -> ImportFailed:
    return ImportFailed(
        Message(
            _(
                "Row %(row)d of the file has %(count)d columns; at most %(limit)d are read. "
                "Delete the extra columns and import it again."
            ),
            row=row,
            count=count,
            limit=MAX_COLUMNS,
        ),
        code="too_many_columns",
    )


class _BoundedLines:
    """The lines of a text file for csv.reader, refusing a row longer than `limit` characters.

    `readline(size)` never reads much past `size`, so a file without line breaks costs
    `limit` characters of memory, not its size. `row_done` is called for each row parsed, as a
    quoted cell may hold line breaks and a row span several lines.
    """

    def __init__(self, handle: IO[str], *, limit: int) -> None:
        self.handle = handle
        self.limit = limit
        self.row_chars = 0
        self.rows_done = 0

    def __iter__(self) -> "_BoundedLines":
        return self

    def __next__(self) -> str:
        line = self.handle.readline(self.limit - self.row_chars + 1)
        if not line:
            raise StopIteration
        self.row_chars += len(line)
        if self.row_chars > self.limit:
            raise ImportFailed(
                Message(
                    _(
                        "Row %(row)d of the file is longer than %(limit)d characters: its "
                        "line breaks are missing or it is not a table. Save it again as "
                        "'CSV UTF-8' and import it again."
                    ),
                    row=self.rows_done + 1,
                    limit=self.limit,
                ),
                code="line_too_long",
            )
        return line

    def row_done(self) -> None:
        self.row_chars = 0
        self.rows_done += 1


def _open_csv(path: Path) -> TableSource:
    with path.open("rb") as raw:
        head = raw.read(_SNIFF_BYTES)
    encoding = detect_encoding(head)
    if encoding != "utf-16" and b"\0" in head:
        # UTF-16 saved without its byte-order mark, or not text at all: read as UTF-8 it
        # would give rows of garbage with a NUL between letters.
        raise ImportFailed(
            Message(
                _(
                    "The file %(name)s is not CSV text that can be read: it holds NUL bytes "
                    "(it may be UTF-16 text without a byte-order mark). Save it again as "
                    "'CSV UTF-8' and import it again."
                ),
                name=path.name,
            ),
            code="file_encoding",
        )
    sample = head[:65536].decode(encoding, errors="ignore")
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel

    def rows() -> Iterator[tuple[int, list[Any]]]:
        number = 0
        try:
            with path.open(encoding=encoding, newline="") as handle:
                lines = _BoundedLines(handle, limit=MAX_LINE_CHARS)
                for number, cells in enumerate(csv.reader(lines, dialect), start=1):  # noqa: B007
                    lines.row_done()
                    if len(cells) > MAX_COLUMNS:
                        raise _too_many_columns(len(cells), number)
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
