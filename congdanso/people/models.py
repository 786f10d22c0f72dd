"""The resident registry.

Every table holding resident data carries the commune (the future shard key) and its unique
constraints include it. A field that failed validation on import is stored nowhere in the
resident row: it is kept, with its original text, in a `DataIssue` so that nothing is lost.

CCCD and phone numbers are stored encrypted, with keyed hashes to find them (`personal`
says which columns hold what). `resident.cccd` and `resident.phone` read and write them in
clear; `cccd_masked` / `phone_masked` are what lists show. A model that has encrypted columns
names them in `encrypted_columns` (column → associated data) with its `key_version`, which is
how `congdanso keys` finds them.
"""

import json
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from congdanso.core.crypto import decrypt, encrypt, keyring
from congdanso.core.models import Created, Timestamped
from congdanso.people import personal
from congdanso.places.models import CommuneOwned
from congdanso.vn import mask_phone


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


class Segment(models.TextChoices):
    """Groups a target may be narrowed to (the provinces' plans count e.g. 100% of students
    and of public-sector staff), marked on residents by import or by hand."""

    STUDENT = "student", _("Student")
    PUBLIC_SECTOR = "public_sector", _("Public-sector staff")


class IssueCode(models.TextChoices):
    CCCD_INVALID = "cccd_invalid", _("Invalid CCCD number")
    CCCD_MISMATCH = "cccd_mismatch", _("CCCD disagrees with birth year or gender")
    PHONE_INVALID = "phone_invalid", _("Invalid phone number")
    BIRTH_DATE_INVALID = "birth_date_invalid", _("Invalid birth date")
    GENDER_INVALID = "gender_invalid", _("Invalid gender")
    POSSIBLE_DUPLICATE = "possible_duplicate", _("Possible duplicate")


class ResidentQuerySet(models.QuerySet["Resident"]):
    def with_cccd(self, number: str) -> "ResidentQuerySet":
        """Residents with this CCCD (12 digits), found by its look-up key."""
        return self.filter(cccd_hmac=personal.cccd_hmac(number))

    def with_phone(self, number: str) -> "ResidentQuerySet":
        """Residents with this phone (10 digits), found by its look-up key."""
        return self.filter(phone_hmac=personal.phone_hmac(number))


class Resident(CommuneOwned, Timestamped):
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
    cccd_encrypted = models.TextField(
        _("CCCD number (encrypted)"), null=True, blank=True, editable=False
    )
    cccd_hmac = models.CharField(
        _("CCCD look-up key"), max_length=32, null=True, blank=True, editable=False
    )
    cccd_last4_hmac = models.CharField(
        _("CCCD last-four-digit look-up key"), max_length=16, null=True, blank=True, editable=False
    )
    phone_encrypted = models.TextField(_("phone (encrypted)"), blank=True, editable=False)
    phone_hmac = models.CharField(_("phone look-up key"), max_length=32, blank=True, editable=False)
    phone_last4_hmac = models.CharField(
        _("phone last-four-digit look-up key"), max_length=16, blank=True, editable=False
    )
    key_version = models.PositiveSmallIntegerField(
        _("key version"), null=True, blank=True, editable=False
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ResidentStatus.choices,
        default=ResidentStatus.LIVING,
    )
    segments = models.CharField(
        _("groups"),
        max_length=100,
        blank=True,
        default="",
        # the resident import and the benchmarks write rows by raw SQL without this column
        db_default="",
        help_text=_("Students, public-sector staff…: the codes, separated by commas."),
    )

    objects = ResidentQuerySet.as_manager()

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["commune", "name_key", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "cccd_hmac"],
                condition=models.Q(cccd_hmac__isnull=False),
                name="resident_unique_cccd_per_commune",
            ),
        ]
        indexes = [
            # A village's residents, and the import's (name, village) look-up, from one index.
            models.Index(fields=["commune", "village", "name_key"], name="resident_village_name"),
            models.Index(fields=["commune", "phone_hmac"], name="resident_commune_phone"),
            models.Index(fields=["commune", "cccd_last4_hmac"], name="resident_cccd_last4"),
            models.Index(fields=["commune", "phone_last4_hmac"], name="resident_phone_last4"),
        ]

    encrypted_columns: ClassVar[dict[str, str]] = {
        "cccd_encrypted": personal.CCCD,
        "phone_encrypted": personal.PHONE,
    }
    #: The look-up key column of a token column (same context): what the start check of the
    #: keys (core.keycheck) recomputes from a few decrypted numbers.
    blind_indexes: ClassVar[dict[str, str]] = {
        "cccd_encrypted": "cccd_hmac",
        "phone_encrypted": "phone_hmac",
    }

    def __str__(self) -> str:
        return self.full_name

    # The numbers in clear. Setting one sets its token and look-up keys together; the import
    # writes the same columns in bulk (importing/writing.py).
    @property
    def cccd(self) -> str | None:
        return decrypt(self.cccd_encrypted, personal.CCCD) if self.cccd_encrypted else None

    @cccd.setter
    def cccd(self, number: str | None) -> None:
        if number:
            sealed = personal.seal_cccd(number)
            self.cccd_encrypted, self.cccd_hmac, self.cccd_last4_hmac = sealed
        else:
            self.cccd_encrypted = self.cccd_hmac = self.cccd_last4_hmac = None
        self.key_version = personal.key_version_of(self.cccd_encrypted, self.phone_encrypted)

    @property
    def phone(self) -> str:
        return decrypt(self.phone_encrypted, personal.PHONE) if self.phone_encrypted else ""

    @phone.setter
    def phone(self, number: str | None) -> None:
        if number:
            sealed = personal.seal_phone(number)
            self.phone_encrypted, self.phone_hmac, self.phone_last4_hmac = sealed
        else:
            self.phone_encrypted = self.phone_hmac = self.phone_last4_hmac = ""
        self.key_version = personal.key_version_of(self.cccd_encrypted, self.phone_encrypted)

    @property
    def cccd_masked(self) -> str:
        """'066******345', or "" without a CCCD."""
        number = self.cccd
        return personal.mask_value("cccd", number) if number else ""

    @property
    def phone_masked(self) -> str:
        """'09******78', or "" without a phone."""
        number = self.phone
        return mask_phone(number) if number else ""


class DataIssue(CommuneOwned, Created):
    """A problem found in a resident's data, with the original value that was set aside."""

    resident = models.ForeignKey(
        Resident, verbose_name=_("resident"), on_delete=models.CASCADE, related_name="issues"
    )
    code = models.CharField(_("code"), max_length=30, choices=IssueCode.choices)
    field = models.CharField(_("field"), max_length=30, blank=True)
    # For a CCCD or phone field, the value masked; the value itself is in original_encrypted.
    original_value = models.CharField(_("original value"), max_length=500, blank=True)
    original_encrypted = models.TextField(
        _("original value (encrypted)"), blank=True, editable=False
    )
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    source = models.CharField(_("source"), max_length=255, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    key_version = models.PositiveSmallIntegerField(
        _("key version"), null=True, blank=True, editable=False
    )

    encrypted_columns: ClassVar[dict[str, str]] = {"original_encrypted": personal.ISSUE_ORIGINAL}

    class Meta:
        verbose_name = _("data issue")
        verbose_name_plural = _("data issues")
        indexes = [
            models.Index(fields=["commune", "code"], name="issue_commune_code"),
            models.Index(fields=["resident", "code"], name="issue_resident_code"),
        ]

    def __str__(self) -> str:
        return f"{self.get_code_display()}: {self.original_value}"

    @property
    def original(self) -> str:
        """The original value in clear (`original_value` is masked for CCCD and phone)."""
        if self.original_encrypted:
            return decrypt(self.original_encrypted, personal.ISSUE_ORIGINAL)
        return self.original_value

    @original.setter
    def original(self, value: str) -> None:
        """Keep `value` as it was given; a CCCD's or phone's masked, and encrypted."""
        if self.field in personal.PERSONAL_FIELDS and value:
            self.original_value = personal.mask_value(self.field, value)[:500]
            self.original_encrypted = encrypt(value, personal.ISSUE_ORIGINAL)
            self.key_version = keyring().active
        else:
            self.original_value, self.original_encrypted, self.key_version = value, "", None


class RejectedRowsMixin:
    """`rejected_rows` kept encrypted in `rejected_rows_encrypted` (they hold CCCDs and
    phones as the file gave them): [[row number, cells, msgid, params], …]."""

    rejected_rows_encrypted: str
    key_version: int | None
    encrypted_columns: ClassVar[dict[str, str]]

    @property
    def rejected_rows(self) -> list[Any]:
        if not self.rejected_rows_encrypted:
            return []
        context = self.encrypted_columns["rejected_rows_encrypted"]
        return json.loads(decrypt(self.rejected_rows_encrypted, context))

    @rejected_rows.setter
    def rejected_rows(self, rows: list[Any]) -> None:
        if not rows:
            self.rejected_rows_encrypted, self.key_version = "", None
            return
        text = json.dumps(rows, ensure_ascii=False)
        context = self.encrypted_columns["rejected_rows_encrypted"]
        self.rejected_rows_encrypted = encrypt(text, context)
        self.key_version = keyring().active


class ImportRun(RejectedRowsMixin, CommuneOwned, Created):
    """One import of a resident list into a commune: what was read, what it did, what it
    rejected. It lets a user see past imports and lets an unchanged file imported again into
    unchanged data be answered from here instead of being read again."""

    file_name = models.CharField(_("file name"), max_length=255)
    file_sha256 = models.CharField(_("file SHA-256"), max_length=64)
    options = models.JSONField(_("options"), default=dict)
    result = models.JSONField(_("result"), default=dict)
    # JSON of the rejected rows, encrypted as a whole: their cells hold CCCDs and phones.
    rejected_rows_encrypted = models.TextField(_("rejected rows (encrypted)"), blank=True)
    key_version = models.PositiveSmallIntegerField(
        _("key version"), null=True, blank=True, editable=False
    )
    data_version = models.CharField(_("data version after the import"), max_length=64)

    class Meta:
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")
        indexes = [
            models.Index(fields=["commune", "file_sha256"], name="importrun_commune_file"),
        ]

    encrypted_columns: ClassVar[dict[str, str]] = {"rejected_rows_encrypted": personal.RUN_REJECTED}

    def __str__(self) -> str:
        return f"{self.file_name} ({self.created_at:%d/%m/%Y %H:%M})"


class ImportKind(models.TextChoices):
    RESIDENTS = "residents", _("Resident list")
    ACHIEVEMENTS = "achievements", _("Achievement list")
    SEGMENTS = "segments", _("List of students or public-sector staff")


class ImportJobStatus(models.TextChoices):
    PREVIEW = "preview", _("Waiting for confirmation")
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")


class ImportJob(RejectedRowsMixin, CommuneOwned, Created):
    """An import started from the import page: the uploaded file waiting for its preview to
    be confirmed, then the background run, its progress and its outcome.

    `commune` is the commune a resident list goes into, or the place of the campaign an
    achievement list is for (a commune, or a district above its communes); the managers
    of that place see the job, nobody else. The upload is kept under the data directory
    (`core.uploads`, mode 0600, never served) until the run ends."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ImportKind.choices)
    file_name = models.CharField(_("file name"), max_length=255)
    upload_path = models.CharField(_("stored upload"), max_length=500, blank=True)
    options = models.JSONField(_("options"), default=dict, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ImportJobStatus.choices,
        default=ImportJobStatus.PREVIEW,
    )
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    rows_total = models.PositiveIntegerField(_("rows in the file"), null=True, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    # JSON of the rejected rows, encrypted as a whole: their cells hold CCCDs and phones.
    rejected_rows_encrypted = models.TextField(_("rejected rows (encrypted)"), blank=True)
    key_version = models.PositiveSmallIntegerField(
        _("key version"), null=True, blank=True, editable=False
    )
    #: Why it failed, as [msgid, params] so that it is shown in the reader's language.
    error = models.JSONField(_("error"), null=True, blank=True)
    error_code = models.CharField(_("error code"), max_length=40, blank=True)
    task_id = models.CharField(_("background task"), max_length=64, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        indexes = [
            models.Index(fields=["commune", "-created_at"], name="importjob_commune_created"),
        ]

    encrypted_columns: ClassVar[dict[str, str]] = {"rejected_rows_encrypted": personal.JOB_REJECTED}

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in {
            ImportJobStatus.DONE,
            ImportJobStatus.FAILED,
            ImportJobStatus.EXPIRED,
        }
