"""The reports sent up: a commune sends its report for a date ("Gửi báo cáo"); the district
or province reads each commune's latest report beside today's figures and accepts it or
returns it with a comment; the commune sees the decision. What was sent is downloaded as it
was sent (reports/submissions.py keeps it).

`?noi=` (a place of the campaign, by code) and `?ngay=` (the date of the figures) choose
the period, as on the dashboard. Who may send is `can_submit_report` (a manager of the
place); who may decide is `can_review_report` (a reviewer above the commune). Anything
outside the user's scope is the 404 page.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from congdanso.campaigns.models import Campaign
from congdanso.core.errors import DomainError
from congdanso.core.parsing import date_parse
from congdanso.places.models import COMMUNE_LEVEL_KINDS, Place
from congdanso.places.selectors import place_get
from congdanso.progress.indicators import PlaceFigures, places_figures
from congdanso.reports.models import ReportSubmission, SubmissionState
from congdanso.reports.selectors import report_request
from congdanso.reports.submissions import (
    period_overview,
    report_submit,
    submission_decide,
    submission_decision,
    submission_get_for,
    submission_history,
    submissions_of,
)
from congdanso.scope.access import (
    Access,
    access_for,
    campaign_get_for,
    can_review_report,
    can_submit_report,
    indicator_place_for,
)
from congdanso.web.dashboard.page import default_date
from congdanso.web.downloads import attachment
from congdanso.web.navigation import remember_campaign
from congdanso.web.reports.forms import DecideForm, SubmitForm
from congdanso.web.reports.views import DOCX_TYPE, XLSX_TYPE

#: The most recent reports listed under "every report sent" (a province sends thousands).
HISTORY_SHOWN = 50


def _place(access: Access, campaign: Campaign, request: HttpRequest) -> Place:
    code = request.GET.get("noi", "").strip()
    return indicator_place_for(access, campaign, place_get(code) if code else None)


def _as_of(request: HttpRequest, campaign: Campaign, sent: list[ReportSubmission]) -> dt.date:
    """The date asked for; else the date of the latest report sent; else today."""
    day = request.GET.get("ngay", "").strip()
    if day:
        return date_parse(day, label=_("Figures as of"))
    return sent[0].as_of if sent else default_date(campaign)


def submissions_page(request: HttpRequest, campaign_id: int) -> HttpResponse:
    access = access_for(request.user)
    campaign = campaign_get_for(access, campaign_id)
    remember_campaign(request, campaign)
    place = _place(access, campaign, request)
    may_submit = can_submit_report(access, place)
    form = SubmitForm(campaign=campaign, initial={"ngay": default_date(campaign)})
    status = 200
    if request.method == "POST":
        if not may_submit:
            raise Http404
        form = SubmitForm(request.POST, campaign=campaign)
        if form.is_valid():
            day = form.cleaned_data["ngay"]
            sent = report_submit(
                report_request(
                    campaign_id=campaign.pk,
                    place_code=place.code,
                    on=day,
                    access=access,
                    registered_by=day if form.cleaned_data["chot"] else None,
                ),
                submitted_by=request.user,
                note=form.cleaned_data["ghi-chu"],
            )
            messages.success(
                request,
                _("Report no. %(id)s sent: %(place)s, figures as of %(date)s.")
                % {"id": sent.pk, "place": place.name, "date": f"{sent.as_of:%d/%m/%Y}"},
            )
            return redirect("reports:submission", campaign.pk, sent.pk)
        status = 400
    above_village = place.kind in COMMUNE_LEVEL_KINDS or place.commune_id is None
    history = submissions_of(campaign, [place]) if above_village else []
    as_of = _as_of(request, campaign, history)
    overview = period_overview(campaign, place, as_of) if above_village else None
    dates = sorted({s.as_of for s in history}, reverse=True)
    return render(
        request,
        "submissions/submissions.html",
        {
            "campaign": campaign,
            "place": place,
            "as_of": as_of,
            "overview": overview,
            "history": history[:HISTORY_SHOWN],
            "history_total": len(history),
            "dates": dates,
            "form": form if may_submit else None,
            "nav_active": "dashboard",
        },
        status=status,
    )


def submission_page(request: HttpRequest, campaign_id: int, submission_id: int) -> HttpResponse:
    access = access_for(request.user)
    campaign = campaign_get_for(access, campaign_id)
    submission = submission_get_for(access, campaign, submission_id)
    history = submission_history(submission)
    latest = history[-1].pk == submission.pk
    decision = submission_decision(submission)
    may_decide = can_review_report(access, submission.place) and decision is None and latest
    form = DecideForm()
    status = 200
    if request.method == "POST":
        if not can_review_report(access, submission.place):
            raise Http404
        form = DecideForm(request.POST)
        if form.is_valid():
            try:
                submission_decide(
                    submission,
                    decision=form.cleaned_data["quyet-dinh"],
                    comment=form.cleaned_data["y-kien"],
                    decided_by=request.user,
                )
            except DomainError as refused:
                form.add_error(None, str(refused.message))
            else:
                messages.success(request, _("Your decision was recorded."))
                return redirect("reports:submission", campaign.pk, submission.pk)
        status = 400
    live = places_figures(campaign, [submission.place], submission.as_of).get(submission.place.pk)
    return render(
        request,
        "submissions/submission.html",
        {
            "campaign": campaign,
            "submission": submission,
            "figures": submission.figures,
            "decision": decision,
            "state": SubmissionState(decision.decision if decision else "submitted"),
            "history": history,
            "latest": latest,
            "headline": _headline(submission.figures, live),
            "villages": _villages(campaign, submission),
            "form": form if may_decide or status == 400 else None,
            "back": reverse("reports:submissions", args=[campaign.pk])
            + f"?noi={submission.place.code}&ngay={submission.as_of:%Y-%m-%d}",
            "nav_active": "dashboard",
        },
        status=status,
    )


@dataclass(frozen=True)
class Compared:
    """A figure as sent beside the same figure today."""

    label: str
    sent: float
    today: float | None
    percent: bool = False

    @property
    def difference(self) -> float | None:
        return None if self.today is None or self.percent else self.today - self.sent


def _headline(figures: dict[str, Any], live: PlaceFigures | None) -> list[Compared]:
    cohort = figures["cohort"]
    return [
        Compared(
            _("Exemplary digital citizens"),
            figures["exemplary"]["count"],
            live.exemplary if live else None,
        ),
        Compared(_("Target"), figures["exemplary"]["target"], figures["exemplary"]["target"]),
        Compared(_("Residents in the cohort"), cohort["size"], live.cohort if live else None),
        Compared(_("Of them meeting the criteria"), cohort["met"], live.met if live else None),
        Compared(_("Share of the cohort"), cohort["share"], live.share if live else None, True),
        Compared(
            _("Residents in the list"),
            figures["data_quality"]["residents"],
            live.residents if live else None,
        ),
    ]


@dataclass(frozen=True)
class VillageCompared:
    name: str
    sent: dict[str, Any]
    today: PlaceFigures | None

    def _difference(self, field: str) -> int | None:
        return None if self.today is None else getattr(self.today, field) - self.sent[field]

    @property
    def exemplary_difference(self) -> int | None:
        return self._difference("exemplary")

    @property
    def met_difference(self) -> int | None:
        return self._difference("met")

    @property
    def residents_difference(self) -> int | None:
        return self._difference("residents")


def _villages(campaign: Campaign, submission: ReportSubmission) -> list[VillageCompared]:
    """The villages as sent, each beside today's figures for the same date."""
    sent = submission.figures.get("villages", [])
    places = list(Place.objects.filter(pk__in=[v["place_id"] for v in sent]))
    today = places_figures(campaign, places, submission.as_of) if places else {}
    return [VillageCompared(v["name"], v, today.get(v["place_id"])) for v in sent]


def _file_name(submission: ReportSubmission, suffix: str) -> str:
    place, day = submission.place.code, f"{submission.as_of:%Y-%m-%d}"
    return f"bao-cao-da-gui-{submission.pk}-{place}-{day}{suffix}"


def submission_docx(request: HttpRequest, campaign_id: int, submission_id: int) -> HttpResponse:
    """The official report exactly as it was sent."""
    return _frozen(request, campaign_id, submission_id, "docx")


def submission_xlsx(request: HttpRequest, campaign_id: int, submission_id: int) -> HttpResponse:
    """The workbook exactly as it was sent (its aggregate sheets)."""
    return _frozen(request, campaign_id, submission_id, "xlsx")


def _frozen(request: HttpRequest, campaign_id: int, submission_id: int, kind: str) -> HttpResponse:
    access = access_for(request.user)
    campaign = campaign_get_for(access, campaign_id)
    submission = submission_get_for(access, campaign, submission_id)
    data = bytes(getattr(submission, kind))
    return HttpResponse(
        data,
        content_type=DOCX_TYPE if kind == "docx" else XLSX_TYPE,
        headers={"Content-Disposition": attachment(_file_name(submission, "." + kind))},
    )
