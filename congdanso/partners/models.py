"""Partner units, their pledges in a campaign, twinnings with villages, and donations.

A unit belongs to a place (the commune for the commune Police, the district for the district
Party office, …) and can work in every campaign of places below it or above it.
"""

from typing import Any, Protocol

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from congdanso.places.models import Place


class CampaignRef(Protocol):
    """A campaign as this app needs one: its id and its place. Pledges and donations belong to
    a campaign, but the campaigns app sits above this one in the layers (its achievements name
    the unit that helped), so this app names campaigns by what it reads of them rather than by
    importing their model (docs/ARCHITECTURE.md)."""

    @property
    def pk(self) -> Any: ...

    @property
    def place(self) -> Place: ...

    @property
    def place_id(self) -> int: ...


class UnitKind(models.TextChoices):
    POLICE = "police", _("Police")
    YOUTH_UNION = "youth_union", _("Youth Union")
    WOMENS_UNION = "womens_union", _("Women's Union")
    FARMERS_ASSOCIATION = "farmers_association", _("Farmers' Association")
    VETERANS = "veterans", _("Veterans' Association")
    TELECOM = "telecom", _("Telecom operator")
    BANK = "bank", _("Bank")
    SCHOOL = "school", _("School")
    PARTY_OFFICE = "party_office", _("Party office")
    GOVERNMENT_OFFICE = "government_office", _("Government office")
    #: Tổ công nghệ số cộng đồng: 3–5 people of a village (its head, the Youth Union, the
    #: Women's Union, a telecom worker) who take on its targets and go door to door.
    DIGITAL_TEAM = "digital_team", _("Community digital technology team")
    OTHER = "other", _("Other")


class Unit(models.Model):
    place = models.ForeignKey(
        "places.Place",
        verbose_name=_("place"),
        on_delete=models.PROTECT,
        related_name="units",
        help_text=_("The place the unit belongs to (commune, district or province)."),
    )
    name = models.CharField(_("name"), max_length=200)
    name_key = models.CharField(_("search key"), max_length=200, editable=False)
    kind = models.CharField(_("kind"), max_length=30, choices=UnitKind.choices)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    villages = models.ManyToManyField(
        "places.Place",
        verbose_name=_("villages it works in"),
        blank=True,
        related_name="+",
        help_text=_("A community digital technology team's village (or villages)."),
    )

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["place", "name_key", "id"]
        constraints = [
            models.UniqueConstraint(fields=["place", "name_key"], name="unit_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class TeamMember(models.Model):
    """A member of a community digital technology team (or any unit's named member): who,
    what role in the team, which organisation they come from. A member who records in the
    field is also a user with the unit-member role of the unit."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="members"
    )
    full_name = models.CharField(_("full name"), max_length=200)
    role = models.CharField(_("role in the team"), max_length=100, blank=True)
    organisation = models.CharField(_("comes from"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        ordering = ["unit", "id"]

    def __str__(self) -> str:
        return self.full_name


class Pledge(models.Model):
    """A unit's signed emulation pledge (ký kết thi đua) in a campaign, with its targets."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="pledges"
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        related_name="pledges",
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    deadline = models.DateField(
        _("deadline"), null=True, blank=True, help_text=_("Empty: the campaign's end date.")
    )
    target_people = models.PositiveIntegerField(_("target: people helped"), null=True, blank=True)
    target_sessions = models.PositiveIntegerField(_("target: sessions held"), null=True, blank=True)
    target_achievements = models.PositiveIntegerField(
        _("target: achievements recorded"), null=True, blank=True
    )
    villages = models.ManyToManyField(
        "places.Place", verbose_name=_("villages covered"), blank=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
        ordering = ["campaign", "unit"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit"], name="pledge_unique_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} — {self.campaign}"


class Twinning(models.Model):
    """A unit twinned (kết nghĩa) with a village."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="twinnings"
    )
    village = models.ForeignKey(
        "places.Place", verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    since = models.DateField(_("since"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("twinning")
        verbose_name_plural = _("twinnings")
        ordering = ["village", "unit"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "village"], name="twinning_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} ↔ {self.village}"


class DonationItem(models.TextChoices):
    INTERNET_LINE = "internet_line", _("Internet line")
    DEVICE = "device", _("Device")
    OTHER = "other", _("Other")


class Donation(models.Model):
    """A gift to a village: donor units and, when a village gives too, donor villages."""

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="donations",
    )
    village = models.ForeignKey(
        "places.Place",
        verbose_name=_("village receiving"),
        on_delete=models.PROTECT,
        related_name="donations_received",
    )
    site = models.CharField(
        _("site"), max_length=200, blank=True, help_text=_("E.g. the community house.")
    )
    donor_units = models.ManyToManyField(
        Unit, verbose_name=_("donor units"), blank=True, related_name="donations"
    )
    donor_villages = models.ManyToManyField(
        "places.Place", verbose_name=_("donor villages"), blank=True, related_name="+"
    )
    item = models.CharField(_("item"), max_length=20, choices=DonationItem.choices)
    description = models.CharField(_("description"), max_length=300, blank=True)
    value_vnd = models.PositiveBigIntegerField(_("value (VND)"), default=0)
    given_on = models.DateField(_("date given or installed"))
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("donation")
        verbose_name_plural = _("donations")
        ordering = ["given_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_item_display()} → {self.village}"
