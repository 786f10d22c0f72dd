"""Reads of partner units."""

from collections.abc import Sequence

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from congdanso.core.errors import DomainError, Message, NotFound
from congdanso.partners.models import (
    CampaignRef,
    Donation,
    Pledge,
    TeamMember,
    Twinning,
    Unit,
    UnitKind,
)
from congdanso.places.models import Place
from congdanso.places.selectors import path_ancestors
from congdanso.vn import fold


def campaign_units(campaign: CampaignRef) -> list[Unit]:
    """Units that can work in the campaign: of its place, of the places above or below it."""
    place = campaign.place
    return list(
        Unit.objects.filter(archived_at__isnull=True)
        .filter(
            Q(place__path__in=path_ancestors(place.path)) | Q(place__path__startswith=place.path)
        )
        .select_related("place")
        .order_by("place__path", "name_key", "id")
    )


def campaign_units_find(*, campaign: CampaignRef, names: Sequence[str]) -> list[Unit]:
    """The units named (compared folded) that can work in the campaign: units of its place, of
    the places above it or below it. The unit of the nearest place wins when two share a
    name."""
    units = campaign_units(campaign)
    found: list[Unit] = []
    for name in names:
        key = fold(name.strip())
        candidates = sorted(
            (unit for unit in units if unit.name_key == key),
            key=lambda unit: (abs(unit.place.depth - campaign.place.depth), unit.pk),
        )
        if not candidates:
            raise DomainError(
                Message(_("No unit named %(name)s works in this campaign."), name=name.strip()),
                code="unit_not_found",
            )
        if candidates[0] not in found:
            found.append(candidates[0])
    return found


def campaign_unit_get(campaign: CampaignRef, unit_id: int | str) -> Unit:
    """A unit that can work in the campaign, or NotFound."""
    unit = next((u for u in campaign_units(campaign) if str(u.pk) == str(unit_id)), None)
    if unit is None:
        raise NotFound(_("No such unit in this campaign."), code="not_found")
    return unit


def campaign_pledges(campaign: CampaignRef) -> QuerySet[Pledge]:
    """The campaign's pledges with their unit and villages."""
    return (
        Pledge.objects.filter(campaign_id=campaign.pk)
        .select_related("unit", "unit__place")
        .prefetch_related(Prefetch("villages", queryset=Place.objects.order_by("path")))
        .order_by("unit__place__path", "unit__name_key", "pk")
    )


def campaign_twinnings(campaign: CampaignRef) -> QuerySet[Twinning]:
    """Twinnings of the villages and sites of the campaign's place."""
    return (
        Twinning.objects.filter(village__path__startswith=campaign.place.path)
        .select_related("unit", "village")
        .order_by("village__path", "unit__name_key", "pk")
    )


def campaign_twinning_get(campaign: CampaignRef, twinning_id: int | str) -> Twinning:
    twinning = None
    if str(twinning_id).isdigit():
        twinning = campaign_twinnings(campaign).filter(pk=int(twinning_id)).first()
    if twinning is None:
        raise NotFound(_("No such twinning in this campaign."), code="not_found")
    return twinning


def campaign_donations(campaign: CampaignRef) -> QuerySet[Donation]:
    """The campaign's donations, oldest first, with donors and the village receiving."""
    return (
        Donation.objects.filter(campaign_id=campaign.pk)
        .select_related("village")
        .prefetch_related(
            Prefetch("donor_units", queryset=Unit.objects.order_by("name_key")),
            Prefetch("donor_villages", queryset=Place.objects.order_by("path")),
        )
        .order_by("given_on", "pk")
    )


def campaign_donation_get(campaign: CampaignRef, donation_id: int | str) -> Donation:
    donation = None
    if str(donation_id).isdigit():
        donation = campaign_donations(campaign).filter(pk=int(donation_id)).first()
    if donation is None:
        raise NotFound(_("No such donation in this campaign."), code="not_found")
    return donation


def _campaign_teams(campaign: CampaignRef) -> QuerySet[Unit]:
    place = campaign.place
    return (
        Unit.objects.filter(
            archived_at__isnull=True,
            kind=UnitKind.DIGITAL_TEAM,
            place__path__startswith=place.path,
        )
        .select_related("place")
        .prefetch_related(
            Prefetch("villages", queryset=Place.objects.order_by("name_key", "id")),
            Prefetch("members", queryset=TeamMember.objects.select_related("user")),
        )
        .order_by("place__path", "name_key", "id")
    )


def campaign_teams(campaign: CampaignRef) -> list[Unit]:
    """The community digital technology teams of the communes of the campaign, with their
    villages and members."""
    return list(_campaign_teams(campaign))


def campaign_team_get(campaign: CampaignRef, team_id: int | str) -> Unit:
    """A team of the campaign's communes, or NotFound."""
    team = None
    if str(team_id).isdigit():
        team = _campaign_teams(campaign).filter(pk=int(team_id)).first()
    if team is None:
        raise NotFound(_("No such team in this campaign."), code="not_found")
    return team


def team_member_get(team: Unit, member_id: int | str) -> TeamMember:
    member = None
    if str(member_id).isdigit():
        member = team.members.select_related("user").filter(pk=int(member_id)).first()
    if member is None:
        raise NotFound(_("No such member in this team."), code="not_found")
    return member
