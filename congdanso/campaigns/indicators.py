"""The campaign's indicators, for any place of its subtree, as of any date D.

Every figure is an SQL aggregate over indexed columns; no resident is loaded into Python.
The definitions (docs/indicators.md gives them for a commune officer to check by hand):

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
"""

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from congdanso.campaigns.models import Achievement, Campaign
from congdanso.campaigns.selectors import CampaignRules, campaign_rules, communes_under
from congdanso.core.errors import DomainError, Message
from congdanso.outreach.models import SessionStatus, SupportSession, Turn
from congdanso.partners.models import Donation, Pledge, Unit
from congdanso.people.models import DataIssue, IssueCode, Resident, ResidentStatus
from congdanso.places.models import COMMUNE_LEVEL_KINDS, DWELLING_KINDS, LOCAL_KINDS, Place
from congdanso.vn import vietnam_today

#: Days of recent progress the projection extrapolates from.
RECENT_DAYS = 28

_RESIDENT = Resident._meta.db_table
_ACHIEVEMENT = Achievement._meta.db_table
_SESSION = SupportSession._meta.db_table
_SESSION_UNITS = SupportSession.units.through._meta.db_table
_TURN = Turn._meta.db_table
_ISSUE = DataIssue._meta.db_table
_PLACE = Place._meta.db_table


@dataclass(frozen=True)
class ExemplaryFigure:
    count: int
    target: int
    share_of_target: float


@dataclass(frozen=True)
class CohortFigure:
    min_age: int
    max_age: int
    born_from: dt.date
    born_to: dt.date
    size: int
    met: int
    share: float
    target_share: float
    needed: int  # cohort members exemplary for the target share
    share_of_target: float


@dataclass(frozen=True)
class CriterionRow:
    code: str
    name: str
    exemplary: bool
    count: int  # cohort members who have it at D
    share: float  # of the cohort
    count_all: int  # counted residents of every age who have it at D


@dataclass(frozen=True)
class AreaRow:
    """A village (or, for places above a commune, a commune) with the same figures."""

    place_id: int | None
    code: str
    name: str
    kind: str
    residents: int
    cohort: int
    met: int
    share: float
    exemplary: int
    gap: int


@dataclass(frozen=True)
class UnitRow:
    unit_id: int
    name: str
    kind: str
    turns: int
    people: int
    achievements: int
    sessions: int
    pledged: bool
    target_people: int | None
    target_sessions: int | None
    target_achievements: int | None


@dataclass(frozen=True)
class WeekRow:
    week_start: dt.date
    exemplary: int
    cohort_met: int


@dataclass(frozen=True)
class Forecast:
    """Where the campaign ends at one pace (figures per day)."""

    basis_days: int
    exemplary_per_day: float
    cohort_met_per_day: float
    exemplary_at_end: int
    cohort_share_at_end: float
    exemplary_target_date: dt.date | None  # None: not reached by the end date at this pace
    cohort_target_date: dt.date | None


@dataclass(frozen=True)
class SessionFigures:
    held: int
    planned: int
    turns: int  # registry turns plus turns for people not in the registry
    registry_turns: int
    anonymous_turns: int
    people: int


@dataclass(frozen=True)
class DonationRow:
    village: str
    site: str
    item: str
    description: str
    donors: tuple[str, ...]
    value_vnd: int
    given_on: dt.date


@dataclass(frozen=True)
class DataQuality:
    residents: int
    with_open_issues: int
    possible_duplicates: int
    without_birth_date: int


@dataclass(frozen=True)
class Indicators:
    campaign_id: int
    place_code: str
    place_name: str
    date: dt.date
    exemplary: ExemplaryFigure
    cohort: CohortFigure
    criteria: tuple[CriterionRow, ...]
    villages: tuple[AreaRow, ...]
    communes: tuple[AreaRow, ...]  # only for a place above a commune
    units: tuple[UnitRow, ...]
    weekly: tuple[WeekRow, ...]
    projection: Forecast  # at the pace of the last four weeks
    projection_campaign: Forecast  # at the pace of the whole campaign so far
    villages_at_risk: tuple[AreaRow, ...]
    sessions: SessionFigures
    donations: tuple[DonationRow, ...]
    data_quality: DataQuality

    def as_json(self) -> dict[str, Any]:
        """The one structure the pages, reports and `congdanso indicators --json` share."""

        def forecast(f: Forecast) -> dict[str, Any]:
            data = _jsonable(asdict(f))
            data["exemplary_per_week"] = round(f.exemplary_per_day * 7, 2)
            data["cohort_met_per_week"] = round(f.cohort_met_per_day * 7, 2)
            return data

        return {
            "campaign": self.campaign_id,
            "place": {"code": self.place_code, "name": self.place_name},
            "date": self.date.isoformat(),
            "exemplary": _jsonable(asdict(self.exemplary)),
            "cohort": _jsonable(asdict(self.cohort)),
            "criteria": [_jsonable(asdict(row)) for row in self.criteria],
            "villages": [_jsonable(asdict(row)) for row in self.villages],
            "communes": [_jsonable(asdict(row)) for row in self.communes],
            "units": [_jsonable(asdict(row)) for row in self.units],
            "weekly": [_jsonable(asdict(row)) for row in self.weekly],
            "projection": {
                **forecast(self.projection),
                "whole_campaign": forecast(self.projection_campaign),
            },
            "villages_at_risk": [_jsonable(asdict(row)) for row in self.villages_at_risk],
            "sessions": asdict(self.sessions),
            "donations": [_jsonable(asdict(row)) for row in self.donations],
            "donations_value_vnd": sum(row.value_vnd for row in self.donations),
            "data_quality": asdict(self.data_quality),
        }


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dt.date):
            value = value.isoformat()
        elif isinstance(value, float):
            value = round(value, 4)
        elif isinstance(value, tuple):
            value = list(value)
        out[key] = value
    return out


def _share(part: float, whole: float) -> float:
    return part / whole if whole else 0.0


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day `years` later (earlier if negative); 29 February becomes the 28th."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def cohort_birth_range(campaign: Campaign) -> tuple[dt.date, dt.date]:
    """Birth dates whose age at the campaign end is within its bounds, inclusive."""
    end = campaign.end_date
    born_to = add_years(end, -campaign.cohort_min_age)
    born_from = add_years(end, -(campaign.cohort_max_age + 1)) + dt.timedelta(days=1)
    return born_from, born_to


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


def _check_place(campaign: Campaign, place: Place) -> None:
    if not place.path.startswith(campaign.place.path):
        raise DomainError(
            Message(
                _("%(place)s is not within the place of this campaign (%(campaign_place)s)."),
                place=place.name,
                campaign_place=campaign.place.name,
            ),
            code="place_outside_campaign",
        )


class _Scope:
    """The SQL condition selecting the counted residents of a place (alias `r`)."""

    def __init__(self, place: Place) -> None:
        self.place = place
        self.communes = communes_under(place)
        self.village_id = place.pk if place.kind in LOCAL_KINDS else None
        marks = ", ".join(["%s"] * len(self.communes)) or "NULL"
        self.commune_sql = f"IN ({marks})"
        # Living (and in the village): for joins whose other side already holds the commune
        # filter, where repeating it on residents makes PostgreSQL read them all.
        living = "r.status = %s"
        living_params: list[Any] = [ResidentStatus.LIVING]
        if self.village_id is not None:
            living += " AND r.village_id = %s"
            living_params.append(self.village_id)
        self.living_sql, self.living_params = living, living_params
        self.sql = f"r.commune_id {self.commune_sql} AND {living}"
        self.params: list[Any] = [*self.communes, *living_params]


def _fetch(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def campaign_indicators(
    campaign: Campaign, *, place: Place | None = None, on: dt.date | None = None
) -> Indicators:
    """Every indicator of the campaign for the place (default: the campaign's) at `on`."""
    place = place or campaign.place
    _check_place(campaign, place)
    day = indicators_date(campaign, on)
    rules = campaign_rules(campaign)
    scope = _Scope(place)
    born_from, born_to = cohort_birth_range(campaign)
    cohort_case = "CASE WHEN r.birth_date BETWEEN %s AND %s THEN 1 ELSE 0 END"
    cohort_params = [born_from, born_to]
    exemplary_ids = sorted(rules.exemplary_ids)

    # Who is exemplary, and since when: one row per (completion day, in cohort, area).
    done = f"""
        SELECT a.resident_id, MAX(a.achieved_on) AS done_on
        FROM {_ACHIEVEMENT} a
        WHERE a.commune_id {scope.commune_sql} AND a.withdrawn_at IS NULL
          AND a.criterion_id IN ({", ".join(["%s"] * len(exemplary_ids))})
          AND a.achieved_on <= %s
        GROUP BY a.resident_id
        HAVING COUNT(*) = %s
    """  # noqa: S608 - table names are constants, values are bound
    done_params = [*scope.communes, *exemplary_ids, day, len(exemplary_ids)]
    exemplary_rows = _exemplary_rows(scope, done, done_params, cohort_case, cohort_params)
    by_area = _fetch(
        f"""SELECT r.commune_id, r.village_id, {cohort_case}, COUNT(*),
                   SUM(CASE WHEN r.birth_date IS NULL THEN 1 ELSE 0 END)
            FROM {_RESIDENT} r WHERE {scope.sql}
            GROUP BY r.commune_id, r.village_id, {cohort_case}""",  # noqa: S608
        [*cohort_params, *scope.params, *cohort_params],
    )

    # Days on which people became exemplary, cumulated for the series and the projection.
    daily_all: dict[dt.date, int] = defaultdict(int)
    daily_cohort: dict[dt.date, int] = defaultdict(int)
    residents: dict[tuple[int, int | None], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    without_birth_date = 0
    for commune_id, village_id, in_cohort, count, unborn in by_area:
        row = residents[(commune_id, village_id)]
        row[0] += count
        row[1] += count if in_cohort else 0
        without_birth_date += unborn
    for done_on, commune_id, village_id, in_cohort, count in exemplary_rows:
        if done_on is not None:
            daily_all[_as_date(done_on)] += count
            if in_cohort:
                daily_cohort[_as_date(done_on)] += count
        if commune_id is not None:
            row = residents[(commune_id, village_id)]
            row[2] += count if in_cohort else 0
            row[3] += count
    exemplary_count = sum(daily_all.values())
    met = sum(daily_cohort.values())
    cohort_size = sum(row[1] for row in residents.values())

    achievement_rows = _achievement_rows(campaign, rules, scope, day, cohort_case, cohort_params)
    target_share = float(campaign.cohort_target)
    needed = math.ceil(round(target_share * cohort_size, 9))
    villages = _village_rows(scope, residents, target_share)
    communes = _commune_rows(scope, residents, target_share)
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
            cohort_size=cohort_size,
            needed=needed,
        )
        for days in (recent_days, campaign_days)
    ]
    return Indicators(
        campaign_id=campaign.pk,
        place_code=place.code,
        place_name=place.name,
        date=day,
        exemplary=ExemplaryFigure(
            count=exemplary_count,
            target=campaign.target_exemplary,
            share_of_target=_share(exemplary_count, campaign.target_exemplary),
        ),
        cohort=CohortFigure(
            min_age=campaign.cohort_min_age,
            max_age=campaign.cohort_max_age,
            born_from=born_from,
            born_to=born_to,
            size=cohort_size,
            met=met,
            share=_share(met, cohort_size),
            target_share=target_share,
            needed=needed,
            share_of_target=_share(_share(met, cohort_size), target_share),
        ),
        criteria=_criteria_rows(rules, achievement_rows, cohort_size),
        villages=villages,
        communes=communes,
        units=_unit_rows(campaign, scope, day, achievement_rows),
        weekly=weekly,
        projection=forecasts[0],
        projection_campaign=forecasts[1],
        villages_at_risk=tuple(
            sorted(
                (row for row in villages if row.gap > 0),
                key=lambda row: (-row.gap, row.share, row.name),
            )
        ),
        sessions=_session_figures(campaign, scope, day),
        donations=_donation_rows(campaign, place, day),
        data_quality=_data_quality(
            scope, sum(r[0] for r in residents.values()), without_birth_date
        ),
    )


def _exemplary_rows(
    scope: _Scope,
    done: str,
    done_params: list[Any],
    cohort_case: str,
    cohort_params: list[Any],
) -> list[tuple[Any, ...]]:
    """(completion day, commune, village, in cohort, count) of the exemplary people. For a
    commune one query does it; for a province (thousands of villages × days) two narrower
    ones, whose rows carry None in the columns they do not group by."""
    joined = f"FROM ({done}) x JOIN {_RESIDENT} r ON r.id = x.resident_id WHERE {scope.sql}"
    params = [*cohort_params, *done_params, *scope.params, *cohort_params]
    if len(scope.communes) == 1:
        return _fetch(
            f"""SELECT x.done_on, r.commune_id, r.village_id, {cohort_case}, COUNT(*) {joined}
                GROUP BY x.done_on, r.commune_id, r.village_id, {cohort_case}""",  # noqa: S608
            params,
        )
    by_day = _fetch(
        f"""SELECT x.done_on, NULL, NULL, {cohort_case}, COUNT(*) {joined}
            GROUP BY x.done_on, {cohort_case}""",  # noqa: S608
        params,
    )
    by_area = _fetch(
        f"""SELECT NULL, r.commune_id, r.village_id, {cohort_case}, COUNT(*) {joined}
            GROUP BY r.commune_id, r.village_id, {cohort_case}""",  # noqa: S608
        params,
    )
    return by_day + by_area


def _area_row(
    place: Place | None, figures: list[int], target_share: float, *, fallback: str
) -> AreaRow:
    residents, cohort, met, exemplary = figures
    gap = max(0, math.ceil(round(target_share * cohort, 9)) - met)
    return AreaRow(
        place_id=place.pk if place else None,
        code=place.code if place else "",
        name=place.name if place else fallback,
        kind=place.kind if place else "",
        residents=residents,
        cohort=cohort,
        met=met,
        share=_share(met, cohort),
        exemplary=exemplary,
        gap=gap,
    )


def _village_rows(
    scope: _Scope, residents: dict[tuple[int, int | None], list[int]], target_share: float
) -> tuple[AreaRow, ...]:
    """A row per dwelling place of the subtree (and any other place people are filed under),
    then one per commune for people filed under no village."""
    wanted = Place.objects.filter(path__startswith=scope.place.path).filter(
        kind__in=DWELLING_KINDS, archived_at__isnull=True
    )
    ids = {village_id for (_commune, village_id) in residents if village_id is not None}
    places = {p.pk: p for p in wanted} | {
        p.pk: p for p in Place.objects.filter(pk__in=ids - {p.pk for p in wanted})
    }
    rows = [
        _area_row(
            place,
            residents.get((place.commune_id or 0, place.pk), [0, 0, 0, 0]),
            target_share,
            fallback="",
        )
        for place in sorted(places.values(), key=lambda p: p.path)
    ]
    unfiled = {c: figures for (c, village_id), figures in residents.items() if village_id is None}
    communes = Place.objects.in_bulk(list(unfiled))
    for commune_id in sorted(unfiled, key=lambda c: communes[c].path):
        label = Message(_("%(commune)s, no village"), commune=communes[commune_id].name)
        rows.append(_area_row(None, unfiled[commune_id], target_share, fallback=str(label)))
    return tuple(rows)


def _commune_rows(
    scope: _Scope, residents: dict[tuple[int, int | None], list[int]], target_share: float
) -> tuple[AreaRow, ...]:
    if scope.place.kind in COMMUNE_LEVEL_KINDS or scope.village_id is not None:
        return ()
    totals: dict[int, list[int]] = {c: [0, 0, 0, 0] for c in scope.communes}
    for (commune_id, _village), figures in residents.items():
        totals[commune_id] = [a + b for a, b in zip(totals[commune_id], figures, strict=True)]
    places = Place.objects.in_bulk(scope.communes)
    return tuple(
        _area_row(places[c], totals[c], target_share, fallback="")
        for c in sorted(totals, key=lambda c: places[c].path)
    )


def _achievement_rows(
    campaign: Campaign,
    rules: CampaignRules,
    scope: _Scope,
    day: dt.date,
    cohort_case: str,
    cohort_params: list[Any],
) -> list[tuple[Any, ...]]:
    """(criterion, unit, in cohort, count up to D, count from the campaign start to D) of the
    counted achievements of the campaign's criteria: one pass serves the criteria and the
    units."""
    ids = [c.pk for c in rules.criteria]
    return _fetch(
        f"""SELECT a.criterion_id, a.unit_id, {cohort_case}, COUNT(*),
                   SUM(CASE WHEN a.achieved_on >= %s THEN 1 ELSE 0 END)
            FROM {_ACHIEVEMENT} a JOIN {_RESIDENT} r ON r.id = a.resident_id
            WHERE a.commune_id {scope.commune_sql} AND a.withdrawn_at IS NULL
              AND a.criterion_id IN ({", ".join(["%s"] * len(ids))}) AND a.achieved_on <= %s
              AND {scope.sql}
            GROUP BY a.criterion_id, a.unit_id, {cohort_case}""",  # noqa: S608
        [
            *cohort_params,
            campaign.start_date,
            *scope.communes,
            *ids,
            day,
            *scope.params,
            *cohort_params,
        ],
    )


def _criteria_rows(
    rules: CampaignRules, rows: list[tuple[Any, ...]], cohort_size: int
) -> tuple[CriterionRow, ...]:
    in_cohort: dict[int, int] = defaultdict(int)
    everyone: dict[int, int] = defaultdict(int)
    for criterion_id, _unit, cohort_flag, count, _in_period in rows:
        everyone[criterion_id] += count
        if cohort_flag:
            in_cohort[criterion_id] += count
    return tuple(
        CriterionRow(
            code=c.code,
            name=c.name,
            exemplary=c.pk in rules.exemplary_ids,
            count=in_cohort[c.pk],
            share=_share(in_cohort[c.pk], cohort_size),
            count_all=everyone[c.pk],
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
    window_start = day - dt.timedelta(days=basis_days)  # exclusive
    remaining = (campaign.end_date - day).days

    def project(daily: dict[dt.date, int], target: int) -> tuple[float, float, dt.date | None]:
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
        reached = day + dt.timedelta(days=math.ceil(round((target - now) / pace, 9)))
        return pace, at_end, reached if reached <= campaign.end_date else None

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


def _session_place_sql(scope: _Scope) -> tuple[str, list[Any]]:
    """Sessions held in the place's subtree (a prefix of the materialised path)."""
    prefix = scope.place.path
    return (
        f"""s.place_id IN (SELECT p.id FROM {_PLACE} p
                           WHERE SUBSTR(p.path, 1, {len(prefix)}) = %s)""",  # noqa: S608
        [prefix],
    )


def _unit_rows(
    campaign: Campaign, scope: _Scope, day: dt.date, achievement_rows: list[tuple[Any, ...]]
) -> tuple[UnitRow, ...]:
    place_sql, place_params = _session_place_sql(scope)
    sessions = f"""s.campaign_id = %s AND s.date BETWEEN %s AND %s AND s.status = %s
                   AND {place_sql}"""
    session_params = [campaign.pk, campaign.start_date, day, SessionStatus.HELD, *place_params]
    turns = {
        unit_id: (count, people)
        for unit_id, count, people in _fetch(
            f"""SELECT t.unit_id, COUNT(*), COUNT(DISTINCT t.resident_id)
                FROM {_TURN} t JOIN {_SESSION} s ON s.id = t.session_id
                WHERE {sessions} AND t.unit_id IS NOT NULL
                GROUP BY t.unit_id""",  # noqa: S608
            session_params,
        )
    }
    held = dict(
        _fetch(
            f"""SELECT su.unit_id, COUNT(*)
                FROM {_SESSION_UNITS} su JOIN {_SESSION} s ON s.id = su.supportsession_id
                WHERE {sessions}
                GROUP BY su.unit_id""",  # noqa: S608
            session_params,
        )
    )
    achieved: dict[int, int] = defaultdict(int)
    for _criterion, unit_id, _cohort, _count, in_period in achievement_rows:
        if unit_id is not None:
            achieved[unit_id] += in_period
    pledges = {p.unit_id: p for p in Pledge.objects.filter(campaign=campaign)}
    unit_ids = set(pledges) | set(turns) | set(held) | set(achieved)
    units = Unit.objects.in_bulk(unit_ids)
    rows = [
        UnitRow(
            unit_id=unit_id,
            name=units[unit_id].name,
            kind=units[unit_id].kind,
            turns=turns.get(unit_id, (0, 0))[0],
            people=turns.get(unit_id, (0, 0))[1],
            achievements=achieved.get(unit_id, 0),
            sessions=held.get(unit_id, 0),
            pledged=unit_id in pledges,
            target_people=pledges[unit_id].target_people if unit_id in pledges else None,
            target_sessions=pledges[unit_id].target_sessions if unit_id in pledges else None,
            target_achievements=(
                pledges[unit_id].target_achievements if unit_id in pledges else None
            ),
        )
        for unit_id in unit_ids
    ]
    return tuple(sorted(rows, key=lambda r: (-r.turns, -r.achievements, r.name)))


def _session_figures(campaign: Campaign, scope: _Scope, day: dt.date) -> SessionFigures:
    place_sql, place_params = _session_place_sql(scope)
    ((held, planned, anonymous),) = _fetch(
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
    ((turns, people),) = _fetch(
        f"""SELECT COUNT(*), COUNT(DISTINCT t.resident_id)
            FROM {_TURN} t JOIN {_SESSION} s ON s.id = t.session_id
            WHERE s.campaign_id = %s AND s.status = %s AND s.date <= %s
              AND {place_sql}""",  # noqa: S608
        [campaign.pk, SessionStatus.HELD, day, *place_params],
    )
    return SessionFigures(
        held=held,
        planned=planned,
        turns=turns + anonymous,
        registry_turns=turns,
        anonymous_turns=anonymous,
        people=people,
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


def _data_quality(scope: _Scope, residents: int, without_birth_date: int) -> DataQuality:
    ((with_issues, duplicates),) = _fetch(
        f"""SELECT COUNT(DISTINCT i.resident_id),
                   COUNT(DISTINCT CASE WHEN i.code = %s THEN i.resident_id END)
            FROM {_ISSUE} i JOIN {_RESIDENT} r ON r.id = i.resident_id
            WHERE i.commune_id {scope.commune_sql} AND i.resolved_at IS NULL
              AND {scope.living_sql}""",  # noqa: S608
        [IssueCode.POSSIBLE_DUPLICATE, *scope.communes, *scope.living_params],
    )
    return DataQuality(
        residents=residents,
        with_open_issues=with_issues,
        possible_duplicates=duplicates,
        without_birth_date=without_birth_date,
    )
