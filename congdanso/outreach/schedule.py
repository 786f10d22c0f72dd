"""Proposing support sessions: which village, school or site to visit on which day.

Days: the chosen weekdays of the range, within the campaign, without the public holidays
(`outreach.session_days`). With `skip_existing`, the campaign's non-cancelled sessions keep
their slots: a day that already holds `per_day` sessions is full, and a place never gets two
sessions on one day.

Sites: the campaign's non-archived places of the local kinds (villages, Ede villages,
residential groups, schools, other sites) in its subtree.

The rule. Each site has a weight `1 + need / largest need` (1 for a site at its target or
without a gap, 2 for the village furthest behind, in proportion between; all 1 when `need` is
None). Slots are filled in date order; for each slot:

1. Candidates are the sites without a session that day (never two at one place on one day).
2. Rotation cap: a candidate may have at most twice the visits of the least-visited site
   (`visits <= 2 * min_visits`): while any site has never been visited, only unvisited sites
   qualify. So, when the campaign has no earlier sessions, every site is proposed once in the
   first `len(sites)` slots (neediest first), no site is visited a second time before every
   site had its first, and no site ever has more than `2 * min_visits + 1` visits.
3. Among the qualified, the highest `weight / (visits + 1)` wins — a divisor method (as in
   seat apportionment), so over time visits are proportional to the weights: the furthest
   behind gets about twice the visits of a site at its target, and a site just visited
   yields. Ties: fewest visits, then the longest since the last visit (never visited first),
   then the place path. Weights are exact fractions and nothing is random: the same inputs
   always give the same plan.

If every qualified site already has a session that day (which happens when earlier sessions
were uneven), the cap yields to fill the slot with another site free that day. Visits count
the campaign's non-cancelled sessions up to the day planned (with `skip_existing`) and the
sessions proposed so far. `need` maps a place id to its gap to the target (how many more
people it needs); a missing or negative gap is 0.

`ProposedSession.reason` is a `Reason` code (first visit / behind target / rotation); its
`label` is the translatable text to show.
"""

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from congdanso.campaigns.models import Campaign
from congdanso.core.audit import Actor
from congdanso.core.errors import DomainError, Message
from congdanso.outreach.models import SessionStatus, SupportSession
from congdanso.outreach.services import session_create
from congdanso.outreach.session_days import schedule_days
from congdanso.partners.models import Unit
from congdanso.partners.selectors import campaign_units
from congdanso.places.models import LOCAL_KINDS, Place
from congdanso.vn.numbers import format_date

#: A site may be visited at most this many times as often as the least-visited site.
SPREAD = 2


class Reason(models.TextChoices):
    FIRST_VISIT = "first_visit", _("first visit")
    BEHIND_TARGET = "behind_target", _("behind target")
    ROTATION = "rotation", _("rotation")


@dataclass(frozen=True)
class ProposedSession:
    date: dt.date
    place: Place
    need: int  # the place's gap as given in `need` (0 if none or negative)
    reason: str  # a Reason value


# --- proposing ------------------------------------------------------------------------------


def campaign_sites(campaign: Campaign) -> list[Place]:
    """The places a campaign holds sessions at, in path order."""
    return list(
        Place.objects.filter(
            path__startswith=campaign.place.path,
            kind__in=LOCAL_KINDS,
            archived_at__isnull=True,
        )
        .select_related("commune")
        .order_by("path")
    )


@dataclass
class _Tally:
    place: Place
    need: int
    weight: Fraction
    visits: int = 0
    last: dt.date = dt.date.min

    def rank(self) -> tuple[Fraction, int, dt.date, str]:
        return (-self.weight / (self.visits + 1), self.visits, self.last, self.place.path)

    def visit(self, day: dt.date) -> None:
        self.visits += 1
        self.last = max(self.last, day)


def _pick(tallies: list[_Tally], busy: set[int]) -> _Tally | None:
    free = [t for t in tallies if t.place.pk not in busy]
    if not free:
        return None
    cap = SPREAD * min(t.visits for t in tallies)
    qualified = [t for t in free if t.visits <= cap] or free
    return min(qualified, key=_Tally.rank)


def _reason(tally: _Tally) -> str:
    if tally.visits == 0:
        return Reason.FIRST_VISIT
    return Reason.BEHIND_TARGET if tally.need > 0 else Reason.ROTATION


def schedule_propose(
    *,
    campaign: Campaign,
    weekdays: Sequence[int],
    date_from: dt.date,
    date_to: dt.date | None = None,
    need: Mapping[int, int] | None = None,
    per_day: int = 1,
    skip_existing: bool = True,
) -> list[ProposedSession]:
    """Sessions to hold, in date order, by the rule of the module docstring. Writes nothing."""
    if per_day < 1:
        raise DomainError(
            Message(
                _("The number of sessions a day must be 1 or more, not %(count)s."), count=per_day
            ),
            code="per_day_invalid",
        )
    plan = schedule_days(campaign=campaign, weekdays=weekdays, date_from=date_from, date_to=date_to)
    sites = campaign_sites(campaign)
    if not sites:
        raise DomainError(
            Message(
                _("%(place)s has no village, school or site to visit."), place=campaign.place.name
            ),
            code="campaign_no_sites",
        )
    needs = need or {}
    gaps = {site.pk: max(int(needs.get(site.pk, 0)), 0) for site in sites}
    most = max(gaps.values())
    tallies = [
        _Tally(
            place=site,
            need=gaps[site.pk],
            # Exact fractions: equal ratios must compare equal for the tie rules to apply.
            weight=1 + (SPREAD - 1) * Fraction(gaps[site.pk], most or 1),
        )
        for site in sites
    ]
    by_place = {t.place.pk: t for t in tallies}
    existing: list[tuple[dt.date, int]] = []
    if skip_existing:
        existing = sorted(
            SupportSession.objects.filter(campaign=campaign, date__lte=plan.end)
            .exclude(status=SessionStatus.CANCELLED)
            .values_list("date", "place_id")
        )
    held: dict[dt.date, set[int]] = {}
    for day, place_id in existing:
        held.setdefault(day, set()).add(place_id)
    held_count = Counter(day for day, _place_id in existing)
    counted = 0  # existing sessions up to the day being planned count as visits
    proposals: list[ProposedSession] = []
    for day in plan.days:
        while counted < len(existing) and existing[counted][0] <= day:
            done_on, place_id = existing[counted]
            if place_id in by_place:
                by_place[place_id].visit(done_on)
            counted += 1
        busy = set(held.get(day, ()))
        for _slot in range(per_day - held_count[day]):
            chosen = _pick(tallies, busy)
            if chosen is None:
                break
            proposals.append(
                ProposedSession(
                    date=day, place=chosen.place, need=chosen.need, reason=_reason(chosen)
                )
            )
            busy.add(chosen.place.pk)
            chosen.visit(day)
    return proposals


# --- saving ---------------------------------------------------------------------------------


def schedule_commit(
    *,
    campaign: Campaign,
    proposals: Sequence[ProposedSession],
    units: Iterable[Unit] = (),
    created_by: Actor = None,
    starts_at: dt.time | None = None,
    ends_at: dt.time | None = None,
) -> list[SupportSession]:
    """Save the proposals as planned sessions, in one transaction; returns those created.

    Idempotent: a place that already has a non-cancelled session of the campaign on that day
    is left alone, so committing the same proposal twice creates nothing the second time.
    """
    if starts_at and ends_at and ends_at <= starts_at:
        raise DomainError(
            Message(
                _("The session must end after it starts (%(start)s – %(end)s)."),
                start=starts_at.strftime("%H:%M"),
                end=ends_at.strftime("%H:%M"),
            ),
            code="session_times_invalid",
        )
    present = list(units)
    with transaction.atomic():
        # Two commits of the same campaign at once would both miss each other's sessions:
        # holding the campaign row makes the second wait (PostgreSQL; SQLite locks the file).
        Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
        taken = set(
            SupportSession.objects.filter(campaign=campaign, date__in={p.date for p in proposals})
            .exclude(status=SessionStatus.CANCELLED)
            .values_list("place_id", "date")
        )
        created: list[SupportSession] = []
        for proposal in proposals:
            key = (proposal.place.pk, proposal.date)
            if key in taken:
                continue
            taken.add(key)
            created.append(
                session_create(
                    campaign=campaign,
                    place=proposal.place,
                    date=proposal.date,
                    units=present,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    created_by=created_by,
                )
            )
    return created


@dataclass(frozen=True)
class PlannedSession:
    """One row of a plan as the secretary edited it: a day, a place and the units going."""

    date: dt.date
    place: Place
    units: tuple[Unit, ...] = ()


def schedule_save(
    *,
    campaign: Campaign,
    sessions: Sequence[PlannedSession],
    created_by: Actor = None,
    starts_at: dt.time | None = None,
    ends_at: dt.time | None = None,
) -> list[SupportSession]:
    """Save an edited plan: exactly these sessions, each with its own units, or nothing.

    Unlike `schedule_commit` (which skips a slot already taken, so a command can be run
    again), a row that clashes — twice the same place on one day, or a place that already
    has a session that day — refuses the whole plan: the secretary saw and edited every row,
    so a row silently left out would be a surprise.
    """
    if starts_at and ends_at and ends_at <= starts_at:
        raise DomainError(
            Message(
                _("The session must end after it starts (%(start)s – %(end)s)."),
                start=starts_at.strftime("%H:%M"),
                end=ends_at.strftime("%H:%M"),
            ),
            code="session_times_invalid",
        )
    if not sessions:
        raise DomainError(_("The plan has no session to save."), code="schedule_empty")
    seen: set[tuple[int, dt.date]] = set()
    for row in sessions:
        key = (row.place.pk, row.date)
        if key in seen:
            raise DomainError(
                Message(
                    _("%(place)s is planned twice on %(date)s."),
                    place=row.place.name,
                    date=format_date(row.date),
                ),
                code="schedule_row_repeated",
            )
        seen.add(key)
    allowed = {unit.pk for unit in campaign_units(campaign)}
    strangers = sorted({u.name for row in sessions for u in row.units if u.pk not in allowed})
    if strangers:
        raise DomainError(
            Message(_("Not a unit of this campaign: %(names)s"), names=", ".join(strangers)),
            code="unit_outside_campaign",
        )
    with transaction.atomic():
        # As in schedule_commit: a second save of the same campaign waits for this one.
        Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
        taken = (
            SupportSession.objects.filter(
                campaign=campaign, date__in={row.date for row in sessions}
            )
            .exclude(status=SessionStatus.CANCELLED)
            .select_related("place")
            .order_by("date", "place__path")
        )
        for session in taken:
            if (session.place_id, session.date) in seen:
                raise DomainError(
                    Message(
                        _("%(place)s already has a session on %(date)s."),
                        place=session.place.name,
                        date=format_date(session.date),
                    ),
                    code="schedule_slot_taken",
                )
        return [
            session_create(
                campaign=campaign,
                place=row.place,
                date=row.date,
                units=row.units,
                starts_at=starts_at,
                ends_at=ends_at,
                created_by=created_by,
            )
            for row in sessions
        ]
