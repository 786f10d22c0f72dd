"""Support sessions and the turns (lượt) given in them.

A turn is one resident × one action in one session: an action completes a criterion (and
then creates the achievement) or is a service such as updating subscriber data. People helped
who are not in the registry are counted, not named (`anonymous_turns`).
"""

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
