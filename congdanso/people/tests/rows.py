"""Rows of an import as the cleaner gives them, and residents as the matching reads them,
built by hand for the tests of the identity rules and of the writer."""

import datetime as dt
from typing import Any

from congdanso.people import personal
from congdanso.people.importing.cleaning import CleanRow, Issue
from congdanso.people.importing.identity import Known
from congdanso.vn.text import fold

AN = "Nguyễn Văn An"
BORN = dt.date(1985, 3, 5)
CCCD = "066085000123"
OTHER_CCCD = "066090000456"
PHONE = "0912345678"
OTHER_PHONE = "0987654321"


def clean_row(  # noqa: PLR0913 - a row has that many fields
    name: str = AN,
    *,
    number: int = 2,
    birth: dt.date | None = BORN,
    precision: str = "day",
    gender: str = "M",
    cccd: str | None = None,
    phone: str = "",
    village: int | None = 1,
    status: str | None = None,
    resident_id: int | None = None,
    issues: tuple[Issue, ...] = (),
) -> CleanRow:
    cccd_keys = personal.cccd_keys(cccd) if cccd else (None, None)
    phone_keys = personal.phone_keys(phone) if phone else ("", "")
    return CleanRow(
        number,
        [name, str(birth or "")],
        name,
        fold(name),
        birth,
        precision,
        gender,
        cccd,
        phone,
        village,
        None,
        status,
        resident_id,
        issues,
        *cccd_keys,
        *phone_keys,
    )


def known(resident_id: int, name: str = AN, *, status: str = "living", **fields: Any) -> Known:
    """The resident a `clean_row` with these fields would describe, as stored (numbers
    sealed)."""
    row = clean_row(name, status=status, **fields)
    return Known.of_row(
        resident_id,
        row,
        personal.seal_cccd(row.cccd) if row.cccd else None,
        personal.seal_phone(row.phone) if row.phone else None,
    )
