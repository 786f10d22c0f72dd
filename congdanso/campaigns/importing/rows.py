"""The columns of a partner's list and the reading of one row.

A partner's list (the police's VNeID activations, a bank's new accounts) names its columns
its own way: the resident list's titles are known here too, with the partner's words for the
person ("Tên khách hàng") and for the date ("Ngày kích hoạt", "Ngày mở tài khoản"). A wrong
CCCD, phone or birth date does not reject the row: the value is set aside with its error and
the row is matched by its other keys; only if nothing matches does the error become the reason.
"""

import datetime as dt
from functools import lru_cache
from typing import Any, NamedTuple

from congdanso.campaigns.importing.dates import DateUnreadable, parse_achievement_date
from congdanso.people.importing.header import SYNONYMS, build_lookup
from congdanso.people.importing.rejects import cell_text
from congdanso.vn import (
    VnValueError,
    clean_name,
    fix_legacy,
    fold,
    normalize_phone,
    parse_birth_date,
    parse_cccd,
)

#: Folded column titles of the fields an achievement list may have (see `find_header`).
COLUMNS: dict[str, tuple[str, ...]] = {
    "full_name": (
        *SYNONYMS["full_name"],
        "ten khach hang",
        "ho ten khach hang",
        "ho va ten khach hang",
        "khach hang",
        "ten chu tai khoan",
        "chu tai khoan",
        "ten chu the",
        "ho ten chu thue bao",
        "ten thue bao",
        "ho va ten nguoi dung",
        "customer name",
        "account name",
    ),
    "family_name": SYNONYMS["family_name"],
    "birth_date": SYNONYMS["birth_date"],
    "cccd": (
        *SYNONYMS["cccd"],
        "so giay to",
        "so giay to tuy than",
        "giay to tuy than",
        "so cccd cmnd ho chieu",
        "so cccd khach hang",
        "so dinh danh ca nhan cccd",
    ),
    "phone": (
        *SYNONYMS["phone"],
        "so dien thoai dang ky",
        "sdt dang ky",
        "so thue bao",
        "thue bao",
        "so dien thoai khach hang",
    ),
    "village": SYNONYMS["village"],
    "achieved_on": (
        "ngay",
        "ngay kich hoat",
        "ngay kich hoat tai khoan",
        "ngay kich hoat muc 2",
        "ngay kich hoat muc do 2",
        "ngay kich hoat dinh danh",
        "ngay kich hoat vneid",
        "ngay mo tai khoan",
        "ngay mo tk",
        "ngay mo",
        "ngay dang ky",
        "ngay dang ki",
        "ngay thuc hien",
        "ngay hoan thanh",
        "ngay cai dat",
        "ngay dat",
        "ngay dat duoc",
        # The "Bình dân học vụ số" platform's list and the commune team's: the day the
        # certificate was given, not an identity paper's issue date ("ngày cấp" below).
        "ngay cap chung nhan",
        "ngay cap chung chi",
        "ngay chung nhan",
        "ngay dat chung nhan",
        "ngay hoan thanh khoa hoc",
        "thoi gian",
        "thoi gian kich hoat",
        "thoi gian mo tai khoan",
        "thoi gian dang ky",
        "thoi diem",
        "thoi diem kich hoat",
        "date",
        "achieved on",
        "achieved_on",
        "activation date",
        "date activated",
        "opening date",
        "date opened",
        "account opening date",
    ),
    # Dates that are not the achievement's: recognised so that "Ngày cấp CCCD" is not taken
    # for a date column by its first word.
    "": (
        "ngay cap",
        "ngay cap cccd",
        "ngay cap cmnd",
        "ngay cap giay to",
        "noi cap",
        "ngay het han",
        "ngay het han cccd",
        "date of issue",
        "issue date",
        "expiry date",
    ),
}
LOOKUP = build_lookup(COLUMNS)
#: A header row names at least one of these.
IDENTIFYING = ("cccd", "phone", "full_name")


class ListRow(NamedTuple):
    row_number: int
    cells: list[Any]
    full_name: str
    name_key: str
    birth_date: dt.date | None
    birth_date_precision: str
    cccd: str | None
    phone: str
    village_text: str
    achieved_on: dt.date | None
    # Values set aside: field ("cccd", "phone", "birth_date") → (cell text, parser error).
    invalid: dict[str, tuple[str, VnValueError]]
    date_error: DateUnreadable | None
    date_text: str


def filled(cell: Any) -> bool:
    return cell is not None and cell != "" and (type(cell) is not str or bool(cell.strip()))


def text(cell: Any) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


@lru_cache(maxsize=65536)
def _name(cell: str, legacy_hint: str | None) -> tuple[str, str]:
    name = clean_name(fix_legacy(cell, legacy_hint))
    return name, fold(name)


class RowReader:
    """Reads the rows of one list: `columns` maps a field to its column index."""

    def __init__(
        self,
        columns: dict[str, int],
        *,
        today: dt.date,
        default_date: dt.date | None,
        legacy_hint: str | None = None,
    ) -> None:
        self.fields = tuple(columns.items())
        self.today = today
        self.default_date = default_date
        self.legacy_hint = legacy_hint

    def read(self, row_number: int, cells: list[Any]) -> ListRow | None:
        """None for an empty row (skipped, not counted)."""
        if not any(map(filled, cells)):
            return None
        width = len(cells)
        get = {f: cells[i] for f, i in self.fields if i < width and filled(cells[i])}.get
        invalid: dict[str, tuple[str, VnValueError]] = {}

        full_name = name_key = ""
        raw_name = get("full_name")
        if raw_name is not None:
            family = get("family_name")
            joined = f"{text(family)} {text(raw_name)}" if family is not None else text(raw_name)
            full_name, name_key = _name(joined, self.legacy_hint)

        birth_date: dt.date | None = None
        precision = ""
        raw_birth = get("birth_date")
        if raw_birth is not None:
            try:
                birth_date, precision = parse_birth_date(
                    raw_birth.strip() if isinstance(raw_birth, str) else raw_birth,
                    today=self.today,
                )
            except VnValueError as error:
                invalid["birth_date"] = (text(raw_birth), error)

        cccd: str | None = None
        raw_cccd = get("cccd")
        if raw_cccd is not None:
            try:
                cccd = parse_cccd(raw_cccd, today=self.today).number
            except VnValueError as error:
                invalid["cccd"] = (text(raw_cccd), error)

        phone = ""
        raw_phone = get("phone")
        if raw_phone is not None:
            try:
                phone = normalize_phone(raw_phone)
            except VnValueError as error:
                invalid["phone"] = (text(raw_phone), error)

        raw_village = get("village")
        village_text = fix_legacy(text(raw_village), self.legacy_hint) if raw_village else ""

        achieved_on = self.default_date
        date_error: DateUnreadable | None = None
        raw_date = get("achieved_on")
        date_text = ""
        if raw_date is not None:
            date_text = cell_text(raw_date)
            try:
                achieved_on = parse_achievement_date(raw_date)
            except DateUnreadable as error:
                achieved_on, date_error = None, error

        return ListRow(
            row_number=row_number,
            cells=cells,
            full_name=full_name,
            name_key=name_key,
            birth_date=birth_date,
            birth_date_precision=precision,
            cccd=cccd,
            phone=phone,
            village_text=village_text,
            achieved_on=achieved_on,
            invalid=invalid,
            date_error=date_error,
            date_text=date_text,
        )
