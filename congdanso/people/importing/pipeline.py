"""The import pipeline and its result."""

import datetime as dt
import gc
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from congdanso.core.audit import audit_record
from congdanso.core.errors import Message
from congdanso.core.hooks import residents_changing
from congdanso.core.models import AuditAction
from congdanso.people.importing.cleaning import CleanRow, RejectedRow, RowCleaner
from congdanso.people.importing.errors import ImportFailed, nothing_written_on_database_error
from congdanso.people.importing.header import (
    HEADER_SCAN_ROWS,
    SYNONYMS,
    ColumnMap,
    find_header,
    override_columns,
)
from congdanso.people.importing.parallel import (
    BATCH_ROWS,
    Rows,
    batches_in_process,
    batches_in_worker,
    cpu_times,
    idle_cores,
    worker_wanted,
)
from congdanso.people.importing.reading import TableSource, open_table
from congdanso.people.importing.runs import (
    file_sha256,
    run_find,
    run_options,
    run_record,
    run_rejected_rows,
)
from congdanso.people.importing.triage import Triage
from congdanso.people.importing.villages import ImportOrigin, VillageResolver
from congdanso.people.importing.writing import (
    ChunkWriter,
    import_cache,
    references_checked_as_written,
)
from congdanso.people.models import ImportRun
from congdanso.places.models import Place
from congdanso.vn import detect_legacy_encoding

#: Data rows read ahead with the header to tell whether the names are TCVN3 or VNI text.
LEGACY_SAMPLE_ROWS = 200


@dataclass(frozen=True)
class ImportResult:
    rows: int
    created: int
    updated: int
    unchanged: int
    rejected: int
    warnings: int
    seconds: float
    warnings_by_code: dict[str, int] = field(default_factory=dict)
    rejected_rows: tuple[RejectedRow, ...] = ()
    header_row: int = 0
    header_cells: tuple[str, ...] = ()
    columns: dict[str, str] = field(default_factory=dict)
    sheet: str = ""
    encoding: str | None = None
    villages_created: tuple[str, ...] = ()
    dry_run: bool = False
    #: The import run this result repeats when the same file met the same data (not re-read).
    same_as_run: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "warnings": self.warnings,
            "seconds": round(self.seconds, 3),
            "warnings_by_code": dict(sorted(self.warnings_by_code.items())),
            "header_row": self.header_row,
            "header_cells": list(self.header_cells),
            "columns": self.columns,
            "sheet": self.sheet,
            "encoding": self.encoding,
            "villages_created": list(self.villages_created),
            "dry_run": self.dry_run,
            "same_as_run": self.same_as_run,
        }


def _repeat(run: ImportRun, *, seconds: float, dry_run: bool) -> ImportResult:
    data = run.result
    return ImportResult(
        rows=data["rows"],
        created=0,
        updated=0,
        unchanged=data["unchanged"],
        rejected=data["rejected"],
        warnings=data["warnings"],
        seconds=seconds,
        warnings_by_code=data["warnings_by_code"],
        rejected_rows=run_rejected_rows(run),
        header_row=data["header_row"],
        header_cells=tuple(data["header_cells"]),
        columns=data["columns"],
        sheet=data["sheet"],
        encoding=data["encoding"],
        dry_run=dry_run,
        same_as_run=run.pk,
    )


class _DryRunRollback(Exception):
    pass


#: The fields a column override may name.
RESIDENT_FIELDS = tuple(SYNONYMS)


@dataclass
class OpenedList:
    """A resident list open at its header: the rows read ahead (`head`, of which the first
    `used` are the header), the rest still in `source.rows`."""

    source: TableSource
    head: list[tuple[int, list[Any]]]
    used: int
    #: The columns in force (the user's override applied) and the ones the header named.
    column_map: ColumnMap
    detected: ColumnMap
    legacy_hint: str | None


def open_with_header(
    path: Path, *, sheet: str | int | None = None, columns: Mapping[str, int | None] | None = None
) -> OpenedList:
    """Open the list and find its header (the import and its preview read the same way)."""
    source = open_table(Path(path), sheet=sheet)
    head: list[tuple[int, list[Any]]] = []
    for item in source.rows:
        head.append(item)
        if len(head) >= HEADER_SCAN_ROWS + LEGACY_SAMPLE_ROWS:
            break
    found = find_header(head)
    if found is None:
        raise ImportFailed(
            Message(
                _(
                    "No header row found in the first %(count)d rows: a column named "
                    "'Họ và tên' (full name) is needed."
                ),
                count=HEADER_SCAN_ROWS,
            ),
            code="no_header",
        )
    detected, used = found
    column_map = detected
    if columns is not None:
        column_map = override_columns(
            detected, columns, fields=RESIDENT_FIELDS, required=("full_name",)
        )
    name_column = column_map.columns["full_name"]
    legacy_hint = detect_legacy_encoding(
        cells[name_column] for _number, cells in head[used:] if name_column < len(cells)
    )
    return OpenedList(source, head, used, column_map, detected, legacy_hint)


def import_residents(
    path: Path,
    *,
    commune: Place,
    sheet: str | int | None = None,
    create_villages: bool = False,
    dry_run: bool = False,
    today: dt.date | None = None,
    progress: Callable[[int], None] | None = None,
    reuse_previous: bool = True,
    columns: Mapping[str, int | None] | None = None,
    triage: bool = True,
    recall: bool = True,
    origin: ImportOrigin = ImportOrigin.COMMAND_LINE,
) -> ImportResult:
    """Import a resident list into `commune`. Raises ImportFailed; then nothing is written.

    `dry_run` does all the work, counts included, and rolls it back. With `reuse_previous`,
    a file already imported into data that has not changed since is answered from the
    import log (see `runs`) without being read again. `columns` overrides the columns the
    header detection chose (field → 0-based column index, None to leave a field out; see
    `header.override_columns`), as the import page's mapping does. `triage=False` sends
    every row through the matching, certainly new ones included (see `triage`; the tests
    compare both ways), and `recall=False` has the matching look residents up by CCCD and
    name in the database rather than through the commune's keys in memory (see `recall`).
    `origin` words the advice of a rejected row for where the import was asked from (see
    `villages`).
    """
    started = time.perf_counter()
    cpu_at_start = cpu_times()
    today = today or timezone.localdate()
    path = Path(path)
    if not path.is_file():
        raise ImportFailed(Message(_("File not found: %(path)s"), path=path), code="file_not_found")
    sha256 = file_sha256(path)
    options = run_options(
        sheet=sheet, create_villages=create_villages, today=today, columns=columns
    )
    previous = run_find(commune=commune, sha256=sha256, options=options) if reuse_previous else None
    if previous is not None:
        return _repeat(previous, seconds=time.perf_counter() - started, dry_run=dry_run)
    opened = open_with_header(path, sheet=sheet, columns=columns)
    sheet_name, encoding = opened.source.sheet_name, opened.source.encoding
    column_map, legacy_hint = opened.column_map, opened.legacy_hint
    # One holder owns the open table, so that handing it to a worker frees it here.
    holder: list[Rows] = [chain(opened.head[opened.used :], opened.source.rows)]
    del opened
    result: ImportResult | None = None
    # The import makes millions of short-lived objects and no reference cycles: the cyclic
    # collector would only rescan them (it doubled the cleaning time when measured).
    collecting = gc.isenabled()
    gc.disable()
    try:
        with (
            nothing_written_on_database_error(),
            transaction.atomic(),
            import_cache(path.stat().st_size),
            residents_changing(communes=[commune.pk]),
            references_checked_as_written(),
        ):
            villages = VillageResolver(commune, create=create_villages, origin=origin)
            writer = ChunkWriter(commune_id=commune.pk, source=Path(path).name, recall=recall)
            cleaner = RowCleaner(
                column_map,
                lookup_village=villages.index.lookup,
                today=today,
                legacy_hint=legacy_hint,
            )
            router = Triage(enabled=triage)
            if triage:
                router.load(commune.pk)
            idle = idle_cores(cpu_at_start, cpu_times(), os.cpu_count() or 1)
            if worker_wanted(Path(path), idle=idle):
                batches = batches_in_worker(holder, cleaner, router)
            else:
                batches = batches_in_process(holder.pop(), cleaner, router)
            rows = 0
            # Rows for the matching, gathered over batches: a few hundred a batch would each
            # cost the look-up statements of a whole chunk. Waiting is safe: a row the triage
            # let through can be no earlier row's person (nor a possible duplicate of one).
            chunk: list[CleanRow] = []
            for batch in batches:
                rows += batch.count
                # The certainly new first: the matching of the others then finds them stored.
                writer.write_new(batch.new, batch.new_issues)
                for cleaned in batch.rows:
                    if isinstance(cleaned, RejectedRow):
                        writer.rejected.append(cleaned)
                    elif cleaned.village_text is None:
                        chunk.append(cleaned)
                    else:
                        village = villages.resolve(cleaned.village_text)
                        if isinstance(village, Message):
                            writer.rejected.append(
                                RejectedRow(cleaned.row_number, cleaned.cells, village)
                            )
                        else:
                            chunk.append(cleaned._replace(village_id=village, village_text=None))
                if len(chunk) >= BATCH_ROWS:
                    writer.write(chunk)
                    chunk = []
                if progress:
                    progress(rows)
            writer.write(chunk)
            writer.finish()
            counts = writer.counts
            rejected = sorted(writer.rejected, key=lambda r: r.row_number)
            result = ImportResult(
                rows=rows,
                created=counts.created,
                updated=counts.updated,
                unchanged=counts.unchanged,
                rejected=len(rejected),
                warnings=sum(counts.warnings.values()),
                seconds=time.perf_counter() - started,
                warnings_by_code=dict(counts.warnings),
                rejected_rows=tuple(rejected),
                header_row=column_map.header_row,
                header_cells=tuple(column_map.header_cells),
                columns=column_map.describe(),
                sheet=sheet_name,
                encoding=encoding,
                villages_created=tuple(villages.created),
                dry_run=dry_run,
            )
            if dry_run:
                raise _DryRunRollback
            run = run_record(
                commune=commune,
                path=path,
                sha256=sha256,
                options=options,
                result=result.as_json(),
                rejected=result.rejected_rows,
            )
            # One event for the run (a row per resident would double the import's writes):
            # the import log holds the details, the audit says who ran it and what it did.
            audit_record(
                action=AuditAction.IMPORT,
                object_type="people.resident",
                object_id=f"importrun:{run.pk}",
                label=path.name,
                commune_id=commune.pk,
                changes={
                    "rows": result.rows,
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                    "rejected": result.rejected,
                    "sha256": sha256,
                },
            )
    except _DryRunRollback:
        pass
    finally:
        if collecting:
            gc.enable()
    assert result is not None  # noqa: S101 - set before leaving the transaction
    return result
