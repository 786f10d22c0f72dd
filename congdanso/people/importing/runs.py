"""The import log: an unchanged file imported again into unchanged data is answered from it.

A run is remembered with the file's SHA-256, the options that shape the result, the date the
ages were checked against, the code version, and a version of the commune's data taken right
after the import (residents, issues and villages: counts, highest ids, latest changes). If
all of these are the same, importing the file again cannot change anything: the previous
run's outcome is returned, every row reported unchanged, and the file is not read again.
Any change anywhere in the commune's data — an edit, another import, a new village — makes
the versions differ and the file goes through the whole pipeline.
"""

import datetime as dt
import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.db.models import Count, Max

import congdanso
from congdanso.core.errors import Message
from congdanso.people.importing.cleaning import RejectedRow
from congdanso.people.importing.rejects import cell_text
from congdanso.people.models import DataIssue, ImportRun, IssueCode, Resident
from congdanso.places.models import Place


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def data_version(commune: Place) -> str:
    """A fingerprint of everything an import of this commune reads or writes."""
    parts = [
        Resident.objects.filter(commune=commune).aggregate(
            n=Count("id"), last=Max("id"), changed=Max("updated_at")
        ),
        DataIssue.objects.filter(commune=commune).aggregate(
            n=Count("id"), last=Max("id"), resolved=Max("resolved_at")
        ),
        Place.objects.filter(parent=commune).aggregate(
            n=Count("id"), last=Max("id"), archived=Max("archived_at")
        ),
        # A renamed or restored village changes which rows find their village: the few
        # villages of a commune are listed whole.
        list(
            Place.objects.filter(parent=commune)
            .order_by("id")
            .values_list("id", "name_key", "kind", "archived_at")
        ),
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def run_options(
    *,
    sheet: str | int | None,
    create_villages: bool,
    today: dt.date,
    columns: Mapping[str, int | None] | None = None,
) -> dict:
    options: dict[str, Any] = {
        "sheet": None if sheet is None else str(sheet),
        "create_villages": create_villages,
        "today": today.isoformat(),
        "version": congdanso.__version__,
    }
    # Only when given, so that the runs logged before overrides existed still match.
    if columns is not None:
        options["columns"] = dict(sorted(columns.items()))
    return options


def run_find(*, commune: Place, sha256: str, options: dict) -> ImportRun | None:
    run = ImportRun.objects.filter(commune=commune, file_sha256=sha256).order_by("-id").first()
    if run is None or run.options != options or run.data_version != data_version(commune):
        return None
    return run


def run_record(
    *,
    commune: Place,
    path: Path,
    sha256: str,
    options: dict,
    result: dict[str, Any],
    rejected: tuple[RejectedRow, ...],
) -> ImportRun:
    """Remember the run, with the outcome a second identical import would have."""
    again = dict(result)
    again["unchanged"] = result["created"] + result["updated"] + result["unchanged"]
    again["created"] = again["updated"] = 0
    # A possible duplicate is flagged once, when the person is created.
    warnings = {
        code: count
        for code, count in result["warnings_by_code"].items()
        if code != IssueCode.POSSIBLE_DUPLICATE
    }
    again["warnings_by_code"] = warnings
    again["warnings"] = sum(warnings.values())
    again["villages_created"] = []
    run = ImportRun(
        commune=commune,
        file_name=path.name[:255],
        file_sha256=sha256,
        options=options,
        result=again,
        data_version=data_version(commune),
    )
    # Encrypted as a whole: the cells of rejected rows hold CCCDs and phones.
    run.rejected_rows = [
        [r.row_number, _json_cells(r.cells), *r.reason.to_data()] for r in rejected
    ]
    run.save()
    return run


def _json_cells(cells: list[Any]) -> list[Any]:
    return [c if c is None or isinstance(c, str | int | float) else cell_text(c) for c in cells]


def run_rejected_rows(run: ImportRun) -> tuple[RejectedRow, ...]:
    return tuple(
        RejectedRow(number, cells, Message.from_data(msgid, params))
        for number, cells, msgid, params in run.rejected_rows
    )
