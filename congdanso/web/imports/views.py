"""The import pages: upload → preview and column choice → confirm → progress and result.

Views parse the forms and call the job services of `people.importing.jobs`; scope comes
from `scope.access` (a job of a place the user does not manage is a 404). The import
runs in the background (`people.tasks`); the job page refreshes itself while it runs, so a
reload, or coming back later, shows where it is.
"""

import io
from pathlib import Path
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from congdanso.campaigns.importing.preview import ACHIEVEMENT_FIELD_LABELS
from congdanso.campaigns.importing.rows import IDENTIFYING
from congdanso.core.errors import DomainError, Message
from congdanso.core.uploads import upload_refused
from congdanso.people.importing.errors import ImportFailed
from congdanso.people.importing.preview import RESIDENT_FIELD_LABELS, ImportPreview
from congdanso.people.importing.rejects import FORMATS as REJECTS_FORMATS
from congdanso.people.importing.rejects import (
    XLSX,
    write_rejected_rows,
    write_rejected_rows_xlsx,
)
from congdanso.people.models import ImportJob, ImportJobStatus, ImportKind, IssueCode
from congdanso.people.personal import mask_value
from congdanso.places.models import Place
from congdanso.scope.access import (
    MANAGE_ROLES,
    Access,
    access_for,
    campaigns_managed,
    commune_managed_get,
    communes_managed,
)
from congdanso.web.downloads import CSV_TYPE, XLSX_TYPE, attachment, file_download
from congdanso.web.imports.forms import ColumnMappingForm, ImportUploadForm, column_label
from congdanso.web.imports.jobs import (
    import_job_confirm,
    import_job_create,
    import_job_criterion_label,
    import_job_end_if_interrupted,
    import_job_get_for,
    import_job_map,
    import_job_preview,
    import_job_progress,
    import_job_rejects_export,
    import_jobs_visible,
)

RECENT_JOBS = 10

#: What the result's warning codes mean (the resident import's are data-issue codes).
WARNING_LABELS: dict[str, Any] = {
    **dict(IssueCode.choices),
    "resident_not_living": _("Resident no longer living here"),
    "repeated_in_file": _("Person repeated in the file"),
}


def _manager_access(request: HttpRequest) -> Access:
    access = access_for(request.user)
    if not (access.is_admin or access.paths(MANAGE_ROLES)):
        raise Http404  # another role: the pages do not exist for them
    return access


@require_http_methods(["GET", "POST"])
def import_start(request: HttpRequest) -> HttpResponse:
    """The upload form, and the latest imports of the user's communes."""
    access = _manager_access(request)
    communes = communes_managed(access)
    wanted = request.GET.get("xa", "").strip()
    initial: dict[str, Any] = {}
    if wanted:
        commune = commune_managed_get(access, wanted)
        communes = communes | Place.objects.filter(pk=commune.pk)
        initial["commune"] = commune
    campaigns = campaigns_managed(access)
    if request.method == "POST":
        form = ImportUploadForm(
            request.POST,
            request.FILES,
            refused=upload_refused(request, "file"),
            communes=communes,
            campaigns=campaigns,
        )
        if form.is_valid():
            data = form.cleaned_data
            upload = data["file"]
            try:
                job = import_job_create(
                    user=request.user,
                    kind=data["kind"],
                    file=upload,
                    file_name=upload.name or "",
                    commune=data["commune"],
                    campaign=data["campaign"],
                    criterion=data["criterion"],
                    unit=form.unit_found,
                    default_date=data["default_date"],
                    sheet=data["sheet"].strip() or None,
                    create_villages=data["create_villages"],
                    segment=data["segment"],
                )
            except DomainError as error:
                form.add_error("file", str(error.message))
            else:
                return redirect("people:import_preview", job_id=job.pk)
    else:
        form = ImportUploadForm(initial=initial, communes=communes, campaigns=campaigns)
    jobs = list(import_jobs_visible(access)[:RECENT_JOBS])
    return render(
        request,
        "imports/start.html",
        {"form": form, "jobs": jobs, "nav_active": "import"},
    )


def _mapping_form(job: ImportJob, preview: ImportPreview, data: Any = None) -> ColumnMappingForm:
    required: tuple[str, ...]
    if job.kind == ImportKind.RESIDENTS:
        labels, required = RESIDENT_FIELD_LABELS, ("full_name",)
    else:
        labels, required = ACHIEVEMENT_FIELD_LABELS, IDENTIFYING
        if job.kind == ImportKind.SEGMENTS:  # a group's list: no date to read
            labels = {k: v for k, v in labels.items() if k != "achieved_on"}
    initial = {name: str(index) for name, index in preview.columns.items() if name in labels}
    return ColumnMappingForm(
        data,
        labels=labels,
        header_cells=preview.header_cells,
        width=preview.column_count(),
        required=required,
        initial=initial,
    )


@require_http_methods(["GET", "POST"])
def import_preview(request: HttpRequest, job_id: int) -> HttpResponse:
    """The header found, the columns (the user may change them) and the first rows as they
    will be stored; "Import" queues the run."""
    access = _manager_access(request)
    job = import_job_get_for(access, job_id)
    if job.status != ImportJobStatus.PREVIEW:
        return redirect("people:import_job", job_id=job.pk)
    problem: Message | None = None
    try:
        preview: ImportPreview | None = import_job_preview(job)
    except ImportFailed as error:
        preview, problem = None, error.message
    form = _mapping_form(job, preview) if preview is not None else None
    if request.method == "POST" and preview is not None:
        if "confirm" in request.POST:
            import_job_confirm(job=job)
            return redirect("people:import_job", job_id=job.pk)
        form = _mapping_form(job, preview, request.POST)
        if form.is_valid():
            try:
                import_job_map(job=job, columns=form.columns())
            except ImportFailed as error:
                form.add_error(None, str(error.message))
            else:
                return redirect("people:import_preview", job_id=job.pk)
    context = {
        "job": job,
        "criterion": import_job_criterion_label(job),
        "preview": preview,
        "problem": problem,
        "form": form,
        "header": _header_table(preview) if preview is not None else [],
        "nav_active": "import",
    }
    return render(request, "imports/preview.html", context)


def _header_table(preview: ImportPreview) -> list[dict[str, Any]]:
    """Each column of the file: its letter, its title and an example value."""
    by_column = {index: name for name, index in preview.columns.items()}
    labels = {**RESIDENT_FIELD_LABELS, **ACHIEVEMENT_FIELD_LABELS}
    rows = []
    for index in range(preview.column_count()):
        name = by_column.get(index)
        gender = preview.birth_by_gender.get(index)
        example = preview.sample[index] if index < len(preview.sample) else ""
        if name in ("cccd", "phone") and example:
            example = mask_value(name, example)  # as the rows below show them
        rows.append(
            {
                "letter": column_label(index),
                "title": preview.header_cells[index] if index < len(preview.header_cells) else "",
                "example": example,
                "field": labels.get(name, name) if name else None,
                "by_gender": gender,
            }
        )
    return rows


@require_http_methods(["GET"])
def import_job(request: HttpRequest, job_id: int) -> HttpResponse:
    """Progress while the import runs (the page refreshes itself), then its outcome."""
    access = _manager_access(request)
    job = import_job_end_if_interrupted(job=import_job_get_for(access, job_id))
    done = import_job_progress(job)
    total = job.rows_total
    error = Message.from_data(*job.error) if job.error else None
    warnings = [
        (WARNING_LABELS.get(code, code), count)
        for code, count in sorted(job.result.get("warnings_by_code", {}).items())
    ]
    context = {
        "job": job,
        "criterion": import_job_criterion_label(job),
        "done": min(done, total) if total else done,
        "total": total,
        "running": job.status in (ImportJobStatus.QUEUED, ImportJobStatus.RUNNING),
        "error": error,
        "result": job.result,
        "warnings": warnings,
        "nav_active": "import",
    }
    return render(request, "imports/job.html", context)


#: The rejects file's query parameter and its values (the workbook when absent).
REJECTS_FORMAT_PARAM = "dinh-dang"


@require_http_methods(["GET"])
def import_rejects(request: HttpRequest, job_id: int) -> HttpResponseBase:
    """The rejects file of a finished import: each row not imported, as it was in the file,
    with the reason — an Excel workbook, or with `?dinh-dang=csv` CSV as Excel on a
    Vietnamese Windows reads it (`;`, UTF-8 with BOM)."""
    access = _manager_access(request)
    job = import_job_get_for(access, job_id)
    file_format = request.GET.get(REJECTS_FORMAT_PARAM, "") or XLSX
    if file_format not in REJECTS_FORMATS:
        raise Http404
    header, rows = import_job_rejects_export(job=job, file_format=file_format)
    stem = Path(job.file_name).stem or "danh-sach"
    name = f"Dòng bị loại {job.pk} – {stem}.{file_format}"
    if file_format == XLSX:
        return file_download(
            lambda path: write_rejected_rows_xlsx(path, header, rows),
            name=name,
            content_type=XLSX_TYPE,
        )
    out = io.StringIO()
    write_rejected_rows(out, header, rows)
    response = HttpResponse(("\ufeff" + out.getvalue()).encode("utf-8"), content_type=CSV_TYPE)
    response["Content-Disposition"] = attachment(name)
    # Personal data: never kept by a browser's or a proxy's cache.
    response["Cache-Control"] = "no-store"
    return response
