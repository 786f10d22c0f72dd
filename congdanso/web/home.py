"""The home page: each user to their campaign."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from congdanso.web.navigation import current_campaign


def home(request: HttpRequest) -> HttpResponse:
    """Each user to their campaign: the one they last opened, else their newest; the list
    when they have none (it says so) — a viewer of a province sees the province's."""
    campaign = current_campaign(request)
    if campaign is None:
        return redirect("campaigns:list")
    return redirect("campaigns:dashboard", campaign_id=campaign.pk)
