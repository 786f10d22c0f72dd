"""Field-mode people pages: find a person in a campaign, and their card.

A volunteer on a cheap phone over weak 3G uses these: the search page works as a plain form
that posts (a number typed stays out of URLs, the history and access logs), and site.js
only swaps its results list in as the user types (`?partial=1` answers that list alone).
Searches are counted and audited by `people.searching`. Scope comes from `scope.access`
through `scope`; anything outside it is a `NotFound`, which the middleware turns
into the 404 page.
"""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from congdanso.campaigns.models import Campaign
from congdanso.campaigns.selectors import campaign_rules
from congdanso.core.errors import DomainError, NotFound
from congdanso.people.models import DataIssue, Resident
from congdanso.people.searching import Throttled
from congdanso.people.services import (
    CORRECTABLE,
    data_issue_fix,
    data_issue_resolve,
    resident_reveal,
)
from congdanso.scope.access import Access, access_for, can_reveal
from congdanso.scope.cards import (
    person_card,
    recording_unit,
    sessions_to_record_in,
    units_to_record_through,
)
from congdanso.scope.people import (
    campaign_for_people,
    campaign_resident_get,
    data_issue_get_for,
    villages_to_add_in,
)
from congdanso.scope.search import SEARCH_LIMIT, SearchResult, search_people
from congdanso.web.field.forms import IssueFixForm, RevealForm, SearchForm
from congdanso.web.field.forms_record import AchievementRecordForm, WithdrawForm
from congdanso.web.navigation import remember_campaign


def wants_partial(request: HttpRequest) -> bool:
    """Whether site.js asks for the results list alone (search as you type)."""
    return request.GET.get("partial") == "1"


def safe_next(request: HttpRequest, value: str | None) -> str:
    """`value` when it is a page of this site, else "" (never an open redirect)."""
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return ""


def search_for_page(
    request: HttpRequest,
    access: Access,
    campaign: Campaign,
    *,
    limit: int,
    village_id: int | None = None,
) -> tuple[SearchForm, SearchResult | None, int]:
    """The search form of a field page, the people it finds (those of `village_id` first
    among equals) and the page's status: 429 with the form saying so when the user searched
    too often."""
    form = SearchForm.from_request(request)
    query = form.query()
    if query is None:
        return form, None, 200
    try:
        result = search_people(
            access=access,
            user=request.user,
            campaign=campaign,
            query=query,
            limit=limit,
            village_id=village_id,
        )
    except Throttled as error:
        form.add_error("q", str(error.message))
        return form, None, 429
    return form, result, 200


def card_context(
    access: Access,
    campaign: Campaign,
    result: SearchResult | None,
    *,
    back_url: str,
    village_id: int | None = None,
) -> dict[str, Any]:
    """What the results of a scanned card that matched nobody need: where the person may be
    added (none for a village head or a viewer), which village first, where to come back."""
    if result is None or result.card is None or result.rows:
        return {}
    villages = villages_to_add_in(access, campaign)
    default = village_id if any(v.pk == village_id for v in villages) else None
    return {"add_villages": villages, "add_village_default": default, "back_url": back_url}


@require_http_methods(["GET", "POST"])
def resident_search_page(request: HttpRequest, campaign_id: int) -> HttpResponse:
    access = access_for(request.user)
    campaign = campaign_for_people(access, campaign_id)
    remember_campaign(request, campaign)
    form, result, status = search_for_page(request, access, campaign, limit=SEARCH_LIMIT)
    context = {
        "campaign": campaign,
        "form": form,
        "text": form.text(),
        "result": result,
        "nav_active": "search",
        **card_context(access, campaign, result, back_url=request.path),
    }
    if wants_partial(request):
        context["partial"] = True
        return render(request, "field/_search_results.html", context, status=status)
    return render(request, "field/resident_search.html", context, status=status)


def card_render(
    request: HttpRequest,
    campaign: Campaign,
    resident: Resident,
    *,
    next_url: str = "",
    record_form: AchievementRecordForm | None = None,
    reveal_form: RevealForm | None = None,
    revealed: tuple[str, str] | None = None,
    issue_form: tuple[int, IssueFixForm] | None = None,
    withdraw_form: tuple[int, WithdrawForm] | None = None,
) -> HttpResponse:
    """The person card, with any form that came back with errors (or a number shown)."""
    access = access_for(request.user)
    remember_campaign(request, campaign)
    card = person_card(access, campaign, resident)
    if record_form is None and card.may_record:
        record_form = record_form_for(access, campaign, initial={"next": next_url})
    may_fix = card.may_reveal  # correcting personal data is for who may see it in full
    issues = []
    for issue in card.issues:
        form: IssueFixForm | None
        if issue_form is not None and issue_form[0] == issue.pk:
            form = issue_form[1]
        else:
            form = issue_form_for(issue) if may_fix else None
        issues.append((issue, form))
    context: dict[str, Any] = {
        "campaign": campaign,
        "card": card,
        "resident": resident,
        "next_url": next_url,
        "record_form": record_form,
        "reveal_form": reveal_form or (RevealForm() if card.may_reveal else None),
        "revealed": revealed,
        "issues": issues,
        "may_fix": may_fix,
        "withdraw_forms": {
            pk: withdraw_form[1] if withdraw_form and withdraw_form[0] == pk else WithdrawForm()
            for pk in card.withdrawable
        },
        "nav_active": "search",
    }
    return render(request, "field/resident_card.html", context)


def record_form_for(
    access: Access,
    campaign: Campaign,
    data: Any = None,
    *,
    initial: dict[str, Any] | None = None,
    shown: bool = False,
) -> AchievementRecordForm:
    """The achievement form of a card, its choices limited to what the user may name; a
    unit member's unit is chosen for them. A one-tap button posts the criterion alone: the
    unit and session lists are then not read (they only validate a chosen value), unless
    the form is to be `shown` again (with its errors)."""
    shown = shown or data is None
    unit = recording_unit(access, campaign) if shown else None
    return AchievementRecordForm(
        data,
        criteria=campaign_rules(campaign).criteria,
        units=units_to_record_through(access, campaign) if shown or data.get("unit") else [],
        sessions=sessions_to_record_in(access, campaign) if shown or data.get("session") else [],
        initial={"unit": str(unit.pk) if unit else "", **(initial or {})},
    )


def issue_form_for(issue: DataIssue, data: Any = None) -> IssueFixForm:
    # Prefixed by the issue: a card can hold several of these forms, and ids must not repeat.
    return IssueFixForm(data, prefix=f"issue-{issue.pk}", correctable=issue.field in CORRECTABLE)


def resident_card_page(request: HttpRequest, campaign_id: int, resident_id: int) -> HttpResponse:
    access = access_for(request.user)
    campaign = campaign_for_people(access, campaign_id)
    resident = campaign_resident_get(access, campaign, resident_id)
    next_url = safe_next(request, request.GET.get("next"))
    return card_render(request, campaign, resident, next_url=next_url)


@require_http_methods(["GET", "POST"])
def resident_reveal_page(request: HttpRequest, campaign_id: int, resident_id: int) -> HttpResponse:
    """Show a CCCD or phone in full, with a reason (audited). Only on the page that answers
    the form: the number is never kept anywhere for later."""
    access = access_for(request.user)
    campaign = campaign_for_people(access, campaign_id)
    resident = campaign_resident_get(access, campaign, resident_id)
    if request.method != "POST":
        return redirect("people:card", campaign_id=campaign.pk, resident_id=resident.pk)
    if not can_reveal(access, resident):
        raise NotFound(_("No such page in this campaign."), code="not_found")
    form = RevealForm(request.POST)
    revealed = None
    if form.is_valid():
        try:
            field = form.cleaned_data["field"]
            value = resident_reveal(
                resident=resident,
                field=field,
                reason=form.cleaned_data["reason"],
                revealed_by=request.user,
            )
            revealed = (field, value or "—")
            form = RevealForm()
        except DomainError as error:
            form.add_error("reason", str(error.message))
    return card_render(request, campaign, resident, reveal_form=form, revealed=revealed)


@require_http_methods(["GET", "POST"])
def data_issue_fix_page(
    request: HttpRequest, campaign_id: int, resident_id: int, issue_id: int
) -> HttpResponse:
    """Correct the value a data issue is about, or close the issue as it is."""
    access = access_for(request.user)
    campaign = campaign_for_people(access, campaign_id)
    resident = campaign_resident_get(access, campaign, resident_id)
    card_url = reverse("people:card", args=[campaign.pk, resident.pk])
    if request.method != "POST":
        return redirect(card_url)
    if not can_reveal(access, resident):
        raise NotFound(_("No such page in this campaign."), code="not_found")
    issue = data_issue_get_for(access, resident, issue_id)
    form = issue_form_for(issue, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["action"] == IssueFixForm.FIX:
                data_issue_fix(
                    issue=issue, value=data["value"], reason=data["reason"], fixed_by=request.user
                )
            else:
                data_issue_resolve(issue=issue, reason=data["reason"], resolved_by=request.user)
        except DomainError as error:
            target = "value" if data["action"] == IssueFixForm.FIX else "reason"
            form.add_error(target, str(error.message))
        else:
            messages.success(
                request,
                _("The issue “%(issue)s” is resolved.") % {"issue": issue.get_code_display()},
            )
            return redirect(card_url)
    resident.refresh_from_db()  # a failed correction may have changed the object in memory
    return card_render(request, campaign, resident, issue_form=(issue.pk, form))
