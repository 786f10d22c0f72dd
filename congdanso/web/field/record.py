"""Recording an achievement from the person card (a one-tap "done today" button, or the
details chooser with a date, a unit and a session), and withdrawing one with a reason.

The write is `achievement_record`, idempotent: a second tap changes nothing. A user who may
see the resident but not record for them (a unit member whose unit has no pledge in the
campaign) gets the 404 page, like anyone outside their scope. A refusal of the service (a
date before the birth, in the future) comes back next to the form and nothing is written.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from congdanso.campaigns.achievements import Outcome, achievement_record, achievement_withdraw
from congdanso.campaigns.models import Achievement, Campaign
from congdanso.core.errors import DomainError, NotFound
from congdanso.scope.access import Access, access_for, can_record, can_withdraw
from congdanso.scope.cards import criterion_label, recording_unit
from congdanso.scope.people import campaign_for_people, campaign_resident_get
from congdanso.web.field.forms_record import AchievementRecordForm, WithdrawForm
from congdanso.web.field.people import card_render, record_form_for, safe_next

#: Service refusals that are about the date (shown next to the date field).
DATE_ERRORS = frozenset({"date_in_future", "date_before_birth", "date_outside_campaign"})


@require_http_methods(["GET", "POST"])
def achievement_record_page(
    request: HttpRequest, campaign_id: int, resident_id: int
) -> HttpResponse:
    access = access_for(request.user)
    campaign = campaign_for_people(access, campaign_id)
    resident = campaign_resident_get(access, campaign, resident_id)
    if request.method != "POST":  # a reloaded or shared link: the card that has the buttons
        return redirect("people:card", campaign_id=campaign.pk, resident_id=resident.pk)
    if not can_record(access, campaign, resident):
        raise NotFound(_("No such page in this campaign."), code="not_found")
    form = record_form_for(access, campaign, request.POST)
    next_url = safe_next(request, request.POST.get("next"))
    if form.is_valid():
        data = form.cleaned_data
        unit = data["unit"] or recording_unit(access, campaign)
        session = data["session"]
        try:
            recorded = achievement_record(
                resident=resident,
                criterion=data["criterion"],
                achieved_on=data["achieved_on"],
                recorded_by=request.user if request.user.is_authenticated else None,
                unit_id=unit.pk if unit else None,
                session_id=session.pk if session else None,
            )
        except DomainError as error:
            form.add_error("achieved_on" if error.code in DATE_ERRORS else None, str(error.message))
        else:
            messages.success(request, _success_text(recorded.outcome, resident, data))
            card = reverse("people:card", args=[campaign.pk, resident.pk])
            return redirect(next_url or card)
    return card_render(
        request,
        campaign,
        resident,
        next_url=next_url,
        record_form=_shown_again(access, campaign, form),
    )


def _shown_again(
    access: Access, campaign: Campaign, failed: AchievementRecordForm
) -> AchievementRecordForm:
    """The refused form with its unit and session lists (a one-tap did not read them), its
    values and its errors, so that the chooser can be used at once."""
    form = record_form_for(access, campaign, failed.data, shown=True)
    form.is_valid()
    for field, errors in failed.errors.items():
        for error in errors:
            if error not in form.errors.get(field, []):
                form.add_error(None if field == "__all__" else field, error)
    return form


def _success_text(outcome: Outcome, resident: object, data: dict) -> str:  # type: ignore[type-arg]
    params = {
        "name": str(resident),
        "criterion": criterion_label(data["criterion"]),
        "date": f"{data['achieved_on']:%d/%m/%Y}",
    }
    if outcome == Outcome.CREATED:
        return _("Recorded: %(name)s — %(criterion)s, on %(date)s.") % params
    if outcome == Outcome.UPDATED:
        return _("%(name)s — %(criterion)s is now dated %(date)s.") % params
    return _("%(name)s had %(criterion)s already: nothing changed.") % params


@require_http_methods(["GET", "POST"])
def achievement_withdraw_page(
    request: HttpRequest, campaign_id: int, resident_id: int, achievement_id: int
) -> HttpResponse:
    """Withdraw an achievement from the person card, with a reason (kept as history): a
    manager, or the user who recorded it."""
    access = access_for(request.user)
    campaign = campaign_for_people(access, campaign_id)
    resident = campaign_resident_get(access, campaign, resident_id)
    card = reverse("people:card", args=[campaign.pk, resident.pk])
    if request.method != "POST":
        return redirect(card)
    achievement = Achievement.objects.filter(
        commune_id=resident.commune_id,
        resident=resident,
        pk=achievement_id,
        withdrawn_at__isnull=True,
    ).first()
    if achievement is None or not can_withdraw(access, resident, achievement.recorded_by_id):
        raise NotFound(_("No such page in this campaign."), code="not_found")
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            achievement_withdraw(
                achievement=achievement,
                reason=form.cleaned_data["reason"],
                withdrawn_by=request.user if request.user.is_authenticated else None,
            )
        except DomainError as error:
            form.add_error("reason", str(error.message))
        else:
            messages.success(
                request,
                _("Withdrawn: %(name)s — %(criterion)s.")
                % {"name": resident.full_name, "criterion": criterion_label(achievement.criterion)},
            )
            return redirect(card)
    return card_render(request, campaign, resident, withdraw_form=(achievement.pk, form))
