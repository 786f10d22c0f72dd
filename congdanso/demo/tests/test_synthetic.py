"""Tests of the synthetic resident-list generator (pure Python: run with -p no:django)."""

from __future__ import annotations

import csv
import io
import itertools
import random
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from congdanso.demo.synthetic.files import cp1258_text, write_csv, write_xlsx
from congdanso.demo.synthetic.residents import (
    EA_YONG_TODAY,
    EA_YONG_VILLAGES,
    SyntheticResident,
    _UniqueSerials,
    generate_residents,
)
from congdanso.demo.synthetic.rows import (
    COL_BIRTH,
    COL_CCCD,
    COL_GENDER,
    COL_NAME,
    COL_PHONE,
    COL_STT,
    COL_VILLAGE,
    COLUMNS,
    INVALID_MESSES,
    MESS_COLUMN,
    GeneratedRow,
    Mess,
    Row,
    applicable_messes,
    apply_mess,
    clean_cells,
    generate_rows,
    legacy_encodable,
)

BREVE = "\u0306"
MIGRANT_CODES = {
    "001", "004", "030", "034", "036", "038", "040", "042",
    "044", "045", "046", "052", "054", "064", "067", "068",
}  # fmt: skip
PHONE_PREFIXES = {
    "032", "033", "034", "035", "036", "037", "038", "039", "086", "096", "097", "098",
    "081", "082", "083", "084", "085", "088", "091", "094",
    "070", "076", "077", "078", "079", "089", "090", "093",
    "056", "058", "092", "059", "099",
}  # fmt: skip


@pytest.fixture(scope="module")
def residents() -> list[SyntheticResident]:
    return list(generate_residents(20_000, seed=11))


def is_ede(name: str) -> bool:
    return name.startswith(("H'", "Y "))


# ------------------------------------------------------------------------------ truth


def test_same_seed_same_rows_other_seed_other_rows() -> None:
    first = list(generate_rows(400, seed=5, messy_share=0.2, with_truth=True))
    again = list(generate_rows(400, seed=5, messy_share=0.2, with_truth=True))
    other = list(generate_rows(400, seed=6, messy_share=0.2, with_truth=True))
    assert first == again
    assert [g.truth for g in first] != [g.truth for g in other]


def test_rows_carry_the_residents_of_the_same_seed_whatever_the_mess() -> None:
    truth = list(generate_residents(300, seed=9))
    for share in (0.0, 0.03, 1.0):
        rows = list(generate_rows(300, seed=9, messy_share=share, with_truth=True))
        assert [g.truth for g in rows if g.mess is not Mess.DUPLICATE_ROW] == truth


def test_plain_rows_are_the_cells_of_the_rows_with_truth() -> None:
    plain = list(generate_rows(200, seed=3, messy_share=0.5))
    full = list(generate_rows(200, seed=3, messy_share=0.5, with_truth=True))
    assert plain == [g.cells for g in full]
    assert all(list(row) == list(COLUMNS) for row in plain)


def test_generation_is_lazy() -> None:
    rows = generate_rows(10**9)
    assert iter(rows) is rows
    assert next(rows)[COL_STT] == 1


def test_exactly_n_residents_grouped_by_village(residents: list[SyntheticResident]) -> None:
    assert len(residents) == 20_000
    order = [village for village, _ in itertools.groupby(r.village for r in residents)]
    assert order == list(EA_YONG_VILLAGES)
    assert list(generate_residents(0)) == []
    with pytest.raises(ValueError, match="n must be"):
        next(generate_residents(-1))


def test_cccd_agrees_with_birth_year_and_gender(residents: list[SyntheticResident]) -> None:
    from congdanso.vn import parse_cccd

    with_cccd = [r for r in residents if r.cccd is not None]
    assert with_cccd
    home = 0
    for r in with_cccd:
        cccd = r.cccd
        assert cccd is not None
        assert len(cccd) == 12 and cccd.isdigit()
        assert cccd[:3] == "066" or cccd[:3] in MIGRANT_CODES
        home += cccd[:3] == "066"
        century_digit = 2 * (r.birth.year // 100 - 19) + (r.gender == "F")
        assert cccd[3] == str(century_digit)
        assert cccd[4:6] == f"{r.birth.year % 100:02d}"
        parsed = parse_cccd(cccd, today=EA_YONG_TODAY)
        assert parsed.agrees_with(birth_year=r.birth.year, gender=r.gender)
    assert 0.75 < home / len(with_cccd) < 0.88


def test_cccds_and_phones_are_unique(residents: list[SyntheticResident]) -> None:
    cccds = [r.cccd for r in residents if r.cccd is not None]
    phones = [r.phone for r in residents if r.phone is not None]
    assert len(set(cccds)) == len(cccds)
    assert len(set(phones)) == len(phones)


def test_phones_are_valid_mobile_numbers(residents: list[SyntheticResident]) -> None:
    from congdanso.vn import normalize_phone

    for r in residents[:3000]:
        if r.phone is not None:
            assert len(r.phone) == 10 and r.phone.isdigit()
            assert r.phone[:3] in PHONE_PREFIXES
            assert normalize_phone(r.phone) == r.phone
    carriers = Counter(r.phone[:3] for r in residents if r.phone is not None)
    viettel = sum(carriers[p] for p in ("032", "033", "034", "035", "036", "037", "038", "039"))
    assert viettel > sum(carriers[p] for p in ("081", "082", "083", "084", "085"))


def test_age_pyramid_and_shares(residents: list[SyntheticResident]) -> None:
    n = len(residents)
    ages = [r.age_on(EA_YONG_TODAY) for r in residents]
    assert min(ages) >= 0 and max(ages) <= 100
    assert all(r.birth <= EA_YONG_TODAY for r in residents)
    children = sum(a <= 14 for a in ages) / n
    working = sum(15 <= a <= 64 for a in ages) / n
    old = sum(a >= 65 for a in ages) / n
    assert 0.21 < children < 0.27
    assert 0.64 < working < 0.72
    assert 0.06 < old < 0.10
    assert sum(a >= 90 for a in ages) > 0

    female = sum(r.gender == "F" for r in residents) / n
    assert 0.47 < female < 0.53

    adults = [r for r, a in zip(residents, ages, strict=True) if a >= 14]
    kids = [r for r, a in zip(residents, ages, strict=True) if a < 14]
    assert 0.90 < sum(r.cccd is not None for r in adults) / len(adults) < 0.94
    assert 0.12 < sum(r.cccd is not None for r in kids) / len(kids) < 0.18
    grown = [r for r, a in zip(residents, ages, strict=True) if a >= 18]
    assert 0.65 < sum(r.phone is not None for r in grown) / len(grown) < 0.78
    assert sum(r.phone is not None for r in kids) / len(kids) < 0.15

    precision = Counter(r.birth_precision for r in residents)
    assert 0.87 < precision["day"] / n < 0.93
    assert 0.02 < precision["month"] / n < 0.045
    assert 0.05 < precision["year"] / n < 0.09
    for r in residents:
        if r.birth_precision == "month":
            assert r.birth.day == 1
        elif r.birth_precision == "year":
            assert (r.birth.month, r.birth.day) == (1, 1)
    old_year_only = [r.birth_precision == "year" for r, a in zip(residents, ages, strict=True)]
    assert sum(y for y, a in zip(old_year_only, ages, strict=True) if a >= 60) > sum(
        y for y, a in zip(old_year_only, ages, strict=True) if a < 40
    )


def test_ede_names_in_buon_kinh_names_in_thon(residents: list[SyntheticResident]) -> None:
    buon = [r for r in residents if r.village.startswith("Buôn")]
    thon = [r for r in residents if r.village.startswith("Thôn")]
    assert sum(is_ede(r.full_name) for r in buon) / len(buon) > 0.85
    assert sum(is_ede(r.full_name) for r in thon) / len(thon) < 0.08
    for r in buon:
        if is_ede(r.full_name):
            assert r.full_name.startswith("H'" if r.gender == "F" else "Y ")
    names = [r.full_name for r in residents]
    assert all(unicodedata.normalize("NFC", name) == name for name in names)
    assert all(name == " ".join(name.split()) for name in names)
    assert any(BREVE in name for name in names)  # ô̆ / ơ̆ / ư̆ / ê̆: letter + U+0306
    assert any(ch in name for name in names for ch in "ĕŏŭĭ")
    families = Counter(r.full_name.split()[0] for r in thon if not is_ede(r.full_name))
    assert 0.33 < families["Nguyễn"] / sum(families.values()) < 0.43
    assert "Hoà" in {r.full_name.split()[-1] for r in residents}
    assert "Hòa" in {r.full_name.split()[-1] for r in residents}


def test_custom_villages_and_today() -> None:
    villages = ("Thôn 1", "Buôn Tơng Jú")
    rows = list(generate_residents(500, seed=1, villages=villages, today=date(2025, 7, 1)))
    assert {r.village for r in rows} == set(villages)
    assert max(r.birth for r in rows) <= date(2025, 7, 1)
    with pytest.raises(ValueError, match="village"):
        next(generate_residents(5, villages=()))


@settings(max_examples=25, deadline=None)
@given(left=st.integers(1, 40), right=st.integers(1, 40), seed=st.integers(0, 2**32))
def test_unique_serials_are_a_permutation(left: int, right: int, seed: int) -> None:
    serials = _UniqueSerials(seed, "test")
    drawn = [serials.next("b", left, right) for _ in range(left * right)]
    assert sorted(drawn) == list(range(left * right))
    with pytest.raises(OverflowError):
        serials.next("b", left, right)


# ------------------------------------------------------------------------------- mess


def test_clean_cells_types() -> None:
    for r in generate_residents(300, seed=4):
        cells = clean_cells(r, 7)
        assert list(cells) == list(COLUMNS)
        assert cells[COL_STT] == 7
        assert cells[COL_NAME] == r.full_name
        assert cells[COL_GENDER] == ("Nữ" if r.gender == "F" else "Nam")
        assert cells[COL_CCCD] == r.cccd and cells[COL_PHONE] == r.phone
        assert cells[COL_VILLAGE] == r.village
        birth = cells[COL_BIRTH]
        if r.birth_precision == "day":
            assert birth == r.birth
        elif r.birth_precision == "month":
            assert birth == f"{r.birth.month:02d}/{r.birth.year}"
        else:
            assert birth == r.birth.year


@pytest.mark.parametrize("share", [0.0, 0.03, 0.2])
def test_messy_share(share: float) -> None:
    rows = list(generate_rows(6000, seed=2, messy_share=share, with_truth=True))
    messy = sum(g.mess is not None for g in rows)
    duplicates = sum(g.mess is Mess.DUPLICATE_ROW for g in rows)
    assert len(rows) == 6000 + duplicates
    assert [g.cells[COL_STT] for g in rows] == list(range(1, len(rows) + 1))
    assert abs(messy / 6000 - share) < max(0.007, share * 0.15)


def test_every_mess_kind_touches_only_its_column() -> None:
    rows = list(generate_rows(3000, seed=8, messy_share=1.0, with_truth=True))
    kinds = Counter(g.mess for g in rows)
    assert set(kinds) == {*Mess, None}
    assert kinds[None] == kinds[Mess.DUPLICATE_ROW]  # the clean original of each duplicate
    previous: GeneratedRow | None = None
    for g in rows:
        if g.mess is None:
            assert g.cells == clean_cells(g.truth, g.cells[COL_STT])  # type: ignore[arg-type]
            previous = g
            continue
        clean = clean_cells(g.truth, g.cells[COL_STT])  # type: ignore[arg-type]
        changed = {k for k in COLUMNS if g.cells[k] != clean[k]}
        if g.mess is Mess.DUPLICATE_ROW:
            assert previous is not None and previous.truth == g.truth
            assert {k: v for k, v in g.cells.items() if k != COL_STT} == {
                k: v for k, v in previous.cells.items() if k != COL_STT
            }
        else:
            assert g.mess in applicable_messes(g.truth)
            assert changed <= {MESS_COLUMN[g.mess]}, (g.mess, changed)
            assert changed
        previous = g


def test_messes_are_recoverable_or_invalid_as_documented() -> None:
    from congdanso.vn import (
        VnValueError,
        decode_legacy,
        normalize_phone,
        parse_birth_date,
        parse_cccd,
        parse_gender,
    )

    kinds: Counter[Mess] = Counter()
    for cells, truth, mess in generate_rows(3000, seed=12, messy_share=1.0, with_truth=True):
        if mess is None:  # the original of a duplicated row
            continue
        kinds[mess] += 1
        column = MESS_COLUMN[mess]
        value = None if column is None else cells[column]
        if mess in INVALID_MESSES:
            parsers: dict[Mess, Callable[[Any], object]] = {
                Mess.BIRTH_IMPOSSIBLE: lambda v: parse_birth_date(v, today=EA_YONG_TODAY),
                Mess.CCCD_INVALID: parse_cccd,
                Mess.PHONE_INVALID: normalize_phone,
            }
            with pytest.raises(VnValueError):
                parsers[mess](value)
        elif mess in (Mess.NAME_UPPER, Mess.NAME_LOWER, Mess.NAME_SPACES):
            assert isinstance(value, str)
            assert " ".join(value.split()).lower() == truth.full_name.lower()
        elif mess in (Mess.NAME_TCVN3, Mess.NAME_VNI):
            assert isinstance(value, str) and value != truth.full_name
            assert decode_legacy(value, mess.value.removeprefix("name_")) == truth.full_name
        elif MESS_COLUMN[mess] == COL_BIRTH:
            assert parse_birth_date(value, today=EA_YONG_TODAY) == (truth.birth, "day")
        elif mess is Mess.GENDER_VARIANT:
            assert parse_gender(value) == truth.gender
        elif MESS_COLUMN[mess] == COL_CCCD:
            assert str(parse_cccd(value)) == truth.cccd  # type: ignore[arg-type]
        elif MESS_COLUMN[mess] == COL_PHONE:
            assert normalize_phone(value) == truth.phone  # type: ignore[arg-type]
        elif mess is Mess.VILLAGE_NO_PREFIX:
            assert isinstance(value, str)
            assert truth.village.lower().endswith(" " + value.lower())
    assert min(kinds.values()) > 20


def test_legacy_encodable() -> None:
    assert legacy_encodable("Nguyễn Thị Ánh Hoà")
    assert legacy_encodable("H'Nga Niê") and legacy_encodable("Y Bhiăo Ayun")
    assert not legacy_encodable("Y Kŭ Kbuôr")
    assert not legacy_encodable("H'Bĭ Niê")
    assert not legacy_encodable("Y Bô\u0306 Mlô")


def test_apply_mess_is_deterministic_with_its_rng() -> None:
    truth = next(r for r in generate_residents(50) if r.cccd and r.phone)
    cells = clean_cells(truth, 1)
    for kind in applicable_messes(truth):
        a = apply_mess(cells, truth, kind, random.Random(1))
        b = apply_mess(cells, truth, kind, random.Random(1))
        assert a == b
        assert cells == clean_cells(truth, 1)  # the input is not modified


# ------------------------------------------------------------------------------ files


def sheet_rows(path: Path, sheet: str = "Danh sách") -> list[list[Any]]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


def test_xlsx_layout_and_cells(tmp_path: Path) -> None:
    path = tmp_path / "ds.xlsx"
    rows = list(generate_rows(300, seed=4, messy_share=0.1, with_truth=True))
    count = write_xlsx(path, rows)
    assert count == len(rows)
    data = sheet_rows(path)
    assert data[0][0] == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert data[1][0] == "DANH SÁCH CÔNG DÂN XÃ EA YÔNG"
    assert not any(data[2])
    assert data[3] == list(COLUMNS)  # the header is on the 4th row
    body = data[4 : 4 + count]
    assert not any(data[4 + count])
    assert data[5 + count][0] == f"Tổng cộng: {count} người"
    assert "Người lập biểu" in data[-2] and "Trưởng thôn" in data[-2]
    for (cells, _truth, _mess), got in zip(rows, body, strict=True):
        for key, value in zip(COLUMNS, got, strict=True):
            want = cells[key]
            if want is None:
                assert value == ""
            elif isinstance(want, int):
                assert value == float(want)
            else:
                assert value == want, key  # date cells come back as datetime.date


def test_xlsx_without_title_is_a_bare_table(tmp_path: Path) -> None:
    path = tmp_path / "bare.xlsx"
    assert write_xlsx(path, generate_rows(20, seed=1), title=None, sheet="Sheet1") == 20
    data = sheet_rows(path, "Sheet1")
    assert data[0] == list(COLUMNS)
    assert len(data) == 21


def test_fast_cell_writer_writes_the_same_bytes_as_xlsxwriter(tmp_path: Path) -> None:
    rows: list[Row] = list(generate_rows(400, seed=6, messy_share=0.5))
    rows += [
        {COL_STT: 401, COL_NAME: '  Lê & <Hoà> "x"_x0041_ ', COL_BIRTH: "a\tb", COL_PHONE: ""},
        {COL_STT: 402, COL_NAME: "Ngô\u00a0Thị\nLan", COL_BIRTH: date(1900, 3, 1)},
    ]
    sheets = []
    for fast in (True, False):
        path = tmp_path / f"{fast}.xlsx"
        write_xlsx(path, rows, fast=fast)
        with zipfile.ZipFile(path) as zf:
            sheets.append(zf.read("xl/worksheets/sheet1.xml"))
    assert sheets[0] == sheets[1]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1258"])
def test_csv_round_trip(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / f"ds-{encoding}.csv"
    rows = list(generate_rows(500, seed=10, messy_share=0.2, with_truth=True))
    assert write_csv(path, rows, encoding=encoding) == len(rows)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") == (encoding == "utf-8-sig")
    with open(path, encoding="utf-16" if encoding == "utf-16" else encoding, newline="") as fh:
        text = fh.read().removeprefix("\ufeff")
    table = list(csv.reader(io.StringIO(text)))
    assert [unicodedata.normalize("NFC", v) for v in table[0]] == list(COLUMNS)
    assert len(table) == len(rows) + 1
    for (cells, truth, mess), got in zip(rows, table[1:], strict=True):
        got = [unicodedata.normalize("NFC", v) for v in got]
        want = []
        for key in COLUMNS:
            v = cells[key]
            if isinstance(v, date):
                want.append(f"{v.day:02d}/{v.month:02d}/{v.year}")
            elif v is None:
                want.append("")
            else:
                want.append(str(v))
        if encoding == "cp1258":  # what Windows-1258 lacks becomes "?", as in Excel
            want = [
                unicodedata.normalize(
                    "NFC", cp1258_text(v).encode("cp1258", "replace").decode("cp1258")
                )
                for v in want
            ]
            if legacy_encodable(truth.full_name) and mess is None:
                assert got[1] == truth.full_name  # Vietnamese text survives exactly
        assert got == want


def test_cp1258_round_trip_of_every_vietnamese_letter() -> None:
    letters = []
    for base in "aăâeêioôơuưyAĂÂEÊIOÔƠUƯY":
        for tone in ("", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"):
            letters.append(unicodedata.normalize("NFC", base + tone))
    text = " ".join(letters) + " đĐ Nguyễn Thị Hoà Hòa Thuỷ Thủy Khuê Quỳnh"
    encoded = cp1258_text(text).encode("cp1258")
    assert unicodedata.normalize("NFC", encoded.decode("cp1258")) == text
    ede = "Y Kŭ Kbuôr H'Bĭ Niê Y Bô\u0306 Mlô H'Nĕ Byă"
    assert (
        cp1258_text(ede).encode("cp1258").decode("cp1258")
        == "Y Ku Kbuôr H'Bi Niê Y Bô Mlô H'Ne Byă"
    )


def test_writers_accept_plain_rows(tmp_path: Path) -> None:
    rows = list(generate_rows(30, seed=1))
    assert write_csv(tmp_path / "a.csv", rows, encoding="utf-8", delimiter=";") == 30
    assert (tmp_path / "a.csv").read_text(encoding="utf-8").splitlines()[0] == ";".join(COLUMNS)
    assert write_xlsx(tmp_path / "a.xlsx", iter(rows)) == 30
