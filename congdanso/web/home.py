"""The home page: each user to their campaign — a unit member to its support sessions, where
their work is, everyone else to its dashboard."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from congdanso.accounts.models import Role
from congdanso.scope.access import MANAGE_ROLES, access_for
from congdanso.web.navigation import current_campaign


def home(request: HttpRequest) -> HttpResponse:
    """Each user to their campaign: the one they last opened, else their newest; the list
    when they have none (it says so) — a viewer of a province sees the province's."""
    campaign = current_campaign(request)
    if campaign is None:
        return redirect("campaigns:list")
    roles = access_for(request.user).roles()
    # A police officer or a Youth Union member records at sessions; the figures are the
    # managers' and viewers' (a member who also manages keeps the dashboard).
    if Role.UNIT_MEMBER in roles and not roles & MANAGE_ROLES:
        return redirect("outreach:sessions", campaign_id=campaign.pk)
    return redirect("campaigns:dashboard", campaign_id=campaign.pk)
