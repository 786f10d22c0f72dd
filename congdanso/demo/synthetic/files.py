"""The rows of a resident list as files: an XLSX laid out like a commune's, or a CSV.

The XLSX writer streams (xlsxwriter's ``constant_memory`` mode) with a hand-written cell
writer for plain strings and numbers, about twice as fast as xlsxwriter's own for the same
bytes; the CSV writer speaks the encodings communes' files come in, Windows-1258 included.
Apart from `rows` because how a list is written is another job than what it holds.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from xlsxwriter import Workbook
from xlsxwriter.utility import xl_rowcol_to_cell_fast
from xlsxwriter.worksheet import Worksheet

from congdanso.demo.synthetic.rows import COLUMNS, EXCEL_EPOCH, VN_TONES, Cell, GeneratedRow

# ------------------------------------------------------------------------------- XLSX


# Text that xlsxwriter would write unchanged: no XML-special or control characters, no
# "_x" escapes, no leading or trailing whitespace (which needs xml:space="preserve").
_SPECIAL = r'"&<>\x00-\x1f_\ufffe\uffff'
_PLAIN_TEXT = re.compile(rf"[^\s{_SPECIAL}](?:[^{_SPECIAL}]*[^\s{_SPECIAL}])?")


class _StreamingWorksheet(Worksheet):
    """A Worksheet whose innermost loop is faster for plain strings and numbers.

    ``_write_cell`` is xlsxwriter's per-cell XML writer (its cost dominates a
    constant_memory write).  For number cells and plain-text string cells with an
    explicit format or none, this writes the same bytes with less work; everything else
    goes to xlsxwriter's own code.  test_synthetic checks the sheet XML is identical.
    """

    def _write_cell(self, row: int, col: int, cell: Any) -> None:
        fmt = cell.format
        if fmt is None and (
            (row in self.row_info and self.row_info[row].row_format is not None)
            or (col in self.col_info and self.col_info[col].column_format is not None)
        ):
            super()._write_cell(row, col, cell)
            return
        kind = cell.__class__.__name__
        style = "" if fmt is None else f' s="{fmt._get_xf_index()}"'
        if kind == "Number":
            ref = xl_rowcol_to_cell_fast(row, col)
            self.fh.write(f'<c r="{ref}"{style}><v>{cell.number:.16G}</v></c>')
        elif kind == "String" and _PLAIN_TEXT.fullmatch(cell.string) is not None:
            ref = xl_rowcol_to_cell_fast(row, col)
            self.fh.write(f'<c r="{ref}"{style} t="inlineStr"><is><t>{cell.string}</t></is></c>')
        else:
            super()._write_cell(row, col, cell)


def _row_cells(row: Mapping[str, Cell] | GeneratedRow) -> Mapping[str, Cell]:
    return row.cells if isinstance(row, GeneratedRow) else row


def write_xlsx(
    path: str | Path,
    rows: Iterable[Mapping[str, Cell] | GeneratedRow],
    *,
    title: str | None = "DANH SÁCH CÔNG DÂN XÃ EA YÔNG",
    sheet: str = "Danh sách",
    fast: bool = True,
) -> int:
    """Stream ``rows`` to an .xlsx laid out like a commune's file; return the data rows.

    Layout (0-based rows) with a ``title``: 0 "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    (merged A:G), 1 the title (merged), 2 blank, 3 the header (:data:`COLUMNS`), 4..
    data, then a blank row, "Tổng cộng: N người", a blank row, "Người lập biểu" (B)
    and "Trưởng thôn" (F), "(Ký, ghi rõ họ tên)" under both.  ``title=None`` writes the
    bare table: header on the first row, no footer.  Dates are numbers formatted
    dd/mm/yyyy; ``str`` cells are text cells (CCCD and phone columns formatted "@");
    ``int`` cells are numbers.  xlsxwriter ``constant_memory`` mode: flat memory.
    ``fast=False`` uses xlsxwriter's stock cell writer (same bytes, ~2x slower).
    """
    wb = Workbook(str(path), {"constant_memory": True})
    try:
        ws = wb.add_worksheet(sheet, worksheet_class=_StreamingWorksheet if fast else Worksheet)
        bold_center = wb.add_format({"bold": True, "align": "center", "valign": "vcenter"})
        title_fmt = wb.add_format({"bold": True, "align": "center", "font_size": 14})
        header_fmt = wb.add_format(
            {"bold": True, "align": "center", "valign": "vcenter", "border": 1, "text_wrap": True}
        )
        date_fmt = wb.add_format({"num_format": "dd/mm/yyyy", "align": "center"})
        text_fmt = wb.add_format({"num_format": "@"})
        italic_center = wb.add_format({"italic": True, "align": "center"})
        last_col = len(COLUMNS) - 1
        for col, width in enumerate((6, 28, 12, 9, 16, 14, 18)):
            ws.set_column(col, col, width)

        r = 0
        if title is not None:
            ws.merge_range(0, 0, 0, last_col, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold_center)
            ws.merge_range(1, 0, 1, last_col, title, title_fmt)
            r = 3
        for col, name in enumerate(COLUMNS):
            ws.write_string(r, col, name, header_fmt)
        ws.freeze_panes(r + 1, 0)
        r += 1

        formats = [None, None, None, None, text_fmt, text_fmt, None]
        columns = list(enumerate(COLUMNS))
        write_string = ws.write_string
        write_number = ws.write_number
        count = 0
        for row in rows:
            cells = _row_cells(row)
            for col, key in columns:
                v = cells.get(key)
                if v is None:
                    continue
                if isinstance(v, str):
                    write_string(r, col, v, formats[col])
                elif isinstance(v, int):
                    write_number(r, col, v)
                elif isinstance(v, date):
                    write_number(r, col, v.toordinal() - EXCEL_EPOCH, date_fmt)
                else:
                    raise TypeError(f"unsupported cell {v!r} in column {key!r}")
            r += 1
            count += 1

        if title is not None:
            r += 1
            total = f"{count:,}".replace(",", ".")
            ws.merge_range(r, 0, r, 2, f"Tổng cộng: {total} người", wb.add_format({"bold": True}))
            r += 2
            ws.write_string(r, 1, "Người lập biểu", bold_center)
            ws.write_string(r, 5, "Trưởng thôn", bold_center)
            r += 1
            ws.write_string(r, 1, "(Ký, ghi rõ họ tên)", italic_center)
            ws.write_string(r, 5, "(Ký, ghi rõ họ tên)", italic_center)
    finally:
        wb.close()
    return count


# ------------------------------------------------------------------------------- CSV


def _nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


@cache
def _cp1258_table() -> dict[int, str | None]:
    """Map each letter Windows-1258 lacks to base letter (+ shape) + combining tone.

    Ede breves on e, i, o, u (and U+0306 after ê, ô, ơ, ư) have no Windows-1258 form at
    all and are dropped, as they were when typed on a Windows-1258 keyboard.
    """
    table: dict[int, str | None] = {0x0306: None}
    for cp in (*range(0x00C0, 0x0250), *range(0x1E00, 0x1F00)):
        ch = chr(cp)
        try:
            ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", ch)
        base = decomposed[0]
        shapes = "".join(m for m in decomposed[1:] if m not in VN_TONES)
        tones = "".join(m for m in decomposed[1:] if m in VN_TONES)
        for candidate in (base + shapes, base + shapes.replace("\u0306", "")):
            head = _nfc(candidate)
            try:
                (head + tones).encode("cp1258")
            except UnicodeEncodeError:
                continue
            table[cp] = head + tones
            break
    return table


def cp1258_text(text: str) -> str:
    """``text`` as Windows-1258 can hold it: NFC, then decomposed where it must be.

    ``unicodedata.normalize("NFC", cp1258_text(s))`` equals ``s`` for Vietnamese text;
    Ede breves on e/i/o/u/ê/ô/ơ/ư are lost.
    """
    return _nfc(text).translate(_cp1258_table())


def write_csv(
    path: str | Path,
    rows: Iterable[Mapping[str, Cell] | GeneratedRow],
    *,
    encoding: str = "utf-8-sig",
    delimiter: str = ",",
    errors: str | None = None,
) -> int:
    """Write a plain CSV (header :data:`COLUMNS`, then the rows); return the data rows.

    Dates are written dd/mm/yyyy, numbers as digits, ``None`` as an empty field.
    Encodings: "utf-8", "utf-8-sig" (Excel's "CSV UTF-8"), "utf-16", "cp1258"
    (Windows-1258: text goes through :func:`cp1258_text`, so letters without a
    precomposed Windows-1258 form are written as base letter + combining tone mark).
    ``errors`` is the codec's error handler: by default "replace" for cp1258 (what it cannot
    hold, such as the Windows-1252 characters of TCVN3/VNI mojibake names, becomes "?" as
    when Excel saves such a file) and "strict" otherwise.
    """
    convert: Callable[[str], str] | None = None
    is_cp1258 = encoding.lower().replace("-", "").replace("_", "") in ("cp1258", "windows1258")
    if errors is None:
        errors = "replace" if is_cp1258 else "strict"
    if is_cp1258:
        table = _cp1258_table()

        def convert(s: str) -> str:
            return _nfc(s).translate(table)

    count = 0
    with open(path, "w", encoding=encoding, errors=errors, newline="") as fh:
        writer = csv.writer(fh, delimiter=delimiter)
        writer.writerow([convert(c) if convert else c for c in COLUMNS])
        writerow = writer.writerow
        for row in rows:
            cells = _row_cells(row)
            out: list[object] = []
            for key in COLUMNS:
                v = cells.get(key)
                if isinstance(v, date):
                    out.append(f"{v.day:02d}/{v.month:02d}/{v.year}")
                elif convert is not None and isinstance(v, str):
                    out.append(convert(v))
                else:
                    out.append(v)
            writerow(out)
            count += 1
    return count
