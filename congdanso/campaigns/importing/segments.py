"""Marking residents as members of a group (`people.models.Segment`: students, public-sector
staff) from the list a school or an office hands over: each row is matched to a resident of
the campaign's communes as the achievement import matches (CCCD, else phone, else name and
birth date: `matching`), and the group is added to the residents found. Targets narrowed to
the group then count them.

The import's contract: one transaction (a fatal error writes nothing); idempotent (a resident
marked already is unchanged; a resident is never unmarked by a list); lossless (a row that
cannot be matched comes back in `rejected_rows` with its cells and the reason). The tallies
follow through the `residents_changing` hook.
"""

import datetime as dt
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from congdanso.campaigns.importing.matching import CHUNK, chunked
from congdanso.campaigns.importing.pipeline import _plan, _read
from congdanso.campaigns.models import Campaign
from congdanso.core.audit import Actor, audit_record
from congdanso.core.errors import DomainError, Message
from congdanso.core.hooks import residents_changing
from congdanso.core.models import AuditAction
from congdanso.people.importing.errors import nothing_written_on_database_error
from congdanso.people.importing.pipeline import ImportResult
from congdanso.people.models import Resident, Segment
from congdanso.people.services import segments_parse
from congdanso.vn import vietnam_today


@dataclass(frozen=True)
class SegmentImportResult(ImportResult):
    """The resident import's result keys (`updated`: residents marked now, `unchanged`:
    marked already or named twice), then the group and how the residents were found."""

    matched_by: dict[str, int] = field(default_factory=dict)
    campaign: int = 0
    segment: str = ""

    def as_json(self) -> dict[str, Any]:
        return super().as_json() | {
            "matched_by": dict(sorted(self.matched_by.items())),
            "campaign": self.campaign,
            "segment": self.segment,
        }


def segment_check(code: str) -> str:
    """The group's code, or a DomainError naming the groups there are."""
    stored = segments_parse([code])
    if not stored:
        raise DomainError(
            Message(_("Name the group: %(known)s"), known=", ".join(Segment.values)),
            code="segment_missing",
        )
    return stored


def import_segment_list(
    path: Path,
    *,
    campaign: Campaign,
    segment: str,
    sheet: str | int | None = None,
    dry_run: bool = False,
    today: dt.date | None = None,
    recorded_by: Actor = None,
    columns: Mapping[str, int | None] | None = None,
) -> SegmentImportResult:
    """Mark the residents a list names as members of `segment`. Raises ImportFailed or
    DomainError; then nothing is written. `dry_run` counts and writes nothing."""
    started = time.perf_counter()
    segment = segment_check(segment)
    today = today or vietnam_today()
    path = Path(path)
    # A date column of such a list (enrolment, appointment) says nothing the group needs.
    described, rows, rejected, count = _read(
        path,
        sheet=sheet,
        today=today,
        default_date=today,
        columns={**(columns or {}), "achieved_on": None},
    )
    with nothing_written_on_database_error(), transaction.atomic():
        plan = _plan(campaign, rows, rejected)
        current: dict[int, str] = {}
        for chunk in chunked(sorted(plan.best), CHUNK):
            current.update(Resident.objects.filter(pk__in=chunk).values_list("id", "segments"))
        marked = {
            resident_id: segments_parse([*groups.split(","), segment])
            for resident_id, groups in current.items()
            if segment not in groups.split(",")
        }
        if not dry_run and marked:
            with residents_changing(residents=sorted(marked)):
                now = connection.ops.adapt_datetimefield_value(timezone.now())
                with connection.cursor() as cursor:
                    cursor.executemany(
                        f"UPDATE {Resident._meta.db_table} SET segments = %s, "  # noqa: S608
                        "updated_at = %s WHERE id = %s",
                        [(groups, now, pk) for pk, groups in sorted(marked.items())],
                    )
        if not dry_run:
            audit_record(
                action=AuditAction.IMPORT,
                object_type="people.resident",
                object_id=f"campaign:{campaign.pk}",
                label=f"{path.name} → {segment}",
                commune_id=campaign.place_id,
                actor=recorded_by,
                changes={
                    "segment": segment,
                    "marked": len(marked),
                    "rejected": len(plan.rejected),
                    "file": path.name,
                },
            )
    rejected_rows = tuple(sorted(plan.rejected, key=lambda r: r.row_number))
    return SegmentImportResult(
        rows=count,
        created=0,
        updated=len(marked),
        unchanged=len(plan.best) - len(marked) + plan.repeated,
        rejected=len(rejected_rows),
        warnings=sum(plan.warnings.values()),
        seconds=time.perf_counter() - started,
        warnings_by_code=dict(plan.warnings),
        rejected_rows=rejected_rows,
        dry_run=dry_run,
        matched_by=dict(plan.matched_by),
        campaign=campaign.pk,
        segment=segment,
        **described,
    )
