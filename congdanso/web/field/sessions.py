"""Session pages of field mode: the campaign's sessions with "open today's session", and
session mode — find → tick → next, on a 360 px phone with one thumb.

Every tap is a POST that redirects back to the session page (POST–redirect–GET): the
search box comes back empty and focused, with a message naming the person. Scope comes
from `scope.access` through `scope`; outside it is the 404 page.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from congdanso.campaigns.models import Campaign
from congdanso.campaigns.selectors import campaign_rules
from congdanso.core.errors import DomainError, NotFound
from congdanso.outreach.models import Newcomer, SessionStatus, SupportSession, Turn, TurnService
from congdanso.outreach.newcomers import (
    newcomer_add,
    newcomer_dismiss,
    newcomer_phone_masked,
    newcomer_to_list,
    newcomers_waiting,
)
from congdanso.outreach.selectors import turn_to_undo
from congdanso.outreach.services import (
    UNDO_MINUTES,
    session_anonymous_turns_add,
    session_create,
    session_status_set,
    turn_record,
    turn_undo,
)
from congdanso.places.models import DWELLING_KINDS, Place
from congdanso.places.selectors import villages_of
from congdanso.scope.access import MANAGE_ROLES, access_for, can_record, can_withdraw
from congdanso.scope.cards import criterion_label, recording_unit
from congdanso.scope.people import campaign_for_people, campaign_resident_get
from congdanso.scope.search import SESSION_SEARCH_LIMIT, rows_of
from congdanso.scope.sessions import (
    at_session_place,
    can_hold_sessions,
    can_run_session,
    helped_in_session,
    session_counts,
    session_get_for,
    session_groups,
    session_places,
    session_today_at,
)
from congdanso.vn import vietnam_today
from congdanso.web import formats
from congdanso.web.field.forms_session import (
    AnonymousTurnForm,
    NewcomerForm,
    SessionOpenForm,
    SessionStatusForm,
    TurnForm,
)
from congdanso.web.field.people import card_context, search_for_page, wants_partial
from congdanso.web.navigation import remember_campaign


def _sessions_render(
    request: HttpRequest, campaign: Campaign, form: SessionOpenForm | None = None
) -> HttpResponse:
    access = access_for(request.user)
    remember_campaign(request, campaign)
    may_open = can_hold_sessions(access, campaign)
    if form is None and may_open:
        form = SessionOpenForm(places=list(session_places(access, campaign)))
    context = {
        "campaign": campaign,
        "groups": session_groups(access, campaign),
        "form": form if may_open else None,
        "today": vietnam_today(),
        "nav_active": "sessions",
    }
    return render(request, "field/session_list.html", context)


def session_list_page(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = campaign_for_people(access_for(request.user), campaign_id)
    return _sessions_render(request, campaign)


@require_http_methods(["GET", "POST"])
def session_open_page(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """Open today's session at a place: the one already planned there today, else a new one
    through the user's unit."""
    access = access_for(request.user)
    campaign = campaign_for_people(access, campaign_id)
    if request.method != "POST":
        return redirect("outreach:sessions", campaign_id=campaign.pk)
    if not can_hold_sessions(access, campaign):
        raise NotFound(_("No such page in this campaign."), code="not_found")
    form = SessionOpenForm(request.POST, places=list(session_places(access, campaign)))
    if form.is_valid():
        place = form.cleaned_data["place"]
        session = session_today_at(campaign, place)
        if session is None:
            unit = recording_unit(access, campaign)
            try:
                session = session_create(
                    campaign=campaign,
                    place=place,
                    date=vietnam_today(),
                    units=[unit] if unit else [],
                    title=form.cleaned_data["title"],
                    created_by=request.user if request.user.is_authenticated else None,
                )
            except DomainError as error:
                form.add_error("place", str(error.message))
        if session is not None:
            return redirect("outreach:session", campaign_id=campaign.pk, session_id=session.pk)
    return _sessions_render(request, campaign, form)


@require_http_methods(["GET", "POST"])
def session_page(request: HttpRequest, campaign_id: int, session_id: int) -> HttpResponse:
    """Session mode: a search box whose results are short rows (the session's village first
    among equals); a tap opens the person (`?nguoi=ID`) with a big button for each criterion
    they still lack and one for other help, and they stay open after each tick until
    "Người tiếp theo"; the running count, "+1 not in the list"."""
    access = access_for(request.user)
    campaign = campaign_for_people(access, campaign_id)
    session = session_get_for(access, campaign, session_id)
    remember_campaign(request, campaign)
    form, result, status = search_for_page(
        request, access, campaign, limit=SESSION_SEARCH_LIMIT, village_id=session.place_id
    )
    text = form.text()
    rows = result.rows if result else ()
    person = None
    if request.method == "GET" and str(request.GET.get("nguoi", "")).isdigit():
        resident = campaign_resident_get(access, campaign, request.GET["nguoi"])
        person = rows_of(campaign, campaign_rules(campaign), [resident.pk])[0]
    shown = [r.resident.pk for r in rows] + ([person.resident.pk] if person else [])
    helped = helped_in_session(session, shown)
    may_hold = can_hold_sessions(access, campaign)
    context = {
        "campaign": campaign,
        "session": session,
        "session_url": reverse("outreach:session", args=[campaign.pk, session.pk]),
        "turn_url": reverse("outreach:session_turn", args=[campaign.pk, session.pk]),
        "form": form,
        "text": text,
        "result": result,
        "rows": [(row, helped.get(row.resident.pk, 0)) for row in rows],
        "person": person,
        **card_context(
            access,
            campaign,
            result,
            back_url=reverse("outreach:session", args=[campaign.pk, session.pk]),
            village_id=session.place_id,
        ),
        "person_helped": helped.get(person.resident.pk, 0) if person else 0,
        "person_may_record": person is not None and can_record(access, campaign, person.resident),
        "may_record": may_hold and session.status != SessionStatus.CANCELLED,
        # can_run_session's rule, can_hold_sessions (a query) read once for both
        "may_set_status": may_hold and at_session_place(access, session),
        "services": TurnService.choices,
        "nav_active": "sessions",
    }
    if wants_partial(request):
        context["partial"] = True
        return render(request, "field/_session_results.html", context, status=status)
    context["counts"] = session_counts(session)
    if access.covers(session.place, MANAGE_ROLES):  # the commune's managers
        villages = newcomer_villages(session)
        context["newcomers"] = [
            (
                n,
                newcomer_phone_masked(n),
                NewcomerForm(villages=villages, initial=_initial(n)),
            )
            for n in newcomers_waiting(session)
        ]
    undo = turn_to_undo(session=session, user_id=request.user.pk, minutes=UNDO_MINUTES)
    if undo is not None and context["may_record"]:
        context["undo"] = (undo, _turn_label(undo))
    return render(request, "field/session_detail.html", context, status=status)


def _back_to(session: SupportSession, text: str = "", *, person: int | None = None) -> str:
    """The session page: with a person open (after a tick, for their next criterion), or with
    the search of a name again (never digits in a URL)."""
    url = reverse("outreach:session", args=[session.campaign_id, session.pk])
    if person is not None:
        return f"{url}?{urlencode({'nguoi': person})}"
    if text and not any(ch.isdigit() for ch in text):
        return f"{url}?{urlencode({'q': text})}"
    return url


@require_http_methods(["GET", "POST"])
def session_turn_page(request: HttpRequest, campaign_id: int, session_id: int) -> HttpResponse:
    """One tap: a criterion done (a turn and the achievement, dated the session's day) or
    other help given (a turn)."""
    access = access_for(request.user)
    campaign = campaign_for_people(access, campaign_id)
    session = session_get_for(access, campaign, session_id)
    if request.method != "POST":
        return redirect(_back_to(session))
    form = TurnForm(request.POST, criteria=campaign_rules(campaign).criteria)
    text = (request.POST.get("q") or "")[:100]
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(_back_to(session, text))
    resident = campaign_resident_get(access, campaign, form.cleaned_data["resident"])
    if not can_record(access, campaign, resident):
        raise NotFound(_("No such page in this campaign."), code="not_found")
    criterion = form.cleaned_data["criterion"]
    service = form.cleaned_data["service"]
    try:
        turn_record(
            session=session,
            resident=resident,
            criterion=criterion,
            service=service,
            unit=recording_unit(access, campaign),
            recorded_by=request.user if request.user.is_authenticated else None,
        )
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect(_back_to(session, person=resident.pk))
    what = criterion_label(criterion) if criterion else TurnService(service).label
    messages.success(
        request, _("Recorded for %(name)s: %(what)s.") % {"name": resident.full_name, "what": what}
    )
    return redirect(_back_to(session, person=resident.pk))


@require_http_methods(["GET", "POST"])
def session_anonymous_page(request: HttpRequest, campaign_id: int, session_id: int) -> HttpResponse:
    """+1 person helped who is not in the list (−1 takes a mistaken tap back)."""
    access = access_for(request.user)
    campaign = campaign_for_people(access, campaign_id)
    session = session_get_for(access, campaign, session_id)
    if request.method != "POST":
        return redirect(_back_to(session))
    if not can_run_session(access, campaign, session):
        raise NotFound(_("No such page in this campaign."), code="not_found")
    form = AnonymousTurnForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(_back_to(session))
    data = form.cleaned_data
    try:
        if data["count"] > 0:
            newcomer = newcomer_add(
                session=session,
                full_name=data["full_name"],
                birth_year=data["birth_year"],
                phone=data["phone"],
                recorded_by=request.user if request.user.is_authenticated else None,
            )
        else:
            newcomer = None
            session_anonymous_turns_add(session=session, count=-1)
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect(_back_to(session))
    session.refresh_from_db(fields=["anonymous_turns"])
    if data["count"] < 0:
        text = _("Taken back: one person not in the list (%(total)s in this session).")
    elif newcomer is not None:
        text = _(
            "Added: one person not in the list (%(total)s in this session); what they told "
            "waits in the newcomers' list for a manager."
        )
    else:
        text = _("Added: one person not in the list (%(total)s in this session).")
    messages.success(request, text % {"total": formats.number(session.anonymous_turns)})
    return redirect(_back_to(session))


@require_http_methods(["GET", "POST"])
def session_newcomer_page(
    request: HttpRequest, campaign_id: int, session_id: int, newcomer_id: int
) -> HttpResponse:
    """A manager adds a newcomer of the session to the list (in a village of the commune),
    or sets the entry aside."""
    access = access_for(request.user)
    campaign = campaign_for_people(access, campaign_id)
    session = session_get_for(access, campaign, session_id)
    if request.method != "POST":
        return redirect(_back_to(session))
    newcomer = newcomers_waiting(session).filter(pk=newcomer_id).first()
    if newcomer is None or not access.covers(session.place, MANAGE_ROLES):
        raise NotFound(_("No such page in this campaign."), code="not_found")
    form = NewcomerForm(request.POST, villages=newcomer_villages(session))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(_back_to(session))
    data = form.cleaned_data
    by = request.user if request.user.is_authenticated else None
    try:
        if data["action"] == NewcomerForm.ADD:
            resident = newcomer_to_list(
                newcomer=newcomer,
                village=data["village"],
                full_name=data["full_name"],
                settled_by=by,
            )
        else:
            newcomer_dismiss(newcomer=newcomer, settled_by=by)
            resident = None
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect(_back_to(session))
    if resident is None:
        messages.success(request, _("The entry was set aside."))
        return redirect(_back_to(session))
    messages.success(request, _("%(name)s is now in the list.") % {"name": resident.full_name})
    return redirect(_back_to(session, person=resident.pk))


@require_http_methods(["GET", "POST"])
def session_status_page(request: HttpRequest, campaign_id: int, session_id: int) -> HttpResponse:
    """Mark the session held, cancel it (not once turns are recorded), or plan it again."""
    access = access_for(request.user)
    campaign = campaign_for_people(access, campaign_id)
    session = session_get_for(access, campaign, session_id)
    if request.method != "POST":
        return redirect(_back_to(session))
    if not can_run_session(access, campaign, session):
        raise NotFound(_("No such page in this campaign."), code="not_found")
    form = SessionStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what became of the session."))
        return redirect(_back_to(session))
    try:
        session_status_set(session=session, status=form.cleaned_data["status"])
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect(_back_to(session))
    messages.success(
        request,
        _("The session is now: %(status)s.") % {"status": SessionStatus(session.status).label},
    )
    return redirect(_back_to(session))


@require_http_methods(["GET", "POST"])
def session_undo_page(request: HttpRequest, campaign_id: int, session_id: int) -> HttpResponse:
    """ "Hoàn tác": take back a tick of the last few minutes (the user's own, or any for a
    manager) — the turn goes and the achievement it recorded is withdrawn, "ghi nhầm"."""
    access = access_for(request.user)
    campaign = campaign_for_people(access, campaign_id)
    session = session_get_for(access, campaign, session_id)
    if request.method != "POST":
        return redirect(_back_to(session))
    turn_id = str(request.POST.get("turn", ""))
    turn = (
        Turn.objects.filter(commune_id=session.place.commune_id, session=session, pk=turn_id)
        .select_related("resident__commune", "criterion")
        .first()
        if turn_id.isdigit()
        else None
    )
    if turn is None or not can_withdraw(access, turn.resident, turn.recorded_by_id):
        raise NotFound(_("No such page in this campaign."), code="not_found")
    try:
        turn_undo(turn=turn, undone_by=request.user if request.user.is_authenticated else None)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _("Taken back: %(name)s — %(what)s.")
            % {"name": turn.resident.full_name, "what": _turn_label(turn)},
        )
    return redirect(_back_to(session, person=turn.resident_id))


def _turn_label(turn: Turn) -> str:
    return (
        criterion_label(turn.criterion) if turn.criterion else str(TurnService(turn.service).label)
    )


def newcomer_villages(session: SupportSession) -> list[Place]:
    """Where a newcomer may be added: the villages of the session's commune."""
    commune = session.place.commune
    if commune is None:
        return []
    return [v for v in villages_of(commune) if v.kind in DWELLING_KINDS]


def _initial(newcomer: Newcomer) -> dict[str, object]:
    """The session's own village first, and the name as the newcomer told it."""
    return {"village": str(newcomer.session.place_id), "full_name": newcomer.full_name}
