"""What an import will do with the first rows of a file, before anything is written.

The import page shows it so the user can check the header found, the columns chosen and how
the first rows will be stored. It reads the file exactly as the import does
(`open_with_header`, the user's column override applied) and cleans the first rows with the
import's own `RowCleaner` and village index, so what is shown is what will be stored; only
the writing (and matching to residents already stored) is left out. Nothing is written:
a village the import would create is announced, not created.

CCCD and phone numbers are shown masked: the preview is for checking the columns, and the
person confirming already has the file.
"""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from congdanso.core.errors import Message
from congdanso.people import personal
from congdanso.people.importing.cleaning import CleanRow, RejectedRow, RowCleaner
from congdanso.people.importing.header import ColumnMap
from congdanso.people.importing.pipeline import open_with_header
from congdanso.people.importing.rejects import cell_text
from congdanso.people.importing.villages import ImportOrigin, VillageResolver
from congdanso.people.models import Gender, IssueCode, ResidentStatus
from congdanso.places.models import Place
from congdanso.places.selectors import villages_of
from congdanso.vn import mask_phone

#: Data rows shown.
PREVIEW_ROWS = 10

#: The resident fields the column choice offers, with their labels.
RESIDENT_FIELD_LABELS: dict[str, Promise] = {
    "full_name": _("Full name"),
    "family_name": _("Family and middle name (when the name is split)"),
    "birth_date": _("Birth date"),
    "gender": _("Gender"),
    "cccd": _("CCCD number"),
    "phone": _("Phone"),
    "village": _("Village"),
    "status": _("Residence status"),
}


@dataclass(frozen=True)
class PreviewRow:
    row_number: int
    #: The values as they will be stored, one per `ImportPreview.shown` column.
    values: tuple[str, ...]
    #: What is set aside or noted for this row (the row is imported all the same).
    warnings: tuple[str | Message, ...] = ()
    #: Why the row will be rejected, when it will.
    rejected: Message | None = None


@dataclass(frozen=True)
class ImportPreview:
    sheet: str
    encoding: str | None
    header_row: int
    header_cells: tuple[str, ...]
    #: Columns by field: the ones the header named, and the ones in force (user's choice).
    detected: dict[str, int]
    columns: dict[str, int]
    #: A two-level "Ngày sinh | Nam | Nữ" header: column → gender of the dates there.
    birth_by_gender: dict[int, str]
    #: The headings of the stored values, in order.
    shown: tuple[Promise, ...]
    rows: tuple[PreviewRow, ...]
    #: The first data row's cells as text: an example of each column.
    sample: tuple[str, ...]
    notes: tuple[Message, ...] = field(default_factory=tuple)

    def column_count(self) -> int:
        return max(len(self.header_cells), len(self.sample))


def birth_text(birth_date: dt.date | None, precision: str) -> str:
    """dd/mm/yyyy, mm/yyyy or yyyy by precision, as Vietnamese lists write them."""
    if birth_date is None:
        return ""
    if precision == "year":
        return f"{birth_date.year}"
    if precision == "month":
        return birth_date.strftime("%m/%Y")
    return birth_date.strftime("%d/%m/%Y")


def masked_cccd(number: str | None) -> str:
    return personal.mask_value("cccd", number) if number else ""


def masked_phone(number: str | None) -> str:
    return mask_phone(number) if number else ""


def _issue_text(code: str, field_name: str, original: str) -> Message:
    value = (
        personal.mask_value(field_name, original) if field_name in ("cccd", "phone") else original
    )
    return Message(_("%(issue)s: %(value)s (set aside)"), issue=IssueCode(code).label, value=value)


def base_preview(
    column_map: ColumnMap,
    detected: ColumnMap,
    *,
    sheet: str,
    encoding: str | None,
    head: list[tuple[int, list[Any]]],
    used: int,
) -> dict[str, Any]:
    """The parts of a preview every list has (the header and an example row)."""
    first = next(
        (cells for _number, cells in head[used:] if any(c not in ("", None) for c in cells)), []
    )
    return {
        "sheet": sheet,
        "encoding": encoding,
        "header_row": column_map.header_row,
        "header_cells": tuple(column_map.header_cells),
        "detected": dict(detected.columns),
        "columns": dict(column_map.columns),
        "birth_by_gender": dict(column_map.birth_by_gender),
        "sample": tuple(cell_text(c) for c in first),
    }


def preview_residents(
    path: Path,
    *,
    commune: Place,
    sheet: str | int | None = None,
    create_villages: bool = False,
    columns: Mapping[str, int | None] | None = None,
    today: dt.date | None = None,
    limit: int = PREVIEW_ROWS,
    origin: ImportOrigin = ImportOrigin.COMMAND_LINE,
) -> ImportPreview:
    """The first `limit` data rows of a resident list as `import_residents` would store them.
    Raises ImportFailed as the import would (unreadable file, no header, bad column choice)."""
    today = today or timezone.localdate()
    opened = open_with_header(path, sheet=sheet, columns=columns)
    villages = VillageResolver(commune, create=False, origin=origin)
    cleaner = RowCleaner(
        opened.column_map,
        lookup_village=villages.index.lookup,
        today=today,
        legacy_hint=opened.legacy_hint,
    )
    village_names = {pk: name for name, pk in _village_names(commune).items()}
    rows: list[PreviewRow] = []
    new_villages: list[str] = []
    for number, cells in opened.head[opened.used :]:
        if len(rows) >= limit:
            break
        cleaned = cleaner.clean(number, cells)
        if cleaned is None:
            continue
        if isinstance(cleaned, RejectedRow):
            rows.append(PreviewRow(number, (), rejected=cleaned.reason))
            continue
        rows.append(_resident_row(cleaned, villages, village_names, create_villages, new_villages))
    notes: list[Message] = []
    if opened.legacy_hint:
        notes.append(
            Message(
                _("The names are written in the old %(encoding)s encoding: they are converted."),
                encoding=opened.legacy_hint.upper(),
            )
        )
    if new_villages:
        notes.append(
            Message(
                _("Villages that will be created: %(names)s."),
                names=", ".join(sorted(set(new_villages))),
            )
        )
    return ImportPreview(
        shown=(
            _("Full name"),
            _("Birth date"),
            _("Gender"),
            _("CCCD number"),
            _("Phone"),
            _("Village"),
            _("Residence status"),
        ),
        rows=tuple(rows),
        notes=tuple(notes),
        **base_preview(
            opened.column_map,
            opened.detected,
            sheet=opened.source.sheet_name,
            encoding=opened.source.encoding,
            head=opened.head,
            used=opened.used,
        ),
    )


def _village_names(commune: Place) -> dict[str, int]:
    return {p.name: p.pk for p in villages_of(commune)}


def _resident_row(
    row: CleanRow,
    villages: VillageResolver,
    village_names: dict[int, str],
    create_villages: bool,
    new_villages: list[str],
) -> PreviewRow:
    village = ""
    if row.village_id is not None:
        village = village_names.get(row.village_id, "")
    elif row.village_text is not None:
        if create_villages:
            village = row.village_text
            new_villages.append(row.village_text)
        else:
            reason = villages.resolve(row.village_text)
            if isinstance(reason, Message):
                return PreviewRow(row.row_number, (), rejected=reason)
            village = village_names.get(reason, "")
    values = (
        row.full_name,
        birth_text(row.birth_date, row.birth_date_precision),
        str(Gender(row.gender).label) if row.gender else "",
        masked_cccd(row.cccd),
        masked_phone(row.phone),
        village,
        str(ResidentStatus(row.status).label) if row.status else "",
    )
    warnings = tuple(_issue_text(i.code, i.field, i.original) for i in row.issues)
    return PreviewRow(row.row_number, values, warnings=warnings)
