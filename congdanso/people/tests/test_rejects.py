"""The rejects file in both formats: an Excel workbook (the default) and CSV as Excel on a
Vietnamese Windows reads it (`;`, UTF-8 with a BOM), each read back to the same table; the
CSV keeps its formula escaping; the command picks the format by the name or `--rejects-format`.
"""

import csv
import io
import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils.translation import gettext_lazy as _
from python_calamine import CalamineWorkbook

from congdanso.core.errors import Message
from congdanso.people.importing.cleaning import RejectedRow
from congdanso.people.importing.rejects import (
    rejects_table,
    write_rejected_rows,
    write_rejected_rows_xlsx,
)
from congdanso.people.tests.files import HEADER, write_xlsx
from congdanso.people.tests.test_import import ROWS
from congdanso.places.models import Place

HEADER_CELLS = ["STT", "Họ và tên", "Số CCCD", "Điện thoại"]
REJECTED = [
    RejectedRow(3, (1, "=HYPERLINK(\"http://x\",\"Nguyễn Văn A\")", "066190012345", None),
                Message(_("The row has no full name."))),
    RejectedRow(7, (2.0, "Y Bhiăo Ayun", "012345678901", "+84912345678", "thừa"),
                Message(_("A signature or total line, not a person."))),
]  # fmt: skip


def _csv(rows: list[RejectedRow]) -> bytes:
    out = io.StringIO()
    write_rejected_rows(out, HEADER_CELLS, rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def test_the_workbook_reads_back_as_the_table_with_text_cells(tmp_path: Path) -> None:
    path = tmp_path / "loai.xlsx"
    write_rejected_rows_xlsx(path, HEADER_CELLS, REJECTED)
    headers, table = rejects_table(HEADER_CELLS, REJECTED)

    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()

    assert rows[0] == headers == ["Dòng", *HEADER_CELLS, "", "Lý do"]
    assert [[str(int(row[0])), *row[1:]] for row in rows[1:]] == table
    assert rows[1][2].startswith("=HYPERLINK")  # a text cell, never a formula
    assert rows[1][3] == "066190012345"  # the leading 0 kept
    assert "họ và tên" in rows[1][-1].lower()  # the reason in Vietnamese


def test_the_csv_uses_semicolons_a_bom_and_escapes_formulas(tmp_path: Path) -> None:
    raw = _csv(REJECTED)
    headers, table = rejects_table(HEADER_CELLS, REJECTED)

    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0] == "Dòng;STT;Họ và tên;Số CCCD;Điện thoại;;Lý do"
    back = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert back[0] == headers
    assert back[1][2] == "'" + table[0][2]  # the apostrophe the import takes off again
    assert back[2][4] == "'+84912345678"
    assert [row[:2] for row in back[1:]] == [["3", "1"], ["7", "2"]]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "options", "kind"),
    [
        ("loai.xlsx", [], "xlsx"),
        ("loai.csv", [], "csv"),
        ("loai.txt", ["--rejects-format", "csv"], "csv"),
        ("loai.dat", [], "xlsx"),
    ],
)
def test_the_command_writes_the_format_asked_for(  # type: ignore[no-untyped-def]
    tmp_path: Path, ea_yong: Place, name: str, options: list[str], kind: str
) -> None:
    rows = [HEADER, ROWS[0], [7, "Phan Văn Tú", "01/01/1990", "Nam", "", "", "Thôn Xa Lạ"]]
    path = write_xlsx(tmp_path / "ds.xlsx", rows)
    rejects = tmp_path / name

    call_command(
        "import-residents", str(path), "--commune", ea_yong.code, "--rejects", str(rejects),
        *options, stdout=io.StringIO(),
    )  # fmt: skip

    assert os.stat(rejects).st_mode & 0o777 == 0o600
    if kind == "xlsx":
        table = CalamineWorkbook.from_path(str(rejects)).get_sheet_by_index(0).to_python()
        assert table[1][:3] == [3, "7", "Phan Văn Tú"]  # the cells as text
    else:
        table = list(csv.reader(io.StringIO(rejects.read_text("utf-8-sig")), delimiter=";"))
        assert table[1][:3] == ["3", "7", "Phan Văn Tú"]
    assert table[0][0] == "Dòng" and "Thôn Xa Lạ" in table[1][-1]
