"""Turning the cells of one row into a clean resident record, collecting every problem.

A row is rejected only when it cannot be a person (no name, a signature or total line, an
unknown village without --create-villages). A wrong field (CCCD, phone, date, gender) never
rejects the row: the field is left empty and its original text is kept in an issue, so the
rest of the row is imported and nothing the file said is lost.

The look-up keys of a valid CCCD or phone (keyed hashes: see `people.personal`) are computed
here too: the triage and the writer's matching compare numbers by them. Encrypting the
number is left to the writer, which does it only for a row that writes it (an unchanged
resident keeps the ciphertext it has); cleaning runs in the reader process for big files,
and the two processes share the work about evenly that way.
"""

import datetime as dt
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any, NamedTuple

from django.utils.translation import gettext_lazy as _

from congdanso.core.cells import cell_unescaped
from congdanso.core.crypto import keyring
from congdanso.core.errors import Message
from congdanso.people.importing.header import ColumnMap
from congdanso.people.models import IssueCode, ResidentStatus
from congdanso.people.personal import cccd_keys, phone_keys
from congdanso.vn import (
    VnValueError,
    clean_name,
    fix_legacy,
    fold,
    normalize_phone,
    parse_birth_date,
    parse_cccd,
    parse_gender,
)


# Named tuples, not dataclasses: a batch of them crosses from the cleaning worker to the
# writer as plain tuples, which pickle in C (frozen dataclasses pickled ten times slower).
class Issue(NamedTuple):
    code: str
    field: str
    original: str
    detail: str


class CleanRow(NamedTuple):
    row_number: int
    cells: list[Any]
    full_name: str
    name_key: str
    birth_date: dt.date | None
    birth_date_precision: str
    gender: str
    cccd: str | None
    phone: str
    village_id: int | None
    village_text: str | None  # a village cell the index could not place, for the resolver
    status: str | None
    resident_id: int | None
    issues: tuple[Issue, ...]
    # The numbers' look-up keys: of the number, and of its last four digits.
    cccd_hmac: str | None = None
    cccd_last4_hmac: str | None = None
    phone_hmac: str = ""
    phone_last4_hmac: str = ""


class RejectedRow(NamedTuple):
    row_number: int
    cells: list[Any]
    reason: Message


_FOOTER_WORDS = (
    "tong cong",
    "tong so",
    "cong:",
    "nguoi lap",
    "nguoi lap bieu",
    "nguoi ky",
    "ky ten",
    "ky ghi ro",
    "ghi ro ho ten",
    "xac nhan",
    "truong thon",
    "truong buon",
    "to truong",
    "chu tich",
    "tm.",
    "t/m",
    "can bo",
    "ngay thang nam",
    "ngay ... thang",
)
_STATUS_WORDS = {
    "living": ResidentStatus.LIVING,
    "dang sinh song": ResidentStatus.LIVING,
    "dang o": ResidentStatus.LIVING,
    "thuong tru": ResidentStatus.LIVING,
    "tam tru": ResidentStatus.LIVING,
    "moved_away": ResidentStatus.MOVED_AWAY,
    "chuyen di": ResidentStatus.MOVED_AWAY,
    "da chuyen di": ResidentStatus.MOVED_AWAY,
    "chuyen khau": ResidentStatus.MOVED_AWAY,
    "deceased": ResidentStatus.DECEASED,
    "da mat": ResidentStatus.DECEASED,
    "da chet": ResidentStatus.DECEASED,
    "chet": ResidentStatus.DECEASED,
    "qua doi": ResidentStatus.DECEASED,
    "da qua doi": ResidentStatus.DECEASED,
}
_HAS_LETTER = re.compile(r"[^\W\d_]")


def _filled(cell: Any) -> bool:
    return cell is not None and cell != "" and (type(cell) is not str or bool(cell.strip()))


def _text(cell: Any) -> str:
    if type(cell) is str:
        return cell.strip()
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


@lru_cache(maxsize=65536)
def _name(cell: str, legacy_hint: str | None) -> tuple[str, str, bool]:
    """The clean name, its folded key, and whether it has a letter at all."""
    name = clean_name(fix_legacy(cell_unescaped(cell), legacy_hint))
    return name, fold(name), _HAS_LETTER.search(name) is not None


@lru_cache(maxsize=65536)
def _birth(cell: Any, today: dt.date) -> tuple[dt.date, str]:
    return parse_birth_date(cell, today=today)


@lru_cache(maxsize=256)
def _gender(cell: str) -> str | None:
    return parse_gender(fix_legacy(cell))


def _is_footer(name_key: str) -> bool:
    return any(word in name_key for word in _FOOTER_WORDS)


class RowCleaner:
    """Cleans rows of one file; `lookup_village` maps a village cell to a place id (None when
    it cannot, and the cell is kept in `village_text` for the database-side resolver)."""

    def __init__(
        self,
        column_map: ColumnMap,
        *,
        lookup_village: Callable[[str], int | None],
        today: dt.date,
        legacy_hint: str | None = None,
    ) -> None:
        self.fields = tuple(column_map.columns.items())
        self.birth_by_gender = column_map.birth_by_gender
        self.lookup_village = lookup_village
        self.today = today
        # The file's legacy encoding, when its names are TCVN3/VNI: decides ambiguous cells.
        self.legacy_hint = legacy_hint
        self.keyring = keyring()

    def _pick(self, cells: list[Any]) -> dict[str, Any]:
        """The mapped cells that are not blank, in one pass (this runs for every row)."""
        picked = {}
        width = len(cells)
        for column, index in self.fields:
            if index < width:
                cell = cells[index]
                # _filled, inlined: a call per cell was a tenth of the cleaning.
                if cell is not None and cell != "" and (type(cell) is not str or cell.strip()):
                    picked[column] = cell
        return picked

    def clean(self, row_number: int, cells: list[Any]) -> CleanRow | RejectedRow | None:
        """None for a fully empty row (skipped, not counted)."""
        if not any(map(_filled, cells)):
            return None
        issues: list[Issue] = []
        picked = self._pick(cells)
        get = picked.get

        def reject(reason: Message) -> RejectedRow:
            return RejectedRow(row_number=row_number, cells=cells, reason=reason)

        raw_name = get("full_name")
        if raw_name is None:
            return reject(Message(_("The row has no full name.")))
        family = get("family_name")
        name_text = _text(raw_name)
        full_name, name_key, has_letter = _name(
            f"{_text(family)} {name_text}" if family is not None else name_text,
            self.legacy_hint,
        )
        raw_birth = get("birth_date")
        raw_cccd = get("cccd")
        if raw_birth is None and raw_cccd is None and _is_footer(name_key):
            return reject(Message(_("A signature or total line, not a person.")))
        if not has_letter:
            return reject(
                Message(_("The full name %(name)s has no letters."), name=_text(raw_name))
            )

        gender = ""
        raw_gender = get("gender")
        if raw_gender is not None:
            try:
                gender = _gender(_text(raw_gender)) or ""
            except VnValueError as error:
                issues.append(
                    Issue(IssueCode.GENDER_INVALID, "gender", _text(raw_gender), str(error))
                )

        if self.birth_by_gender:
            for index, column_gender in self.birth_by_gender.items():
                if index < len(cells) and _filled(cells[index]):
                    raw_birth, gender = cells[index], column_gender
                    break
        birth_date: dt.date | None = None
        precision = ""
        if raw_birth is not None:
            try:
                birth_date, precision = _birth(
                    raw_birth.strip() if isinstance(raw_birth, str) else raw_birth, self.today
                )
            except (VnValueError, TypeError) as error:
                issues.append(
                    Issue(IssueCode.BIRTH_DATE_INVALID, "birth_date", _text(raw_birth), str(error))
                )

        cccd: str | None = None
        if raw_cccd is not None:
            try:
                parsed = parse_cccd(raw_cccd, today=self.today)
            except VnValueError as error:
                issues.append(Issue(IssueCode.CCCD_INVALID, "cccd", _text(raw_cccd), str(error)))
            else:
                cccd = parsed.number
                year = birth_date.year if birth_date else None
                # Cccd.agrees_with, without parsing the gender again (it is M, F or blank).
                if (year is not None and year != parsed.birth_year) or (
                    gender and gender != parsed.gender
                ):
                    issues.append(
                        Issue(
                            IssueCode.CCCD_MISMATCH,
                            "cccd",
                            parsed.number,
                            str(
                                Message(
                                    _(
                                        "CCCD %(cccd)s says born %(year)s, %(gender)s; "
                                        "the row says %(row_year)s, %(row_gender)s."
                                    ),
                                    cccd=parsed.masked(),
                                    year=parsed.birth_year,
                                    gender=parsed.gender,
                                    row_year=year or "?",
                                    row_gender=gender or "?",
                                )
                            ),
                        )
                    )

        phone = ""
        raw_phone = get("phone")
        if raw_phone is not None:
            try:
                phone = normalize_phone(raw_phone)
            except VnValueError as error:
                issues.append(Issue(IssueCode.PHONE_INVALID, "phone", _text(raw_phone), str(error)))

        cccd_hmac, cccd_last4 = cccd_keys(cccd, self.keyring) if cccd else (None, None)
        phone_hmac, phone_last4 = phone_keys(phone, self.keyring) if phone else ("", "")

        village_id: int | None = None
        village_text: str | None = None
        raw_village = get("village")
        if raw_village is not None:
            village_text = cell_unescaped(_text(raw_village))
            village_id = self.lookup_village(village_text)
            if village_id is not None:
                village_text = None

        status: str | None = None
        raw_status = get("status")
        if raw_status is not None:
            status = _STATUS_WORDS.get(fold(_text(raw_status)))

        resident_id: int | None = None
        raw_id = get("id")
        if raw_id is not None and _text(raw_id).isdigit():
            resident_id = int(_text(raw_id))

        # In field order, not by keyword: this runs for every row.
        return CleanRow(
            row_number,
            cells,
            full_name,
            name_key,
            birth_date,
            precision,
            gender,
            cccd,
            phone,
            village_id,
            village_text,
            status,
            resident_id,
            tuple(issues),
            cccd_hmac,
            cccd_last4,
            phone_hmac,
            phone_last4,
        )
