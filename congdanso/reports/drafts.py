"""The drafts of the report's last part, which the commune rewrites before sending it:
difficulties, proposals and next steps, each pre-filled from the indicators.

- Difficulties: the villages furthest from the cohort target (by name, with their share and
  gap), the exemplary criteria with the lowest coverage of the cohort, the units behind their
  pledge for the time elapsed, a pace that misses the target, and missing birth dates.
- Proposals: help with the weakest criteria, the units behind their pledge to catch up, and
  support from the level above.
- Next steps: the sessions to keep holding, where first, what first, and the weekly pace the
  target needs.

Each draft is lines of text (one paragraph each); `report_docx(..., drafts=...)` replaces any
of them.
"""

import math

from congdanso.progress.figures import CriterionRow, Indicators, UnitRow
from congdanso.reports import docx_text as T
from congdanso.vn.numbers import format_number, format_percent

DIFFICULTIES, PROPOSALS, NEXT_STEPS = "difficulties", "proposals", "next_steps"
DRAFT_KEYS = (DIFFICULTIES, PROPOSALS, NEXT_STEPS)
#: How many villages and criteria a draft names.
AREAS_NAMED, CRITERIA_NAMED = 5, 2


def _weakest_criteria(indicators: Indicators) -> list[CriterionRow]:
    """The exemplary criteria furthest below the cohort target, weakest first."""
    if not indicators.cohort.size:
        return []
    below = [
        row
        for row in indicators.criteria
        if row.exemplary and row.share < indicators.cohort.target_share
    ]
    return sorted(below, key=lambda row: (row.share, row.name))[:CRITERIA_NAMED]


def _unit_progress(row: UnitRow) -> tuple[str, int, int] | None:
    """(measure, done, pledged) of the unit's main pledged figure."""
    for measure, done, pledged in (
        ("people", row.people, row.target_people),
        ("achievements", row.achievements, row.target_achievements),
        ("sessions", row.sessions, row.target_sessions),
    ):
        if pledged:
            return measure, done, pledged
    return None


def units_behind(indicators: Indicators, elapsed: float) -> list[tuple[UnitRow, str, int, int]]:
    """The pledged units whose main figure is behind the share of the period elapsed."""
    behind = []
    for row in indicators.units:
        progress = _unit_progress(row) if row.pledged else None
        if progress and progress[1] < progress[2] * elapsed:
            behind.append((row, *progress))
    return behind


def report_drafts(
    indicators: Indicators, *, elapsed: float, weeks_left: int, end_text: str, superior: str
) -> dict[str, str]:
    """The three drafts (`elapsed`: the share of the campaign period gone by at D)."""
    cohort, exemplary = indicators.cohort, indicators.exemplary
    at_risk = [
        T.DRAFT_AREA
        % {"name": row.name, "share": format_percent(row.share), "gap": format_number(row.gap)}
        for row in indicators.villages_at_risk[:AREAS_NAMED]
    ]
    weakest = [
        T.DRAFT_CRITERION % {"name": row.name, "share": format_percent(row.share)}
        for row in _weakest_criteria(indicators)
    ]
    behind = units_behind(indicators, elapsed)
    behind_text = [
        T.DRAFT_UNIT
        % {
            "name": row.name,
            "done": format_number(done),
            "pledged": format_number(pledged),
            "measure": T.DRAFT_UNIT_MEASURES[measure],
        }
        for row, measure, done, pledged in behind
    ]
    quality = indicators.data_quality
    missing = max(0, exemplary.target - exemplary.count)
    projection = indicators.projection

    difficulties = []
    if at_risk:
        share = format_percent(cohort.target_share)
        difficulties.append(T.DRAFT_AT_RISK % {"share": share, "areas": "; ".join(at_risk)})
    if weakest:
        difficulties.append(T.DRAFT_LOW_CRITERIA % {"criteria": "; ".join(weakest)})
    if behind_text:
        difficulties.append(
            T.DRAFT_UNITS_BEHIND
            % {"elapsed": format_percent(elapsed), "units": "; ".join(behind_text)}
        )
    if missing and projection.exemplary_at_end < exemplary.target:
        difficulties.append(
            T.DRAFT_NOT_ON_PACE
            % {
                "end": end_text,
                "at_end": format_number(projection.exemplary_at_end),
                "target": format_number(exemplary.target),
            }
        )
    if quality.without_birth_date or quality.with_open_issues:
        difficulties.append(
            T.DRAFT_DATA
            % {
                "no_birth": format_number(quality.without_birth_date),
                "issues": format_number(quality.with_open_issues),
            }
        )

    proposals = []
    if weakest:
        names = ", ".join(row.name for row in _weakest_criteria(indicators))
        proposals.append(T.DRAFT_PROPOSE_CRITERIA % {"criteria": names})
    if behind:
        proposals.append(T.DRAFT_PROPOSE_UNITS % {"units": ", ".join(r.name for r, *_ in behind)})
    proposals.append(
        T.DRAFT_PROPOSE_SUPERIOR % {"superior": superior} if superior else T.DRAFT_PROPOSE_DEFAULT
    )

    next_steps = []
    if weeks_left:
        next_steps.append(T.DRAFT_NEXT_SESSIONS % {"end": end_text})
    if at_risk:
        names = ", ".join(row.name for row in indicators.villages_at_risk[:AREAS_NAMED])
        next_steps.append(T.DRAFT_NEXT_PRIORITY % {"areas": names})
    if weakest:
        names = ", ".join(row.name for row in _weakest_criteria(indicators))
        next_steps.append(T.DRAFT_NEXT_CRITERIA % {"criteria": names})
    if missing and weeks_left:
        next_steps.append(
            T.DRAFT_NEXT_PACE
            % {
                "target": format_number(exemplary.target),
                "missing": format_number(missing),
                "per_week": format_number(math.ceil(missing / weeks_left)),
                "weeks": format_number(weeks_left),
            }
        )
    if not missing:
        next_steps.append(T.DRAFT_NEXT_KEEP)
    if quality.without_birth_date or quality.with_open_issues:
        next_steps.append(T.DRAFT_NEXT_DATA)

    return {
        DIFFICULTIES: "\n".join(difficulties or [T.DRAFT_NO_DIFFICULTY]),
        PROPOSALS: "\n".join(proposals),
        NEXT_STEPS: "\n".join(next_steps or [T.DRAFT_NEXT_KEEP]),
    }
