"""Reading and cleaning in a second process while the first one writes.

Reading a sheet and cleaning its cells is pure Python work; matching and writing is database
work. On a machine with two cores the two overlap: a forked worker reads, cleans and triages
batches of rows (see `triage`: the certainly new residents leave it as the values to insert,
so the writer has nothing to decide for them) and hands them over a bounded queue (memory
stays flat), the main process writes.

The worker is forked *after* the table is open and its header read, so the sheet that
python-calamine loaded is not loaded twice: the worker inherits it, and the parent drops its
own reference (see `import_residents`). The worker never touches the database connection it
inherited and leaves with os._exit (multiprocessing's fork start method does), so no
connection is closed under the parent. Small files are cleaned in-process: a fork costs more
than it saves there.

Neither process waits for the other for good. The worker dies with the parent: on Linux the
kernel kills it when the parent dies (PR_SET_PDEATHSIG), and it gives up a full queue once the
parent is gone — otherwise an import killed with SIGKILL (a stopped background worker) left
its reader behind, blocked on the queue, holding 150–200 MB. The parent, in turn, stops waiting
on the queue when the worker died without a word, and the import fails with "the import
worker failed".
"""

import ctypes
import gc
import multiprocessing
import os
import queue as queues
import signal
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _

from congdanso.core.errors import Message
from congdanso.people.importing.cleaning import CleanRow, Issue, RejectedRow, RowCleaner
from congdanso.people.importing.errors import ImportFailed
from congdanso.people.importing.triage import NewValues, Triage

BATCH_ROWS = 6000
#: Files smaller than this are cleaned in-process.
WORKER_MIN_BYTES = 2_000_000
_QUEUE_BATCHES = 2
#: How often each process, waiting on the queue, looks whether the other one is still there.
WAIT_SECONDS = 1.0
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>

Rows = Iterator[tuple[int, list[Any]]]


@dataclass(slots=True)
class Batch:
    """Rows cleaned together: `new`, the residents the triage found certainly new (inserted as
    they are; `new_issues` pairs an index in `new` with an issue of that row), and `rows`, the
    others and the rejected ones, in file order, for the writer's matching."""

    count: int = 0  # the rows cleaned (fully empty rows are dropped and not counted)
    rows: list[CleanRow | RejectedRow] = field(default_factory=list)
    new: list[NewValues] = field(default_factory=list)
    new_issues: list[tuple[int, Issue]] = field(default_factory=list)


def batches_in_process(rows: Rows, cleaner: RowCleaner, triage: Triage) -> Iterator[Batch]:
    batch = Batch()
    for number, cells in rows:
        cleaned = cleaner.clean(number, cells)
        if cleaned is None:
            continue
        batch.count += 1
        if isinstance(cleaned, CleanRow) and (new := triage.route(cleaned)) is not None:
            for issue in cleaned.issues:
                batch.new_issues.append((len(batch.new), issue))
            batch.new.append(new)
        else:
            batch.rows.append(cleaned)
        if batch.count >= BATCH_ROWS:
            yield batch
            batch = Batch()
    if batch.count:
        yield batch


def _die_with_parent(parent: int) -> None:
    """Have the kernel kill this process when its parent dies (Linux), and leave at once if
    the parent died already — before that request, the kernel would not do it."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass  # no prctl here: the queue's time-outs below still notice
    if os.getppid() != parent:
        os._exit(1)


def _put(queue: Any, item: Any, parent: int) -> None:
    """`queue.put`, giving up (and leaving at once) when the parent is gone."""
    while True:
        try:
            queue.put(item, timeout=WAIT_SECONDS)
        except queues.Full:
            if os.getppid() != parent:
                # os._exit: a normal exit would wait for the queue's feeder thread, which
                # waits for a reader that is gone.
                os._exit(1)
        else:
            return


def _worker(
    queue: Any, holder: list[Rows], cleaner: RowCleaner, triage: Triage, parent: int
) -> None:
    _die_with_parent(parent)
    gc.disable()
    rows = holder.pop()
    try:
        for batch in batches_in_process(rows, cleaner, triage):
            # Plain tuples pickle in C; the parent turns them back into named tuples.
            _put(
                queue,
                (
                    "batch",
                    (
                        batch.count,
                        [(type(row) is CleanRow, tuple(row)) for row in batch.rows],
                        batch.new,
                        [(index, tuple(issue)) for index, issue in batch.new_issues],
                    ),
                ),
                parent,
            )
        _put(queue, ("done", None), parent)
    except ImportFailed as error:
        _put(queue, ("failed", (*error.message.to_data(), error.code)), parent)
    except BaseException as error:  # noqa: BLE001 - reported to the parent, which raises
        _put(queue, ("crashed", repr(error)), parent)


def _get(queue: Any, process: Any) -> tuple[str, Any]:
    """The worker's next message; the import fails if the worker died without a word."""
    while True:
        try:
            return queue.get(timeout=WAIT_SECONDS)
        except queues.Empty:
            if process.is_alive():
                continue
        try:  # it may have said its last word just before it ended
            return queue.get(timeout=WAIT_SECONDS)
        except queues.Empty:
            raise ImportFailed(
                Message(
                    _("The import worker failed: %(error)s"),
                    error=Message(
                        _("it stopped without a word (exit code %(code)s)"),
                        code=process.exitcode,
                    ),
                ),
                code="worker_failed",
            ) from None


def cpu_times(stat: str | None = None) -> tuple[int, int] | None:
    """(idle, total) clock ticks of all the machine's cores since boot, from /proc/stat
    (`stat`: its text, read here when None); None where there is no such file."""
    if stat is None:
        try:
            stat = Path("/proc/stat").read_text()
        except OSError:
            return None
    fields = stat.split("\n", 1)[0].split()
    if len(fields) < 5 or fields[0] != "cpu" or not all(f.isdigit() for f in fields[1:]):
        return None
    ticks = [int(f) for f in fields[1:]]
    idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)  # idle + iowait
    # guest time is counted in user time already
    return idle, sum(ticks[:8])


#: Below this many ticks (1/100 s each) per core, a window says too little about the load.
_MIN_WINDOW_TICKS = 20


def idle_cores(
    since: tuple[int, int] | None, now: tuple[int, int] | None, cores: int
) -> float | None:
    """How many of the `cores` stood idle, on average, between two `cpu_times` readings;
    None when either is missing or the window is too short to tell."""
    if since is None or now is None:
        return None
    idle, total = now[0] - since[0], now[1] - since[1]
    if total < _MIN_WINDOW_TICKS * cores or idle < 0:
        return None
    return cores * idle / total


def worker_wanted(path: Path, *, idle: float | None = None) -> bool:
    """CONGDANSO_IMPORT_WORKER=off|on|auto (default auto: big files, when a core is free).

    The second process pays only with a core of its own: on a machine whose cores are already
    busy, reader and writer take turns and the pickling between them is pure cost (a
    200,000-row list took 30–34 s forked against 23–28 s in one process, at load 3.3 on two
    cores). So `auto` forks when at least half a core stood idle while the import opened the
    file (`idle`: see `idle_cores`; the import itself kept one core busy then). Without that
    reading it goes by the load average, which trails by a minute: a process that just
    ended (the import's own preview, another command) still counts there."""
    setting = os.environ.get("CONGDANSO_IMPORT_WORKER", "auto")
    if setting in {"off", "on"}:
        return setting == "on"
    cores = os.cpu_count() or 1
    if cores < 2 or path.stat().st_size < WORKER_MIN_BYTES:
        return False
    if idle is not None:
        return idle >= 0.5
    try:
        load = os.getloadavg()[0]
    except OSError:  # not available here: assume the cores are free, as before
        return True
    return load <= cores - 1


def batches_in_worker(holder: list[Rows], cleaner: RowCleaner, triage: Triage) -> Iterator[Batch]:
    """Batches cleaned by a forked worker from the rows in `holder` (a one-item list that is
    emptied here, so that the caller keeps no reference to the open table). The worker goes
    on with the triage as it was at the fork; the parent's copy is not used any more."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue(maxsize=_QUEUE_BATCHES)
    process = context.Process(
        target=_worker, args=(queue, holder, cleaner, triage, os.getpid()), daemon=True
    )
    # The two processes share the heap copy-on-write. A collection in either would write to
    # the header of every object it scans and so copy every page of it; frozen objects are
    # not scanned (the collection that ran here after the fork cost a 1,000,000-row import
    # ~25 MB).
    gc.freeze()
    process.start()
    holder.clear()  # the parent lets go of the sheet: only the worker reads it from here on
    try:
        while True:
            kind, payload = _get(queue, process)
            if kind == "batch":
                count, rows, new, new_issues = payload
                yield Batch(
                    count,
                    [
                        tuple.__new__(CleanRow, row) if clean else tuple.__new__(RejectedRow, row)
                        for clean, row in rows
                    ],
                    new,
                    [(index, tuple.__new__(Issue, issue)) for index, issue in new_issues],
                )
            elif kind == "done":
                return
            elif kind == "failed":
                msgid, params, code = payload
                raise ImportFailed(Message.from_data(msgid, params), code=code)
            else:
                raise ImportFailed(
                    Message(_("The import worker failed: %(error)s"), error=payload),
                    code="worker_failed",
                )
    finally:
        if process.is_alive():
            process.terminate()
        process.join(timeout=5)
        gc.unfreeze()
