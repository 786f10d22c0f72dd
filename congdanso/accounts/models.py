"""Users and the roles they hold over parts of the place tree.

A role is granted over a place (a province, district, commune or village) and covers its whole
subtree. A user may hold several grants (a district officer who is also a commune manager).
What each role may do is decided in `access.py`, the one choke point; nothing else tests roles.
"""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from congdanso.core.models import Created


class User(AbstractUser):
    """The person who signs in. Roles and place scopes are attached to it (see access rules)."""


class Role(models.TextChoices):
    ADMIN = "admin", _("System administrator")
    MANAGER = "manager", _("Campaign manager")
    UNIT_MEMBER = "unit_member", _("Unit member")
    VILLAGE_HEAD = "village_head", _("Village head")
    VIEWER = "viewer", _("Viewer")


class RoleGrant(Created):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="grants",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    place = models.ForeignKey(
        "places.Place",
        verbose_name=_("place"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The role covers this place and everything below it."),
    )
    unit = models.ForeignKey(
        "partners.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("For a unit member: the unit they work for."),
    )

    class Meta:
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "place"],
                condition=models.Q(unit__isnull=True),
                name="grant_unique_without_unit",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "place", "unit"], name="grant_unique_with_unit"
            ),
            models.CheckConstraint(
                condition=models.Q(role="unit_member", unit__isnull=False)
                | (~models.Q(role="unit_member") & models.Q(unit__isnull=True)),
                name="grant_unit_only_for_unit_members",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.place}"


class ApiToken(Created):
    """A revocable key for the JSON API, acting as its user with the user's scope. Only a
    hash of the key is stored; the key itself is shown once, when it is created."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("E.g. the phone it is on."))
    prefix = models.CharField(_("prefix"), max_length=8, db_index=True)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} — {self.name} ({self.prefix}…)"
