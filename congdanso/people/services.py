"""Writes about one resident from the person card: showing a personal number in full, and
settling a data issue (correcting the value it is about, or closing it as it is).

Each is audited. Resolving an issue changes figures other apps keep about residents (the
tallies count residents with open issues), so it runs inside `residents_changing`.
"""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from congdanso.core.audit import audit_record
from congdanso.core.errors import DomainError, Message
from congdanso.core.hooks import residents_changing
from congdanso.core.models import AuditAction
from congdanso.core.parsing import reason_clean
from congdanso.people.models import DataIssue, Resident
from congdanso.privacy.services import CORRECTABLE, resident_correct

#: Personal numbers that can be shown in full, with a reason.
REVEALABLE = ("cccd", "phone")


def resident_reveal(*, resident: Resident, field: str, reason: str, revealed_by: Any = None) -> str:
    """The CCCD or phone of the resident in clear, with an audit row saying who saw it and
    why. The caller checks the role may (`accounts.access.can_reveal`)."""
    if field not in REVEALABLE:
        raise DomainError(
            Message(_("Only %(fields)s can be shown in full."), fields=", ".join(REVEALABLE)),
            code="field_not_revealable",
        )
    reason = reason_clean(reason, missing=_("Say why the number is shown in full."))
    audit_record(
        action=AuditAction.REVEAL,
        obj=resident,
        actor=revealed_by,
        changes={"field": field},
        reason=reason,
    )
    return str(getattr(resident, field) or "")


def data_issue_resolve(*, issue: DataIssue, reason: str, resolved_by: Any = None) -> DataIssue:
    """Close an open data issue without changing the resident (the value was checked and is
    right, or the possible duplicate is another person)."""
    reason = reason_clean(reason, missing=_("Say why the issue is closed."))
    with residents_changing(residents=[issue.resident_id]), transaction.atomic():
        return _resolve(issue, reason, resolved_by)


def data_issue_fix(*, issue: DataIssue, value: str, reason: str, fixed_by: Any = None) -> DataIssue:
    """Correct the field the issue is about to `value` (as a user types it; the same parsers
    as the import read it) and close the issue, in one transaction."""
    if issue.field not in CORRECTABLE:
        raise DomainError(
            _("This issue is not about one field: close it, or correct the resident."),
            code="issue_not_correctable",
        )
    with residents_changing(residents=[issue.resident_id]), transaction.atomic():
        resident_correct(
            resident=issue.resident,
            changes={issue.field: value},
            reason=reason,
            corrected_by=fixed_by,
        )
        return _resolve(issue, reason, fixed_by)


def _resolve(issue: DataIssue, reason: str, resolved_by: Any) -> DataIssue:
    locked = DataIssue.objects.select_for_update().get(pk=issue.pk)
    if locked.resolved_at is not None:
        raise DomainError(_("This issue was resolved already."), code="issue_already_resolved")
    locked.resolved_at = timezone.now()
    locked.resolved_by = resolved_by
    locked.save(update_fields=["resolved_at", "resolved_by"])
    audit_record(
        action=AuditAction.UPDATE,
        obj=locked,
        actor=resolved_by,
        commune_id=locked.commune_id,
        label=f"#{locked.pk} {locked.code}",  # the default label quotes the original value
        changes={"resolved": [False, True]},
        reason=reason,
    )
    return locked
