"""Campaign pages: the home redirect, the campaign list (more in the modules named in urls.py).

Views parse input, call one selector or service, and render; scope comes from
`accounts.access` (something outside it is a 404, raised as `NotFound`).
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from congdanso.accounts.access import access_for, campaigns_visible
from congdanso.campaigns.navigation import current_campaign


def home(request: HttpRequest) -> HttpResponse:
    """Each user to their campaign: the one they last opened, else their newest; the list
    when they have none (it says so) — a viewer of a province sees the province's."""
    campaign = current_campaign(request)
    if campaign is None:
        return redirect("campaigns:list")
    return redirect("campaigns:dashboard", campaign_id=campaign.pk)


def campaign_list(request: HttpRequest) -> HttpResponse:
    campaigns = campaigns_visible(access_for(request.user)).order_by("-start_date", "-pk")
    return render(
        request, "campaigns/campaign_list.html", {"campaigns": campaigns, "nav_active": "list"}
    )
