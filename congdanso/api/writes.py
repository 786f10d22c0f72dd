"""The API's writes, shared by their endpoints and by the offline batch.

Each takes the caller and the write's data, checks scope through `scope.access`, calls one
service, and returns (HTTP status, body). Refusals are DomainErrors (404 for what the caller
may not see, 403 for what they see but may not do, 400/422 for bad data).

A batch (a phone's outbox: hundreds of ticks in one session) runs its writes inside
`batch_lookups()`: what they look up again and again — the session, its campaign's criteria
and units, whether the caller may record in a village, the residents — is read once for the
batch, every check still made. A write that fails drops what was read (its transaction rolled
back, so what it read may have changed with it).
"""

import contextlib
import datetime as dt
from collections.abc import Callable, Hashable, Iterable, Iterator
from contextvars import ContextVar
from typing import Any, TypeVar

from django.utils.translation import gettext_lazy as _

from congdanso.accounts.models import User
from congdanso.campaigns.achievements import achievement_record, achievement_withdraw
from congdanso.campaigns.models import Achievement, Campaign, Criterion
from congdanso.campaigns.selectors import campaign_rules
from congdanso.core.errors import DomainError, Message, NotFound
from congdanso.outreach.models import SupportSession
from congdanso.outreach.newcomers import newcomer_add
from congdanso.outreach.services import session_anonymous_turns_add, turn_record
from congdanso.partners.models import Unit
from congdanso.partners.selectors import campaign_units
from congdanso.people.models import Resident
from congdanso.scope.access import (
    MANAGE_ROLES,
    RECORD_ROLES,
    Access,
    campaign_get_for,
    can_record,
    resident_get_for,
    residents_visible,
    units_of,
)

T = TypeVar("T")

_batch: ContextVar[dict[Hashable, Any] | None] = ContextVar("congdanso_batch", default=None)


@contextlib.contextmanager
def batch_lookups() -> Iterator[None]:
    """The writes run inside read their look-ups once (see the module's docstring)."""
    token = _batch.set({})
    try:
        yield
    finally:
        _batch.reset(token)


def batch_lookups_forget() -> None:
    """After a write of the batch failed: what was read may have been rolled back with it."""
    memo = _batch.get()
    if memo is not None:
        memo.clear()


def batch_residents_read(access: Access, resident_ids: Iterable[Any]) -> list[int]:
    """The residents the batch's writes name, read in one query (those the caller sees);
    their ids."""
    memo = _batch.get()
    ids = {int(i) for i in resident_ids if isinstance(i, int) or str(i).isdigit()}
    if memo is None or not ids:
        return []
    found = residents_visible(access).select_related("village", "commune").filter(pk__in=ids)
    read = []
    for resident in found:
        memo[("resident", resident.pk)] = resident
        read.append(resident.pk)
    return sorted(read)


def _looked_up(key: Hashable, read: Callable[[], T]) -> T:
    memo = _batch.get()
    if memo is None:
        return read()
    if key not in memo:
        memo[key] = read()  # a refusal raises, and is not kept
    return memo[key]  # type: ignore[no-any-return]


def _resident(access: Access, resident_id: Any) -> Resident:
    if not str(resident_id).isdigit():
        return resident_get_for(access, resident_id)
    return _looked_up(("resident", int(resident_id)), lambda: resident_get_for(access, resident_id))


class Forbidden(DomainError):
    code = "forbidden"


def _forbidden() -> Forbidden:
    return Forbidden(_("Your role does not allow this here."))


def _criterion(campaign: Campaign, code: str | None) -> Any:
    rules = _looked_up(("rules", campaign.pk), lambda: campaign_rules(campaign))
    for criterion in rules.criteria:
        if criterion.code == code:
            return criterion
    # The phone shows this message: the criterion's name, its code only if none is known.
    known = Criterion.objects.filter(code=code).first() if code else None
    raise DomainError(
        Message(
            _("This campaign does not track %(criterion)s."),
            criterion=known.name if known else code or "—",
        ),
        code="criterion_not_tracked",
    )


def _unit(access: Access, campaign: Campaign, unit_id: int | None) -> Unit | None:
    """The unit a write is made through: the caller's own for a unit member."""
    mine = units_of(access)
    if unit_id is None:
        unit_id = mine[0] if len(mine) == 1 else None
        if unit_id is None:
            return None
    if mine and not access.is_admin and unit_id not in mine:
        raise _forbidden()
    units = _looked_up(("units", campaign.pk), lambda: campaign_units(campaign))
    unit = next((u for u in units if u.pk == unit_id), None)
    if unit is None:
        raise NotFound(_("No such unit in this campaign."), code="not_found")
    return unit


def _session(access: Access, session_id: int | None) -> SupportSession:
    return _looked_up(("session", session_id), lambda: _session_read(access, session_id))


def _session_read(access: Access, session_id: int | None) -> SupportSession:
    session = None
    if session_id is not None:
        session = (
            SupportSession.objects.select_related("campaign__place", "place")
            .prefetch_related("campaign__rules")
            .filter(pk=session_id)
            .first()
        )
    if session is None or not access.overlaps(session.place, RECORD_ROLES):
        raise NotFound(_("No such session."), code="not_found")
    campaign_get_for(access, session.campaign_id)
    return session


def _recordable(access: Access, campaign: Campaign, resident: Resident) -> None:
    # what decides it: the campaign, and where the resident lives
    key = ("recordable", campaign.pk, resident.village_id, resident.commune_id)
    if not _looked_up(key, lambda: can_record(access, campaign, resident)):
        raise _forbidden()


def achievement_record_op(access: Access, user: User, data: dict[str, Any]) -> tuple[int, dict]:
    campaign = campaign_get_for(access, data["campaign_id"])
    resident = _resident(access, data["resident_id"])
    _recordable(access, campaign, resident)
    criterion = _criterion(campaign, data.get("criterion"))
    session = _session(access, data["session_id"]) if data.get("session_id") else None
    if session is not None and session.campaign_id != campaign.pk:
        raise NotFound(_("No such session."), code="not_found")
    unit = _unit(access, campaign, data.get("unit_id"))
    achieved_on = data["achieved_on"]
    if isinstance(achieved_on, str):
        achieved_on = dt.date.fromisoformat(achieved_on)
    recorded = achievement_record(
        resident=resident,
        criterion=criterion,
        achieved_on=achieved_on,
        recorded_by=user,
        unit_id=unit.pk if unit else None,
        session_id=session.pk if session else None,
        note=data.get("note") or "",
    )
    body = {
        "achievement_id": recorded.achievement.pk,
        "outcome": str(recorded.outcome),
        "achieved_on": recorded.achievement.achieved_on.isoformat(),
    }
    return (201 if recorded.outcome == "created" else 200), body


def achievement_withdraw_op(access: Access, user: User, data: dict[str, Any]) -> tuple[int, dict]:
    achievement = (
        Achievement.objects.select_related("resident")
        .filter(pk=data.get("achievement_id") or 0)
        .first()
    )
    if achievement is None:
        raise NotFound(_("No such achievement."), code="not_found")
    resident = resident_get_for(access, achievement.resident_id)
    manages = access.covers(resident.commune, MANAGE_ROLES)
    if not manages and achievement.recorded_by_id != user.pk:
        raise _forbidden()
    withdrawn = achievement_withdraw(
        achievement=achievement, reason=data.get("reason") or "", withdrawn_by=user
    )
    return 200, {"achievement_id": withdrawn.pk, "withdrawn": True}


def turn_record_op(access: Access, user: User, data: dict[str, Any]) -> tuple[int, dict]:
    session = _session(access, data.get("session_id"))
    campaign = session.campaign
    resident = _resident(access, data["resident_id"])
    _recordable(access, campaign, resident)
    criterion = _criterion(campaign, data["criterion"]) if data.get("criterion") else None
    result = turn_record(
        session=session,
        resident=resident,
        criterion=criterion,
        service=data.get("service") or "",
        unit=_unit(access, campaign, data.get("unit_id")),
        recorded_by=user,
    )
    body = {
        "turn_id": result.turn.pk,
        "created": result.created,
        "achievement_id": result.achievement.pk if result.achievement else None,
        "achievement_outcome": str(result.achievement_outcome or "") or None,
    }
    return (201 if result.created else 200), body


def anonymous_turns_op(access: Access, user: User, data: dict[str, Any]) -> tuple[int, dict]:
    session = _session(access, data.get("session_id"))
    if not access.covers(session.place, RECORD_ROLES):
        raise _forbidden()
    total = session_anonymous_turns_add(session=session, count=int(data.get("count", 1)))
    return 200, {"session_id": session.pk, "anonymous_turns": total}


def newcomer_op(access: Access, user: User, data: dict[str, Any]) -> tuple[int, dict]:
    session = _session(access, data.get("session_id"))
    if not access.covers(session.place, RECORD_ROLES):
        raise _forbidden()
    newcomer = newcomer_add(
        session=session,
        full_name=data.get("full_name") or "",
        birth_year=data.get("birth_year"),
        phone=data.get("phone") or "",
        cccd=data.get("cccd") or "",
        recorded_by=user,
    )
    session.refresh_from_db(fields=["anonymous_turns"])
    body = {
        "session_id": session.pk,
        "anonymous_turns": session.anonymous_turns,
        "newcomer_id": newcomer.pk if newcomer else None,
    }
    return 201, body


OPERATIONS: dict[str, Callable[[Access, User, dict[str, Any]], tuple[int, dict]]] = {
    "achievement.record": achievement_record_op,
    "achievement.withdraw": achievement_withdraw_op,
    "turn.record": turn_record_op,
    "session.anonymous_turns": anonymous_turns_op,
    "session.newcomer": newcomer_op,
}
