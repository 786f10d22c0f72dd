"""Writes about one resident: showing a personal number in full, correcting their data
(through the same parsers as the import), and settling a data issue (correcting the value it
is about, or closing it as it is).

Each is audited. A correction or a resolved issue changes figures other apps keep about
residents (the tallies count residents with open issues), so it runs inside
`residents_changing` (core.hooks).
"""

from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from congdanso.core.audit import Actor, audit_record
from congdanso.core.errors import DomainError, Message, ParserError
from congdanso.core.hooks import residents_changing, residents_found
from congdanso.core.models import AuditAction
from congdanso.core.parsing import reason_clean, text_clean
from congdanso.people.models import DataIssue, IssueCode, Resident, ResidentStatus, Segment
from congdanso.places.models import DWELLING_KINDS, Place
from congdanso.vn import (
    Cccd,
    VnValueError,
    clean_name,
    fold,
    format_birth_date,
    normalize_phone,
    parse_birth_date,
    parse_cccd,
    parse_gender,
)

#: Personal numbers that can be shown in full, with a reason.
REVEALABLE = ("cccd", "phone")


def resident_reveal(*, resident: Resident, field: str, reason: str, revealed_by: Any = None) -> str:
    """The CCCD or phone of the resident in clear, with an audit row saying who saw it and
    why. The caller checks the role may (`scope.access.can_reveal`)."""
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


#: Fields a correction may change, with how each is written.
CORRECTABLE = ("full_name", "birth_date", "gender", "cccd", "phone", "village", "status")


def _snapshot(resident: Resident) -> dict[str, Any]:
    return {
        "full_name": resident.full_name,
        "birth_date": format_birth_date(resident.birth_date, resident.birth_date_precision),
        "gender": resident.gender,
        "cccd": resident.cccd or "",
        "phone": resident.phone or "",
        "village": resident.village_id,
        "status": resident.status,
    }


def resident_correct(
    *, resident: Resident, changes: dict[str, Any], reason: str, corrected_by: Actor = None
) -> Resident:
    """Apply the changes (text as a user would type it; `village` a Place) and audit them."""
    unknown = sorted(set(changes) - set(CORRECTABLE))
    if unknown:
        raise DomainError(
            Message(_("These fields cannot be corrected: %(fields)s"), fields=", ".join(unknown)),
            code="field_not_correctable",
        )
    reason = reason_clean(reason, missing=_("Say why the data is corrected."))
    before = _snapshot(resident)
    try:
        _apply(resident, changes)
    except VnValueError as error:
        raise DomainError(
            Message(_("%(value)s: %(reason)s"), value=error.value, reason=ParserError(error)),
            code=error.code,
        ) from error
    try:
        with residents_changing(residents=[resident.pk]):
            resident.save()
            audit_record(
                action=AuditAction.UPDATE,
                obj=resident,
                actor=corrected_by,
                before=before,
                after=_snapshot(resident),
                reason=reason,
            )
    except IntegrityError as error:
        raise DomainError(
            _("Another resident of this commune has this CCCD number."), code="cccd_taken"
        ) from error
    return resident


def _apply(resident: Resident, changes: dict[str, Any]) -> None:
    if "full_name" in changes:
        name = clean_name(str(changes["full_name"] or ""))
        if not name:
            raise DomainError(_("The name cannot be empty."), code="name_missing")
        resident.full_name, resident.name_key = name, fold(name)
    if "birth_date" in changes:
        if changes["birth_date"] in (None, ""):
            resident.birth_date, resident.birth_date_precision = None, ""
        else:
            day, precision = parse_birth_date(changes["birth_date"])
            resident.birth_date, resident.birth_date_precision = day, precision
    if "gender" in changes:
        resident.gender = (parse_gender(changes["gender"]) or "") if changes["gender"] else ""
    if "cccd" in changes:
        resident.cccd = parse_cccd(changes["cccd"]).number if changes["cccd"] else None
    if "phone" in changes:
        resident.phone = normalize_phone(changes["phone"]) if changes["phone"] else ""
    if "village" in changes:
        village = changes["village"]
        if village is not None and (
            not isinstance(village, Place)
            or village.commune_id != resident.commune_id
            or village.kind not in DWELLING_KINDS
        ):
            raise DomainError(
                _("The village must be a village of the resident's commune."),
                code="village_invalid",
            )
        resident.village = village
    if "status" in changes:
        if changes["status"] not in ResidentStatus.values:
            raise DomainError(
                Message(
                    _("Unknown status %(status)s. Statuses: %(statuses)s"),
                    status=changes["status"],
                    statuses=", ".join(ResidentStatus.values),
                ),
                code="status_unknown",
            )
        resident.status = changes["status"]


def resident_add(
    *,
    village: Place,
    full_name: str,
    birth_date: Any = None,
    gender: str = "",
    cccd: str = "",
    phone: str = "",
    added_by: Actor = None,
    source: str = "",
) -> Resident:
    """Add one person to the commune's list by hand (a newcomer met at a session, a card
    scanned that matched nobody): the same parsers as the import read each value, a CCCD
    must agree with the birth year and sex and belong to nobody else in the commune, and a
    namesake of the village born the same year is flagged as a possible duplicate, as the
    import flags one. Audited; the tallies count the person from now on."""
    if village.kind not in DWELLING_KINDS or village.commune_id is None:
        raise DomainError(
            _("Choose the village, or the site, where the person lives."), code="village_invalid"
        )
    name = clean_name(text_clean(full_name, field=_("Full name"), max_length=200))
    if not any(ch.isalpha() for ch in name):
        raise DomainError(_("Write the person's full name."), code="name_missing")
    resident = Resident(
        commune_id=village.commune_id,
        village=village,
        full_name=name,
        name_key=fold(name),
        status=ResidentStatus.LIVING,
    )
    try:
        _apply(
            resident,
            {
                "birth_date": birth_date,
                "gender": gender,
                "cccd": cccd,
                "phone": phone,
            },
        )
    except VnValueError as error:
        raise DomainError(
            Message(_("%(value)s: %(reason)s"), value=error.value, reason=ParserError(error)),
            code=error.code,
        ) from error
    if resident.cccd and not Cccd(resident.cccd).agrees_with(
        birth_year=resident.birth_date.year if resident.birth_date else None,
        gender=resident.gender or None,
    ):
        raise DomainError(
            _("The CCCD number does not match the birth year or the sex given."),
            code="cccd_mismatch",
        )
    try:
        with residents_changing(), transaction.atomic():
            resident.save()
            residents_found(residents=[resident.pk], turns=True, created=True)
            namesakes = Resident.objects.filter(
                commune_id=resident.commune_id, village=village, name_key=resident.name_key
            ).exclude(pk=resident.pk)
            if resident.birth_date is not None:
                namesakes = namesakes.filter(birth_date__year=resident.birth_date.year)
            if namesakes.exists():
                DataIssue.objects.create(
                    commune_id=resident.commune_id,
                    resident=resident,
                    code=IssueCode.POSSIBLE_DUPLICATE,
                    detail=str(_("Another resident of the village has this name and birth year.")),
                    source=source,
                )
            audit_record(
                action=AuditAction.CREATE,
                obj=resident,
                actor=added_by,
                after=_snapshot(resident),
                reason=source,
            )
    except IntegrityError as error:
        raise DomainError(
            _("Another resident of this commune has this CCCD number."), code="cccd_taken"
        ) from error
    return resident


def segments_parse(codes: Sequence[str]) -> str:
    """The stored form of a resident's groups: known codes, sorted, comma-separated."""
    wanted = sorted({c.strip() for c in codes if c.strip()})
    unknown = [c for c in wanted if c not in Segment.values]
    if unknown:
        raise DomainError(
            Message(
                _("Unknown group: %(codes)s. Groups: %(known)s"),
                codes=", ".join(unknown),
                known=", ".join(Segment.values),
            ),
            code="segment_unknown",
        )
    return ",".join(wanted)


@transaction.atomic
def resident_segments_set(
    *, resident: Resident, segments: Sequence[str], changed_by: Actor = None
) -> Resident:
    """Mark the resident's groups (students, public-sector staff…); a target narrowed to a
    group counts them, so the tallies follow in the same transaction."""
    stored = segments_parse(segments)
    if stored == resident.segments:
        return resident
    before = resident.segments
    with residents_changing(residents=[resident.pk]):
        Resident.objects.filter(pk=resident.pk).update(segments=stored)
        resident.segments = stored
        audit_record(
            action=AuditAction.UPDATE,
            obj=resident,
            actor=changed_by,
            before={"segments": before},
            after={"segments": stored},
        )
    return resident
