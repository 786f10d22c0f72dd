"""Reads of partner units."""

from collections.abc import Sequence

from django.utils.translation import gettext_lazy as _

from congdanso.campaigns.models import Campaign
from congdanso.core.errors import DomainError, Message
from congdanso.partners.models import Unit
from congdanso.vn import fold


def campaign_units_find(*, campaign: Campaign, names: Sequence[str]) -> list[Unit]:
    """The units named (compared folded) that can work in the campaign: units of its place, of
    the places above it or below it. The unit of the nearest place wins when two share a
    name."""
    found: list[Unit] = []
    for name in names:
        candidates = sorted(
            (
                unit
                for unit in Unit.objects.filter(
                    name_key=fold(name.strip()), archived_at__isnull=True
                ).select_related("place")
                if campaign.place.path.startswith(unit.place.path)
                or unit.place.path.startswith(campaign.place.path)
            ),
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
