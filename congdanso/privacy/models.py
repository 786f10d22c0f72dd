"""How each resident was told about the processing of their data (Law 91/2025/QH15 on
Personal Data Protection, Decree 356/2025/NĐ-CP): the notice and, where asked, the consent."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from congdanso.places.models import CommuneOwned


class NoticeMethod(models.TextChoices):
    VILLAGE_MEETING = "village_meeting", _("Village meeting")
    LEAFLET = "leaflet", _("Leaflet")
    LOUDSPEAKER = "loudspeaker", _("Commune loudspeaker")
    IN_PERSON = "in_person", _("Told in person at a session")
    SIGNED_FORM = "signed_form", _("Signed form")
    OTHER = "other", _("Other")


class PrivacyNotice(CommuneOwned):
    resident = models.ForeignKey(
        "people.Resident",
        verbose_name=_("resident"),
        on_delete=models.CASCADE,
        related_name="privacy_notices",
    )
    method = models.CharField(_("how informed"), max_length=20, choices=NoticeMethod.choices)
    informed_on = models.DateField(_("informed on"))
    consented = models.BooleanField(
        _("consented"), null=True, blank=True, help_text=_("Empty when consent was not asked.")
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
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
        verbose_name = _("privacy notice")
        verbose_name_plural = _("privacy notices")
        ordering = ["-informed_on", "-id"]
        indexes = [models.Index(fields=["commune", "resident"], name="notice_commune_resident")]

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.informed_on:%d/%m/%Y}"
