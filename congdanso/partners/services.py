"""Writes for partner units, pledges, twinnings and donations."""

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from congdanso.core.audit import audit_record
from congdanso.core.errors import DomainError, Message
from congdanso.core.models import AuditAction
from congdanso.core.parsing import text_clean
from congdanso.partners.models import (
    CampaignRef,
    Donation,
    DonationItem,
    Pledge,
    Twinning,
    Unit,
    UnitKind,
)
from congdanso.places.models import LOCAL_KINDS, Place
from congdanso.vn import clean_name, fold


@transaction.atomic
def unit_get_or_create(*, place: Place, name: str, kind: str) -> tuple[Unit, bool]:
    """The unit of that name at the place (names compared folded), created if missing."""
    name = clean_name(name)
    if not name:
        raise DomainError(_("The unit needs a name."), code="unit_name_missing")
    if kind not in UnitKind.values:
        raise DomainError(
            Message(
                _("Unknown unit kind %(kind)s. Kinds: %(kinds)s"),
                kind=kind,
                kinds=", ".join(UnitKind.values),
            ),
            code="unit_kind_unknown",
        )
    key = fold(name)
    unit = Unit.objects.filter(place=place, name_key=key).first()
    if unit is not None:
        return unit, False
    unit = Unit.objects.create(place=place, name=name, name_key=key, kind=kind)
    audit_record(
        action=AuditAction.CREATE,
        obj=unit,
        commune_id=place.commune_id,  # its commune's managers see it (none above a commune)
        after={"name": name, "kind": kind, "place": place.code},
    )
    return unit, True


def _villages_of_campaign(campaign: CampaignRef, villages: Iterable[Place]) -> list[Place]:
    chosen = list(villages)
    outside = [
        v.name
        for v in chosen
        if v.kind not in LOCAL_KINDS or not v.path.startswith(campaign.place.path)
    ]
    if outside:
        raise DomainError(
            Message(
                _("Not a village or site of %(place)s: %(names)s"),
                place=campaign.place.name,
                names=", ".join(outside),
            ),
            code="village_outside_campaign",
        )
    return chosen


@transaction.atomic
def pledge_upsert(
    *,
    unit: Unit,
    campaign: CampaignRef,
    signed_on: dt.date | None = None,
    deadline: dt.date | None = None,
    target_people: int | None = None,
    target_sessions: int | None = None,
    target_achievements: int | None = None,
    villages: Iterable[Place] = (),
    note: str = "",
) -> Pledge:
    """The unit's pledge in the campaign, created or replaced by these terms: its targets
    by the deadline (None: the campaign's end) in the villages it covers."""
    covered = _villages_of_campaign(campaign, villages)
    if deadline is not None and signed_on is not None and deadline < signed_on:
        raise DomainError(
            _("The pledge's deadline is before it was signed."), code="pledge_deadline_invalid"
        )
    previous = Pledge.objects.filter(unit=unit, campaign_id=campaign.pk).first()
    pledge, created = Pledge.objects.update_or_create(
        unit=unit,
        campaign_id=campaign.pk,
        defaults={
            "signed_on": signed_on,
            "deadline": deadline,
            "target_people": target_people,
            "target_sessions": target_sessions,
            "target_achievements": target_achievements,
            "note": text_clean(note, field=_("Note"), max_length=500),
        },
    )
    pledge.villages.set(covered)
    audit_record(
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        obj=pledge,
        commune_id=campaign.place_id,
        before=_pledge_data(previous) if previous else None,
        after=_pledge_data(pledge) | {"villages": ",".join(v.code for v in covered)},
    )
    return pledge


def _pledge_data(pledge: Pledge) -> dict[str, object]:
    return {
        "unit": pledge.unit_id,
        "campaign": pledge.campaign_id,
        "signed_on": pledge.signed_on.isoformat() if pledge.signed_on else None,
        "deadline": pledge.deadline.isoformat() if pledge.deadline else None,
        "target_people": pledge.target_people,
        "target_sessions": pledge.target_sessions,
        "target_achievements": pledge.target_achievements,
        "note": pledge.note,
    }


def twinning_get_or_create(
    *, unit: Unit, village: Place, since: dt.date | None = None, note: str = ""
) -> tuple[Twinning, bool]:
    if village.kind not in LOCAL_KINDS:
        raise DomainError(
            Message(_("A unit is twinned with a village, not with %(place)s."), place=village.name),
            code="twinning_place_invalid",
        )
    with transaction.atomic():
        twinning, created = Twinning.objects.get_or_create(
            unit=unit,
            village=village,
            defaults={"since": since, "note": text_clean(note, field=_("Note"), max_length=500)},
        )
        if created:
            audit_record(
                action=AuditAction.CREATE,
                obj=twinning,
                commune_id=village.commune_id,
                after={"unit": unit.pk, "village": village.code},
            )
    return twinning, created


def _donation_check(
    *, village: Place, item: str, value_vnd: int, units: list[Unit], givers: list[Place],
    campaign: CampaignRef | None,
) -> None:  # fmt: skip
    if not units and not givers:
        raise DomainError(_("A donation needs at least one donor."), code="donation_donor_missing")
    if item not in DonationItem.values:
        raise DomainError(
            Message(
                _("Unknown item %(item)s. Items: %(items)s"),
                item=item,
                items=", ".join(DonationItem.values),
            ),
            code="donation_item_unknown",
        )
    if value_vnd < 0:
        raise DomainError(_("A value cannot be negative."), code="donation_value_invalid")
    if village.kind not in LOCAL_KINDS:
        raise DomainError(
            Message(
                _("A donation goes to a village or site, not to %(place)s."), place=village.name
            ),
            code="donation_place_invalid",
        )
    if village in givers:
        raise DomainError(
            Message(_("%(place)s cannot give to itself."), place=village.name),
            code="donation_to_itself",
        )
    if campaign is not None:
        _villages_of_campaign(campaign, [village])


def _donation_data(donation: Donation, units: list[Unit], givers: list[Place]) -> dict[str, object]:
    return {
        "village": donation.village.code,
        "item": donation.item,
        "site": donation.site,
        "description": donation.description,
        "value_vnd": donation.value_vnd,
        "given_on": donation.given_on.isoformat(),
        "note": donation.note,
        "donor_units": ",".join(str(u.pk) for u in units),
        "donor_villages": ",".join(v.code for v in givers),
    }


@transaction.atomic
def donation_create(
    *,
    village: Place,
    item: str,
    given_on: dt.date,
    value_vnd: int = 0,
    donor_units: Iterable[Unit] = (),
    donor_villages: Iterable[Place] = (),
    campaign: CampaignRef | None = None,
    site: str = "",
    description: str = "",
    note: str = "",
) -> Donation:
    units, givers = list(donor_units), list(donor_villages)
    _donation_check(
        village=village,
        item=item,
        value_vnd=value_vnd,
        units=units,
        givers=givers,
        campaign=campaign,
    )
    donation = Donation.objects.create(
        campaign_id=campaign.pk if campaign is not None else None,
        village=village,
        site=text_clean(site, field=_("Site"), max_length=200),
        item=item,
        description=text_clean(description, field=_("Description"), max_length=300),
        value_vnd=value_vnd,
        given_on=given_on,
        note=text_clean(note, field=_("Note"), max_length=500),
    )
    donation.donor_units.set(units)
    donation.donor_villages.set(givers)
    audit_record(
        action=AuditAction.CREATE,
        obj=donation,
        commune_id=village.commune_id,
        after=_donation_data(donation, units, givers),
    )
    return donation


@transaction.atomic
def donation_update(
    *,
    donation: Donation,
    village: Place,
    item: str,
    given_on: dt.date,
    value_vnd: int,
    donor_units: Iterable[Unit] = (),
    donor_villages: Iterable[Place] = (),
    site: str = "",
    description: str = "",
    note: str = "",
) -> Donation:
    """Correct a donation: every term is replaced by the ones given (its campaign stays)."""
    units, givers = list(donor_units), list(donor_villages)
    locked = Donation.objects.select_for_update().select_related("village").get(pk=donation.pk)
    campaign = locked.campaign
    _donation_check(
        village=village,
        item=item,
        value_vnd=value_vnd,
        units=units,
        givers=givers,
        campaign=campaign,
    )
    before = _donation_data(
        locked, list(locked.donor_units.order_by("pk")), list(locked.donor_villages.order_by("pk"))
    )
    locked.village = village
    locked.item = item
    locked.given_on = given_on
    locked.value_vnd = value_vnd
    locked.site = text_clean(site, field=_("Site"), max_length=200)
    locked.description = text_clean(description, field=_("Description"), max_length=300)
    locked.note = text_clean(note, field=_("Note"), max_length=500)
    locked.save()
    locked.donor_units.set(units)
    locked.donor_villages.set(givers)
    after = _donation_data(
        locked, sorted(units, key=lambda u: u.pk), sorted(givers, key=lambda v: v.pk)
    )
    if after != before:
        audit_record(
            action=AuditAction.UPDATE,
            obj=locked,
            commune_id=village.commune_id,
            before=before,
            after=after,
        )
    return locked


@transaction.atomic
def donation_delete(*, donation: Donation) -> None:
    """Remove a donation entered by mistake (the audit row keeps what it said)."""
    units = list(donation.donor_units.order_by("pk"))
    givers = list(donation.donor_villages.order_by("pk"))
    audit_record(
        action=AuditAction.DELETE,
        obj=donation,
        commune_id=donation.village.commune_id,
        before=_donation_data(donation, units, givers),
    )
    donation.delete()


@transaction.atomic
def pledge_delete(*, pledge: Pledge) -> None:
    """Take a unit's pledge out of the campaign. Its turns and achievements stay: they are
    facts about residents; only the commitment (and with it the unit members' right to
    record in the campaign) goes."""
    audit_record(
        action=AuditAction.DELETE,
        obj=pledge,
        commune_id=pledge.campaign.place_id,
        before=_pledge_data(pledge)
        | {"villages": ",".join(v.code for v in pledge.villages.order_by("path"))},
    )
    pledge.delete()


@transaction.atomic
def twinning_delete(*, twinning: Twinning) -> None:
    """End a twinning entered by mistake (the audit row keeps what it said)."""
    audit_record(
        action=AuditAction.DELETE,
        obj=twinning,
        commune_id=twinning.village.commune_id,
        before={
            "unit": twinning.unit_id,
            "village": twinning.village.code,
            "since": twinning.since.isoformat() if twinning.since else None,
            "note": twinning.note,
        },
    )
    twinning.delete()
