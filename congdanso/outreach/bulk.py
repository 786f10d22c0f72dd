"""Many turns of one session at once: the demo's simulated year and the API's offline batch.

`turns_bulk_record` leaves the database exactly as calling `turn_record` for each entry in
order would (with `achievement_record` behind it), in a constant number of queries per call
(bulk inserts and updates are split into batches only by the database's parameter limit):

- a turn that exists already (same session, resident and criterion or service) is skipped;
  a repeated entry counts once and the first one's unit is kept;
- each criterion entry records its achievement dated the session's day: created when none is
  in force, an earlier date replaces a later one (source, unit, session and recorder with it),
  an equal or later date changes nothing — also when the turn existed already;
- the session is marked held.

Every entry is checked before anything is written; one bad entry refuses the whole batch
with every problem listed (`BulkTurnError.problems`), so a retried upload is all-or-nothing.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from django.db import IntegrityError
from django.utils.translation import gettext_lazy as _

from congdanso.campaigns.models import (
    Achievement,
    AchievementSource,
    CampaignCriterion,
    Criterion,
)
from congdanso.campaigns.selectors import campaign_communes
from congdanso.core.audit import Actor, audit_record
from congdanso.core.errors import DomainError, Message
from congdanso.core.hooks import residents_changing, residents_found
from congdanso.core.models import AuditAction
from congdanso.outreach.models import SessionStatus, SupportSession, Turn, TurnService
from congdanso.outreach.selectors import session_residents
from congdanso.people.models import Resident
from congdanso.vn import vietnam_today


class TurnEntry(NamedTuple):
    """One resident helped with one action: a criterion completed or a service given."""

    resident_id: int
    criterion_id: int | None = None
    service: str = ""
    unit_id: int | None = None


@dataclass(frozen=True)
class EntryProblem:
    index: int  # 0-based position in the entries
    code: str
    message: Message


class BulkTurnError(DomainError):
    """At least one entry cannot be recorded; nothing was written."""

    def __init__(self, problems: Sequence[EntryProblem]) -> None:
        self.problems = tuple(problems)
        first = self.problems[0]
        super().__init__(
            Message(
                _(
                    "%(count)d entries cannot be recorded; the first is entry %(number)d: "
                    "%(reason)s"
                ),
                count=len(self.problems),
                number=first.index + 1,
                reason=first.message,
            ),
            code=first.code,
        )


@dataclass(frozen=True)
class BulkTurnResult:
    turns_created: int
    turns_existing: int
    achievements_created: int
    achievements_updated: int
    achievements_unchanged: int

    def as_json(self) -> dict[str, int]:
        return {
            "turns_created": self.turns_created,
            "turns_existing": self.turns_existing,
            "achievements_created": self.achievements_created,
            "achievements_updated": self.achievements_updated,
            "achievements_unchanged": self.achievements_unchanged,
        }


_EMPTY = BulkTurnResult(0, 0, 0, 0, 0)
_ACHIEVEMENT_UPDATE_FIELDS = ["achieved_on", "source", "unit", "session", "recorded_by"]


@dataclass(frozen=True)
class _Person:
    commune_id: int
    birth_date: dt.date | None
    full_name: str


def _entry_action_problem(index: int, entry: TurnEntry) -> EntryProblem | None:
    if (entry.criterion_id is None) == (not entry.service):
        return EntryProblem(
            index,
            "turn_action_invalid",
            Message(_("A turn is either a criterion completed or a service given.")),
        )
    if entry.service and entry.service not in TurnService.values:
        return EntryProblem(
            index,
            "turn_service_unknown",
            Message(
                _("Unknown service %(service)s. Services: %(services)s"),
                service=entry.service,
                services=", ".join(TurnService.values),
            ),
        )
    return None


def _problems(
    entries: Sequence[TurnEntry],
    session: SupportSession,
    people: dict[int, _Person],
    tracked: set[int],
) -> list[EntryProblem]:
    """Every entry's first problem, in the order `turn_record` + `achievement_record` check."""
    today = vietnam_today()
    problems = []
    for index, entry in enumerate(entries):
        problem = _entry_action_problem(index, entry)
        person = people.get(entry.resident_id)
        if problem is not None:
            pass
        elif person is None:
            problem = EntryProblem(
                index,
                "resident_outside_campaign",
                Message(
                    _("%(name)s does not live in the place of this campaign."),
                    name=f"#{entry.resident_id}",
                ),
            )
        elif entry.criterion_id is not None and entry.criterion_id not in tracked:
            problem = EntryProblem(
                index,
                "criterion_not_tracked",
                Message(
                    _("This campaign does not track %(criterion)s."),
                    criterion=_criterion_name(entry.criterion_id),
                ),
            )
        elif entry.criterion_id is not None and session.date > today:
            problem = EntryProblem(
                index,
                "date_in_future",
                Message(
                    _("The date %(date)s is in the future (today is %(today)s)."),
                    date=session.date.strftime("%d/%m/%Y"),
                    today=today.strftime("%d/%m/%Y"),
                ),
            )
        elif (
            entry.criterion_id is not None
            and person.birth_date is not None
            and session.date < person.birth_date
        ):
            problem = EntryProblem(
                index,
                "date_before_birth",
                Message(
                    _("The date %(date)s is before %(name)s was born."),
                    date=session.date.strftime("%d/%m/%Y"),
                    name=person.full_name,
                ),
            )
        if problem is not None:
            problems.append(problem)
    return problems


def _write(
    session: SupportSession, entries: Sequence[TurnEntry], recorded_by: Actor
) -> BulkTurnResult:
    recorded_by_id = recorded_by.pk if recorded_by is not None else None
    locked = (
        SupportSession.objects.select_for_update(of=("self",))
        .select_related("campaign__place", "place")
        .get(pk=session.pk)
    )
    if locked.status == SessionStatus.CANCELLED:
        raise DomainError(_("This session was cancelled."), code="session_cancelled")
    communes = campaign_communes(locked.campaign)
    tracked = set(
        CampaignCriterion.objects.filter(campaign_id=locked.campaign_id).values_list(
            "criterion_id", flat=True
        )
    )
    resident_ids = {e.resident_id for e in entries}
    people = {
        pk: _Person(commune_id, birth_date, full_name)
        for pk, commune_id, birth_date, full_name in Resident.objects.filter(
            commune_id__in=communes, pk__in=resident_ids
        ).values_list("pk", "commune_id", "birth_date", "full_name")
    }
    problems = _problems(entries, locked, people, tracked)
    if problems:
        raise BulkTurnError(problems)

    existing_turns = set(
        Turn.objects.filter(
            commune_id__in=communes, session_id=locked.pk, resident_id__in=resident_ids
        ).values_list("resident_id", "criterion_id", "service")
    )
    new_turns: dict[tuple[int, int | None, str], Turn] = {}
    skipped = 0
    first_unit: dict[tuple[int, int], int | None] = {}  # resident × criterion → first unit
    for entry in entries:
        key = (entry.resident_id, entry.criterion_id, entry.service)
        if entry.criterion_id is not None:
            first_unit.setdefault((entry.resident_id, entry.criterion_id), entry.unit_id)
        if key in existing_turns or key in new_turns:
            skipped += 1
            continue
        new_turns[key] = Turn(
            commune_id=people[entry.resident_id].commune_id,
            session_id=locked.pk,
            resident_id=entry.resident_id,
            criterion_id=entry.criterion_id,
            service=entry.service,
            unit_id=entry.unit_id,
            recorded_by_id=recorded_by_id,
        )
    Turn.objects.bulk_create(new_turns.values())

    created, updated, unchanged = _achievements_apply(
        locked, communes, first_unit, people, recorded_by_id
    )
    if locked.status != SessionStatus.HELD:
        # The session's earlier turns start counting too.
        residents_found(
            residents=session_residents(locked.pk),
            achievements=False,
            turns=True,
        )
        SupportSession.objects.filter(pk=locked.pk).update(status=SessionStatus.HELD)
    # One event for the batch: the turns and achievements carry their own session and author.
    audit_record(
        action=AuditAction.CREATE,
        object_type="outreach.turn",
        object_id=f"session:{locked.pk}",
        label=str(locked),
        commune_id=locked.place.commune_id,
        actor=recorded_by,
        changes={
            "turns_created": len(new_turns),
            "turns_existing": skipped,
            "achievements_created": created,
            "achievements_updated": updated,
            "achievements_unchanged": unchanged,
        },
    )
    return BulkTurnResult(
        turns_created=len(new_turns),
        turns_existing=skipped,
        achievements_created=created,
        achievements_updated=updated,
        achievements_unchanged=unchanged,
    )


def _achievements_apply(
    session: SupportSession,
    communes: list[int],
    first_unit: dict[tuple[int, int], int | None],
    people: dict[int, _Person],
    recorded_by_id: int | None,
) -> tuple[int, int, int]:
    if not first_unit:
        return 0, 0, 0
    in_force = {
        (a.resident_id, a.criterion_id): a
        for a in Achievement.objects.select_for_update()
        .filter(
            commune_id__in=communes,
            resident_id__in={resident for resident, _criterion in first_unit},
            criterion_id__in={criterion for _resident, criterion in first_unit},
            withdrawn_at__isnull=True,
        )
        .only("id", "resident_id", "criterion_id", "achieved_on")
        .order_by()  # the model's ordering would join the places and residents
    }
    to_create: list[Achievement] = []
    to_update: list[Achievement] = []
    for (resident_id, criterion_id), unit_id in first_unit.items():
        current = in_force.get((resident_id, criterion_id))
        if current is None:
            to_create.append(
                Achievement(
                    commune_id=people[resident_id].commune_id,
                    resident_id=resident_id,
                    criterion_id=criterion_id,
                    achieved_on=session.date,
                    source=AchievementSource.FIELD,
                    unit_id=unit_id,
                    session_id=session.pk,
                    recorded_by_id=recorded_by_id,
                )
            )
        elif session.date < current.achieved_on:
            current.achieved_on = session.date
            current.source = AchievementSource.FIELD
            current.unit_id = unit_id
            current.session_id = session.pk
            current.recorded_by_id = recorded_by_id
            to_update.append(current)
    Achievement.objects.bulk_create(to_create)
    if to_update:
        Achievement.objects.bulk_update(to_update, _ACHIEVEMENT_UPDATE_FIELDS)
    return len(to_create), len(to_update), len(first_unit) - len(to_create) - len(to_update)


def turns_bulk_record(
    *,
    session: SupportSession,
    entries: Sequence[TurnEntry],
    recorded_by: Actor = None,
) -> BulkTurnResult:
    """Record the entries as turns of the session, with the achievements they complete."""
    entries = [TurnEntry(*e) for e in entries]
    if not entries:
        return _EMPTY
    residents = sorted({e.resident_id for e in entries if isinstance(e.resident_id, int)})
    try:
        with residents_changing(residents=residents, turns=True):
            result = _write(session, entries, recorded_by)
    except IntegrityError:
        # A single turn or achievement was recorded at the same moment: read again, once.
        with residents_changing(residents=residents, turns=True):
            result = _write(session, entries, recorded_by)
    session.status = SessionStatus.HELD
    return result


def _criterion_name(criterion_id: int) -> str:
    """A criterion as the person who ticked it knows it: its name, not its number."""
    criterion = Criterion.objects.filter(pk=criterion_id).first()
    return criterion.name if criterion else f"#{criterion_id}"
