"""The campaign's indicators, for any place of its subtree, as of any date D.

Every figure is read from the campaign's tallies (progress/tallies.py: exact running
totals kept by every write) or, for sessions and donations, from those few rows; no
resident is loaded into Python. The definitions (docs/indicators.md gives them for a
commune officer to check by hand):

- A resident *counts* in a place when their status is "living here" and they belong to it
  (their commune for a commune or higher place, their village for a village). Status has no
  history: a person who moved away stops counting on every date.
- An achievement *counts at D* when it is in force (never withdrawn: a withdrawal says the
  record was wrong, so it counts on no date) and its date is on or before D.
- *Exemplary at D*: every exemplary criterion of the campaign counts at D. The date a person
  became exemplary is the latest of those achievement dates.
- *Cohort*: counted residents whose age at the campaign end date is within the campaign's
  bounds, inclusive. A birth date known only to the month is taken as the 1st of that month,
  known only to the year as 1 January (that is how it is stored), so "born in 2007" is 16 at
  31/12/2023. Residents without a birth date are in no cohort (see data quality).
- *Cohort met*: cohort members exemplary at D; the target is reached when met / size is at
  least the campaign's cohort target. A village's *gap* is how many more of its cohort must
  be exemplary for the village itself to reach that share.
- D defaults to today, is capped at the campaign end, and may not precede the campaign start.

The results are the frozen dataclasses of `progress.figures`. The computation stays one
module (a little over 500 lines): every function below reads the campaign's tallies by one
of the definitions above, and reads best beside them.
"""

import datetime as dt
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from congdanso.campaigns.cohort import add_years, cohort_birth_range
from congdanso.campaigns.models import Campaign, Tally, TargetKind, TargetRole
from congdanso.campaigns.models import TallyMeasure as M
from congdanso.campaigns.selectors import (
    CampaignRules,
    campaign_rules,
    communes_under,
    place_in_campaign_check,
)
from congdanso.campaigns.targets import TargetTerms, targets_of
from congdanso.core.errors import DomainError, Message
from congdanso.outreach.models import SessionStatus, SupportSession
from congdanso.partners.models import Donation, Pledge, Unit, UnitKind
from congdanso.places.models import COMMUNE_LEVEL_KINDS, DWELLING_KINDS, LOCAL_KINDS, Place
from congdanso.progress.figures import (
    AreaRow,
    CohortFigure,
    CriterionRow,
    DataQuality,
    DonationRow,
    ExemplaryFigure,
    Forecast,
    Indicators,
    MilestoneFigure,
    SessionFigures,
    TargetAreaRow,
    TargetFigure,
    TeamRow,
    TeamTargetRow,
    UnitRow,
    WeekRow,
)
from congdanso.progress.sql import as_date, fetch_all
from congdanso.progress.tallies import tallies_registered_before
from congdanso.vn import vietnam_today
from congdanso.vn.today import VIETNAM_TZ

__all__ = ["add_years", "campaign_indicators", "cohort_birth_range", "indicators_date"]

#: Days of recent progress the projection extrapolates from.
RECENT_DAYS = 28

_TALLY = Tally._meta.db_table
_SESSION = SupportSession._meta.db_table
_SESSION_UNITS = SupportSession.units.through._meta.db_table
_PLACE = Place._meta.db_table


def _share(part: float, whole: float) -> float:
    return part / whole if whole else 0.0


def indicators_date(campaign: Campaign, on: dt.date | None) -> dt.date:
    day = on or vietnam_today()
    if day < campaign.start_date:
        raise DomainError(
            Message(
                _("The date %(date)s is before the campaign starts (%(start)s)."),
                date=day.strftime("%d/%m/%Y"),
                start=campaign.start_date.strftime("%d/%m/%Y"),
            ),
            code="date_before_campaign",
        )
    return min(day, campaign.end_date)


@dataclass
class _Figures:
    """The tallies of one place as of D."""

    residents: int = 0
    cohort: int = 0
    without_birth_date: int = 0
    met: int = 0
    exemplary: int = 0
    #: (G or H, target) → residents in the target's population / meeting it at D
    targets: dict[tuple[str, int], int] = field(default_factory=dict)

    def plus(self, other: "_Figures") -> "_Figures":
        return _Figures(
            self.residents + other.residents,
            self.cohort + other.cohort,
            self.without_birth_date + other.without_birth_date,
            self.met + other.met,
            self.exemplary + other.exemplary,
        )

    def minus(self, other: "_Figures") -> "_Figures":
        return _Figures(
            self.residents - other.residents,
            self.cohort - other.cohort,
            self.without_birth_date - other.without_birth_date,
            self.met - other.met,
            self.exemplary - other.exemplary,
        )


_EMPTY = _Figures()


Memory = Counter[tuple[int, int, str, int, dt.date, bool]]


def _place_sums(
    campaign: Campaign, place: Place, day: dt.date, memory: Memory | None
) -> list[tuple[Any, ...]]:
    """(measure, item, cohort, day for E else None, amount) summed over the days up to D: from
    the kept tallies, or from tallies computed for a past list (`memory`)."""
    if memory is None:
        return fetch_all(
            f"""SELECT measure, item, cohort, CASE WHEN measure IN (%s, %s) THEN day END,
                       SUM(amount)
                FROM {_TALLY} WHERE campaign_id = %s AND scope_id = %s AND day <= %s
                GROUP BY measure, item, cohort, 4""",  # noqa: S608
            [M.EXEMPLARY, M.TARGET_MET, campaign.pk, place.pk, day],
        )
    sums: Counter[tuple[Any, ...]] = Counter()
    for (_campaign, scope, measure, item, on, cohort), amount in memory.items():
        if scope == place.pk and on <= day:
            dated = measure in (M.EXEMPLARY, M.TARGET_MET)
            sums[(measure, item, cohort, on if dated else None)] += amount
    return [(*key, amount) for key, amount in sums.items()]


class _Tallies:
    """The campaign's tally rows for the place as of D, by measure."""

    def __init__(
        self, campaign: Campaign, place: Place, day: dt.date, memory: Memory | None = None
    ) -> None:
        self.figures = _Figures()
        self.daily_all: dict[dt.date, int] = defaultdict(int)
        self.daily_cohort: dict[dt.date, int] = defaultdict(int)
        self.criteria: dict[tuple[int, bool], int] = defaultdict(int)
        self.units: dict[str, dict[int, int]] = {m: defaultdict(int) for m in "UTP"}
        self.issues: dict[int, int] = defaultdict(int)
        self.target_population: dict[int, int] = defaultdict(int)
        self.target_daily: dict[int, dict[dt.date, int]] = defaultdict(lambda: defaultdict(int))
        # Summed in the database over the days up to D, except for the exemplary (the series).
        for measure, item, cohort, on, amount in _place_sums(campaign, place, day, memory):
            cohort = bool(cohort)
            if measure == M.RESIDENTS:
                _count_residents(self.figures, item, cohort, amount)
            elif measure == M.EXEMPLARY:
                self.daily_all[as_date(on)] += amount
                if cohort:
                    self.daily_cohort[as_date(on)] += amount
            elif measure == M.CRITERION:
                self.criteria[(item, cohort)] += amount
            elif measure == M.ISSUES:
                self.issues[item] += amount
            elif measure == M.TARGET_POPULATION:
                self.target_population[item] += amount
            elif measure == M.TARGET_MET:
                self.target_daily[item][as_date(on)] += amount
            else:
                self.units[measure][item] += amount
        self.figures.exemplary = sum(self.daily_all.values())
        self.figures.met = sum(self.daily_cohort.values())


def _count_residents(figures: _Figures, item: int, cohort: bool, amount: int) -> None:
    figures.residents += amount
    figures.cohort += amount if cohort else 0
    figures.without_birth_date += amount if item else 0


def _area_places(place: Place) -> dict[int, Place]:
    """The villages, sites and communes of the place (itself included)."""
    return {
        p.pk: p
        for p in Place.objects.filter(
            path__startswith=place.path, kind__in=LOCAL_KINDS | COMMUNE_LEVEL_KINDS
        )
    }


_AREA_MEASURES = (M.RESIDENTS, M.EXEMPLARY, M.TARGET_POPULATION, M.TARGET_MET)


def _area_sums(
    campaign: Campaign, ids: list[int], day: dt.date, memory: Memory | None
) -> list[tuple[Any, ...]]:
    """(scope, measure, item, cohort, amount) of residents and exemplary up to D."""
    if memory is None:
        return fetch_all(
            f"""SELECT scope_id, measure, item, cohort, SUM(amount) FROM {_TALLY}
                WHERE campaign_id = %s AND scope_id IN ({", ".join(["%s"] * len(ids)) or "NULL"})
                  AND measure IN (%s, %s, %s, %s) AND day <= %s
                GROUP BY scope_id, measure, item, cohort""",  # noqa: S608
            [campaign.pk, *ids, *_AREA_MEASURES, day],
        )
    wanted = set(ids)
    sums: Counter[tuple[Any, ...]] = Counter()
    for (_campaign, scope, measure, item, on, cohort), amount in memory.items():
        if scope in wanted and measure in _AREA_MEASURES and on <= day:
            sums[(scope, measure, item, cohort)] += amount
    return [(*key, amount) for key, amount in sums.items()]


def _areas(
    campaign: Campaign, places: dict[int, Place], day: dt.date, memory: Memory | None = None
) -> dict[int, _Figures]:
    """The figures of every village, site and commune of the place, as of D."""
    areas: dict[int, _Figures] = defaultdict(_Figures)
    for scope, measure, item, cohort, amount in _area_sums(campaign, list(places), day, memory):
        figures = areas[scope]
        if measure == M.RESIDENTS:
            _count_residents(figures, item, bool(cohort), amount)
        elif measure == M.EXEMPLARY:
            figures.exemplary += amount
            figures.met += amount if cohort else 0
        else:
            figures.targets[(measure, item)] = figures.targets.get((measure, item), 0) + amount
    return areas


def registered_before(day: dt.date) -> dt.datetime:
    """The end of the day in Vietnam: residents whose record was created before it were in
    the list on that day."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=VIETNAM_TZ)


@dataclass(frozen=True)
class PlaceFigures:
    """A place's headline figures as of a date (the dashboard's village or commune row)."""

    residents: int
    cohort: int
    met: int
    exemplary: int

    @property
    def share(self) -> float:
        """The share of the cohort that meets the criteria."""
        return self.met / self.cohort if self.cohort else 0.0


def places_figures(
    campaign: Campaign, places: list[Place], on: dt.date | None = None
) -> dict[int, PlaceFigures]:
    """The headline figures of many places at once (one statement over the tallies): a
    province's communes, for the district or province reading their reports."""
    areas = _areas(campaign, {p.pk: p for p in places}, indicators_date(campaign, on))
    return {
        pk: PlaceFigures(residents=f.residents, cohort=f.cohort, met=f.met, exemplary=f.exemplary)
        for pk, f in areas.items()
    }


def campaign_indicators(
    campaign: Campaign,
    *,
    place: Place | None = None,
    on: dt.date | None = None,
    registered_by: dt.date | None = None,
) -> Indicators:
    """Every indicator of the campaign for the place (default: the campaign's) at `on`.

    The residents counted are the list as it stands today; with `registered_by`, only those
    who were in it by the end of that day (so that a past report can be made again exactly:
    computed from the data, not the kept tallies — seconds for a commune)."""
    place = place or campaign.place
    place_in_campaign_check(campaign, place)
    day = indicators_date(campaign, on)
    rules = campaign_rules(campaign)
    born_from, born_to = cohort_birth_range(campaign)
    memory = None
    if registered_by is not None:
        covered = set(communes_under(campaign.place))
        memory = tallies_registered_before(
            campaign,
            [c for c in communes_under(place) if c in covered],
            registered_before(registered_by),
        )
    tallies = _Tallies(campaign, place, day, memory)
    figures = tallies.figures
    daily_all, daily_cohort = tallies.daily_all, tallies.daily_cohort
    places = _area_places(place)
    areas = _areas(campaign, places, day, memory)
    target_share = float(campaign.cohort_target)
    needed = math.ceil(round(target_share * figures.cohort, 9))
    villages = _village_rows(place, places, areas, target_share)
    communes = _commune_rows(place, places, areas, target_share)
    weekly = _weekly(campaign, day, daily_all, daily_cohort)
    recent_days = min(RECENT_DAYS, (day - campaign.start_date).days + 1)
    campaign_days = (day - campaign.start_date).days + 1
    forecasts = [
        _forecast(
            campaign,
            day,
            basis_days=days,
            daily_all=daily_all,
            daily_cohort=daily_cohort,
            cohort_size=figures.cohort,
            needed=needed,
        )
        for days in (recent_days, campaign_days)
    ]
    targets = _target_figures(
        campaign, place, places, areas, tallies, day, recent_days, villages, memory
    )
    return Indicators(
        campaign_id=campaign.pk,
        place_code=place.code,
        place_name=place.name,
        date=day,
        registered_by=registered_by,
        exemplary=ExemplaryFigure(
            count=figures.exemplary,
            target=campaign.target_exemplary,
            share_of_target=_share(figures.exemplary, campaign.target_exemplary),
        ),
        cohort=CohortFigure(
            min_age=campaign.cohort_min_age,
            max_age=campaign.cohort_max_age,
            born_from=born_from,
            born_to=born_to,
            size=figures.cohort,
            met=figures.met,
            share=_share(figures.met, figures.cohort),
            target_share=target_share,
            needed=needed,
            share_of_target=_share(_share(figures.met, figures.cohort), target_share),
        ),
        criteria=_criteria_rows(rules, tallies.criteria, figures.cohort),
        villages=villages,
        communes=communes,
        units=_unit_rows(campaign, place, day, tallies.units),
        weekly=weekly,
        projection=forecasts[0],
        projection_campaign=forecasts[1],
        villages_at_risk=tuple(
            sorted(
                (row for row in villages if row.gap > 0),
                key=lambda row: (-row.gap, row.share, row.name),
            )
        ),
        sessions=_session_figures(campaign, place, day, tallies.units),
        donations=_donation_rows(campaign, place, day),
        data_quality=DataQuality(
            residents=figures.residents,
            with_open_issues=tallies.issues[0],
            possible_duplicates=tallies.issues[1],
            without_birth_date=figures.without_birth_date,
        ),
        targets=targets,
        teams=_team_rows(place, targets),
    )


def _needed(terms: TargetTerms, share: Decimal | int | None, population: int) -> int:
    """Residents needed for a count, or for a share of the population (rounded up)."""
    if terms.kind == TargetKind.COUNT:
        return int(share or 0)
    return math.ceil(round(float(share or 0) * population, 9))


def _expected(start: dt.date, steps: list[tuple[dt.date, int]], day: dt.date) -> int:
    """Residents the schedule asks for by D: a straight line from none the day before the
    campaign start through each milestone to the target at its deadline (rounded up)."""
    previous_day, previous = start - dt.timedelta(days=1), 0
    for when, needed in steps:
        if day >= when:
            previous_day, previous = when, needed
            continue
        span = (when - previous_day).days
        return math.ceil(
            round(previous + (needed - previous) * (day - previous_day).days / span, 9)
        )
    return previous


def _target_population(terms: TargetTerms, figures: _Figures) -> tuple[int, int]:
    """(population, count) of the target in an area, from the area's tallies."""
    if terms.role == TargetRole.EXEMPLARY:
        return figures.residents, figures.exemplary
    if terms.role == TargetRole.COHORT:
        return figures.cohort, figures.met
    return (
        figures.targets.get((M.TARGET_POPULATION, terms.pk), 0),
        figures.targets.get((M.TARGET_MET, terms.pk), 0),
    )


def _part(
    terms: TargetTerms, place_id: int, population: int, whole_population: int
) -> tuple[int, bool]:
    """(residents needed, set by hand) of a place below the campaign's: the part set by
    hand, or for a share the share of its population, for a count its share of the count in
    proportion to its population in the target's population (rounded up)."""
    by_hand = terms.part_of(place_id)
    if by_hand is not None:
        return _needed(terms, by_hand, population), True
    if terms.kind == TargetKind.SHARE:
        return _needed(terms, terms.share, population), False
    if not whole_population:
        return 0, False
    return math.ceil(round((terms.count or 0) * population / whole_population, 9)), False


def _target_figures(
    campaign: Campaign,
    place: Place,
    places: dict[int, Place],
    areas: dict[int, _Figures],
    tallies: "_Tallies",
    day: dt.date,
    recent: int,
    villages: tuple[AreaRow, ...],
    memory: Memory | None,
) -> tuple[TargetFigure, ...]:
    targets = targets_of(campaign)
    whole = areas.get(campaign.place_id)
    if whole is None:  # a place below the campaign's: its parts need the whole population
        whole = _areas(campaign, {campaign.place_id: campaign.place}, day, memory).get(
            campaign.place_id, _EMPTY
        )
    rows = [(row, areas.get(row.place_id, _EMPTY)) for row in villages if row.place_id]
    figures = []
    for terms in targets:
        whole_population = _target_population(terms, whole)[0]
        value = terms.count if terms.kind == TargetKind.COUNT else terms.share
        needed_campaign = _needed(terms, value, whole_population)
        lines = []
        for row, area in rows:
            population, count = _target_population(terms, area)
            part, by_hand = _part(terms, row.place_id or 0, population, whole_population)
            lines.append(
                TargetAreaRow(
                    place_id=row.place_id or 0,
                    code=row.code,
                    name=row.name,
                    population=population,
                    count=count,
                    needed=part,
                    set_by_hand=by_hand,
                    gap=max(0, part - count),
                )
            )
        figures.append(
            _target_figure(
                campaign,
                terms,
                tallies,
                day,
                recent,
                place=place,
                whole_population=whole_population,
                needed_campaign=needed_campaign,
                villages=tuple(lines),
            )
        )
    return tuple(figures)


def _target_figure(
    campaign: Campaign,
    terms: TargetTerms,
    tallies: "_Tallies",
    day: dt.date,
    recent: int,
    *,
    place: Place,
    whole_population: int,
    needed_campaign: int,
    villages: tuple[TargetAreaRow, ...],
) -> TargetFigure:
    """The target's figures as of D from the tallies: the campaign's own two from the
    exemplary and cohort measures, the others from their own (G and H); below the
    campaign's place, against the place's part."""
    if terms.role == TargetRole.EXEMPLARY:
        population, daily = tallies.figures.residents, dict(tallies.daily_all)
    elif terms.role == TargetRole.COHORT:
        population, daily = tallies.figures.cohort, dict(tallies.daily_cohort)
    else:
        population = tallies.target_population[terms.pk]
        daily = dict(tallies.target_daily[terms.pk])
    count = sum(daily.values())
    by_hand = False
    if place.pk == campaign.place_id:
        needed = needed_campaign
    else:
        needed, by_hand = _part(terms, place.pk, population, whole_population)
    reached = count >= needed and (terms.kind == TargetKind.COUNT or population > 0)

    def part_needed(step: int | Decimal) -> int:
        if terms.kind == TargetKind.SHARE or place.pk == campaign.place_id:
            return _needed(terms, step, population)
        # a count's milestone below the campaign's place: the place's part of it
        if not needed_campaign:
            return 0
        return math.ceil(round(int(step) * needed / needed_campaign, 9))

    steps = [(when, part_needed(step)) for when, step in terms.milestones]
    steps.append((terms.deadline, needed))
    expected = _expected(campaign.start_date, steps, day)
    running, milestones = sorted(daily.items()), []
    for when, step_needed in steps[:-1]:
        done = sum(n for d, n in running if d <= when) if when <= day else None
        milestones.append(
            MilestoneFigure(
                date=when,
                needed=step_needed,
                count=done,
                reached=None if done is None else done >= step_needed,
            )
        )
    pace, at_deadline, projected = _project(
        daily,
        needed if population or terms.kind == TargetKind.COUNT else 1,
        day=day,
        basis_days=recent,
        remaining=(terms.deadline - day).days,
    )
    return TargetFigure(
        target_id=terms.pk,
        name=terms.name,
        role=terms.role,
        kind=terms.kind,
        criteria=terms.criteria,
        min_age=terms.min_age,
        max_age=terms.max_age,
        deadline=terms.deadline,
        target_count=terms.count,
        target_share=float(terms.share) if terms.share is not None else None,
        population=population,
        count=count,
        share=_share(count, population),
        needed=needed,
        reached=reached,
        expected=expected,
        on_track=count >= expected,
        # nothing needed (a village with nobody in the population): no day to give
        projected_date=projected
        if needed and (reached or population or terms.kind == TargetKind.COUNT)
        else None,
        projected_at_deadline=round(max(at_deadline, count)),
        milestones=tuple(milestones),
        needed_campaign=needed_campaign,
        set_by_hand=by_hand,
        villages=villages,
        villages_at_risk=tuple(
            sorted(
                (row for row in villages if row.gap > 0),
                key=lambda row: (-row.gap, _share(row.count, row.population), row.name),
            )
        ),
    )


def _team_rows(place: Place, targets: tuple[TargetFigure, ...]) -> tuple[TeamRow, ...]:
    """The leaderboard: each community digital technology team of the place against the sum
    of its villages' parts of each target, ranked by its progress on the first target."""
    teams = (
        Unit.objects.filter(
            kind=UnitKind.DIGITAL_TEAM, archived_at__isnull=True, place__path__startswith=place.path
        )
        .prefetch_related("villages")
        .annotate(member_count=Count("members"))
        .order_by("name_key", "id")
    )
    rows = []
    for team in teams:
        villages = {v.pk: v.name for v in team.villages.all()}
        sums = []
        for target in targets:
            mine = [row for row in target.villages if row.place_id in villages]
            sums.append(
                TeamTargetRow(
                    target_id=target.target_id,
                    count=sum(row.count for row in mine),
                    needed=sum(row.needed for row in mine),
                    gap=sum(row.gap for row in mine),
                )
            )
        first = sums[0] if sums else None
        progress = 1.0 if first is None or not first.needed else first.count / first.needed
        rows.append(
            TeamRow(
                unit_id=team.pk,
                name=team.name,
                villages=tuple(sorted(villages.values())),
                members=team.member_count,  # type: ignore[attr-defined]
                targets=tuple(sums),
                progress=progress,
            )
        )
    return tuple(sorted(rows, key=lambda r: (-r.progress, r.name)))


def _area_row(
    place: Place | None, figures: _Figures, target_share: float, *, fallback: str
) -> AreaRow:
    gap = max(0, math.ceil(round(target_share * figures.cohort, 9)) - figures.met)
    return AreaRow(
        place_id=place.pk if place else None,
        code=place.code if place else "",
        name=place.name if place else fallback,
        kind=place.kind if place else "",
        residents=figures.residents,
        cohort=figures.cohort,
        met=figures.met,
        share=_share(figures.met, figures.cohort),
        exemplary=figures.exemplary,
        gap=gap,
    )


def _village_rows(
    place: Place, places: dict[int, Place], areas: dict[int, _Figures], target_share: float
) -> tuple[AreaRow, ...]:
    """A row per dwelling place of the subtree (and any other place people are filed under),
    then one per commune for people filed under no village."""
    locals_ = sorted(
        (
            p
            for p in places.values()
            if p.kind in LOCAL_KINDS
            and (
                (p.kind in DWELLING_KINDS and p.archived_at is None)
                or areas.get(p.pk, _EMPTY).residents
            )
        ),
        key=lambda p: p.path,
    )
    rows = [_area_row(p, areas.get(p.pk, _EMPTY), target_share, fallback="") for p in locals_]
    filed: dict[int, _Figures] = defaultdict(_Figures)
    for p in locals_:
        if p.commune_id is not None and p.pk in areas:
            filed[p.commune_id] = filed[p.commune_id].plus(areas[p.pk])
    communes = sorted(
        (p for p in places.values() if p.kind in COMMUNE_LEVEL_KINDS and p.pk in areas),
        key=lambda p: p.path,
    )
    for commune in communes:
        unfiled = areas[commune.pk].minus(filed.get(commune.pk, _EMPTY))
        if unfiled.residents or unfiled.exemplary:
            label = Message(_("%(commune)s, no village"), commune=commune.name)
            rows.append(_area_row(None, unfiled, target_share, fallback=str(label)))
    return tuple(rows)


def _commune_rows(
    place: Place, places: dict[int, Place], areas: dict[int, _Figures], target_share: float
) -> tuple[AreaRow, ...]:
    if place.kind in COMMUNE_LEVEL_KINDS or place.kind in LOCAL_KINDS:
        return ()
    communes = sorted(
        (p for p in places.values() if p.kind in COMMUNE_LEVEL_KINDS), key=lambda p: p.path
    )
    return tuple(_area_row(c, areas.get(c.pk, _EMPTY), target_share, fallback="") for c in communes)


def _criteria_rows(
    rules: CampaignRules, counts: dict[tuple[int, bool], int], cohort_size: int
) -> tuple[CriterionRow, ...]:
    return tuple(
        CriterionRow(
            code=c.code,
            name=c.name,
            exemplary=c.pk in rules.exemplary_ids,
            count=counts[(c.pk, True)],
            share=_share(counts[(c.pk, True)], cohort_size),
            count_all=counts[(c.pk, True)] + counts[(c.pk, False)],
        )
        for c in rules.criteria
    )


def _weekly(
    campaign: Campaign,
    day: dt.date,
    daily_all: dict[dt.date, int],
    daily_cohort: dict[dt.date, int],
) -> tuple[WeekRow, ...]:
    """Cumulative figures at the end of each week (Monday to Sunday, the last one cut at D)
    from the week of the campaign start."""
    week = campaign.start_date - dt.timedelta(days=campaign.start_date.weekday())
    days = sorted(set(daily_all) | set(daily_cohort))
    rows, position, exemplary, cohort_met = [], 0, 0, 0
    while week <= day:
        end = min(week + dt.timedelta(days=6), day)
        while position < len(days) and days[position] <= end:  # one pass over the days
            exemplary += daily_all.get(days[position], 0)
            cohort_met += daily_cohort.get(days[position], 0)
            position += 1
        rows.append(WeekRow(week_start=week, exemplary=exemplary, cohort_met=cohort_met))
        week += dt.timedelta(days=7)
    return tuple(rows)


def _forecast(
    campaign: Campaign,
    day: dt.date,
    *,
    basis_days: int,
    daily_all: dict[dt.date, int],
    daily_cohort: dict[dt.date, int],
    cohort_size: int,
    needed: int,
) -> Forecast:
    """Extrapolate the gain of the last `basis_days` days (ending at D) to the end date.

    A target already reached gives the day it was reached; one not reached gives the day the
    pace reaches it, or None when that is after the end date (or the pace is nil)."""
    remaining = (campaign.end_date - day).days

    def project(daily: dict[dt.date, int], target: int) -> tuple[float, float, dt.date | None]:
        return _project(daily, target, day=day, basis_days=basis_days, remaining=remaining)

    exemplary_pace, exemplary_end, exemplary_date = project(daily_all, campaign.target_exemplary)
    cohort_pace, cohort_end, cohort_date = project(daily_cohort, needed if cohort_size else 1)
    return Forecast(
        basis_days=basis_days,
        exemplary_per_day=exemplary_pace,
        cohort_met_per_day=cohort_pace,
        exemplary_at_end=round(exemplary_end),
        cohort_share_at_end=min(1.0, _share(round(cohort_end), cohort_size)),
        exemplary_target_date=exemplary_date,
        cohort_target_date=cohort_date if cohort_size else None,
    )


def _project(
    daily: dict[dt.date, int], target: int, *, day: dt.date, basis_days: int, remaining: int
) -> tuple[float, float, dt.date | None]:
    """(pace per day, value `remaining` days after D, the day the target is reached): the day
    it was reached if it is; otherwise the day the pace of the last `basis_days` days (ending
    at D) reaches it, or None when that is more than `remaining` days away (or the pace is
    nil)."""
    window_start = day - dt.timedelta(days=basis_days)  # exclusive
    now = sum(daily.values())
    gained = sum(n for d, n in daily.items() if window_start < d <= day)
    pace = gained / basis_days
    at_end = now + pace * remaining
    if now >= target:
        running = 0
        for d in sorted(daily):
            running += daily[d]
            if running >= target:
                return pace, at_end, d
    if pace <= 0:
        return pace, at_end, None
    days = math.ceil(round((target - now) / pace, 9))
    if days > remaining:  # compared before making a date: it may be past the year 9999
        return pace, at_end, None
    return pace, at_end, day + dt.timedelta(days=days)


def _session_place_sql(place: Place) -> tuple[str, list[Any]]:
    """Sessions held in the place's subtree (a prefix of the materialised path)."""
    return (
        f"""s.place_id IN (SELECT p.id FROM {_PLACE} p
                           WHERE SUBSTR(p.path, 1, {len(place.path)}) = %s)""",  # noqa: S608
        [place.path],
    )


def _unit_rows(
    campaign: Campaign, place: Place, day: dt.date, tallies: dict[str, dict[int, int]]
) -> tuple[UnitRow, ...]:
    """Turns, people helped and achievements from the tallies; sessions attended from the
    sessions (a few thousand rows even for a province)."""
    place_sql, place_params = _session_place_sql(place)
    held = dict(
        fetch_all(
            f"""SELECT su.unit_id, COUNT(*)
                FROM {_SESSION_UNITS} su JOIN {_SESSION} s ON s.id = su.supportsession_id
                WHERE s.campaign_id = %s AND s.date BETWEEN %s AND %s AND s.status = %s
                  AND {place_sql}
                GROUP BY su.unit_id""",  # noqa: S608
            [campaign.pk, campaign.start_date, day, SessionStatus.HELD, *place_params],
        )
    )
    turns, people, achieved = (
        {unit: n for unit, n in tallies[m].items() if unit and n} for m in "TPU"
    )
    pledges = {
        p.unit_id: p for p in Pledge.objects.filter(campaign=campaign).prefetch_related("villages")
    }
    unit_ids = set(pledges) | set(turns) | set(held) | set(achieved)
    units = Unit.objects.in_bulk(unit_ids)
    rows = [
        UnitRow(
            unit_id=unit_id,
            name=units[unit_id].name,
            kind=units[unit_id].kind,
            turns=turns.get(unit_id, 0),
            people=people.get(unit_id, 0),
            achievements=achieved.get(unit_id, 0),
            sessions=held.get(unit_id, 0),
            pledged=unit_id in pledges,
            target_people=pledges[unit_id].target_people if unit_id in pledges else None,
            target_sessions=pledges[unit_id].target_sessions if unit_id in pledges else None,
            target_achievements=(
                pledges[unit_id].target_achievements if unit_id in pledges else None
            ),
            deadline=(pledges[unit_id].deadline or campaign.end_date)
            if unit_id in pledges
            else None,
            villages=tuple(sorted(v.name for v in pledges[unit_id].villages.all()))
            if unit_id in pledges
            else (),
        )
        for unit_id in unit_ids
    ]
    return tuple(sorted(rows, key=lambda r: (-r.turns, -r.achievements, r.name)))


def _session_figures(
    campaign: Campaign, place: Place, day: dt.date, tallies: dict[str, dict[int, int]]
) -> SessionFigures:
    place_sql, place_params = _session_place_sql(place)
    ((held, planned, anonymous),) = fetch_all(
        f"""SELECT COALESCE(SUM(CASE WHEN s.status = %s AND s.date <= %s THEN 1 ELSE 0 END), 0),
                   COALESCE(SUM(CASE WHEN s.status = %s THEN 1 ELSE 0 END), 0),
                   COALESCE(SUM(CASE WHEN s.status = %s AND s.date <= %s
                                THEN s.anonymous_turns ELSE 0 END), 0)
            FROM {_SESSION} s WHERE s.campaign_id = %s AND {place_sql}""",  # noqa: S608
        [
            SessionStatus.HELD,
            day,
            SessionStatus.PLANNED,
            SessionStatus.HELD,
            day,
            campaign.pk,
            *place_params,
        ],
    )
    turns = tallies[M.TURNS][0]
    return SessionFigures(
        held=held,
        planned=planned,
        turns=turns + anonymous,
        registry_turns=turns,
        anonymous_turns=anonymous,
        people=tallies[M.PEOPLE][0],
    )


def _donation_rows(campaign: Campaign, place: Place, day: dt.date) -> tuple[DonationRow, ...]:
    """Gifts to villages of the place given up to D, recorded for this campaign or, when
    recorded for none, given during it."""
    donations = (
        Donation.objects.filter(village__path__startswith=place.path, given_on__lte=day)
        .filter(Q(campaign=campaign) | Q(campaign__isnull=True, given_on__gte=campaign.start_date))
        .select_related("village")
        .prefetch_related("donor_units", "donor_villages")
        .order_by("given_on", "id")
    )
    return tuple(
        DonationRow(
            village=d.village.name,
            site=d.site,
            item=d.item,
            description=d.description,
            donors=tuple(
                [u.name for u in d.donor_units.all()] + [v.name for v in d.donor_villages.all()]
            ),
            value_vnd=d.value_vnd,
            given_on=d.given_on,
        )
        for d in donations
    )


def village_gaps(campaign: Campaign) -> dict[int, int]:
    """Each village's gap to the campaign's cohort target: how many more people it needs (the
    schedule proposes sessions where it is largest: `congdanso schedule` and the set-up page).
    Planning ahead of a campaign's start is normal; the gaps are then those known today."""
    result = campaign_indicators(campaign, on=max(vietnam_today(), campaign.start_date))
    return {row.place_id: row.gap for row in result.villages if row.place_id is not None}
