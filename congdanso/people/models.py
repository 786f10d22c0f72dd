"""The resident registry.

Every table holding resident data carries the commune (the future shard key) and its unique
constraints include it. A field that failed validation on import is stored nowhere in the
resident row: it is kept, with its original text, in a `DataIssue` so that nothing is lost.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class BirthDatePrecision(models.TextChoices):
    DAY = "day", _("Day")
    MONTH = "month", _("Month only")
    YEAR = "year", _("Year only")


class Gender(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class ResidentStatus(models.TextChoices):
    LIVING = "living", _("Living here")
    MOVED_AWAY = "moved_away", _("Moved away")
    DECEASED = "deceased", _("Deceased")


class IssueCode(models.TextChoices):
    CCCD_INVALID = "cccd_invalid", _("Invalid CCCD number")
    CCCD_MISMATCH = "cccd_mismatch", _("CCCD disagrees with birth year or gender")
    PHONE_INVALID = "phone_invalid", _("Invalid phone number")
    BIRTH_DATE_INVALID = "birth_date_invalid", _("Invalid birth date")
    GENDER_INVALID = "gender_invalid", _("Invalid gender")
    POSSIBLE_DUPLICATE = "possible_duplicate", _("Possible duplicate")


class Resident(models.Model):
    commune = models.ForeignKey(
        "places.Place",
        verbose_name=_("commune"),
        on_delete=models.PROTECT,
        related_name="residents",
        db_index=False,  # every index of the table starts with the commune
    )
    village = models.ForeignKey(
        "places.Place",
        verbose_name=_("village"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="village_residents",
    )
    full_name = models.CharField(_("full name"), max_length=200)
    name_key = models.CharField(_("search key"), max_length=200, editable=False)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    birth_date_precision = models.CharField(
        _("birth date precision"),
        max_length=5,
        choices=BirthDatePrecision.choices,
        blank=True,
    )
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    cccd = models.CharField(_("CCCD number"), max_length=12, null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=10, blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ResidentStatus.choices,
        default=ResidentStatus.LIVING,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["commune", "name_key", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "cccd"],
                condition=models.Q(cccd__isnull=False),
                name="resident_unique_cccd_per_commune",
            ),
        ]
        indexes = [
            # A village's residents, and the import's (name, village) look-up, from one index.
            models.Index(fields=["commune", "village", "name_key"], name="resident_village_name"),
            models.Index(fields=["commune", "phone"], name="resident_commune_phone"),
        ]

    def __str__(self) -> str:
        return self.full_name


class DataIssue(models.Model):
    """A problem found in a resident's data, with the original value that was set aside."""

    commune = models.ForeignKey(
        "places.Place", verbose_name=_("commune"), on_delete=models.PROTECT, related_name="+"
    )
    resident = models.ForeignKey(
        Resident, verbose_name=_("resident"), on_delete=models.CASCADE, related_name="issues"
    )
    code = models.CharField(_("code"), max_length=30, choices=IssueCode.choices)
    field = models.CharField(_("field"), max_length=30, blank=True)
    original_value = models.CharField(_("original value"), max_length=500, blank=True)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    source = models.CharField(_("source"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("data issue")
        verbose_name_plural = _("data issues")
        indexes = [
            models.Index(fields=["commune", "code"], name="issue_commune_code"),
            models.Index(fields=["resident", "code"], name="issue_resident_code"),
        ]

    def __str__(self) -> str:
        return f"{self.get_code_display()}: {self.original_value}"


class ImportRun(models.Model):
    """One import of a resident list into a commune: what was read, what it did, what it
    rejected. It lets a user see past imports and lets an unchanged file imported again into
    unchanged data be answered from here instead of being read again."""

    commune = models.ForeignKey(
        "places.Place", verbose_name=_("commune"), on_delete=models.PROTECT, related_name="+"
    )
    file_name = models.CharField(_("file name"), max_length=255)
    file_sha256 = models.CharField(_("file SHA-256"), max_length=64)
    options = models.JSONField(_("options"), default=dict)
    result = models.JSONField(_("result"), default=dict)
    rejected_rows = models.JSONField(_("rejected rows"), default=list)
    data_version = models.CharField(_("data version after the import"), max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")
        indexes = [
            models.Index(fields=["commune", "file_sha256"], name="importrun_commune_file"),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.created_at:%d/%m/%Y %H:%M})"
