"""Reads of campaigns and achievements, and the checks of a date or place against a campaign
(the figures are in `progress.indicators`)."""

import datetime as dt
from collections.abc import Collection, Container
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from congdanso.campaigns.models import Achievement, Campaign, Criterion
from congdanso.core.errors import DomainError, Message, NotFound
from congdanso.people.models import Resident
from congdanso.places.models import COMMUNE_LEVEL_KINDS, Place
from congdanso.places.selectors import path_ancestors


def exemplary_met(exemplary_ids: Collection[int], reached: Container[int]) -> bool:
    """The one definition of an exemplary citizen: every criterion the campaign names as
    exemplary is reached. A campaign that names none has no exemplary citizen. (The tallies'
    SQL computes the same, pinned to this by their property test.)"""
    return bool(exemplary_ids) and all(criterion in reached for criterion in exemplary_ids)


@dataclass(frozen=True)
class CampaignRules:
    """The criteria a campaign tracks, in its order, and those that make a citizen exemplary."""

    criteria: tuple[Criterion, ...]
    exemplary_ids: frozenset[int]

    @property
    def exemplary(self) -> tuple[Criterion, ...]:
        return tuple(c for c in self.criteria if c.pk in self.exemplary_ids)

    def is_exemplary(self, reached: Container[int]) -> bool:
        """Whether a resident who reached these criteria (ids) is exemplary here."""
        return exemplary_met(self.exemplary_ids, reached)

    def as_json(self) -> list[dict[str, object]]:
        """The criteria in order, each with whether it makes a citizen exemplary."""
        return [
            {"code": c.code, "name": c.name, "exemplary": c.pk in self.exemplary_ids}
            for c in self.criteria
        ]


def campaign_get(campaign_id: int | str) -> Campaign:
    campaign = None
    if str(campaign_id).strip().isdigit():
        campaign = Campaign.objects.select_related("place").filter(pk=int(str(campaign_id))).first()
    if campaign is None:
        raise NotFound(
            Message(_("No campaign has the id %(id)s."), id=campaign_id), code="campaign_not_found"
        )
    return campaign


def campaign_list(*, place: Place | None = None) -> QuerySet[Campaign]:
    """Campaigns of the place, of the places above it and below it (newest first)."""
    qs = Campaign.objects.select_related("place").filter(archived_at__isnull=True)
    if place is None:
        return qs
    return qs.filter(campaigns_around(place.path))


def campaigns_around(path: str) -> Q:
    """Campaigns whose place covers the path (a district campaign seen from a commune) or lies
    within it."""
    return Q(place__path__in=path_ancestors(path)) | Q(place__path__startswith=path)


def campaign_rules(campaign: Campaign) -> CampaignRules:
    rules = list(campaign.rules.select_related("criterion").order_by("position", "id"))
    return CampaignRules(
        criteria=tuple(r.criterion for r in rules),
        exemplary_ids=frozenset(r.criterion_id for r in rules if r.is_exemplary),
    )


def campaign_communes(campaign: Campaign) -> list[int]:
    """Ids of the communes the campaign covers: its own place, or the communes below it."""
    return communes_under(campaign.place)


def communes_under(place: Place) -> list[int]:
    if place.kind in COMMUNE_LEVEL_KINDS:
        return [place.pk]
    if place.commune_id is not None:  # a village or site: its commune
        return [place.commune_id]
    return list(
        Place.objects.filter(path__startswith=place.path, kind__in=COMMUNE_LEVEL_KINDS)
        .order_by("path")
        .values_list("id", flat=True)
    )


def achievement_history(resident: Resident) -> QuerySet[Achievement]:
    """Every achievement of a resident, withdrawn ones included, newest first."""
    return (
        Achievement.objects.filter(commune_id=resident.commune_id, resident=resident)
        .select_related("criterion", "unit", "session", "recorded_by", "withdrawn_by")
        .order_by("criterion__position", "-recorded_at")
    )


def criterion_get(code: str) -> Criterion:
    criterion = Criterion.objects.filter(code=code.strip()).first()
    if criterion is None:
        known = ", ".join(Criterion.objects.values_list("code", flat=True))
        raise NotFound(
            Message(
                _("Unknown criterion: %(codes)s. Known criteria: %(known)s"),
                codes=code,
                known=known,
            ),
            code="criterion_unknown",
        )
    return criterion


def date_in_campaign_check(campaign: Campaign, day: dt.date) -> None:
    """Raises DomainError when the day is outside the campaign's period."""
    if not campaign.start_date <= day <= campaign.end_date:
        raise DomainError(
            Message(
                _("The date %(date)s is outside the campaign (%(start)s – %(end)s)."),
                date=day.strftime("%d/%m/%Y"),
                start=campaign.start_date.strftime("%d/%m/%Y"),
                end=campaign.end_date.strftime("%d/%m/%Y"),
            ),
            code="date_outside_campaign",
        )


def place_in_campaign_check(campaign: Campaign, place: Place) -> None:
    """Raises DomainError when the place is not within the campaign's place."""
    if not place.path.startswith(campaign.place.path):
        raise DomainError(
            Message(
                _("%(place)s is not within the place of this campaign (%(campaign_place)s)."),
                place=place.name,
                campaign_place=campaign.place.name,
            ),
            code="place_outside_campaign",
        )
