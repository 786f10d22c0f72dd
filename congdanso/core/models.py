"""The audit log: who did what, when, from where, and what changed.

Rows are only ever inserted (by `core.audit.audit_record`, called by the services); the
application has no code path that updates or deletes them, the admin shows them read-only,
and a database trigger refuses UPDATE (and, on PostgreSQL, DELETE; on SQLite the
test database's flush needs DELETE). Personal fields are masked in
`changes` before they are written, so the log itself never becomes a copy of the registry.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Created(models.Model):
    """When the row was created."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        abstract = True


class Timestamped(Created):
    """When the row was created and last changed."""

    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class AuditAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Updated")
    DELETE = "delete", _("Deleted")
    WITHDRAW = "withdraw", _("Withdrawn")
    REVEAL = "reveal", _("Personal data shown")
    SEARCH = "search", _("Searched by number")
    IMPORT = "import", _("Imported")
    EXPORT = "export", _("Exported")
    ERASE = "erase", _("Erased")
    GRANT = "grant", _("Role granted")
    REVOKE = "revoke", _("Role revoked")


class AuditEvent(models.Model):
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.DO_NOTHING,  # the log outlives the accounts it names (and is
        null=True,  # never updated): `actor_name` keeps who it was
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    actor_name = models.CharField(_("user name"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("from (IP)"), null=True, blank=True)
    via = models.CharField(_("via"), max_length=20, blank=True)  # web, api, command
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(_("object type"), max_length=60)
    object_id = models.CharField(_("object id"), max_length=40, blank=True)
    object_label = models.CharField(_("object"), max_length=200, blank=True)
    commune_id = models.BigIntegerField(_("commune"), null=True, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["commune_id", "at"], name="audit_commune_at"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            models.Index(fields=["actor", "at"], name="audit_actor_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.actor_name} {self.action} {self.object_type}"


class ClientWrite(Created):
    """A write the API applied for a client-generated UUID, with the answer it gave: a phone
    that sends the same write again (after losing the network) gets the same answer and no
    second write."""

    user_id = models.BigIntegerField(_("user"))
    client_uuid = models.UUIDField(_("client UUID"))
    operation = models.CharField(_("operation"), max_length=40)
    request_hash = models.CharField(_("request hash"), max_length=64)
    status = models.PositiveSmallIntegerField(_("status"))
    response = models.JSONField(_("response"), default=dict)

    class Meta:
        verbose_name = _("client write")
        verbose_name_plural = _("client writes")
        constraints = [
            models.UniqueConstraint(fields=["user_id", "client_uuid"], name="client_write_once"),
        ]

    def __str__(self) -> str:
        return f"{self.operation} {self.client_uuid}"


class KeyKind(models.TextChoices):
    DATA = "data", _("data key")
    INDEX = "index", _("look-up key")


class KeyFingerprint(Created):
    """A fingerprint of a key this database's values are sealed with — never the key itself:
    HMAC-SHA256 of a fixed text under the key (see `core.keycheck`). It lets every start tell
    that the keyring at hand is the one the data needs, before anything is written with
    another one. The look-up (HMAC) key is not versioned: its version is always 1."""

    kind = models.CharField(_("kind"), max_length=5, choices=KeyKind.choices)
    version = models.PositiveSmallIntegerField(_("key version"))
    fingerprint = models.CharField(_("fingerprint"), max_length=32)

    class Meta:
        verbose_name = _("key fingerprint")
        verbose_name_plural = _("key fingerprints")
        ordering = ["kind", "version"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="key_fingerprint_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.version}: {self.fingerprint}"
