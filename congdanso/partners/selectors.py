"""Reads of partner units."""

from collections.abc import Sequence

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from congdanso.campaigns.models import Campaign
from congdanso.core.errors import DomainError, Message
from congdanso.partners.models import Unit
from congdanso.places.selectors import path_ancestors
from congdanso.vn import fold


def campaign_units(campaign: Campaign) -> list[Unit]:
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


def campaign_units_find(*, campaign: Campaign, names: Sequence[str]) -> list[Unit]:
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
