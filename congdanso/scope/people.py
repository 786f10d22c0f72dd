"""The residents of a campaign a user may see one by one, and their data issues.

Scope comes from `scope.access`: residents are those the user may see one by one
(`residents_visible`) within the campaign's place; anything else raises `NotFound`.
"""

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from congdanso.campaigns.models import Campaign
from congdanso.campaigns.selectors import campaign_communes
from congdanso.core.errors import NotFound
from congdanso.people.models import DataIssue, Resident
from congdanso.places.models import DWELLING_KINDS, Place
from congdanso.scope.access import (
    ADD_ROLES,
    PERSON_ROLES,
    Access,
    campaign_get_for,
    places_visible,
    resident_get_for,
    residents_visible,
)


def campaign_for_people(access: Access, campaign_id: int | str) -> Campaign:
    """The campaign, for a user who sees its residents one by one (a viewer does not: for them
    the person pages of the campaign do not exist)."""
    campaign = campaign_get_for(access, campaign_id)
    if not access.overlaps(campaign.place, PERSON_ROLES):
        raise NotFound(_("No such page in this campaign."), code="not_found")
    return campaign


def campaign_residents(access: Access, campaign: Campaign) -> QuerySet[Resident]:
    """The residents of the campaign's place the user may see one by one."""
    communes = campaign_communes(campaign)
    if access.covers(campaign.place, PERSON_ROLES):
        # The whole place is in scope (a commune's manager or unit member): the commune key
        # alone says it, which the indexes serve without joining the place tree twice.
        return Resident.objects.filter(commune_id__in=communes)
    return residents_visible(access).filter(commune_id__in=communes)


def campaign_resident_get(access: Access, campaign: Campaign, resident_id: int | str) -> Resident:
    resident = resident_get_for(access, resident_id)
    if not resident.commune.path.startswith(campaign.place.path):
        raise NotFound(_("No such resident."), code="not_found")
    return resident


def data_issue_get_for(access: Access, resident: Resident, issue_id: int | str) -> DataIssue:
    """An open data issue of a resident the user sees (the resident came from `access`)."""
    issue = None
    if str(issue_id).isdigit():
        issue = DataIssue.objects.filter(
            commune_id=resident.commune_id,
            resident=resident,
            pk=int(issue_id),
            resolved_at__isnull=True,
        ).first()
    if issue is None:
        raise NotFound(_("No such data issue."), code="not_found")
    return issue


def villages_to_add_in(access: Access, campaign: Campaign) -> list[Place]:
    """The villages of the campaign where the user may add a person to the list by hand (a
    scanned card that matched nobody): a manager's or a unit member's, not archived."""
    return list(
        places_visible(access, roles=ADD_ROLES)
        .filter(
            kind__in=DWELLING_KINDS,
            path__startswith=campaign.place.path,
            archived_at__isnull=True,
        )
        .order_by("path")
    )
