"""Reports sent up: a commune's figures as they were submitted, and the decision on them.

A submission freezes what a commune sends to the district or province for a campaign, a
place and a date: every figure of the indicators (the JSON of `congdanso indicators --json`),
the official report (.docx) and the workbook (.xlsx, its aggregate sheets: no resident's
data leaves the commune this way), with who sent it and when. Like the audit log, both
tables are append-only (database triggers refuse UPDATE and DELETE): a correction is a new
submission that supersedes the old one, and a decision (accepted, or returned with a
comment) is a row of its own, the latest deciding. DHIS2's data approval is the model: an
accepted figure never changes.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SubmissionState(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting review")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned")


class Decision(models.TextChoices):
    ACCEPT = "accepted", _("Accepted")
    RETURN = "returned", _("Returned")


class ReportSubmission(models.Model):
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        related_name="submissions",
    )
    place = models.ForeignKey(
        "places.Place", verbose_name=_("place"), on_delete=models.PROTECT, related_name="+"
    )
    as_of = models.DateField(_("figures as of"))
    registered_by = models.DateField(_("residents in the list by"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_by_name = models.CharField(_("submitted by (name)"), max_length=150, blank=True)
    supersedes = models.ForeignKey(
        "self",
        verbose_name=_("corrects"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    figures = models.JSONField(_("figures"))
    figures_sha256 = models.CharField(_("figures fingerprint"), max_length=64)
    docx = models.BinaryField(_("report (.docx)"))
    docx_sha256 = models.CharField(_("report fingerprint"), max_length=64)
    xlsx = models.BinaryField(_("workbook (.xlsx)"))
    xlsx_sha256 = models.CharField(_("workbook fingerprint"), max_length=64)

    class Meta:
        verbose_name = _("report submission")
        verbose_name_plural = _("report submissions")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["campaign", "as_of", "place"], name="submission_period"),
        ]

    def __str__(self) -> str:
        return f"{self.place} {self.as_of:%d/%m/%Y}"


class SubmissionDecision(models.Model):
    submission = models.ForeignKey(
        ReportSubmission,
        verbose_name=_("report submission"),
        on_delete=models.PROTECT,
        related_name="decisions",
    )
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    comment = models.TextField(_("comment"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_by_name = models.CharField(_("decided by (name)"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("decision on a report")
        verbose_name_plural = _("decisions on reports")
        ordering = ["-decided_at", "-id"]

    def __str__(self) -> str:
        return f"{self.submission} {self.decision}"
