"""The site's navigation: the links a user sees depend on their roles and on the campaign.

The campaign is the one in the URL, else the one the user last opened (kept in the session),
else their newest. Computed lazily: a page that does not show the bar pays nothing.
"""

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from congdanso.campaigns.models import Campaign
from congdanso.scope.access import MANAGE_ROLES, PERSON_ROLES, access_for, campaigns_visible

SESSION_KEY = "campaign_id"


@dataclass(frozen=True)
class Link:
    key: str
    label: str
    url: str


def current_campaign(request: HttpRequest) -> Campaign | None:
    """The campaign the user works in now (see the module docstring)."""
    access = access_for(request.user)
    if access.is_anonymous:
        return None
    visible = campaigns_visible(access)
    match = getattr(request, "resolver_match", None)
    wanted = (match.kwargs.get("campaign_id") if match else None) or request.session.get(
        SESSION_KEY
    )
    if wanted is not None:
        campaign = visible.filter(pk=wanted).first()
        if campaign is not None:
            return campaign
    return visible.order_by("-start_date", "-pk").first()


def remember_campaign(request: HttpRequest, campaign: Campaign) -> None:
    if request.session.get(SESSION_KEY) != campaign.pk:
        request.session[SESSION_KEY] = campaign.pk


def links_for(request: HttpRequest) -> list[Link]:
    access = access_for(request.user)
    if access.is_anonymous:
        return []
    campaign = current_campaign(request)
    links: list[Link] = []
    people = access.is_admin or bool(access.paths(PERSON_ROLES))
    manager = access.is_admin or bool(access.paths(MANAGE_ROLES))
    if campaign is not None:
        cid = campaign.pk
        links.append(Link("dashboard", _("Dashboard"), reverse("campaigns:dashboard", args=[cid])))
        if people:
            links.append(Link("search", _("Find a person"), reverse("people:search", args=[cid])))
            links.append(Link("sessions", _("Sessions"), reverse("outreach:sessions", args=[cid])))
        if manager:
            links.append(Link("setup", _("Set-up"), reverse("campaigns:setup", args=[cid])))
    if manager:
        links.append(Link("import", _("Import"), reverse("people:import")))
        links.append(Link("places", _("Places"), reverse("places:list")))
        links.append(Link("audit", _("Audit log"), reverse("accounts:audit")))
    return links


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Context processor: `nav_links` (lazy) for the header."""
    return {"nav_links": SimpleLazyObject(lambda: links_for(request))}
