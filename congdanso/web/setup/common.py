"""What every set-up page shares: the access rule, a refusal shown in its form, rendering."""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from congdanso.campaigns.models import Campaign
from congdanso.core.errors import DomainError, Message, NotFound
from congdanso.outreach import schedule
from congdanso.places.models import DWELLING_KINDS, Place
from congdanso.scope.access import access_for, campaign_get_for, can_manage
from congdanso.web.navigation import remember_campaign
from congdanso.web.setup.fields import SetupForm

GET_POST = require_http_methods(["GET", "POST"])


def managed(request: HttpRequest, campaign_id: int) -> Campaign:
    """The campaign, when the user may set it up; otherwise it does not exist for them."""
    access = access_for(request.user)
    campaign = campaign_get_for(access, campaign_id)
    if not can_manage(access, campaign):
        raise NotFound(
            Message(_("No campaign has the id %(id)s."), id=campaign_id), code="not_found"
        )
    remember_campaign(request, campaign)
    return campaign


def refused(form: SetupForm, error: DomainError) -> None:
    field = form.error_fields.get(error.code)
    form.add_error(field if field in form.fields else None, str(error.message))


def apply(form: SetupForm, action: Callable[[], Any]) -> Any:
    """Run the service when the form is valid; None (with the refusal in the form) when
    the form or the service refuses."""
    if not form.is_valid():
        return None
    try:
        return action()
    except DomainError as error:
        refused(form, error)
        return None


def page(request: HttpRequest, template: str, campaign: Campaign, **context: Any) -> HttpResponse:
    return render(
        request,
        f"setup/{template}",
        {"campaign": campaign, "nav_active": "setup", **context},
    )


def campaign_places(campaign: Campaign) -> list[Place]:
    return schedule.campaign_sites(campaign)


def campaign_villages(campaign: Campaign) -> list[Place]:
    """The villages, hamlets and street groups of the campaign (not its schools and other
    sites): where people live and teams work."""
    return [p for p in campaign_places(campaign) if p.kind in DWELLING_KINDS]
