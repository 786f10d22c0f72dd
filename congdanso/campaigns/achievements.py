"""Writes of achievements: a resident reached a criterion, or that record is withdrawn.

Recording an achievement is idempotent: the same fact twice is one achievement, and an earlier
date for a criterion already in force replaces the later one (a later date changes nothing).
A withdrawal keeps the row with who, when and why, and lets the fact be recorded again.
"""

import datetime as dt
import enum
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from congdanso.campaigns.models import (
    Achievement,
    AchievementSource,
    Criterion,
)
from congdanso.core.audit import Actor, audit_record
from congdanso.core.errors import DomainError, Message
from congdanso.core.hooks import residents_changing
from congdanso.core.models import AuditAction
from congdanso.core.parsing import reason_clean, text_clean
from congdanso.people.models import Resident
from congdanso.vn import vietnam_today


class Outcome(enum.StrEnum):
    CREATED = "created"
    UPDATED = "updated"  # an earlier date replaced a later one
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class Recorded:
    achievement: Achievement
    outcome: Outcome


def _check_date(resident: Resident, achieved_on: dt.date) -> None:
    today = vietnam_today()
    if achieved_on > today:
        raise DomainError(
            Message(
                _("The date %(date)s is in the future (today is %(today)s)."),
                date=achieved_on.strftime("%d/%m/%Y"),
                today=today.strftime("%d/%m/%Y"),
            ),
            code="date_in_future",
        )
    if resident.birth_date is not None and achieved_on < resident.birth_date:
        raise DomainError(
            Message(
                _("The date %(date)s is before %(name)s was born."),
                date=achieved_on.strftime("%d/%m/%Y"),
                name=resident.full_name,
            ),
            code="date_before_birth",
        )


def achievement_record(
    *,
    resident: Resident,
    criterion: Criterion,
    achieved_on: dt.date,
    recorded_by: Actor = None,
    unit_id: int | None = None,
    session_id: int | None = None,
    source: str = AchievementSource.FIELD,
    note: str = "",
) -> Recorded:
    """Record that the resident reached the criterion on that date (idempotent)."""
    _check_date(resident, achieved_on)
    note = text_clean(note, field=_("Note"), max_length=500)
    with residents_changing(residents=[resident.pk]):
        current = (
            Achievement.objects.select_for_update()
            .filter(
                commune_id=resident.commune_id,
                resident=resident,
                criterion=criterion,
                withdrawn_at__isnull=True,
            )
            .order_by("pk")  # not the model's ordering, which joins the places and residents
            .first()
        )
        if current is None:
            try:
                with transaction.atomic():
                    created = Achievement.objects.create(
                        commune_id=resident.commune_id,
                        resident=resident,
                        criterion=criterion,
                        achieved_on=achieved_on,
                        source=source,
                        unit_id=unit_id,
                        session_id=session_id,
                        note=note,
                        recorded_by=recorded_by,  # type: ignore[misc]
                    )
                audit_record(
                    action=AuditAction.CREATE,
                    obj=created,
                    actor=recorded_by,
                    after=_achievement_data(created),
                )
                return Recorded(created, Outcome.CREATED)
            except IntegrityError:
                # Another request recorded the same fact between our read and our insert.
                current = Achievement.objects.select_for_update().get(
                    commune_id=resident.commune_id,
                    resident=resident,
                    criterion=criterion,
                    withdrawn_at__isnull=True,
                )
        if achieved_on >= current.achieved_on:
            return Recorded(current, Outcome.UNCHANGED)
        before = _achievement_data(current)
        current.achieved_on = achieved_on
        current.source = source
        current.unit_id = unit_id
        current.session_id = session_id
        current.recorded_by = recorded_by  # type: ignore[assignment]
        if note:
            current.note = note
        current.save(
            update_fields=["achieved_on", "source", "unit", "session", "recorded_by", "note"]
        )
        audit_record(
            action=AuditAction.UPDATE,
            obj=current,
            actor=recorded_by,
            before=before,
            after=_achievement_data(current),
        )
        return Recorded(current, Outcome.UPDATED)


def _achievement_data(achievement: Achievement) -> dict[str, object]:
    return {
        "resident": achievement.resident_id,
        "criterion": achievement.criterion_id,
        "achieved_on": achievement.achieved_on.isoformat(),
        "source": achievement.source,
        "unit": achievement.unit_id,
        "session": achievement.session_id,
        "note": achievement.note,
    }


def achievement_withdraw(
    *, achievement: Achievement, reason: str, withdrawn_by: Actor = None
) -> Achievement:
    """Take an achievement out of every count, keeping it with the reason as history."""
    reason = reason_clean(
        reason, missing=_("Say why the achievement is withdrawn."), code="withdrawal_reason_missing"
    )
    with residents_changing(residents=[achievement.resident_id]):
        return _withdraw(achievement, reason, withdrawn_by)


def _withdraw(achievement: Achievement, reason: str, withdrawn_by: Actor) -> Achievement:
    locked = Achievement.objects.select_for_update().get(pk=achievement.pk)
    if locked.withdrawn_at is not None:
        raise DomainError(
            _("This achievement was withdrawn already."), code="achievement_already_withdrawn"
        )
    locked.withdrawn_at = timezone.now()
    locked.withdrawn_by = withdrawn_by  # type: ignore[assignment]
    locked.withdrawal_reason = reason
    locked.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
    audit_record(
        action=AuditAction.WITHDRAW,
        obj=locked,
        actor=withdrawn_by,
        before=_achievement_data(locked),
        reason=reason,
    )
    return locked
