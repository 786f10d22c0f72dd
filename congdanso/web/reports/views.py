"""The report downloads of the dashboard: the official report (.docx, and as a PDF made by
LibreOffice), the workbook (.xlsx) and the progress card to share (.png).

`?ngay=` (the as-of date, YYYY-MM-DD), `?noi=` (a place of the campaign, by code) and
`?chot=1` (count only the residents in the list by that date) are the dashboard's. The request
is checked by `report_request` through the user's access: a campaign or place outside it is
the 404 page, a date outside the campaign or a malformed one the 400 page with its message
(web/middleware.py), and no file is made.
"""

import dataclasses
import io

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from congdanso.core.parsing import date_parse
from congdanso.reports.card import report_card
from congdanso.reports.docx import report_docx
from congdanso.reports.pdf import PdfUnavailable, docx_to_pdf
from congdanso.reports.selectors import ReportRequest, report_request
from congdanso.reports.xlsx import report_xlsx
from congdanso.scope.access import access_for
from congdanso.web.downloads import XLSX_TYPE, attachment, file_download

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _request(request: HttpRequest, campaign_id: int) -> ReportRequest:
    day = request.GET.get("ngay", "").strip()
    on = date_parse(day, label=str(_("Figures as of"))) if day else None
    report = report_request(
        campaign_id=campaign_id,
        place_code=request.GET.get("noi", "").strip() or None,
        on=on,
        access=access_for(request.user),
    )
    if request.GET.get("chot") == "1":  # the dashboard's "only those in the list by then"
        report = dataclasses.replace(report, registered_by=report.on)
    return report


def _file_name(report: ReportRequest, suffix: str) -> str:
    return f"bao-cao-{report.campaign.pk}-{report.place.code}-{report.on:%Y-%m-%d}{suffix}"


def report_docx_download(request: HttpRequest, campaign_id: int) -> HttpResponse:
    report = _request(request, campaign_id)
    return HttpResponse(
        report_docx(report),
        content_type=DOCX_TYPE,
        headers={"Content-Disposition": attachment(_file_name(report, ".docx"))},
    )


def report_pdf_download(request: HttpRequest, campaign_id: int) -> HttpResponse | FileResponse:
    """The .docx converted by LibreOffice (in a temporary folder of its own, reports/pdf.py).
    Without LibreOffice on the server, the page says how to install it (503: the server's
    lack, not the user's mistake)."""
    report = _request(request, campaign_id)
    try:
        pdf = docx_to_pdf(report_docx(report))
    except PdfUnavailable as error:
        return render(request, "refused.html", {"message": error.message}, status=503)
    return FileResponse(
        io.BytesIO(pdf),
        as_attachment=True,
        filename=_file_name(report, ".pdf"),
        content_type="application/pdf",
    )


def report_xlsx_download(request: HttpRequest, campaign_id: int) -> FileResponse:
    report = _request(request, campaign_id)
    # Written to disk, not memory: a province's workbook is large.
    return file_download(
        lambda path: report_xlsx(report, path),
        name=_file_name(report, ".xlsx"),
        content_type=XLSX_TYPE,
    )


def report_card_download(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """The card to post in the commune's group. Aggregates only (no personal data), so,
    like the .docx, its download is not an audited reveal."""
    report = _request(request, campaign_id)
    return HttpResponse(
        report_card(report),
        content_type="image/png",
        headers={"Content-Disposition": attachment(_file_name(report, ".png"))},
    )
