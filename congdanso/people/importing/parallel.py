"""Reading and cleaning in a second process while the first one writes.

Reading a sheet and cleaning its cells is pure Python work; matching and writing is database
work. On a machine with two cores the two overlap: a forked worker reads and cleans batches
of rows and hands them over a bounded queue (memory stays flat), the main process writes.
The worker never touches the database connection it inherited and leaves with os._exit
(multiprocessing's fork start method does), so no connection is closed under the parent.
Small files are cleaned in-process: a fork costs more than it saves there.
"""

import datetime as dt
import gc
import multiprocessing
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from congdanso.people.importing.cleaning import CleanRow, RejectedRow, RowCleaner
from congdanso.people.importing.errors import ImportFailed
from congdanso.people.importing.header import ColumnMap
from congdanso.people.importing.reading import open_table
from congdanso.people.importing.villages import VillageIndex

BATCH_ROWS = 2000
#: Files smaller than this are cleaned in-process.
WORKER_MIN_BYTES = 2_000_000
_QUEUE_BATCHES = 8

Batch = list[CleanRow | RejectedRow]


def batches_in_process(
    rows: Iterator[tuple[int, list[Any]]], cleaner: RowCleaner
) -> Iterator[tuple[Batch, int]]:
    """(cleaned rows, their count) batches; fully empty rows are dropped and not counted."""
    batch: Batch = []
    for number, cells in rows:
        cleaned = cleaner.clean(number, cells)
        if cleaned is None:
            continue
        batch.append(cleaned)
        if len(batch) >= BATCH_ROWS:
            yield batch, len(batch)
            batch = []
    if batch:
        yield batch, len(batch)


def _worker(
    queue: Any,
    path: Path,
    sheet: str | int | None,
    skip: int,
    column_map: ColumnMap,
    villages: VillageIndex,
    today: dt.date,
    legacy_hint: str | None,
) -> None:
    gc.disable()
    try:
        source = open_table(path, sheet=sheet)
        for _ in range(skip):
            next(source.rows, None)
        cleaner = RowCleaner(
            column_map, lookup_village=villages.lookup, today=today, legacy_hint=legacy_hint
        )
        for batch, read in batches_in_process(source.rows, cleaner):
            # Plain tuples pickle in C; the parent turns them back into named tuples.
            queue.put(("batch", [(type(row) is CleanRow, tuple(row)) for row in batch], read))
        queue.put(("done", None, 0))
    except ImportFailed as error:
        queue.put(("failed", (str(error.message.template), error.message.params, error.code), 0))
    except BaseException as error:  # noqa: BLE001 - reported to the parent, which raises
        queue.put(("crashed", repr(error), 0))


def worker_wanted(path: Path) -> bool:
    """CONGDANSO_IMPORT_WORKER=off|on|auto (default auto: big files on a multi-core CPU)."""
    setting = os.environ.get("CONGDANSO_IMPORT_WORKER", "auto")
    if setting in {"off", "on"}:
        return setting == "on"
    return (os.cpu_count() or 1) > 1 and path.stat().st_size >= WORKER_MIN_BYTES


def batches_in_worker(
    path: Path,
    *,
    sheet: str | int | None,
    skip: int,
    column_map: ColumnMap,
    villages: VillageIndex,
    today: dt.date,
    legacy_hint: str | None,
) -> Iterator[tuple[Batch, int]]:
    from congdanso.core.errors import Message

    context = multiprocessing.get_context("fork")
    queue = context.Queue(maxsize=_QUEUE_BATCHES)
    process = context.Process(
        target=_worker,
        args=(queue, path, sheet, skip, column_map, villages, today, legacy_hint),
        daemon=True,
    )
    process.start()
    try:
        while True:
            kind, payload, read = queue.get()
            if kind == "batch":
                yield (
                    [
                        tuple.__new__(CleanRow, row) if clean else tuple.__new__(RejectedRow, row)
                        for clean, row in payload
                    ],
                    read,
                )
            elif kind == "done":
                return
            elif kind == "failed":
                template, params, code = payload
                raise ImportFailed(Message(template, **params), code=code)
            else:
                raise ImportFailed(
                    Message("The import worker failed: %(error)s", error=payload),
                    code="worker_failed",
                )
    finally:
        if process.is_alive():
            process.terminate()
        process.join(timeout=5)
