"""Set-up: the Thursday/Friday schedule (propose → edit → save) and the calendar links."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from congdanso.campaigns.models import Campaign
from congdanso.core.errors import DomainError, Message
from congdanso.outreach import schedule, session_days
from congdanso.outreach.calendar import sessions_ics
from congdanso.outreach.models import SessionStatus
from congdanso.outreach.selectors import session_list
from congdanso.partners import selectors as partner_selectors
from congdanso.progress.indicators import village_gaps
from congdanso.vn import vietnam_today
from congdanso.web import formats
from congdanso.web.setup.calendar_links import calendar_campaign, calendar_token
from congdanso.web.setup.common import GET_POST, apply, campaign_places, managed, page
from congdanso.web.setup.forms_schedule import (
    PLAN_MAX_ROWS,
    ScheduleFormSet,
    ScheduleProposeForm,
    ScheduleTimesForm,
)

# --- Schedule -------------------------------------------------------------------------------


def _propose(
    campaign: Campaign, form: ScheduleProposeForm
) -> tuple[list[schedule.ProposedSession], session_days.ScheduleDays] | None:
    data = form.cleaned_data
    days = session_days.schedule_days(
        campaign=campaign,
        weekdays=data["weekdays"],
        date_from=data["date_from"],
        date_to=data["date_to"],
    )
    proposals = schedule.schedule_propose(
        campaign=campaign,
        weekdays=data["weekdays"],
        date_from=data["date_from"],
        date_to=data["date_to"],
        need=village_gaps(campaign),
        per_day=data["per_day"],
    )
    if len(proposals) > PLAN_MAX_ROWS:
        raise DomainError(
            Message(
                gettext_lazy(
                    "That makes %(count)s sessions, more than %(max)s at once: propose a shorter "
                    "period or fewer sessions a day."
                ),
                count=len(proposals),
                max=PLAN_MAX_ROWS,
            ),
            code="schedule_too_long",
        )
    return proposals, days


@GET_POST
def setup_schedule(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """GET without a plan: the proposal form. GET with its fields: the proposed sessions as
    an editable list. POST (to the same address, so the proposal's fields stay in the query
    string): save the edited list."""
    campaign = managed(request, campaign_id)
    units = partner_selectors.campaign_units(campaign)
    sites = campaign_places(campaign)
    today = vietnam_today()
    asked = "date_from" in request.GET
    propose_form = ScheduleProposeForm(
        request.GET if asked else None,
        campaign=campaign,
        units=units,
        initial={
            "date_from": min(max(today, campaign.start_date), campaign.end_date),
            "weekdays": [3, 4],  # Thursday and Friday, as the commune decided
            "per_day": 1,
            "units": [u.pk for u in units if u.place_id == campaign.place_id],
        },
    )
    row_kwargs = {"campaign": campaign, "sites": sites, "units": units}
    rows: Any = None
    times: ScheduleTimesForm | None = None
    holidays: dict[dt.date, str] = {}
    if request.method == "POST":
        rows = ScheduleFormSet(request.POST, form_kwargs=row_kwargs, prefix="row")
        times = hours = ScheduleTimesForm(request.POST)
        plan = _planned(rows) if rows.is_valid() else None
        actor = request.user if request.user.is_authenticated else None
        created = None
        if plan is not None:
            created = apply(
                hours,
                lambda: schedule.schedule_save(
                    campaign=campaign,
                    sessions=plan,
                    created_by=actor,
                    starts_at=hours.cleaned_data["starts_at"],
                    ends_at=hours.cleaned_data["ends_at"],
                ),
            )
        else:
            hours.is_valid()  # its errors show beside the rows'
        if created is not None:
            messages.success(
                request,
                _("%(count)s sessions are saved.") % {"count": formats.number(len(created))},
            )
            return redirect("campaigns:setup_schedule", campaign_id=campaign.pk)
    elif asked:
        found = apply(propose_form, lambda: _propose(campaign, propose_form))
        if found is not None:
            proposals, days = found
            holidays = days.holidays_skipped
            chosen = propose_form.cleaned_data["units"]
            rows = ScheduleFormSet(
                initial=[
                    {"date": p.date, "place": p.place.pk, "units": [u.pk for u in chosen]}
                    for p in proposals
                ],
                form_kwargs=row_kwargs,
                prefix="row",
            )
            times = ScheduleTimesForm(
                initial={
                    "starts_at": propose_form.cleaned_data["starts_at"],
                    "ends_at": propose_form.cleaned_data["ends_at"],
                }
            )
    upcoming = session_list(campaign=campaign, date_from=today).exclude(
        status=SessionStatus.CANCELLED
    )
    feed_url = request.build_absolute_uri(
        reverse(
            "campaigns:calendar_feed",
            kwargs={
                "campaign_id": campaign.pk,
                "user_id": request.user.pk,
                "token": calendar_token(campaign_id=campaign.pk, user=request.user),
            },
        )
    )
    return page(
        request,
        "schedule.html",
        campaign,
        propose_form=propose_form,
        rows=rows,
        times_form=times,
        holidays=sorted(holidays.items()),
        upcoming=upcoming[:20],
        upcoming_count=upcoming.count(),
        feed_url=feed_url,
        feed_webcal="webcal://" + feed_url.split("://", 1)[1],
    )


def _planned(rows: Any) -> list[schedule.PlannedSession]:
    return [
        schedule.PlannedSession(
            date=form.cleaned_data["date"],
            place=form.cleaned_data["place"],
            units=tuple(form.cleaned_data["units"]),
        )
        for form in rows.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]


# --- Calendar -------------------------------------------------------------------------------


def _ics(campaign: Campaign, *, attachment: bool) -> HttpResponse:
    body = sessions_ics(session_list(campaign=campaign), calendar_name=campaign.name)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="lich-{campaign.pk}.ics"'
    return response


@require_GET
def campaign_calendar(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """The campaign's sessions as an .ics file, for a signed-in manager to import."""
    return _ics(managed(request, campaign_id), attachment=True)


@login_not_required  # a calendar app cannot log in: the link carries its credential
@require_GET
def campaign_calendar_feed(
    request: HttpRequest, campaign_id: int, user_id: int, token: str
) -> HttpResponse:
    """The subscription feed (see campaigns/calendar_links.py for the token's rules)."""
    campaign = calendar_campaign(campaign_id=campaign_id, user_id=user_id, token=token)
    response = _ics(campaign, attachment=False)
    response["Cache-Control"] = "private, max-age=900"
    response["Referrer-Policy"] = "no-referrer"
    return response
