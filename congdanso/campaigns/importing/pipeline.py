"""The achievement import pipeline and its result."""

import datetime as dt
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from congdanso.campaigns.importing.arguments import campaign_criterion_check
from congdanso.campaigns.importing.matching import (
    CHUNK,
    Matched,
    Matcher,
    ResidentIndex,
    chunked,
)
from congdanso.campaigns.importing.rows import COLUMNS, IDENTIFYING, LOOKUP, ListRow, RowReader
from congdanso.campaigns.models import Achievement, AchievementSource, Campaign, Criterion
from congdanso.campaigns.selectors import campaign_communes
from congdanso.core.audit import Actor, audit_record
from congdanso.core.errors import Message
from congdanso.core.hooks import residents_changing
from congdanso.core.models import AuditAction
from congdanso.partners.models import Unit
from congdanso.people.importing.cleaning import RejectedRow
from congdanso.people.importing.errors import ImportFailed, nothing_written_on_database_error
from congdanso.people.importing.header import (
    HEADER_SCAN_ROWS,
    ColumnMap,
    find_header,
    override_columns,
)
from congdanso.people.importing.pipeline import ImportResult
from congdanso.people.importing.reading import TableSource, open_table
from congdanso.people.models import ResidentStatus
from congdanso.vn import detect_legacy_encoding, vietnam_today

#: Data rows read ahead with the header to tell whether the names are TCVN3 or VNI text.
LEGACY_SAMPLE_ROWS = 200
_INSERTED = [f for f in Achievement._meta.concrete_fields if not f.primary_key]
#: What an earlier date replaces, as `achievement_record` does.
_UPDATED = [
    f
    for f in Achievement._meta.concrete_fields
    if f.name in ("achieved_on", "source", "unit", "session", "recorded_by", "note")
]


@dataclass(frozen=True)
class AchievementImportResult(ImportResult):
    """The resident import's result and summary keys (no village is created, no run is
    repeated), then what only this import has."""

    #: Matched rows by the key that found the resident: cccd, phone, name_birth_date.
    matched_by: dict[str, int] = field(default_factory=dict)
    campaign: int = 0
    criterion: str = ""
    unit: str | None = None
    default_date: dt.date | None = None

    def as_json(self) -> dict[str, Any]:
        return super().as_json() | {
            "matched_by": dict(sorted(self.matched_by.items())),
            "campaign": self.campaign,
            "criterion": self.criterion,
            "unit": self.unit,
            "date": self.default_date.isoformat() if self.default_date else None,
        }


def date_problem(row: ListRow, today: dt.date) -> Message | None:
    if row.date_error is not None:
        if row.date_error.impossible:
            return Message(_("The date %(value)s does not exist."), value=row.date_text)
        return Message(
            _("Cannot read the date %(value)s: write it as day/month/year (dd/mm/yyyy)."),
            value=row.date_text,
        )
    if row.achieved_on is None:
        return Message(_("The row has no date."))
    if row.achieved_on > today:
        return Message(
            _("The date %(date)s is in the future (today is %(today)s)."),
            date=row.achieved_on.strftime("%d/%m/%Y"),
            today=today.strftime("%d/%m/%Y"),
        )
    return None


@dataclass
class _Plan:
    """What the import does, decided before anything is written (so a dry run counts it
    exactly): for each resident the row with the earliest date."""

    rejected: list[RejectedRow] = field(default_factory=list)
    best: dict[int, Matched] = field(default_factory=dict)
    repeated: int = 0
    warnings: Counter[str] = field(default_factory=Counter)
    matched_by: Counter[str] = field(default_factory=Counter)

    def add(self, matched: Matched) -> None:
        row, known = matched.row, matched.resident
        self.matched_by[matched.key] += 1
        for name in row.invalid:
            self.warnings[f"{name}_invalid"] += 1
        if known.status != ResidentStatus.LIVING:
            self.warnings["resident_not_living"] += 1
        current = self.best.get(known.id)
        if current is None:
            self.best[known.id] = matched
            return
        self.repeated += 1
        self.warnings["repeated_in_file"] += 1
        assert row.achieved_on and current.row.achieved_on  # noqa: S101 - dated rows only
        if row.achieved_on < current.row.achieved_on:
            self.best[known.id] = matched


#: The fields a column override may name.
ACHIEVEMENT_FIELDS = tuple(name for name in COLUMNS if name)


@dataclass
class OpenedAchievementList:
    """A partner's list open at its header (see `people.importing.pipeline.OpenedList`)."""

    source: TableSource
    head: list[tuple[int, list[Any]]]
    used: int
    column_map: ColumnMap
    detected: ColumnMap
    legacy_hint: str | None


def open_achievement_list(
    path: Path,
    *,
    sheet: str | int | None = None,
    default_date: dt.date | None = None,
    columns: Mapping[str, int | None] | None = None,
) -> OpenedAchievementList:
    """Open the list and find its header (the import and its preview read the same way).
    `columns` overrides the detected columns (see `header.override_columns`)."""
    source = open_table(path, sheet=sheet)
    head: list[tuple[int, list[Any]]] = []
    for item in source.rows:
        head.append(item)
        if len(head) >= HEADER_SCAN_ROWS + LEGACY_SAMPLE_ROWS:
            break
    found = find_header(head, lookup=LOOKUP, required=IDENTIFYING)
    if found is None:
        raise ImportFailed(
            Message(
                _(
                    "No header row found in the first %(count)d rows: a column 'Số CCCD', "
                    "'Số điện thoại' or 'Họ và tên' is needed to find the residents."
                ),
                count=HEADER_SCAN_ROWS,
            ),
            code="no_header",
        )
    detected, used = found
    column_map = detected
    if columns is not None:
        column_map = override_columns(
            detected, columns, fields=ACHIEVEMENT_FIELDS, required=IDENTIFYING
        )
    if "achieved_on" not in column_map.columns and default_date is None:
        raise ImportFailed(
            _(
                "The list has no date column (such as 'Ngày kích hoạt' or 'Ngày mở tài "
                "khoản'): give the date for the whole list (the import page's 'Date for the "
                "whole list', or --date YYYY-MM-DD)."
            ),
            code="date_missing",
        )
    legacy_hint = None
    if "full_name" in column_map.columns:
        name_column = column_map.columns["full_name"]
        legacy_hint = detect_legacy_encoding(
            cells[name_column] for _number, cells in head[used:] if name_column < len(cells)
        )
    return OpenedAchievementList(source, head, used, column_map, detected, legacy_hint)


def _read(
    path: Path,
    *,
    sheet: str | int | None,
    today: dt.date,
    default_date: dt.date | None,
    columns: Mapping[str, int | None] | None = None,
) -> tuple[dict[str, Any], list[ListRow], list[RejectedRow], int]:
    """(what the result says of the file, rows to match, rows rejected, rows read)."""
    opened = open_achievement_list(path, sheet=sheet, default_date=default_date, columns=columns)
    column_map, source = opened.column_map, opened.source
    reader = RowReader(
        column_map.columns, today=today, default_date=default_date, legacy_hint=opened.legacy_hint
    )
    ready: list[ListRow] = []
    rejected: list[RejectedRow] = []
    count = 0
    for number, cells in chain(opened.head[opened.used :], source.rows):
        row = reader.read(number, cells)
        if row is None:
            continue
        count += 1
        problem = date_problem(row, today)
        if problem is None:
            ready.append(row)
        else:
            rejected.append(RejectedRow(number, cells, problem))
    described = {
        "header_row": column_map.header_row,
        "header_cells": tuple(column_map.header_cells),
        "columns": column_map.describe(),
        "sheet": source.sheet_name,
        "encoding": source.encoding,
    }
    return described, ready, rejected, count


def _plan(campaign: Campaign, rows: list[ListRow], rejected: list[RejectedRow]) -> _Plan:
    plan = _Plan(rejected=rejected)
    index = ResidentIndex(campaign.place, campaign_communes(campaign))
    for outcome in Matcher(index, place_name=campaign.place.name).match(rows):
        if not isinstance(outcome, Matched):
            row, reason = outcome
            plan.rejected.append(RejectedRow(row.row_number, row.cells, reason))
            continue
        born = outcome.resident.birth_date
        if (
            born is not None
            and outcome.row.achieved_on is not None
            and outcome.row.achieved_on < born
        ):
            plan.rejected.append(
                RejectedRow(
                    outcome.row.row_number,
                    outcome.row.cells,
                    Message(
                        _("The date %(date)s is before %(name)s was born."),
                        date=outcome.row.achieved_on.strftime("%d/%m/%Y"),
                        name=outcome.resident.full_name,
                    ),
                )
            )
            continue
        plan.add(outcome)
    return plan


def _write(
    plan: _Plan,
    *,
    criterion: Criterion,
    unit: Unit | None,
    recorded_by: Actor,
    note: str,
    dry_run: bool,
) -> Counter[str]:
    """Create or move earlier the achievements of the plan; the counts by outcome."""
    existing: dict[int, tuple[int, dt.date]] = {}
    for chunk in chunked(sorted(plan.best), CHUNK):
        communes = sorted({plan.best[r].resident.commune_id for r in chunk})
        in_force = Achievement.objects.filter(
            commune_id__in=communes,
            criterion=criterion,
            withdrawn_at__isnull=True,
            resident_id__in=chunk,
        ).order_by()
        for resident_id, achievement_id, stored_on in in_force.values_list(
            "resident_id", "id", "achieved_on"
        ):
            existing[resident_id] = (achievement_id, stored_on)
    counts: Counter[str] = Counter(unchanged=plan.repeated)
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    common = {
        "source": AchievementSource.IMPORT.value,
        "unit_id": unit.pk if unit else None,
        "session_id": None,
        "recorded_by_id": recorded_by.pk if recorded_by else None,
        "note": note,
    }
    creates: list[tuple[Any, ...]] = []
    updates: list[tuple[Any, ...]] = []
    for resident_id, matched in plan.best.items():
        achieved_on = matched.row.achieved_on
        assert achieved_on is not None  # noqa: S101 - rows without a date were rejected
        current = existing.get(resident_id)
        if current is None:
            values = {
                **common,
                "commune_id": matched.resident.commune_id,
                "resident_id": resident_id,
                "criterion_id": criterion.pk,
                "achieved_on": ops.adapt_datefield_value(achieved_on),
                "recorded_at": now,
                "withdrawn_at": None,
                "withdrawn_by_id": None,
                "withdrawal_reason": "",
            }
            # A column added to the model and not set here fails here, not in the database.
            creates.append(tuple(values[f.attname] for f in _INSERTED))
        elif achieved_on < current[1]:
            updated = {**common, "achieved_on": ops.adapt_datefield_value(achieved_on)}
            updates.append((*(updated[f.attname] for f in _UPDATED), current[0]))
        else:
            counts["unchanged"] += 1
    counts["created"], counts["updated"] = len(creates), len(updates)
    if dry_run:
        return counts
    # Raw statements: the ORM's bulk_create builds a model and an 80-row statement per
    # 80 rows, which was two thirds of the time of a 20,000-row list.
    table = ops.quote_name(Achievement._meta.db_table)
    with connection.cursor() as cursor:
        if creates:
            columns = ", ".join(ops.quote_name(f.column) for f in _INSERTED)
            marks = ", ".join(["%s"] * len(_INSERTED))
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({marks})",  # noqa: S608 - names from the model
                creates,
            )
        if updates:
            assignments = ", ".join(f"{ops.quote_name(f.column)} = %s" for f in _UPDATED)
            cursor.executemany(
                f"UPDATE {table} SET {assignments} WHERE id = %s",  # noqa: S608 - names from the model
                updates,
            )
    return counts


def import_achievements(
    path: Path,
    *,
    campaign: Campaign,
    criterion: Criterion,
    default_date: dt.date | None = None,
    unit: Unit | None = None,
    sheet: str | int | None = None,
    dry_run: bool = False,
    today: dt.date | None = None,
    recorded_by: Actor = None,
    columns: Mapping[str, int | None] | None = None,
) -> AchievementImportResult:
    """Record the achievements a partner's list reports. Raises ImportFailed; then nothing
    is written. `dry_run` does all the work, counts included, and writes nothing.
    `columns` overrides the detected columns (field → 0-based index, None to leave it out)."""
    started = time.perf_counter()
    today = today or vietnam_today()
    path = Path(path)
    campaign_criterion_check(campaign=campaign, criterion=criterion)
    if default_date is not None and default_date > today:
        raise ImportFailed(
            Message(
                _("The date %(date)s is in the future (today is %(today)s)."),
                date=default_date.strftime("%d/%m/%Y"),
                today=today.strftime("%d/%m/%Y"),
            ),
            code="date_in_future",
        )
    described, rows, rejected, count = _read(
        path, sheet=sheet, today=today, default_date=default_date, columns=columns
    )
    note = Message(_("Imported from %(file)s"), file=path.name).render(settings.LANGUAGE_CODE)
    with nothing_written_on_database_error(), transaction.atomic():
        plan = _plan(campaign, rows, rejected)
        with residents_changing(residents=plan.best):
            counts = _write(
                plan,
                criterion=criterion,
                unit=unit,
                recorded_by=recorded_by,
                note=note[:500],
                dry_run=dry_run,
            )
        if not dry_run:
            audit_record(
                action=AuditAction.IMPORT,
                object_type="campaigns.achievement",
                object_id=f"campaign:{campaign.pk}",
                label=f"{path.name} → {criterion.code}",
                commune_id=campaign.place_id,
                actor=recorded_by,
                changes={**counts, "rejected": len(plan.rejected), "file": path.name},
            )
    rejected_rows = tuple(sorted(plan.rejected, key=lambda r: r.row_number))
    return AchievementImportResult(
        rows=count,
        created=counts["created"],
        updated=counts["updated"],
        unchanged=counts["unchanged"],
        rejected=len(rejected_rows),
        warnings=sum(plan.warnings.values()),
        seconds=time.perf_counter() - started,
        warnings_by_code=dict(plan.warnings),
        rejected_rows=rejected_rows,
        dry_run=dry_run,
        matched_by=dict(plan.matched_by),
        campaign=campaign.pk,
        criterion=criterion.code,
        unit=unit.name if unit else None,
        default_date=default_date,
        **described,
    )
