"""Build the kinds of files communes send, for the importer tests."""

import csv
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import xlsxwriter


def write_xlsx(path: Path, rows: Sequence[Sequence[Any]], *, sheet: str = "Sheet1") -> Path:
    workbook = xlsxwriter.Workbook(str(path))
    worksheet = workbook.add_worksheet(sheet)
    date_format = workbook.add_format({"num_format": "dd/mm/yyyy"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            if hasattr(value, "year"):
                worksheet.write_datetime(r, c, value, date_format)
            else:
                worksheet.write(r, c, value)
    workbook.close()
    return path


def write_csv(path: Path, rows: Sequence[Sequence[Any]], *, encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


TITLE = [
    ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
    ["DANH SÁCH CÔNG DÂN THÔN TÂN LẬP"],
    [],
]
HEADER = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "SĐT", "Thôn/Buôn"]


_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def cp1258_spelling(text: str) -> str:
    """Windows-1258 has â, ă, ơ… but no toned letters: the tone is a combining mark after."""
    out = []
    for char in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", char)
        tones = "".join(c for c in parts if c in _TONES)
        out.append(
            unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES)) + tones
        )
    return "".join(out)
