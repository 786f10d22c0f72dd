"""Support sessions and the turns (lượt) given in them.

A turn is one resident × one action in one session: an action completes a criterion (and
then creates the achievement) or is a service such as updating subscriber data. People helped
who are not in the registry are counted (`anonymous_turns`); what they told of themselves, if
anything, waits in the session's queue of newcomers for a manager to add them to the list.
"""

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from congdanso.core.models import Created
from congdanso.places.models import CommuneOwned


class SessionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class SupportSession(Created):
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        related_name="sessions",
    )
    place = models.ForeignKey(
        "places.Place",
        verbose_name=_("place"),
        on_delete=models.PROTECT,
        related_name="sessions",
        help_text=_("The village, school or other site where the session is held."),
    )
    date = models.DateField(_("date"))
    starts_at = models.TimeField(_("starts at"), null=True, blank=True)
    ends_at = models.TimeField(_("ends at"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=SessionStatus.choices, default=SessionStatus.PLANNED
    )
    units = models.ManyToManyField(
        "partners.Unit", verbose_name=_("units present"), blank=True, related_name="sessions"
    )
    anonymous_turns = models.PositiveIntegerField(
        _("turns for people not in the registry"), default=0
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("support session")
        verbose_name_plural = _("support sessions")
        ordering = ["date", "starts_at", "id"]
        indexes = [models.Index(fields=["campaign", "date"], name="session_campaign_date")]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} — {self.place}"


class TurnService(models.TextChoices):
    """Actions that are a service rather than a criterion."""

    GUIDANCE = "guidance", _("Guidance on using the apps")
    DATA_UPDATE = "data_update", _("Personal data updated")
    ACCOUNT_RECOVERY = "account_recovery", _("Account or password recovered")
    OTHER = "other", _("Other help")


class Turn(CommuneOwned):
    session = models.ForeignKey(
        SupportSession, verbose_name=_("session"), on_delete=models.CASCADE, related_name="turns"
    )
    resident = models.ForeignKey(
        "people.Resident",
        verbose_name=_("resident"),
        on_delete=models.CASCADE,
        related_name="turns",
    )
    # Exactly one of criterion / service says what was done.
    criterion = models.ForeignKey(
        "campaigns.Criterion",
        verbose_name=_("criterion completed"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    service = models.CharField(
        _("service given"), max_length=20, choices=TurnService.choices, blank=True
    )
    unit = models.ForeignKey(
        "partners.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="turns",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("turn")
        verbose_name_plural = _("turns")
        ordering = ["session", "recorded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(criterion__isnull=False, service="")
                    | models.Q(criterion__isnull=True) & ~models.Q(service="")
                ),
                name="turn_criterion_or_service",
            ),
            models.UniqueConstraint(
                fields=["commune", "session", "resident", "criterion"],
                condition=models.Q(criterion__isnull=False),
                name="turn_unique_criterion",
            ),
            models.UniqueConstraint(
                fields=["commune", "session", "resident", "service"],
                condition=models.Q(criterion__isnull=True),
                name="turn_unique_service",
            ),
        ]
        indexes = [
            models.Index(fields=["commune", "unit"], name="turn_commune_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.session}: {self.resident_id}"


class Newcomer(CommuneOwned, Created):
    """A person helped at a session who is not in the list, with what they told (each part
    optional: a name, a birth year, a phone, or the number of a card scanned), waiting in the
    session's queue until a manager adds them to the list or sets them aside. The numbers are
    sealed like a resident's."""

    session = models.ForeignKey(
        SupportSession,
        verbose_name=_("session"),
        on_delete=models.CASCADE,
        related_name="newcomers",
    )
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("birth year"), null=True, blank=True)
    phone_encrypted = models.TextField(_("phone (encrypted)"), blank=True, editable=False)
    cccd_encrypted = models.TextField(_("CCCD (encrypted)"), blank=True, editable=False)
    key_version = models.PositiveSmallIntegerField(
        _("key version"), null=True, blank=True, editable=False
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    resident = models.ForeignKey(
        "people.Resident",
        verbose_name=_("added as"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("settled by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    encrypted_columns: ClassVar[dict[str, str]] = {
        "phone_encrypted": "outreach.newcomer.phone",
        "cccd_encrypted": "outreach.newcomer.cccd",
    }

    class Meta:
        verbose_name = _("newcomer")
        verbose_name_plural = _("newcomers")
        ordering = ["session", "created_at", "id"]
        indexes = [models.Index(fields=["commune", "session"], name="newcomer_commune_session")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.session}"
