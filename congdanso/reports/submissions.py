"""Sending a report up, and deciding on it (see `reports.models`).

`report_submit` freezes the figures, the .docx and the workbook of a report request as they
are at that moment; `submission_decide` accepts a submission or returns it with a comment.
`period_overview` is what a district or province reads: for a date, each commune of the
campaign with its latest submission (or none, on time or late), the figures it sent beside
today's figures for the same date and the differences, and a roll-up over the accepted ones.
"""

import datetime as dt
import hashlib
import json
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from congdanso.campaigns.models import Campaign
from congdanso.campaigns.selectors import communes_under
from congdanso.core.audit import audit_record
from congdanso.core.errors import DomainError, Message, NotFound
from congdanso.core.models import AuditAction
from congdanso.core.parsing import reason_clean, text_clean
from congdanso.places.models import COMMUNE_LEVEL_KINDS, Place
from congdanso.progress.indicators import PlaceFigures, places_figures
from congdanso.reports.docx import report_docx
from congdanso.reports.models import (
    Decision,
    ReportSubmission,
    SubmissionDecision,
    SubmissionState,
)
from congdanso.reports.selectors import ReportRequest
from congdanso.reports.xlsx import report_xlsx
from congdanso.scope.access import ALL_ROLES, Access
from congdanso.vn import vietnam_today
from congdanso.vn.today import VIETNAM_TZ as VIETNAM


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _name(user: Any) -> str:
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    return str(user.get_full_name() or user.get_username())


def _commune_id(place: Place) -> int | None:
    return place.pk if place.kind in COMMUNE_LEVEL_KINDS else place.commune_id


@transaction.atomic
def report_submit(request: ReportRequest, *, submitted_by: Any = None, note: str = "") -> Any:
    """Freeze the request's report as sent now: its figures (the JSON of `indicators --json`),
    its .docx and its workbook's aggregate sheets. A submission for the same campaign, place
    and date sent before is superseded (both kept)."""
    note = text_clean(note, field=_("Note"), max_length=2000)
    figures = request.indicators()
    frozen = replace(request, figures=figures)
    docx = report_docx(frozen)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bao-cao.xlsx"
        report_xlsx(frozen, path, residents=False)  # no resident's data leaves this way
        xlsx = path.read_bytes()
    data = figures.as_json()
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    earlier = (
        ReportSubmission.objects.filter(
            campaign=request.campaign, place=request.place, as_of=figures.date
        )
        .order_by("-submitted_at", "-id")
        .first()
    )
    submission = ReportSubmission.objects.create(
        campaign=request.campaign,
        place=request.place,
        as_of=figures.date,
        registered_by=request.registered_by,
        submitted_by=submitted_by if _name(submitted_by) else None,
        submitted_by_name=_name(submitted_by),
        supersedes=earlier,
        note=note,
        figures=data,
        figures_sha256=_sha256(text.encode()),
        docx=docx,
        docx_sha256=_sha256(docx),
        xlsx=xlsx,
        xlsx_sha256=_sha256(xlsx),
    )
    audit_record(
        action=AuditAction.CREATE,
        obj=submission,
        commune_id=_commune_id(request.place),
        actor=submitted_by,
        after={
            "campaign": request.campaign.pk,
            "place": request.place.code,
            "as_of": figures.date.isoformat(),
            "supersedes": earlier.pk if earlier else None,
            "figures_sha256": submission.figures_sha256,
        },
    )
    return submission


def submission_state(submission: ReportSubmission) -> str:
    """Awaiting review, or the decision made on it."""
    decision = _decision(submission)
    return decision.decision if decision else SubmissionState.SUBMITTED


def _decision(submission: ReportSubmission) -> SubmissionDecision | None:
    cached = getattr(submission, "decisions_made", None)
    if cached is not None:
        return cached[0] if cached else None
    return submission.decisions.order_by("-decided_at", "-id").first()


def submission_superseded_by(submission: ReportSubmission) -> ReportSubmission | None:
    return ReportSubmission.objects.filter(supersedes=submission).order_by("submitted_at").first()


@transaction.atomic
def submission_decide(
    submission: ReportSubmission, *, decision: str, comment: str = "", decided_by: Any = None
) -> SubmissionDecision:
    """Accept the submission, or return it with a comment saying what to correct. Made once:
    an accepted report stays accepted; a returned one is corrected by a new submission."""
    if decision not in Decision.values:
        raise DomainError(_("Choose to accept or to return the report."), code="decision_invalid")
    if decision == Decision.RETURN:
        comment = reason_clean(
            comment,
            missing=_("Say what the commune should correct."),
            code="comment_missing",
            max_length=2000,
        )
    else:
        comment = text_clean(comment, field=_("Comment"), max_length=2000)
    ReportSubmission.objects.select_for_update().filter(pk=submission.pk).exists()
    if _decision(submission) is not None:
        raise DomainError(
            _("This report was already decided on: a correction is sent as a new report."),
            code="already_decided",
        )
    later = submission_superseded_by(submission)
    if later is not None:
        raise DomainError(
            Message(
                _("This report was replaced by the one sent on %(date)s: decide on that one."),
                date=later.submitted_at.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M"),
            ),
            code="superseded",
        )
    made = SubmissionDecision.objects.create(
        submission=submission,
        decision=decision,
        comment=comment,
        decided_by=decided_by if _name(decided_by) else None,
        decided_by_name=_name(decided_by),
    )
    audit_record(
        action=AuditAction.UPDATE,
        obj=submission,
        commune_id=_commune_id(submission.place),
        actor=decided_by,
        after={"decision": decision},
        reason=comment,
    )
    return made


def submission_get(campaign: Campaign, submission_id: int | str) -> ReportSubmission:
    found = None
    if str(submission_id).isdigit():
        found = (
            ReportSubmission.objects.select_related("place", "campaign")
            .filter(campaign=campaign, pk=int(submission_id))
            .first()
        )
    if found is None:
        raise NotFound(_("No such report."), code="not_found")
    return found


def submission_get_for(
    access: Access, campaign: Campaign, submission_id: int | str
) -> ReportSubmission:
    """A submission the user may read: one of a place their grants cover or lie within (the
    commune that sent it, the district or province above it). Else it does not exist."""
    found = submission_get(campaign, submission_id)
    if not access.overlaps(found.place, ALL_ROLES):
        raise NotFound(_("No such report."), code="not_found")
    return found


def submission_history(submission: ReportSubmission) -> list[ReportSubmission]:
    """The submissions for the same campaign, place and date, oldest first: the one it
    corrects, itself, and the ones that correct it (no file bytes read)."""
    return list(
        ReportSubmission.objects.filter(
            campaign_id=submission.campaign_id,
            place_id=submission.place_id,
            as_of=submission.as_of,
        )
        .defer("docx", "xlsx", "figures")
        .prefetch_related(_decisions_prefetch())
        .order_by("submitted_at", "id")
    )


def submission_decision(submission: ReportSubmission) -> SubmissionDecision | None:
    """The decision made on it, if any."""
    return _decision(submission)


def submission_find(submission_id: int | str) -> ReportSubmission:
    """A submission by its number, in any campaign (the command line)."""
    found = None
    if str(submission_id).isdigit():
        found = (
            ReportSubmission.objects.select_related("place", "campaign")
            .filter(pk=int(submission_id))
            .first()
        )
    if found is None:
        raise NotFound(
            Message(_("No report sent up has the number %(id)s."), id=submission_id),
            code="not_found",
        )
    return found


def submission_summary(submission: ReportSubmission) -> dict[str, Any]:
    """A submission as `report submissions --json` prints it (no file bytes)."""
    decision = _decision(submission)
    state = decision.decision if decision else SubmissionState.SUBMITTED
    figures = submission.figures if "figures" not in submission.get_deferred_fields() else None
    return {
        "id": submission.pk,
        "campaign": submission.campaign_id,
        "place": {"code": submission.place.code, "name": submission.place.name},
        "as_of": submission.as_of.isoformat(),
        "registered_by": (
            submission.registered_by.isoformat() if submission.registered_by else None
        ),
        "submitted_at": submission.submitted_at.astimezone(VIETNAM).isoformat(timespec="minutes"),
        "submitted_by": submission.submitted_by_name or None,
        "supersedes": submission.supersedes_id,
        "note": submission.note,
        "state": str(state),
        "state_label": str(SubmissionState(state).label),
        "decided_at": (
            decision.decided_at.astimezone(VIETNAM).isoformat(timespec="minutes")
            if decision
            else None
        ),
        "decided_by": (decision.decided_by_name or None) if decision else None,
        "comment": decision.comment if decision else "",
        "figures_sha256": submission.figures_sha256,
        "docx_sha256": submission.docx_sha256,
        "xlsx_sha256": submission.xlsx_sha256,
        **({"figures": figures} if figures is not None else {}),
    }


def submissions_of(campaign: Campaign, places: list[Place]) -> list[ReportSubmission]:
    """The campaign's submissions for these places and those below them, newest first, with
    their decisions (no file bytes read)."""
    if not places:
        return []
    query = ReportSubmission.objects.none()
    for place in places:
        query |= ReportSubmission.objects.filter(
            campaign=campaign, place__path__startswith=place.path
        )
    return list(
        query.select_related("place")
        .defer("docx", "xlsx", "figures")
        .prefetch_related(_decisions_prefetch())
        .order_by("-as_of", "place__path", "-submitted_at", "-id")
    )


def submissions_returned(campaign: Campaign, place: Place) -> list[ReportSubmission]:
    """The reports of the place (and the places under it) returned and not sent again: what
    its managers still have to correct, newest date first."""
    latest: dict[tuple[int, dt.date], ReportSubmission] = {}
    for submission in submissions_of(campaign, [place]):  # newest first per place and date
        latest.setdefault((submission.place_id, submission.as_of), submission)
    return [s for s in latest.values() if submission_state(s) == SubmissionState.RETURNED]


def _decisions_prefetch() -> Prefetch:
    return Prefetch(
        "decisions",
        queryset=SubmissionDecision.objects.order_by("-decided_at", "-id"),
        to_attr="decisions_made",
    )


# --- What a district or province reads --------------------------------------------------------

#: Days after the date of the figures by which a commune's report is due (settings override).
DUE_DAYS_DEFAULT = 5


def due_days() -> int:
    return int(getattr(settings, "REPORT_DUE_DAYS", DUE_DAYS_DEFAULT))


@dataclass(frozen=True)
class Sent:
    """The headline figures of a submission, as sent."""

    exemplary: int
    cohort: int
    met: int
    residents: int

    @property
    def share(self) -> float:
        return self.met / self.cohort if self.cohort else 0.0


def _sent(figures: dict[str, Any]) -> Sent:
    return Sent(
        exemplary=int(figures["exemplary"]["count"]),
        cohort=int(figures["cohort"]["size"]),
        met=int(figures["cohort"]["met"]),
        residents=int(figures["data_quality"]["residents"]),
    )


@dataclass(frozen=True)
class CommuneReport:
    place: Place
    submission: ReportSubmission | None
    state: str  # SubmissionState, or "missing" / "late"
    late: bool  # no report after the due date, or one sent after it
    sent: Sent | None
    live: PlaceFigures

    def difference(self, field: str) -> int | None:
        if self.sent is None:
            return None
        return int(getattr(self.live, field)) - int(getattr(self.sent, field))

    @property
    def differences(self) -> dict[str, int | None]:
        """Today's figure minus the one sent, for each headline figure."""
        return {f: self.difference(f) for f in ("exemplary", "cohort", "met", "residents")}

    @property
    def changed(self) -> bool:
        return any(self.differences.values())


@dataclass(frozen=True)
class Overview:
    campaign: Campaign
    place: Place
    as_of: dt.date
    due: dt.date
    rows: tuple[CommuneReport, ...]
    accepted: Sent  # the roll-up of the accepted figures
    without_accepted: tuple[Place, ...]


MISSING, LATE = "missing", "late"


def period_overview(campaign: Campaign, place: Place, as_of: dt.date) -> Overview:
    """For the date, each commune of the place within the campaign: its latest report (a
    correction replaces what it corrects), the figures it sent and today's for the same date;
    and the roll-up of the accepted figures, with the communes that have none."""
    communes = list(
        Place.objects.filter(pk__in=communes_under(place)).order_by("path")
        if place.kind not in COMMUNE_LEVEL_KINDS
        else [place]
    )
    latest: dict[int, ReportSubmission] = {}
    for submission in (
        ReportSubmission.objects.filter(campaign=campaign, as_of=as_of, place__in=communes)
        .defer("docx", "xlsx")
        .prefetch_related(_decisions_prefetch())
        .order_by("submitted_at", "id")
    ):
        latest[submission.place_id] = submission  # the last sent wins
    live = places_figures(campaign, communes, as_of)
    due = as_of + dt.timedelta(days=due_days())
    today = vietnam_today()
    rows = []
    for commune in communes:
        found = latest.get(commune.pk)
        sent: Sent | None = None
        if found is None:
            state, late = (LATE if today > due else MISSING), today > due
        else:
            state = submission_state(found)
            late = found.submitted_at.astimezone(VIETNAM).date() > due
            sent = _sent(found.figures)
        rows.append(CommuneReport(commune, found, state, late, sent, live.get(commune.pk, _NONE)))
    accepted = [r.sent for r in rows if r.state == SubmissionState.ACCEPTED and r.sent]
    return Overview(
        campaign=campaign,
        place=place,
        as_of=as_of,
        due=due,
        rows=tuple(rows),
        accepted=Sent(
            exemplary=sum(s.exemplary for s in accepted),
            cohort=sum(s.cohort for s in accepted),
            met=sum(s.met for s in accepted),
            residents=sum(s.residents for s in accepted),
        ),
        without_accepted=tuple(r.place for r in rows if r.state != SubmissionState.ACCEPTED),
    )


_NONE = PlaceFigures(residents=0, cohort=0, met=0, exemplary=0)
