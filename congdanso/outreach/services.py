"""Writes for support sessions and their turns.

A turn that completes a criterion records the achievement (dated the session's day, through
the turn's unit and the session), so the field never has to tick the same thing twice.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from congdanso.campaigns.achievements import Outcome, achievement_record, achievement_withdraw
from congdanso.campaigns.models import Achievement, AchievementSource, Campaign, Criterion
from congdanso.campaigns.selectors import date_in_campaign_check
from congdanso.core.audit import Actor, audit_record
from congdanso.core.errors import DomainError, Message
from congdanso.core.hooks import residents_changing
from congdanso.core.models import AuditAction, AuditEvent
from congdanso.core.parsing import reason_clean, text_clean
from congdanso.outreach.models import SessionStatus, SupportSession, Turn, TurnService
from congdanso.outreach.selectors import session_residents
from congdanso.partners.models import Unit
from congdanso.people.models import Resident
from congdanso.places.models import LOCAL_KINDS, Place


@dataclass(frozen=True)
class TurnResult:
    turn: Turn
    created: bool
    achievement: Achievement | None
    achievement_outcome: Outcome | None


def _check_in_campaign(campaign: Campaign, place: Place, on: dt.date) -> None:
    if place.kind not in LOCAL_KINDS or not place.path.startswith(campaign.place.path):
        raise DomainError(
            Message(
                _("A session is held in a village, school or site of %(place)s, not in %(name)s."),
                place=campaign.place.name,
                name=place.name,
            ),
            code="session_place_invalid",
        )
    date_in_campaign_check(campaign, on)


@transaction.atomic
def session_create(
    *,
    campaign: Campaign,
    place: Place,
    date: dt.date,
    units: Iterable[Unit] = (),
    title: str = "",
    starts_at: dt.time | None = None,
    ends_at: dt.time | None = None,
    status: str = SessionStatus.PLANNED,
    note: str = "",
    created_by: Actor = None,
) -> SupportSession:
    _check_in_campaign(campaign, place, date)
    session = SupportSession.objects.create(
        campaign=campaign,
        place=place,
        date=date,
        starts_at=starts_at,
        ends_at=ends_at,
        title=text_clean(title, field=_("Title"), max_length=200),
        status=status,
        note=text_clean(note, field=_("Note"), max_length=500),
        created_by=created_by,  # type: ignore[misc]
    )
    present = list(units)
    session.units.set(present)
    audit_record(
        action=AuditAction.CREATE,
        obj=session,
        actor=created_by,
        commune_id=place.commune_id,
        after={
            "campaign": campaign.pk,
            "place": place.code,
            "date": date.isoformat(),
            "status": status,
            "units": ",".join(str(u.pk) for u in present),
        },
    )
    return session


def session_status_set(*, session: SupportSession, status: str) -> SupportSession:
    if status not in SessionStatus.values:
        raise DomainError(
            Message(_("Unknown session status %(status)s."), status=status),
            code="session_status_unknown",
        )
    if status == SessionStatus.CANCELLED and session.turns.exists():
        raise DomainError(
            _("A session with recorded turns cannot be cancelled."), code="session_has_turns"
        )
    if session.status != status:
        # Turns count only in held sessions: their people's tallies change with the status.
        with residents_changing(
            residents=session_residents(session.pk), achievements=False, turns=True
        ):
            SupportSession.objects.filter(pk=session.pk).update(status=status)
            audit_record(
                action=AuditAction.UPDATE,
                obj=session,
                commune_id=session.place.commune_id,
                before={"status": session.status},
                after={"status": status},
            )
    session.status = status
    return session


def session_anonymous_turns_add(*, session: SupportSession, count: int = 1) -> int:
    """Add (or, with a negative count, take back) turns for people not in the registry."""
    with transaction.atomic():
        locked = SupportSession.objects.select_for_update().get(pk=session.pk)
        if locked.status == SessionStatus.CANCELLED:
            raise DomainError(_("This session was cancelled."), code="session_cancelled")
        if locked.status != SessionStatus.HELD:
            session_status_set(session=locked, status=SessionStatus.HELD)
        if locked.anonymous_turns + count < 0:
            raise DomainError(
                _("There are not that many turns to take back."), code="anonymous_turns_negative"
            )
        SupportSession.objects.filter(pk=session.pk).update(
            anonymous_turns=F("anonymous_turns") + count, status=SessionStatus.HELD
        )
        audit_record(
            action=AuditAction.UPDATE,
            obj=session,
            commune_id=session.place.commune_id,
            before={"anonymous_turns": locked.anonymous_turns},
            after={"anonymous_turns": locked.anonymous_turns + count},
        )
        session.anonymous_turns = locked.anonymous_turns + count
        session.status = SessionStatus.HELD
        return session.anonymous_turns


def turn_record(
    *,
    session: SupportSession,
    resident: Resident,
    criterion: Criterion | None = None,
    service: str = "",
    unit: Unit | None = None,
    recorded_by: Actor = None,
) -> TurnResult:
    """One resident helped with one action in the session (idempotent)."""
    if (criterion is None) == (not service):
        raise DomainError(
            _("A turn is either a criterion completed or a service given."),
            code="turn_action_invalid",
        )
    if service and service not in TurnService.values:
        raise DomainError(
            Message(
                _("Unknown service %(service)s. Services: %(services)s"),
                service=service,
                services=", ".join(TurnService.values),
            ),
            code="turn_service_unknown",
        )
    if session.status == SessionStatus.CANCELLED:
        raise DomainError(_("This session was cancelled."), code="session_cancelled")
    campaign = session.campaign
    commune_path = f"{campaign.place.path}"
    if not (resident.commune.path.startswith(commune_path)):
        raise DomainError(
            Message(
                _("%(name)s does not live in the place of this campaign."), name=resident.full_name
            ),
            code="resident_outside_campaign",
        )
    # the campaign's rules as read with it when they were (a batch of ticks reads them once)
    tracked = {rule.criterion_id for rule in campaign.rules.all()}
    if criterion is not None and criterion.pk not in tracked:
        raise DomainError(
            Message(_("This campaign does not track %(criterion)s."), criterion=criterion.name),
            code="criterion_not_tracked",
        )
    with residents_changing(residents=[resident.pk], turns=True):
        turn, created = Turn.objects.get_or_create(
            session=session,
            resident=resident,
            criterion=criterion,
            service=service,
            defaults={
                "commune_id": resident.commune_id,
                "unit": unit,
                "recorded_by": recorded_by,
            },
        )
        if created:
            audit_record(
                action=AuditAction.CREATE,
                obj=turn,
                actor=recorded_by,
                after={
                    "session": session.pk,
                    "resident": resident.pk,
                    "criterion": criterion.pk if criterion else None,
                    "service": service,
                    "unit": unit.pk if unit else None,
                },
            )
        if session.status != SessionStatus.HELD:
            session_status_set(session=session, status=SessionStatus.HELD)
        recorded = None
        if criterion is not None:
            recorded = achievement_record(
                resident=resident,
                criterion=criterion,
                achieved_on=session.date,
                recorded_by=recorded_by,
                unit_id=unit.pk if unit else None,
                session_id=session.pk,
                source=AchievementSource.FIELD,
            )
    return TurnResult(
        turn=turn,
        created=created,
        achievement=recorded.achievement if recorded else None,
        achievement_outcome=recorded.outcome if recorded else None,
    )


#: How long a tick can be taken back from the session screen ("Hoàn tác").
UNDO_MINUTES = 10
#: The reason written for a tick taken back.
UNDO_REASON = "ghi nhầm"


def turn_undo(*, turn: Turn, undone_by: Actor = None, reason: str = UNDO_REASON) -> Turn:
    """Take back a mistaken tick, within `UNDO_MINUTES` of it: the turn goes (audited with
    the reason), and what it did to the achievement is undone — one it created is withdrawn
    with the same reason (kept as history); one that was there before and that the tick
    dated earlier gets its date, source, unit and session back (from the audit row of that
    change); one it left unchanged stays as it is."""
    reason = reason_clean(reason, missing=_("Say why the tick is taken back."))
    if timezone.now() - turn.recorded_at > dt.timedelta(minutes=UNDO_MINUTES):
        raise DomainError(
            Message(
                _(
                    "A tick can be taken back only in the %(minutes)d minutes after it: ask a "
                    "manager to withdraw the achievement from the person card."
                ),
                minutes=UNDO_MINUTES,
            ),
            code="undo_too_late",
        )
    with residents_changing(residents=[turn.resident_id], turns=True), transaction.atomic():
        locked = Turn.objects.select_for_update().filter(pk=turn.pk).first()
        if locked is None:
            raise DomainError(_("This tick was taken back already."), code="undo_done")
        if locked.criterion_id is not None:
            _achievement_of_tick_undo(locked, reason, undone_by)
        audit_record(
            action=AuditAction.DELETE,
            obj=locked,
            actor=undone_by,
            before={
                "session": locked.session_id,
                "resident": locked.resident_id,
                "criterion": locked.criterion_id,
                "service": locked.service,
            },
            reason=reason,
        )
        locked.delete()
    return turn


def _achievement_of_tick_undo(turn: Turn, reason: str, undone_by: Actor) -> None:
    achievement = (
        Achievement.objects.select_for_update()
        .filter(
            commune_id=turn.commune_id,
            resident_id=turn.resident_id,
            criterion_id=turn.criterion_id or 0,
            session_id=turn.session_id,
            withdrawn_at__isnull=True,
        )
        .first()
    )
    if achievement is None:
        return  # the tick changed nothing: the achievement was there, as early or earlier
    # What the tick did to the achievement is in the audit log, written in the tick's own
    # transaction right after the turn's row: a creation, or a change of date.
    events = AuditEvent.objects.filter(
        object_type=achievement._meta.label_lower, object_id=str(achievement.pk)
    )
    since = (
        AuditEvent.objects.filter(
            action=AuditAction.CREATE, object_type=turn._meta.label_lower, object_id=str(turn.pk)
        )
        .values_list("pk", flat=True)
        .first()
    ) or 0
    if events.filter(action=AuditAction.CREATE, pk__gt=since).exists():
        achievement_withdraw(achievement=achievement, reason=reason, withdrawn_by=undone_by)
        return
    change = events.filter(action=AuditAction.UPDATE, pk__gt=since).order_by("-pk").first()
    if change is None or "achieved_on" not in change.changes:
        return
    before = {field: pair[0] for field, pair in change.changes.items()}
    achievement.achieved_on = dt.date.fromisoformat(before["achieved_on"])
    achievement.source = before.get("source", achievement.source)
    achievement.unit_id = before.get("unit", achievement.unit_id)
    achievement.session_id = before.get("session", achievement.session_id)
    achievement.save(update_fields=["achieved_on", "source", "unit", "session"])
    audit_record(
        action=AuditAction.UPDATE,
        obj=achievement,
        actor=undone_by,
        changes={field: [pair[1], pair[0]] for field, pair in change.changes.items()},
        reason=reason,
    )
