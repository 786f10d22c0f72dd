"""Session mode's reads: the sessions a user sees and may run, today's session at a place,
its running counts.

Sessions are those held in places the user's person-level grants cover; anything else
raises `NotFound`.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy as _

from congdanso.accounts.models import Role
from congdanso.campaigns.models import Campaign
from congdanso.core.errors import NotFound
from congdanso.outreach.models import SessionStatus, SupportSession, Turn
from congdanso.places.models import LOCAL_KINDS, Place
from congdanso.scope.access import (
    PERSON_ROLES,
    RECORD_ROLES,
    Access,
    places_visible,
)
from congdanso.scope.cards import SESSIONS_SHOWN, recording_unit
from congdanso.vn import vietnam_today


def can_hold_sessions(access: Access, campaign: Campaign) -> bool:
    """Whether the user records in the campaign at all: the rule of `can_record` without a
    resident (a unit member needs their unit's pledge). It decides which buttons a page of
    results shows; each write still checks `can_record` for its resident."""
    if access.is_admin:
        return True
    place = campaign.place
    for grant in access.grants:
        if grant.role not in RECORD_ROLES:
            continue
        if not (grant.path.startswith(place.path) or place.path.startswith(grant.path)):
            continue
        if grant.role != Role.UNIT_MEMBER:
            return True
    return recording_unit(access, campaign) is not None


def at_session_place(access: Access, session: SupportSession) -> bool:
    """Whether a recording grant of the user covers the session's place."""
    return access.covers(session.place, RECORD_ROLES)


def can_run_session(access: Access, campaign: Campaign, session: SupportSession) -> bool:
    """Whether the user may change the session itself (its count of people not in the list,
    its status): they record in the campaign, at the session's place."""
    return can_hold_sessions(access, campaign) and at_session_place(access, session)


@dataclass(frozen=True)
class SessionGroups:
    today: tuple[SupportSession, ...]
    upcoming: tuple[SupportSession, ...]
    past: tuple[SupportSession, ...]


def session_groups(access: Access, campaign: Campaign) -> SessionGroups:
    """The campaign's sessions the user sees: today's, the next ones, the latest past ones;
    each with `turn_count`, counted for the sessions shown only."""
    today = vietnam_today()
    visible = (
        SupportSession.objects.filter(
            campaign=campaign, place__in=places_visible(access, roles=PERSON_ROLES)
        )
        .select_related("place")
        .prefetch_related("units")
    )
    ascending = ("date", "starts_at", "id")
    groups = (
        list(visible.filter(date=today).order_by(*ascending)),
        list(visible.filter(date__gt=today).order_by(*ascending)[:SESSIONS_SHOWN]),
        list(
            visible.filter(date__lt=today).order_by("-date", "-starts_at", "-id")[:SESSIONS_SHOWN]
        ),
    )
    shown = [s for group in groups for s in group]
    counts = dict(
        Turn.objects.filter(session__in=[s.pk for s in shown])
        .order_by()
        .values("session_id")
        .annotate(n=Count("id"))
        .values_list("session_id", "n")
    )
    for session in shown:
        session.turn_count = counts.get(session.pk, 0)  # type: ignore[attr-defined]
    return SessionGroups(*(tuple(group) for group in groups))


def session_places(access: Access, campaign: Campaign) -> QuerySet[Place]:
    """Villages, schools and sites of the campaign where the user may hold a session."""
    return (
        places_visible(access, roles=RECORD_ROLES)
        .filter(
            path__startswith=campaign.place.path,
            kind__in=LOCAL_KINDS,
            archived_at__isnull=True,
        )
        .order_by("path")
    )


def session_today_at(campaign: Campaign, place: Place) -> SupportSession | None:
    """The session already planned or held today at the place, if any (opening today's
    session twice must not make two)."""
    return (
        SupportSession.objects.filter(campaign=campaign, place=place, date=vietnam_today())
        .exclude(status=SessionStatus.CANCELLED)
        .order_by("id")
        .first()
    )


def session_get_for(access: Access, campaign: Campaign, session_id: int | str) -> SupportSession:
    session = None
    if str(session_id).isdigit():
        session = (
            SupportSession.objects.filter(
                campaign=campaign,
                pk=int(session_id),
                place__in=places_visible(access, roles=PERSON_ROLES),
            )
            .select_related("place", "campaign__place")
            .first()
        )
    if session is None:
        raise NotFound(_("No such session."), code="not_found")
    return session


@dataclass(frozen=True)
class SessionCounts:
    turns: int  # turns of registered residents
    people: int  # registered residents helped
    anonymous: int  # turns of people not in the registry

    @property
    def total(self) -> int:
        return self.turns + self.anonymous


def session_counts(session: SupportSession) -> SessionCounts:
    counts = Turn.objects.filter(session=session).aggregate(
        turns=Count("id"), people=Count("resident_id", distinct=True)
    )
    return SessionCounts(
        turns=counts["turns"], people=counts["people"], anonymous=session.anonymous_turns
    )


def helped_in_session(session: SupportSession, resident_ids: Sequence[int]) -> dict[int, int]:
    """{resident: turns in this session} for the residents shown, in one query."""
    if not resident_ids:
        return {}
    return dict(
        Turn.objects.filter(session=session, resident_id__in=resident_ids)
        .order_by()
        .values("resident_id")
        .annotate(n=Count("id"))
        .values_list("resident_id", "n")
    )
