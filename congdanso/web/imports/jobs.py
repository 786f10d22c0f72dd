"""Imports started from the web: upload → preview → confirm → run in the background.

A job keeps the uploaded file (checked by content and stored by `core.uploads`: under the
data directory, mode 0600, never served) from the upload until its run ends, then deletes
it. The run is a django-tasks task (`people.tasks`), executed by `congdanso db_worker`
(started by `congdanso serve`, i.e. `make run`); it calls the same pipelines as the
commands, so a web import and a command-line import of a file do the same. The pipelines
are atomic: a failed run leaves the data as it was and the job says why.

Progress is written to the cache, not to the job row: the run holds its import
transaction open, and a row written on its connection would only be seen at the end. The
run also beats a heartbeat there; a running job whose worker stopped (killed, machine
restarted) stops beating, and the job page then ends it as interrupted — the data is as it
was, since the import's transaction never committed.

Scope: a job belongs to the place it imports into (the commune, or the campaign's place);
the managers of that place see it and nobody else (`import_job_get_for` raises NotFound).
"""

import datetime as dt
import logging
import time
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from congdanso.campaigns.importing.arguments import campaign_criterion_check
from congdanso.campaigns.importing.pipeline import import_achievements
from congdanso.campaigns.importing.preview import preview_achievements
from congdanso.campaigns.importing.segments import import_segment_list, segment_check
from congdanso.campaigns.models import Campaign, Criterion
from congdanso.core.audit import audit_context, audit_record
from congdanso.core.errors import DomainError, Message, NotFound
from congdanso.core.models import AuditAction
from congdanso.core.uploads import upload_store
from congdanso.partners.models import Unit
from congdanso.people.importing.cleaning import RejectedRow
from congdanso.people.importing.pipeline import ImportResult, import_residents
from congdanso.people.importing.preview import ImportPreview, preview_residents
from congdanso.people.importing.reading import open_table
from congdanso.people.importing.rejects import cell_text
from congdanso.people.importing.villages import ImportOrigin
from congdanso.people.models import ImportJob, ImportJobStatus, ImportKind, Segment
from congdanso.places.models import Place
from congdanso.scope.access import MANAGE_ROLES, Access, places_visible
from congdanso.scope.cards import criterion_label
from congdanso.vn import vietnam_today

logger = logging.getLogger(__name__)

#: An upload not confirmed within this time is deleted (it holds personal data).
PREVIEW_LIFETIME = dt.timedelta(hours=24)
_PROGRESS_SECONDS = 24 * 3600


#: A running job without a heartbeat for this long is taken as interrupted. Resident imports
#: beat at every chunk (seconds apart); an achievement import beats only while its rows are
#: counted and at its end, hence the margin.
STALE_AFTER = dt.timedelta(minutes=30)


def progress_key(job_id: int) -> str:
    return f"congdanso:import-job:{job_id}:rows"


def heartbeat_key(job_id: int) -> str:
    return f"congdanso:import-job:{job_id}:alive"


def _beat(job_id: int) -> None:
    cache.set(heartbeat_key(job_id), time.time(), _PROGRESS_SECONDS)


def import_job_progress(job: ImportJob) -> int:
    """Rows done so far: the running import's count, or the stored one when it ended."""
    if job.status == ImportJobStatus.RUNNING:
        return int(cache.get(progress_key(job.pk)) or 0)
    return job.rows_done


# -- selectors ------------------------------------------------------------------------------


def import_jobs_visible(access: Access) -> QuerySet[ImportJob]:
    """The jobs of the places the user manages, newest first."""
    jobs = ImportJob.objects.select_related("commune", "campaign", "created_by")
    if not access.is_admin:
        jobs = jobs.filter(commune__in=places_visible(access, roles=MANAGE_ROLES))
    return jobs.order_by("-created_at", "-pk")


def import_job_criterion_label(job: ImportJob) -> str:
    """The name (in the page's language) of the criterion an achievement job reports, or of
    the group a group's list names; "" for a resident list. The job keeps the criterion's
    code and id, not a name to show."""
    segment = job.options.get("segment")
    if segment:
        return str(dict(Segment.choices).get(segment, segment))
    criterion_id = job.options.get("criterion_id")
    criterion = Criterion.objects.filter(pk=criterion_id).first() if criterion_id else None
    if criterion is None:
        return str(job.options.get("criterion") or "")
    return criterion_label(criterion)


def import_job_get_for(access: Access, job_id: int | str) -> ImportJob:
    job = None
    if str(job_id).isdigit():
        job = import_jobs_visible(access).filter(pk=int(job_id)).first()
    if job is None:
        raise NotFound(_("No such import."), code="not_found")
    return job


def import_job_preview(job: ImportJob) -> ImportPreview:
    """The preview of the job's file with its current options. Raises ImportFailed."""
    options = job.options
    columns = options.get("columns")
    path = Path(job.upload_path)
    if job.kind == ImportKind.RESIDENTS:
        return preview_residents(
            path,
            commune=job.commune,
            sheet=options.get("sheet"),
            create_villages=bool(options.get("create_villages")),
            columns=columns,
            origin=ImportOrigin.PAGE,
        )
    assert job.campaign is not None  # noqa: S101 - an achievement job always has one
    if job.kind == ImportKind.SEGMENTS:
        # matched as an achievement list is, without its dates
        return preview_achievements(
            path,
            campaign=job.campaign,
            sheet=options.get("sheet"),
            default_date=vietnam_today(),
            columns={**(columns or {}), "achieved_on": None},
            dated=False,
        )
    return preview_achievements(
        path,
        campaign=job.campaign,
        sheet=options.get("sheet"),
        default_date=_date(options.get("default_date")),
        columns=columns,
    )


def import_job_rejects(job: ImportJob) -> tuple[list[str], tuple[RejectedRow, ...]]:
    """The header and the rejected rows of a finished job, for the rejects file. Raises
    NotFound for a job that has not finished well (it has no rejects file)."""
    if job.status != ImportJobStatus.DONE:
        raise NotFound(_("This import has no rejects file."), code="not_found")
    rows = tuple(
        RejectedRow(number, cells, Message.from_data(msgid, params))
        for number, cells, msgid, params in job.rejected_rows
    )
    return list(job.result.get("header_cells", [])), rows


# -- services -------------------------------------------------------------------------------


def import_job_rejects_export(
    *, job: ImportJob, file_format: str = "xlsx"
) -> tuple[list[str], tuple[RejectedRow, ...]]:
    """`import_job_rejects`, audited: the rejected rows hold CCCDs and phones in clear."""
    header, rows = import_job_rejects(job)
    audit_record(
        action=AuditAction.EXPORT,
        obj=job,
        changes={
            "rejected_rows": len(rows),
            "file": job.file_name,
            "format": file_format,
            "fields": ["cccd", "phone"],
        },
    )
    return header, rows


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def import_job_create(
    *,
    user: Any,
    kind: str,
    file: IO[bytes],
    file_name: str,
    commune: Place | None = None,
    campaign: Campaign | None = None,
    criterion: Criterion | None = None,
    unit: Unit | None = None,
    default_date: dt.date | None = None,
    sheet: str | None = None,
    create_villages: bool = False,
    segment: str | None = None,
) -> ImportJob:
    """Keep the uploaded file and make its job, waiting for the preview to be confirmed.

    The file is checked by content (`core.uploads`) and read as the import will read it
    (header, column choice, first rows): a file refused by either raises DomainError, and
    then nothing is kept — no file, no job."""
    options: dict[str, Any] = {"sheet": sheet or None}
    if kind == ImportKind.RESIDENTS:
        if commune is None:
            raise DomainError(_("Choose the commune to import into."), code="commune_missing")
        options["create_villages"] = create_villages
        place = commune
    elif kind == ImportKind.ACHIEVEMENTS:
        if campaign is None or criterion is None:
            raise DomainError(
                _("Choose the campaign and the criterion of the list."), code="campaign_missing"
            )
        campaign_criterion_check(campaign=campaign, criterion=criterion)
        options |= {
            "criterion": criterion.code,
            "criterion_id": criterion.pk,
            "unit_id": unit.pk if unit else None,
            "default_date": default_date.isoformat() if default_date else None,
        }
        place = campaign.place
    elif kind == ImportKind.SEGMENTS:
        if campaign is None:
            raise DomainError(
                _("Choose the campaign the list counts for."), code="campaign_missing"
            )
        options["segment"] = segment_check(segment or "")
        place = campaign.place
    else:
        raise DomainError(Message(_("Unknown import kind %(kind)s."), kind=kind), code="bad_kind")
    _expire_old_previews()
    path = upload_store(file)
    job = ImportJob(
        created_by=user if getattr(user, "pk", None) else None,
        commune=place,
        campaign=campaign if kind != ImportKind.RESIDENTS else None,
        kind=kind,
        file_name=Path(file_name).name[:255] or path.name,
        upload_path=str(path),
        options=options,
    )
    try:
        import_job_preview(job)  # refuses a file the import could not read
        with transaction.atomic():
            job.save()
            audit_record(
                action=AuditAction.CREATE,
                obj=job,
                commune_id=place.pk,
                changes={"kind": kind, "file": job.file_name},
            )
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return job


def _waiting(job: ImportJob) -> None:
    if job.status != ImportJobStatus.PREVIEW:
        raise DomainError(
            _("This import has already been confirmed or has expired."), code="job_not_waiting"
        )


@transaction.atomic
def import_job_map(*, job: ImportJob, columns: Mapping[str, int | None]) -> ImportJob:
    """Set the user's column choice (field → 0-based column, None: not in the file).
    Raises ImportFailed when the file cannot be read that way; then nothing changes."""
    _waiting(job)
    before = job.options.get("columns")
    trial = ImportJob(
        commune=job.commune,
        campaign=job.campaign,
        kind=job.kind,
        upload_path=job.upload_path,
        options={**job.options, "columns": dict(columns)},
    )
    import_job_preview(trial)
    job.options = trial.options
    job.save(update_fields=["options"])
    audit_record(
        action=AuditAction.UPDATE,
        obj=job,
        changes={"columns": [before, job.options["columns"]]},
    )
    return job


@transaction.atomic
def import_job_confirm(*, job: ImportJob) -> ImportJob:
    """Queue the import; the worker runs it (`import_job_run`)."""
    from congdanso.web.imports.tasks import import_job_task  # the task module imports this one

    _waiting(job)
    job.status = ImportJobStatus.QUEUED
    job.save(update_fields=["status"])
    audit_record(
        action=AuditAction.UPDATE,
        obj=job,
        changes={"status": [ImportJobStatus.PREVIEW, ImportJobStatus.QUEUED]},
    )
    # Enqueued in the same transaction: the database backend's task row commits with the
    # job's status, so the worker never sees one without the other.
    result = import_job_task.enqueue(job.pk)
    job.refresh_from_db()  # an in-process backend may already have run it
    if not job.task_id:
        job.task_id = str(result.id)[:64]
        job.save(update_fields=["task_id"])
    return job


def _expire_old_previews() -> None:
    cutoff = timezone.now() - PREVIEW_LIFETIME
    for job in ImportJob.objects.filter(status=ImportJobStatus.PREVIEW, created_at__lt=cutoff):
        _delete_upload(job)
        job.status = ImportJobStatus.EXPIRED
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "upload_path", "finished_at"])


def _delete_upload(job: ImportJob) -> None:
    if job.upload_path:
        Path(job.upload_path).unlink(missing_ok=True)
        job.upload_path = ""


def _count_rows(path: Path, sheet: str | None, job_id: int) -> int:
    count = 0
    for _row in open_table(path, sheet=sheet).rows:
        count += 1
        if count % 50_000 == 0:
            _beat(job_id)
    return count


@transaction.atomic
def import_job_end_if_interrupted(*, job: ImportJob, now: float | None = None) -> ImportJob:
    """A running job whose heartbeat stopped is ended as failed, with the reason (its import
    never committed: nothing was imported). Other jobs are returned as they are."""
    if job.status != ImportJobStatus.RUNNING:
        return job
    beat = cache.get(heartbeat_key(job.pk))
    last = float(beat) if beat is not None else (job.started_at or job.created_at).timestamp()
    if (now or time.time()) - last < STALE_AFTER.total_seconds():
        return job
    locked = ImportJob.objects.select_for_update().get(pk=job.pk)
    if locked.status != ImportJobStatus.RUNNING:
        return locked
    locked.status = ImportJobStatus.FAILED
    locked.error = list(
        Message(
            _(
                "The import was interrupted (the background worker stopped); nothing was "
                "imported. Upload the file again."
            )
        ).to_data()
    )
    locked.error_code = "interrupted"
    _delete_upload(locked)
    locked.finished_at = timezone.now()
    locked.save(update_fields=["status", "error", "error_code", "upload_path", "finished_at"])
    cache.delete_many([progress_key(locked.pk), heartbeat_key(locked.pk)])
    audit_record(
        action=AuditAction.UPDATE,
        obj=locked,
        changes={"status": [ImportJobStatus.RUNNING, ImportJobStatus.FAILED]},
    )
    return locked


def import_job_run(*, job_id: int) -> ImportJob:
    """Run a queued job: the import itself, its outcome kept on the job, the file deleted.

    Runs once: a job that is not queued is left as it is."""
    job = ImportJob.objects.select_related("commune", "campaign", "created_by").get(pk=job_id)
    if job.status != ImportJobStatus.QUEUED:
        return job
    job.status = ImportJobStatus.RUNNING
    job.started_at = timezone.now()
    job.save(update_fields=["status", "started_at"])
    _beat(job.pk)
    options = job.options
    path = Path(job.upload_path)

    def progress(rows: int) -> None:
        cache.set(progress_key(job.pk), rows, _PROGRESS_SECONDS)
        _beat(job.pk)

    try:
        job.rows_total = _count_rows(path, options.get("sheet"), job.pk)
        job.save(update_fields=["rows_total"])
        # The import's audit row names who started it, not the worker.
        with audit_context(user=job.created_by, via="web"):
            result = _run(job, path, progress)
    except DomainError as error:
        job.status = ImportJobStatus.FAILED
        job.error = list(error.message.to_data())
        job.error_code = error.code
    except Exception as error:  # the job must end, whatever went wrong; the log has it
        logger.exception("import job %s failed", job.pk)
        job.status = ImportJobStatus.FAILED
        job.error = list(
            Message(
                _("The import stopped on an unexpected error; nothing was imported: %(error)s"),
                error=type(error).__name__,
            ).to_data()
        )
        job.error_code = "crashed"
    else:
        job.status = ImportJobStatus.DONE
        data = result.as_json()
        data["header_cells"] = list(result.header_cells)
        job.result = data
        job.rows_done = result.rows
        job.rejected_rows = [
            [r.row_number, _json_cells(r.cells), *r.reason.to_data()] for r in result.rejected_rows
        ]
    finally:
        _delete_upload(job)
        job.finished_at = timezone.now()
        cache.delete_many([progress_key(job.pk), heartbeat_key(job.pk)])
    job.save()
    return job


def _run(job: ImportJob, path: Path, progress: Any) -> ImportResult:
    options = job.options
    if job.kind == ImportKind.RESIDENTS:
        return import_residents(
            path,
            commune=job.commune,
            sheet=options.get("sheet"),
            create_villages=bool(options.get("create_villages")),
            columns=options.get("columns"),
            progress=progress,
            origin=ImportOrigin.PAGE,
        )
    assert job.campaign is not None  # noqa: S101 - an achievement job always has one
    if job.kind == ImportKind.SEGMENTS:
        return import_segment_list(
            path,
            campaign=job.campaign,
            segment=options["segment"],
            sheet=options.get("sheet"),
            columns=options.get("columns"),
            recorded_by=job.created_by,
        )
    criterion = Criterion.objects.get(pk=options["criterion_id"])
    unit = (
        Unit.objects.filter(pk=options.get("unit_id")).first() if options.get("unit_id") else None
    )
    return import_achievements(
        path,
        campaign=job.campaign,
        criterion=criterion,
        default_date=_date(options.get("default_date")),
        unit=unit,
        sheet=options.get("sheet"),
        columns=options.get("columns"),
        recorded_by=job.created_by,
    )


def _json_cells(cells: list[Any]) -> list[Any]:
    return [c if c is None or isinstance(c, str | int | float) else cell_text(c) for c in cells]
