"""Reads of field mode: finding a person in a campaign, the person card, session mode.

A volunteer on a weak 3G phone waits on every one of these, so each page is a handful of
queries whatever the number of results: the residents of a page of results in one query,
the campaign criteria they reached in a second one (never one query per row).

Scope comes from `accounts.access`: residents are those the user may see one by one
(`residents_visible`) within the campaign's place, sessions those held in places the user's
person-level grants cover. Something outside it raises `NotFound`, as everywhere.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from congdanso.accounts.access import (
    PERSON_ROLES,
    RECORD_ROLES,
    Access,
    campaign_get_for,
    can_record,
    can_reveal,
    places_visible,
    resident_get_for,
    residents_visible,
    units_of,
)
from congdanso.accounts.models import Role
from congdanso.campaigns.models import Achievement, Campaign, Criterion
from congdanso.campaigns.selectors import achievement_history, campaign_communes, campaign_rules
from congdanso.core.errors import NotFound
from congdanso.outreach.models import SessionStatus, SupportSession, Turn
from congdanso.partners.models import Unit
from congdanso.partners.selectors import campaign_units
from congdanso.people.models import DataIssue, Resident
from congdanso.people.searching import search_allow, search_record
from congdanso.people.selectors import SearchQuery, resident_search
from congdanso.places.models import LOCAL_KINDS, Place
from congdanso.vn import vietnam_today

#: Results a search page shows: enough to find someone, small enough for 3G.
SEARCH_LIMIT = 20
#: Results in session mode, each with its buttons: the volunteer types until the person is
#: among the first few, and a short page stays quick to scroll with a thumb.
SESSION_SEARCH_LIMIT = 10
#: Sessions offered in a chooser, and past sessions listed.
SESSIONS_SHOWN = 30
#: Turns listed on a person card.
TURNS_SHOWN = 50


def criterion_label(criterion: Criterion) -> str:
    """The criterion's name in the active language (the Vietnamese name is the reference)."""
    language = translation.get_language() or "vi"
    if language.startswith("en") and criterion.name_en:
        return criterion.name_en
    return criterion.name


def criterion_short_label(criterion: Criterion) -> str:
    """The criterion's short name in the active language (for a button), else its name."""
    language = translation.get_language() or "vi"
    if language.startswith("en") and criterion.short_name_en:
        return criterion.short_name_en
    return criterion.short_name or criterion_label(criterion)


def campaign_for_people(access: Access, campaign_id: int | str) -> Campaign:
    """The campaign, for a user who sees its residents one by one (a viewer does not: for them
    the person pages of the campaign do not exist)."""
    campaign = campaign_get_for(access, campaign_id)
    if not access.overlaps(campaign.place, PERSON_ROLES):
        raise NotFound(_("No such page in this campaign."), code="not_found")
    return campaign


def campaign_residents(access: Access, campaign: Campaign) -> QuerySet[Resident]:
    """The residents of the campaign's place the user may see one by one."""
    communes = campaign_communes(campaign)
    if access.covers(campaign.place, PERSON_ROLES):
        # The whole place is in scope (a commune's manager or unit member): the commune key
        # alone says it, which the indexes serve without joining the place tree twice.
        return Resident.objects.filter(commune_id__in=communes)
    return residents_visible(access).filter(commune_id__in=communes)


def campaign_resident_get(access: Access, campaign: Campaign, resident_id: int | str) -> Resident:
    resident = resident_get_for(access, resident_id)
    if not resident.commune.path.startswith(campaign.place.path):
        raise NotFound(_("No such resident."), code="not_found")
    return resident


def _reached(campaign: Campaign, resident_ids: Sequence[int]) -> dict[int, dict[int, dt.date]]:
    """{resident: {criterion: date}} of the campaign's criteria in force, in one query."""
    reached: dict[int, dict[int, dt.date]] = defaultdict(dict)
    if not resident_ids:
        return reached
    rows = (
        Achievement.objects.filter(
            commune_id__in=campaign_communes(campaign),
            resident_id__in=resident_ids,
            criterion__in=campaign.rules.values("criterion_id"),
            withdrawn_at__isnull=True,
        )
        .order_by()
        .values_list("resident_id", "criterion_id", "achieved_on")
    )
    for resident_id, criterion_id, achieved_on in rows:
        reached[resident_id][criterion_id] = achieved_on
    return reached


@dataclass(frozen=True)
class CriterionState:
    criterion: Criterion
    achieved_on: dt.date | None

    @property
    def label(self) -> str:
        return criterion_label(self.criterion)

    @property
    def done(self) -> bool:
        return self.achieved_on is not None

    @property
    def button(self) -> str:
        """The one-tap button: "VNeID mức 2 — xong" ("VNeID level 2 — done")."""
        return gettext("%(name)s — done") % {"name": criterion_short_label(self.criterion)}


@dataclass(frozen=True)
class SearchRow:
    resident: Resident
    birth_year: int | None
    village: str
    cccd_masked: str
    phone_masked: str
    states: tuple[CriterionState, ...]

    @property
    def done_count(self) -> int:
        return sum(1 for s in self.states if s.done)

    @property
    def todo(self) -> tuple[CriterionState, ...]:
        return tuple(s for s in self.states if not s.done)


@dataclass(frozen=True)
class SearchResult:
    rows: tuple[SearchRow, ...]
    more: bool  # more residents match than are shown: the user should type more
    criteria_count: int


def search_rows(
    access: Access, campaign: Campaign, text: "str | SearchQuery", *, limit: int = SEARCH_LIMIT
) -> SearchResult:
    """The residents the search text names (see `resident_search`), each with the campaign
    criteria they have reached; `limit` at most."""
    rules = campaign_rules(campaign)
    # Ids first, in the order of the (commune, village, name key) index: the search then
    # reads that index alone and stops at the first page of matches, instead of reading
    # and sorting every matching row of a 20,000-resident commune. Results come village by
    # village, by name within each.
    ids = list(
        resident_search(
            campaign_residents(access, campaign)
            .order_by("commune_id", "village_id", "name_key", "id")
            .values_list("pk", flat=True),  # type: ignore[arg-type]  # it filters and slices
            text,
            limit=limit + 1,
        )
    )
    more = len(ids) > limit
    ids = ids[:limit]
    by_id = Resident.objects.select_related("village").in_bulk(ids)
    found = [by_id[pk] for pk in ids]
    reached = _reached(campaign, [r.pk for r in found])
    rows = tuple(
        SearchRow(
            resident=r,
            birth_year=r.birth_date.year if r.birth_date else None,
            village=r.village.name if r.village else "",
            cccd_masked=r.cccd_masked,
            phone_masked=r.phone_masked,
            states=tuple(CriterionState(c, reached[r.pk].get(c.pk)) for c in rules.criteria),
        )
        for r in found
    )
    return SearchResult(rows=rows, more=more, criteria_count=len(rules.criteria))


def search_people(
    *, access: Access, user: Any, campaign: Campaign, query: SearchQuery, limit: int
) -> SearchResult:
    """A user's search in the campaign: counted against their rates (`Throttled` once one is
    passed), and audited when it is by number (`people.searching`)."""
    search_allow(user_id=user.pk, query=query)
    result = search_rows(access, campaign, query, limit=limit)
    search_record(
        user=user,
        query=query,
        found=[(row.resident.pk, row.resident.commune_id) for row in result.rows],
        commune_id=campaign.place_id if campaign.place.is_commune_level else None,
    )
    return result


def recording_unit(access: Access, campaign: Campaign) -> Unit | None:
    """The unit a unit member records through: their unit that pledged in the campaign
    (None for the other roles, who record in their own name)."""
    mine = units_of(access)
    if not mine:
        return None
    return Unit.objects.filter(pk__in=mine, pledges__campaign=campaign).order_by("pk").first()


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


def units_to_record_through(access: Access, campaign: Campaign) -> list[Unit]:
    """Units a user may name when recording: a unit member only their own, others any unit
    working in the campaign."""
    units = campaign_units(campaign)
    mine = units_of(access)
    if mine and not access.is_admin:
        return [u for u in units if u.pk in mine]
    return units


def sessions_to_record_in(access: Access, campaign: Campaign) -> list[SupportSession]:
    """Recent and today's sessions the user may name when recording, newest first."""
    today = vietnam_today()
    return list(
        SupportSession.objects.filter(
            campaign=campaign,
            date__lte=today,
            place__in=places_visible(access, roles=PERSON_ROLES),
        )
        .exclude(status=SessionStatus.CANCELLED)
        .select_related("place")
        .order_by("-date", "-id")[:SESSIONS_SHOWN]
    )


@dataclass(frozen=True)
class PersonCard:
    resident: Resident
    birth: str  # the full date for who may reveal, else the year
    village: str
    cccd_masked: str
    phone_masked: str
    states: tuple[CriterionState, ...]
    exemplary: bool
    history: tuple[Achievement, ...]
    turns: tuple[Turn, ...]
    issues: tuple[DataIssue, ...]
    may_record: bool
    may_reveal: bool

    @property
    def done_count(self) -> int:
        return sum(1 for s in self.states if s.done)


def person_card(access: Access, campaign: Campaign, resident: Resident) -> PersonCard:
    """Everything the card shows about a resident in a campaign."""
    rules = campaign_rules(campaign)
    history = tuple(achievement_history(resident))
    in_force = {a.criterion_id: a for a in history if a.withdrawn_at is None}
    states = tuple(
        CriterionState(c, in_force[c.pk].achieved_on if c.pk in in_force else None)
        for c in rules.criteria
    )
    may_reveal = can_reveal(access, resident)
    if resident.birth_date is None:
        birth = ""
    elif may_reveal:
        birth = _birth_shown(resident.birth_date, resident.birth_date_precision)
    else:
        birth = str(resident.birth_date.year)
    turns = tuple(
        resident.turns.filter(commune_id=resident.commune_id)
        .select_related("session__place", "criterion", "unit")
        .order_by("-session__date", "-id")[:TURNS_SHOWN]
    )
    issues = tuple(
        DataIssue.objects.filter(
            commune_id=resident.commune_id, resident=resident, resolved_at__isnull=True
        ).order_by("created_at", "id")
    )
    return PersonCard(
        resident=resident,
        birth=birth,
        village=resident.village.name if resident.village else "",
        cccd_masked=resident.cccd_masked,
        phone_masked=resident.phone_masked,
        states=states,
        exemplary=bool(rules.exemplary) and all(c.pk in in_force for c in rules.exemplary),
        history=history,
        turns=turns,
        issues=issues,
        may_record=can_record(access, campaign, resident),
        may_reveal=may_reveal,
    )


def _birth_shown(day: dt.date, precision: str) -> str:
    """The birth date as a Vietnamese reader writes it, as precise as it is known."""
    if precision == "year":
        return f"{day:%Y}"
    if precision == "month":
        return f"{day:%m/%Y}"
    return f"{day:%d/%m/%Y}"


def data_issue_get_for(access: Access, resident: Resident, issue_id: int | str) -> DataIssue:
    """An open data issue of a resident the user sees (the resident came from `access`)."""
    issue = None
    if str(issue_id).isdigit():
        issue = DataIssue.objects.filter(
            commune_id=resident.commune_id,
            resident=resident,
            pk=int(issue_id),
            resolved_at__isnull=True,
        ).first()
    if issue is None:
        raise NotFound(_("No such data issue."), code="not_found")
    return issue


# Sessions.


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
