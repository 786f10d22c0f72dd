"""Finding the header row and mapping its columns to resident fields.

Commune lists start with title rows ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", the list's title),
blank rows, sometimes a two-level header (a merged "Ngày sinh" over "Nam" | "Nữ", or a group
label over sub-columns) and a row that numbers the columns ("1 2 3 …" or "(1) (2) …").
The header is the row among the first `HEADER_SCAN_ROWS` whose cells name the most known
columns, the name column included; the row below is merged in when it carries sub-headers.
Cells are compared folded (no case, no diacritics), after fixing legacy TCVN3/VNI text.
"""

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.utils.translation import gettext_lazy as _

from congdanso.core.errors import Message
from congdanso.people.importing.errors import ImportFailed
from congdanso.vn import fix_legacy, fold

HEADER_SCAN_ROWS = 30

# Folded synonyms, exact match after punctuation is squeezed out.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "id": ("id", "ma cong dan", "resident id"),
    "full_name": (
        "ho va ten",
        "ho ten",
        "ho va ten cong dan",
        "ho ten cong dan",
        "ho va ten khai sinh",
        "ho chu dem va ten",
        "ho chu dem ten",
        "ten",
        "ten cong dan",
        "full name",
        "full_name",
        "name",
        "ho va ten nguoi dan",
    ),
    # A list that splits the name: "Họ và chữ đệm" | "Tên" (the given name then maps to
    # full_name and the two are joined when cleaning).
    "family_name": (
        "ho",
        "ho dem",
        "ho va chu dem",
        "ho chu dem",
        "ho va ten dem",
        "ho va ten lot",
        "ho lot",
        "family name",
        "surname",
    ),
    "birth_date": (
        "ngay sinh",
        "ngay thang nam sinh",
        "ngay thang sinh",
        "nam sinh",
        "ns",
        "sinh ngay",
        "dob",
        "date of birth",
        "birth date",
        "birth_date",
        "birthday",
        "ngay sinh nam sinh",
    ),
    "birth_date_precision": ("birth_date_precision",),
    "gender": ("gioi tinh", "gt", "nam nu", "phai", "gender", "sex", "gioi"),
    "cccd": (
        "so cccd",
        "cccd",
        "so dinh danh",
        "so dinh danh ca nhan",
        "so ddcn",
        "ddcn",
        "ma dinh danh",
        "cmnd cccd",
        "cccd cmnd",
        "so cmnd cccd",
        "so cccd cmnd",
        "so cmnd",
        "cmnd",
        "so can cuoc",
        "can cuoc",
        "can cuoc cong dan",
        "so can cuoc cong dan",
        "so cmnd hoac cccd",
        "id number",
        "national id",
    ),
    "phone": (
        "so dien thoai",
        "dien thoai",
        "sdt",
        "so dt",
        "dt",
        "di dong",
        "so di dong",
        "dtdd",
        "dien thoai di dong",
        "sdt lien he",
        "so dien thoai lien he",
        "phone",
        "mobile",
        "phone number",
    ),
    "village": (
        "thon",
        "buon",
        "thon buon",
        "buon thon",
        "thon to",
        "to dan pho",
        "tdp",
        "thon to dan pho",
        "thon buon to dan pho",
        "ap",
        "ban",
        "xom",
        "khu pho",
        "to",
        "dia chi",
        "noi o",
        "noi o hien nay",
        "noi cu tru",
        "dia chi thuong tru",
        "thuong tru",
        "village",
        "address",
    ),
    "status": ("status", "tinh trang", "trang thai", "tinh trang cu tru"),
}


def build_lookup(synonyms: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """Folded synonym → field, for another list's own columns (`find_header(lookup=…)`).
    A field named "" marks labels to recognise and ignore (so that "Ngày cấp" is not
    taken for a "Ngày …" column by its start)."""
    return {synonym: field for field, known in synonyms.items() for synonym in known}


_LOOKUP = build_lookup(SYNONYMS)
# Sub-headers of a two-level birth-date header: the date sits in the column of the gender.
_GENDER_SPLIT = {"nam": "M", "nu": "F"}
_PUNCTUATION = re.compile(r"[^\w' ]+")
_NUMBERING = re.compile(r"^\(?\d{1,2}\)?$")


def header_key(cell: Any) -> str:
    if not isinstance(cell, str):
        return ""
    return " ".join(_PUNCTUATION.sub(" ", fold(fix_legacy(cell))).split())


def match_column(cell: Any, lookup: Mapping[str, str] | None = None) -> str | None:
    lookup = _LOOKUP if lookup is None else lookup
    key = header_key(cell)
    if not key:
        return None
    if key in lookup:
        return lookup[key] or None
    # "Số điện thoại (nếu có)", "Họ và tên (viết hoa)": the longest known start wins.
    best: tuple[int, str] | None = None
    for synonym, column in lookup.items():
        if (
            len(synonym) > 3
            and key.startswith(synonym + " ")
            and (best is None or len(synonym) > best[0])
        ):
            best = (len(synonym), column)
    return (best[1] or None) if best else None


@dataclass
class ColumnMap:
    header_row: int  # file row number of the (last) header row
    header_cells: list[str]
    columns: dict[str, int] = field(default_factory=dict)
    # Two-level "Ngày sinh | Nam | Nữ": column index → gender of the dates found there.
    birth_by_gender: dict[int, str] = field(default_factory=dict)

    def describe(self) -> dict[str, str]:
        described = {
            name: self.header_cells[index] if index < len(self.header_cells) else str(index)
            for name, index in self.columns.items()
        }
        for index, gender in self.birth_by_gender.items():
            described[f"birth_date_{gender}"] = self.header_cells[index]
        return described


def _map_row(cells: Sequence[Any], lookup: Mapping[str, str] | None = None) -> dict[str, int]:
    mapped: dict[str, int] = {}
    for index, cell in enumerate(cells):
        column = match_column(cell, lookup)
        if column and column not in mapped:
            mapped[column] = index
    return mapped


def _is_numbering_row(cells: Sequence[Any]) -> bool:
    filled = [c for c in cells if c not in ("", None)]
    if len(filled) < 2:
        return False
    return all(
        (isinstance(c, (int, float)) and float(c).is_integer() and 0 < c < 100)
        or (isinstance(c, str) and _NUMBERING.match(c.strip()))
        for c in filled
    )


def find_header(
    rows: Sequence[tuple[int, list[Any]]],
    *,
    lookup: Mapping[str, str] | None = None,
    required: Collection[str] = ("full_name",),
) -> tuple[ColumnMap, int] | None:
    """The column map and how many of `rows` it used (header rows and a numbering row).

    `lookup` (see `build_lookup`) replaces the resident columns; a header row must map at
    least one of the `required` fields."""
    best: tuple[int, int] | None = None  # (score, position)
    for position, (_number, cells) in enumerate(rows[:HEADER_SCAN_ROWS]):
        mapped = _map_row(cells, lookup)
        if not any(column in mapped for column in required):
            continue
        score = len(mapped)
        if best is None or score > best[0]:
            best = (score, position)
    if best is None:
        return None
    position = best[1]
    number, cells = rows[position]
    labels = [fix_legacy(c).strip() if isinstance(c, str) else "" for c in cells]
    column_map = ColumnMap(header_row=number, header_cells=labels, columns=_map_row(cells, lookup))
    used = position + 1
    if used < len(rows):
        used += _merge_sub_header(column_map, rows[used][1], rows[used][0], lookup)
    if used < len(rows) and _is_numbering_row(rows[used][1]):
        used += 1
    return column_map, used


def _merge_sub_header(
    column_map: ColumnMap,
    cells: Sequence[Any],
    number: int,
    lookup: Mapping[str, str] | None = None,
) -> int:
    """Merge a second header row (sub-headers under merged group cells); 1 if merged."""
    keys = [header_key(c) for c in cells]
    splits = {i: _GENDER_SPLIT[k] for i, k in enumerate(keys) if k in _GENDER_SPLIT}
    sub_columns = {
        i: column
        for i, cell in enumerate(cells)
        if (column := match_column(cell, lookup)) and column not in column_map.columns
    }
    if len(splits) == 2 and set(splits.values()) == {"M", "F"}:
        column_map.birth_by_gender = splits
        column_map.columns.pop("birth_date", None)
        column_map.columns.pop("gender", None)
    elif not sub_columns:
        return 0
    for index, column in sub_columns.items():
        if index not in splits:
            column_map.columns[column] = index
    width = max(len(column_map.header_cells), len(cells))
    labels = column_map.header_cells + [""] * (width - len(column_map.header_cells))
    for index, cell in enumerate(cells):
        if isinstance(cell, str) and cell.strip():
            sub = fix_legacy(cell).strip()
            labels[index] = f"{labels[index]} / {sub}" if labels[index] else sub
    column_map.header_cells = labels
    column_map.header_row = number
    return 1


#: The widest column index an override may name (the reader refuses wider tables anyway).
MAX_OVERRIDE_COLUMN = 999


def override_columns(
    column_map: ColumnMap,
    columns: Mapping[str, int | None],
    *,
    fields: Collection[str],
    required: Collection[str],
) -> ColumnMap:
    """The column map with the user's choices applied: `columns` maps a field to a column
    index (0-based), or to None to leave the field out; fields it does not name keep the
    detected column. The header row found stays where the data starts.

    A two-level "Ngày sinh | Nam | Nữ" header is kept unless the user names a birth-date or
    gender column: then their choice replaces it. Raises ImportFailed for an unknown field, a
    column named twice or no column for the `required` fields (one of them is enough)."""
    chosen = dict(column_map.columns)
    seen: dict[int, str] = {}
    for name, index in columns.items():
        if name not in fields:
            raise ImportFailed(
                Message(_("Unknown field %(field)s in the column choice."), field=name),
                code="bad_columns",
            )
        if index is None:
            chosen.pop(name, None)
            continue
        if (
            not isinstance(index, int)
            or isinstance(index, bool)
            or not (0 <= index <= MAX_OVERRIDE_COLUMN)
        ):
            raise ImportFailed(
                Message(_("There is no column %(column)s in the file."), column=index),
                code="bad_columns",
            )
        chosen[name] = index
    for name, index in chosen.items():
        if index in seen:
            raise ImportFailed(
                Message(
                    _("Column %(column)s is chosen for both %(first)s and %(second)s."),
                    column=index + 1,
                    first=seen[index],
                    second=name,
                ),
                code="bad_columns",
            )
        seen[index] = name
    if not any(name in chosen for name in required):
        raise ImportFailed(
            Message(
                _("Choose the column that holds %(fields)s."), fields=" / ".join(sorted(required))
            ),
            code="bad_columns",
        )
    by_gender = column_map.birth_by_gender
    if any(columns.get(name) is not None for name in ("birth_date", "gender")):
        by_gender = {}
    # Birth dates split by gender sit in columns of their own: another field named there
    # would read the same cells twice.
    by_gender = {i: g for i, g in by_gender.items() if i not in seen}
    return replace(column_map, columns=chosen, birth_by_gender=dict(by_gender))
