"""The campaign's indicators as the pages, the reports, the API and `congdanso indicators`
read them: frozen dataclasses, and the one JSON structure they share.

Each figure's definition is in `progress.indicators`, which computes them from the tallies
(and docs/indicators.md gives them for a commune officer to check by hand). The read model
is a module of its own because every interface and report imports it, while only
`progress.indicators` computes it.
"""

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from django.utils.translation import gettext


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
    #: the pledge's deadline (None: the campaign's end) and the villages it covers
    deadline: dt.date | None = None
    villages: tuple[str, ...] = ()


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
class MilestoneFigure:
    date: dt.date
    needed: int  # residents for the milestone's count or share
    count: int | None  # residents meeting the target on that date; None: still ahead
    reached: bool | None  # None: still ahead


@dataclass(frozen=True)
class TargetAreaRow:
    """A village's part of a target and where it stands."""

    place_id: int
    code: str
    name: str
    population: int
    count: int
    needed: int  # the village's part: set by hand, or its share of the population's
    set_by_hand: bool
    gap: int  # needed - count, never below 0


@dataclass(frozen=True)
class TargetFigure:
    """One target of the campaign as of D (docs/indicators.md, "Targets")."""

    target_id: int
    name: str
    role: str  # "exemplary", "cohort" (the campaign's own two) or ""
    kind: str  # "count" or "share"
    criteria: tuple[str, ...]  # empty: the campaign's exemplary criteria
    min_age: int | None
    max_age: int | None
    deadline: dt.date
    target_count: int | None
    target_share: float | None
    population: int  # residents of the target's population who count in the place
    count: int  # of them, those meeting every criterion at D
    share: float  # count / population
    needed: int  # residents meeting it for the target
    reached: bool
    expected: int  # residents the milestones (or a straight line to the deadline) ask by D
    on_track: bool
    projected_date: dt.date | None  # at the pace of the last 4 weeks; None: not by the deadline
    projected_at_deadline: int
    milestones: tuple[MilestoneFigure, ...]
    #: the target of the campaign's whole place (`needed` is the place's part below it)
    needed_campaign: int = 0
    set_by_hand: bool = False  # the place's part was set by hand
    villages: tuple[TargetAreaRow, ...] = ()
    villages_at_risk: tuple[TargetAreaRow, ...] = ()

    def as_json(self) -> dict[str, Any]:
        nested = ("milestones", "villages", "villages_at_risk")
        data = _jsonable({k: v for k, v in asdict(self).items() if k not in nested})
        for key in nested:
            data[key] = [_jsonable(asdict(row)) for row in getattr(self, key)]
        return data


@dataclass(frozen=True)
class TeamTargetRow:
    target_id: int
    count: int  # residents of the team's villages meeting the target at D
    needed: int  # the sum of its villages' parts
    gap: int  # the sum of its villages' gaps


@dataclass(frozen=True)
class TeamRow:
    """A community digital technology team against its villages' parts of each target."""

    unit_id: int
    name: str
    villages: tuple[str, ...]
    members: int
    targets: tuple[TeamTargetRow, ...]
    progress: float  # count / needed of the campaign's first target (1 when none is needed)

    def as_json(self) -> dict[str, Any]:
        data = _jsonable({k: v for k, v in asdict(self).items() if k != "targets"})
        data["targets"] = [asdict(row) for row in self.targets]
        return data


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
    #: None: the residents are the list as it stands today, whatever the date; a date: only
    #: those in the list by the end of that day (a past report made again exactly).
    registered_by: dt.date | None = None
    #: Every target of the campaign, its own two first.
    targets: tuple[TargetFigure, ...] = ()
    #: the community digital technology teams of the place, best progress first
    teams: tuple[TeamRow, ...] = ()

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
            "registered_by": self.registered_by.isoformat() if self.registered_by else None,
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
            "targets": [row.as_json() for row in self.targets],
            "teams": [row.as_json() for row in self.teams],
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


def registry_line(indicators: Indicators) -> str:
    """Which list of residents the figures count, in one sentence for pages and reports."""
    if indicators.registered_by is not None:
        return gettext(
            "Residents counted: those in the list by %(date)s (the list as it was then)."
        ) % {"date": indicators.registered_by.strftime("%d/%m/%Y")}
    return gettext(
        "Residents counted: the list as it stands today, whatever the date of the figures."
    )
