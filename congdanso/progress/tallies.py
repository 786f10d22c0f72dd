"""Exact running totals ("tallies") behind the campaign indicators.

Why they exist: the indicators of a province-wide campaign (3 million residents, 15 million
achievements, 10 million turns) must come in under a second, with no nightly
pre-aggregation job whose figures lag behind the field. Aggregating the achievements at
every read cannot do that, so each campaign keeps `Tally` rows: for every place of its
subtree where a figure can be asked (each village or site, commune, district and the
campaign's own place), per measure, item, day and cohort flag, how many. A page then reads
a few thousand rows instead of millions.

How they stay exact: every figure is a sum of per-resident *contributions* (this resident
counts in village V and in its commune, district and province; became exemplary on day D;
was first helped by unit U on day D…). Every write goes through `tally_change`, which locks
the residents it touches, computes their contributions before the change and after it with
the very SQL that rebuilds a campaign from nothing, and adds the difference, in the
transaction of the change. So at every commit a tally equals a fresh computation over
everyone: `tally_check` compares the two (the property tests do after random operations;
`congdanso tallies check` does on a live database) and `tally_rebuild` recomputes a
campaign (at its creation, when its rules change, after a bulk load). Concurrent writers
serialise on the residents they touch (row locks on PostgreSQL, the write lock on SQLite);
a rebuild takes the campaign row, which every writer shares, so none runs beside it.

Measures (`TallyMeasure`): R counted residents (item 1: without a birth date); Q residents
with an open data issue (item 1: a possible duplicate); E residents exemplary from the day;
C residents who reached the criterion (item) by the day; U achievements recorded through the
unit (item) from the campaign start; T turns and P people first helped in the campaign's
held sessions (item: the unit, 0 for any); G residents in the population of a target of the
campaign's own (item: the target) and H those who met it on the day (the campaign's two
targets with a role read R and E). R, Q and G are dated the day before the campaign
start (they count on every date), and so are C achievements made before the start; the
others carry their own day, so "as of D" is `day <= D`. A resident counts in the places that
contain their village (their commune when they have none), a turn in the places that
contain its session's place.

One module of some 700 lines on purpose: the contributions' SQL (`_contribution_sql`) and
their Python twin (`_people_contributions`) are two implementations of the same
definitions, to be read and changed side by side, and `tally_change`, `tally_rebuild` and
`tally_check` are what holds them to each other.
"""

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Any

from django.db import connection, transaction

from congdanso.campaigns.cohort import birth_range
from congdanso.campaigns.models import Achievement, Campaign, CampaignCriterion, Tally, Target
from congdanso.campaigns.models import TallyMeasure as M
from congdanso.campaigns.selectors import communes_under, exemplary_met
from congdanso.outreach.models import SessionStatus, SupportSession, Turn
from congdanso.people.models import DataIssue, IssueCode, Resident, ResidentStatus
from congdanso.places.models import Place
from congdanso.places.selectors import path_ancestors
from congdanso.progress.sql import as_date, fetch_all, placeholders

#: (campaign, place, measure, item, day, in cohort)
Key = tuple[int, int, str, int, dt.date, bool]

_TALLY = Tally._meta.db_table
_CAMPAIGN = Campaign._meta.db_table
_RULE = CampaignCriterion._meta.db_table
_RESIDENT = Resident._meta.db_table
_ACHIEVEMENT = Achievement._meta.db_table
_ISSUE = DataIssue._meta.db_table
_SESSION = SupportSession._meta.db_table
_TURN = Turn._meta.db_table
_PLACE = Place._meta.db_table
_TARGET = Target._meta.db_table
_TARGET_CRITERIA = Target.criteria.through._meta.db_table
#: Places from a village up to a province: the most ancestors a contribution is counted in.
_MAX_SCOPES = 4
_IDS_PER_QUERY = 2000
_ROWS_PER_UPSERT = 500


@dataclass(frozen=True)
class TargetSpec:
    """What a target's contributions (G: in its population, H: met it on the day) depend on:
    the criteria all to be met (the campaign's exemplary ones when it names none) and the
    birth dates of its age range on its deadline (None: every resident)."""

    pk: int
    criteria: tuple[int, ...]
    born: tuple[dt.date, dt.date] | None
    segment: str = ""  # only residents marked in this group

    def holds(self, born: dt.date | None, segments: str = "") -> bool:
        """Whether a resident born on that day, in those groups, is in the population."""
        if self.segment and self.segment not in segments.split(","):
            return False
        return self.born is None or (born is not None and self.born[0] <= born <= self.born[1])


@dataclass(frozen=True)
class Spec:
    """What the contributions of one campaign depend on."""

    pk: int
    path: str
    start: dt.date
    born_from: dt.date
    born_to: dt.date
    criteria: tuple[int, ...]
    exemplary: tuple[int, ...]
    #: The targets of the campaign's own (the two with a role read the E and R measures).
    targets: tuple[TargetSpec, ...] = ()

    @property
    def depth(self) -> int:
        return self.path.count("/") - 1

    @property
    def before_start(self) -> dt.date:
        return self.start - dt.timedelta(days=1)


def _specs(where: str, params: Sequence[Any], *, share: bool = False) -> dict[int, Spec]:
    """The specs of the campaigns matching `where` (alias c, place p), shared-locked against
    a rebuild when asked."""
    lock = " FOR KEY SHARE OF c" if share and connection.features.has_select_for_update else ""
    rows = fetch_all(
        f"""SELECT c.id, p.path, c.start_date, c.end_date, c.cohort_min_age,
                   c.cohort_max_age, cc.criterion_id, cc.is_exemplary,
                   t.id, t.min_age, t.max_age, COALESCE(t.deadline, c.end_date), tc.criterion_id,
                   t.segment
            FROM {_CAMPAIGN} c JOIN {_PLACE} p ON p.id = c.place_id
                 JOIN {_RULE} cc ON cc.campaign_id = c.id
                 LEFT JOIN {_TARGET} t ON t.campaign_id = c.id AND t.role = ''
                 LEFT JOIN {_TARGET_CRITERIA} tc ON tc.target_id = t.id
            WHERE {where} ORDER BY c.id, cc.criterion_id, t.id, tc.criterion_id{lock}""",  # noqa: S608 - constants
        params,
    )
    found: dict[int, dict[str, Any]] = {}
    for pk, path, start, end, low, high, criterion, exemplary, *target_row in rows:
        data = found.setdefault(
            pk,
            {
                "path": path,
                "start": start,
                "end": end,
                "ages": (low, high),
                "criteria": {},
                "targets": {},
            },
        )
        data["criteria"][criterion] = bool(exemplary)
        target, t_low, t_high, deadline, t_criterion, segment = target_row
        if target is not None:
            terms = data["targets"].setdefault(
                target,
                {
                    "ages": (t_low, t_high),
                    "deadline": deadline,
                    "criteria": set(),
                    "segment": segment or "",
                },
            )
            if t_criterion is not None:
                terms["criteria"].add(t_criterion)
    specs: dict[int, Spec] = {}
    for pk, data in found.items():
        born_from, born_to = birth_range(as_date(data["end"]), *data["ages"])
        exemplary_ids = tuple(c for c, flag in data["criteria"].items() if flag)
        specs[pk] = Spec(
            pk=pk,
            path=data["path"],
            start=as_date(data["start"]),
            born_from=born_from,
            born_to=born_to,
            criteria=tuple(data["criteria"]),
            exemplary=exemplary_ids,
            targets=tuple(
                TargetSpec(
                    pk=target,
                    criteria=tuple(sorted(terms["criteria"])) or exemplary_ids,
                    born=None
                    if terms["ages"][0] is None
                    else birth_range(as_date(terms["deadline"]), *terms["ages"]),
                    segment=terms["segment"],
                )
                for target, terms in sorted(data["targets"].items())
            ),
        )
    return specs


def _specs_around(paths: dict[int, str]) -> dict[int, dict[int, Spec]]:
    """For each commune (id → the path of it or of a place in it), the campaigns whose place
    contains it: one look-up of the paths above, on the unique index."""
    above = sorted({ancestor for path in paths.values() for ancestor in path_ancestors(path)})
    found = _specs(f"p.path IN ({placeholders(above)})", above, share=True) if above else {}
    return {
        commune: {pk: spec for pk, spec in found.items() if path.startswith(spec.path)}
        for commune, path in paths.items()
    }


def _spec_of(campaign_id: int) -> Spec | None:
    return _specs("c.id = %s", [campaign_id]).get(campaign_id)


def _contribution_sql(
    spec: Spec,
    communes: Sequence[int],
    residents: Sequence[int] | None,
    *,
    people: bool,
    turns: bool,
    registered_before: dt.datetime | None = None,
    targets_only: bool = False,
) -> tuple[str, list[Any]]:
    """One statement: the grouped contributions of the selected residents to the campaign,
    as (measure, place, item, day, extra, n) with the place's chain of parents. `extra` is
    the cohort flag, or for P the resident (people are counted once per place). With
    `registered_before`, only residents the list held before that moment contribute (the
    tallies never use it: they count the list as it stands). With `targets_only`, only the
    targets' measures (G, H): what a target added to a running campaign needs."""

    def only(alias: str, column: str) -> tuple[str, list[Any]]:
        # Some residents: by their ids alone, so that the per-resident indexes are used
        # (with the commune too, SQLite picks the commune-wide indicator index).
        if residents is not None:
            return f"{alias}.{column} IN ({placeholders(residents)})", list(residents)
        return f"{alias}.commune_id IN ({placeholders(communes)})", list(communes)

    place = "COALESCE(r.village_id, r.commune_id)"
    cohort = "CASE WHEN r.birth_date BETWEEN %s AND %s THEN 1 ELSE 0 END"
    ages = [spec.born_from, spec.born_to]
    living = ResidentStatus.LIVING
    if registered_before is not None:
        # "r.status = %s" closes every resident filter below: the list's date joins it
        living_sql = "r.status = %s AND r.created_at < %s"
        living_params: list[Any] = [
            living,
            connection.ops.adapt_datetimefield_value(registered_before),
        ]
    else:
        living_sql, living_params = "r.status = %s", [living]
    parts: list[str] = []
    params: list[Any] = []
    if people:
        r_sql, r_params = only("r", "id")
        i_sql, i_params = only("i", "resident_id")
        a_sql, a_params = only("a", "resident_id")
        criteria, exemplary = list(spec.criteria), list(spec.exemplary)
        # With targets_only, G and H alone (a target added: the rest stays as it is).
        if not targets_only:
            parts.append(
                f"""SELECT 'R' AS m, {place} AS place_id,
                           CASE WHEN r.birth_date IS NULL THEN 1 ELSE 0 END AS item, %s AS day,
                           {cohort} AS extra, COUNT(*) AS n
                    FROM {_RESIDENT} r WHERE {r_sql} AND {living_sql} GROUP BY 2, 3, 5"""  # noqa: S608
            )
            params += [spec.before_start, *ages, *r_params, *living_params]
            for item, code_sql, code_params in (
                (0, "", []),
                (1, " AND i.code = %s", [IssueCode.POSSIBLE_DUPLICATE]),
            ):
                parts.append(
                    f"""SELECT 'Q', {place}, {item}, %s, 0, COUNT(DISTINCT i.resident_id)
                        FROM {_ISSUE} i JOIN {_RESIDENT} r ON r.id = i.resident_id
                        WHERE {i_sql} AND i.resolved_at IS NULL{code_sql} AND {living_sql}
                        GROUP BY 2"""  # noqa: S608
                )
                params += [spec.before_start, *i_params, *code_params, *living_params]
            if exemplary:
                parts.append(
                    f"""SELECT 'E', {place}, 0, x.done_on, {cohort}, COUNT(*)
                        FROM (SELECT a.resident_id, MAX(a.achieved_on) AS done_on
                              FROM {_ACHIEVEMENT} a
                              WHERE {a_sql} AND a.withdrawn_at IS NULL
                                AND a.criterion_id IN ({placeholders(exemplary)})
                              GROUP BY a.resident_id HAVING COUNT(*) = %s) x
                             JOIN {_RESIDENT} r ON r.id = x.resident_id
                        WHERE {living_sql} GROUP BY 2, 4, 5"""  # noqa: S608
                )
                params += [*ages, *a_params, *exemplary, len(exemplary), *living_params]
        for target in spec.targets:
            born_sql, born_params = "", list[Any]()
            if target.born is not None:
                born_sql, born_params = " AND r.birth_date BETWEEN %s AND %s", list(target.born)
            if target.segment:
                # the groups are stored "a,b": one marked group is ",a,b," containing ",a,"
                born_sql += " AND (',' || r.segments || ',') LIKE %s"
                born_params = [*born_params, f"%,{target.segment},%"]
            parts.append(
                f"""SELECT 'G' AS m, {place} AS place_id, CAST(%s AS BIGINT) AS item, %s AS day,
                           0 AS extra, COUNT(*) AS n
                    FROM {_RESIDENT} r WHERE {r_sql} AND {living_sql}{born_sql}
                    GROUP BY 2"""  # noqa: S608
            )
            params += [target.pk, spec.before_start, *r_params, *living_params, *born_params]
            if target.criteria:
                parts.append(
                    f"""SELECT 'H', {place}, CAST(%s AS BIGINT), x.done_on, 0, COUNT(*)
                        FROM (SELECT a.resident_id, MAX(a.achieved_on) AS done_on
                              FROM {_ACHIEVEMENT} a
                              WHERE {a_sql} AND a.withdrawn_at IS NULL
                                AND a.criterion_id IN ({placeholders(target.criteria)})
                              GROUP BY a.resident_id HAVING COUNT(*) = %s) x
                             JOIN {_RESIDENT} r ON r.id = x.resident_id
                        WHERE {living_sql}{born_sql} GROUP BY 2, 4"""  # noqa: S608
                )
                params += [
                    target.pk,
                    *a_params,
                    *target.criteria,
                    len(target.criteria),
                    *living_params,
                    *born_params,
                ]
        if not targets_only:
            counted = f"""FROM {_ACHIEVEMENT} a JOIN {_RESIDENT} r ON r.id = a.resident_id
                          WHERE {a_sql} AND a.withdrawn_at IS NULL
                            AND a.criterion_id IN ({placeholders(criteria)}) AND {living_sql}"""
            parts.append(
                f"""SELECT 'C', {place}, a.criterion_id,
                           CASE WHEN a.achieved_on < %s THEN %s ELSE a.achieved_on END,
                           {cohort}, COUNT(*)
                    {counted} GROUP BY 2, 3, 4, 5"""
            )
            params += [spec.start, spec.before_start, *ages, *a_params, *criteria, *living_params]
            parts.append(
                f"""SELECT 'U', {place}, a.unit_id, a.achieved_on, 0, COUNT(*)
                    {counted} AND a.unit_id IS NOT NULL AND a.achieved_on >= %s GROUP BY 2, 3, 4"""
            )
            params += [*a_params, *criteria, *living_params, spec.start]
    if turns:
        t_sql, t_params = only("t", "resident_id")
        held = f"""FROM {_TURN} t JOIN {_SESSION} s ON s.id = t.session_id
                   WHERE {t_sql} AND s.campaign_id = %s AND s.status = %s"""
        turn_params = [*t_params, spec.pk, SessionStatus.HELD]
        if registered_before is not None:
            held = f"""FROM {_TURN} t JOIN {_SESSION} s ON s.id = t.session_id
                            JOIN {_RESIDENT} r ON r.id = t.resident_id
                       WHERE {t_sql} AND s.campaign_id = %s AND s.status = %s
                         AND r.created_at < %s"""
            turn_params.append(living_params[1])
        parts.append(
            f"""SELECT 'T' AS m, s.place_id AS place_id, COALESCE(t.unit_id, 0) AS item,
                       s.date AS day, 0 AS extra, COUNT(*) AS n
                {held} GROUP BY 2, 3, 4"""
        )
        parts.append(
            f"""SELECT 'P', s.place_id, COALESCE(t.unit_id, 0), MIN(s.date), t.resident_id,
                       COUNT(*)
                {held} GROUP BY t.resident_id, 2, 3"""
        )
        params += turn_params * 2
    union = " UNION ALL ".join(parts)
    sql = f"""SELECT u.m, u.place_id, u.item, u.day, u.extra, u.n,
                     p.path, p.parent_id, p1.parent_id, p2.parent_id
              FROM ({union}) u JOIN {_PLACE} p ON p.id = u.place_id
                   LEFT JOIN {_PLACE} p1 ON p1.id = p.parent_id
                   LEFT JOIN {_PLACE} p2 ON p2.id = p1.parent_id"""  # noqa: S608 - constants
    return sql, params


def contributions(
    spec: Spec,
    communes: Sequence[int],
    residents: Sequence[int] | None = None,
    *,
    people: bool = True,
    turns: bool = True,
    registered_before: dt.datetime | None = None,
    targets_only: bool = False,
) -> Counter[Key]:
    """What the residents (all of the communes when None) add to the campaign's tallies
    (only those in the list before `registered_before`, when given; only to its targets'
    measures with `targets_only`)."""
    out: Counter[Key] = Counter()
    if not communes or (residents is not None and not residents):
        return out
    chunks = (
        [None]
        if residents is None
        else [residents[i : i + _IDS_PER_QUERY] for i in range(0, len(residents), _IDS_PER_QUERY)]
    )
    for chunk in chunks:
        sql, params = _contribution_sql(
            spec,
            communes,
            chunk,
            people=people,
            turns=turns and not targets_only,
            registered_before=registered_before,
            targets_only=targets_only,
        )
        _add_rows(spec, fetch_all(sql, params), out)
    return out


#: Up to this many residents, contributions are computed in Python from their own rows
#: (one or two index look-ups whatever the campaigns); above it, by grouped SQL per
#: campaign. The two are independent implementations of the same definitions: the property
#: tests check `tally_check` (SQL) after writes (Python), holding them to each other.
_PYTHON_AT_MOST = 300

_CHAIN = f"""JOIN {_PLACE} p ON p.id = {{place}}
             LEFT JOIN {_PLACE} p1 ON p1.id = p.parent_id
             LEFT JOIN {_PLACE} p2 ON p2.id = p1.parent_id"""


def _people_rows(residents: Sequence[int]) -> list[tuple[Any, ...]]:
    """One statement: the residents with their place's chain, open-issue flags and
    achievements in force (a row per achievement)."""
    open_issue = f"SELECT 1 FROM {_ISSUE} i WHERE i.resident_id = r.id AND i.resolved_at IS NULL"  # noqa: S608
    return fetch_all(
        f"""SELECT r.id, r.commune_id, r.status, r.birth_date, r.segments, p.id, p.path,
                   p.parent_id,
                   p1.parent_id, p2.parent_id, EXISTS ({open_issue}),
                   EXISTS ({open_issue} AND i.code = %s),
                   a.criterion_id, a.achieved_on, a.unit_id
            FROM {_RESIDENT} r {_CHAIN.format(place="COALESCE(r.village_id, r.commune_id)")}
                 LEFT JOIN {_ACHIEVEMENT} a ON a.commune_id = r.commune_id
                      AND a.resident_id = r.id AND a.withdrawn_at IS NULL
            WHERE r.id IN ({placeholders(residents)})""",  # noqa: S608
        [IssueCode.POSSIBLE_DUPLICATE, *residents],
    )


@dataclass
class _Person:
    status: str
    born: dt.date | None
    chain: tuple[int | None, ...]
    path: str
    any_issue: bool
    duplicate: bool
    achieved: dict[int, tuple[dt.date, int | None]]
    segments: str = ""


def _people(rows: list[tuple[Any, ...]]) -> dict[int, dict[int, _Person]]:
    """The rows of `_people_rows` by commune and resident."""
    people: dict[int, dict[int, _Person]] = defaultdict(dict)
    for pk, commune, status, born, segments, place, path, *rest in rows:
        parents, (any_issue, duplicate, criterion, on, unit) = rest[:3], rest[3:]
        person = people[commune].get(pk)
        if person is None:
            person = people[commune][pk] = _Person(
                status=status,
                born=None if born is None else as_date(born),
                chain=(place, *parents),
                path=path,
                any_issue=bool(any_issue),
                duplicate=bool(duplicate),
                achieved={},
                segments=segments or "",
            )
        if criterion is not None:
            person.achieved[criterion] = (as_date(on), unit)
    return people


def _people_contributions(specs: Iterable[Spec], people: Iterable[_Person]) -> Counter[Key]:
    """The same contributions as the SQL of `contributions` (people group), in Python."""
    out: Counter[Key] = Counter()
    for spec in specs:
        for person in people:
            scopes = _scopes(spec, person.path, person.chain)
            if person.status != ResidentStatus.LIVING or not scopes:
                continue
            born, mine = person.born, person.achieved
            cohort = born is not None and spec.born_from <= born <= spec.born_to
            rows: list[tuple[str, int, dt.date, bool]] = [
                (M.RESIDENTS, int(born is None), spec.before_start, cohort)
            ]
            if person.any_issue:
                rows.append((M.ISSUES, 0, spec.before_start, False))
            if person.duplicate:
                rows.append((M.ISSUES, 1, spec.before_start, False))
            if exemplary_met(spec.exemplary, mine):
                rows.append((M.EXEMPLARY, 0, max(mine[c][0] for c in spec.exemplary), cohort))
            for target in spec.targets:
                if not target.holds(born, person.segments):
                    continue
                rows.append((M.TARGET_POPULATION, target.pk, spec.before_start, False))
                if exemplary_met(target.criteria, mine):
                    done = max(mine[c][0] for c in target.criteria)
                    rows.append((M.TARGET_MET, target.pk, done, False))
            for criterion in spec.criteria:
                if criterion not in mine:
                    continue
                on, unit = mine[criterion]
                rows.append((M.CRITERION, criterion, max(on, spec.before_start), cohort))
                if unit is not None and on >= spec.start:
                    rows.append((M.UNIT_ACHIEVEMENTS, unit, on, False))
            for measure, item, day, flag in rows:
                for scope in scopes:
                    out[(spec.pk, scope, measure, item, day, flag)] += 1
    return out


def _turn_contributions(specs: Sequence[Spec], residents: Sequence[int]) -> Counter[Key]:
    """The same contributions as the SQL of `contributions` (turns group), in Python."""
    out: Counter[Key] = Counter()
    by_pk = {spec.pk: spec for spec in specs}
    if not by_pk or not residents:
        return out
    found = fetch_all(
        f"""SELECT t.resident_id, COALESCE(t.unit_id, 0), s.campaign_id, s.date, p.id,
                   p.path, p.parent_id, p1.parent_id, p2.parent_id
            FROM {_TURN} t JOIN {_SESSION} s ON s.id = t.session_id
                 {_CHAIN.format(place="s.place_id")}
            WHERE t.resident_id IN ({placeholders(residents)}) AND s.status = %s
              AND s.campaign_id IN ({placeholders(list(by_pk))})""",  # noqa: S608 - constants
        [*residents, SessionStatus.HELD, *by_pk],
    )
    rows_by_spec: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for resident, unit, campaign, day, place, path, *parents in found:
        rows_by_spec[campaign].append((M.TURNS, place, unit, day, 0, 1, path, *parents))
        rows_by_spec[campaign].append((M.PEOPLE, place, unit, day, resident, 1, path, *parents))
    for campaign, rows in rows_by_spec.items():
        _add_rows(by_pk[campaign], rows, out)
    return out


def _scopes(spec: Spec, path: str, chain: tuple[int | None, ...]) -> tuple[int, ...]:
    """The places of the campaign's subtree containing the place (itself first)."""
    if not path.startswith(spec.path):
        return ()
    count = path.count("/") - spec.depth
    if count > _MAX_SCOPES or None in chain[:count]:
        raise RuntimeError(f"place tree deeper than expected at {path}")  # noqa: TRY003
    return tuple(p for p in chain[:count] if p is not None)


def _add_rows(spec: Spec, rows: list[tuple[Any, ...]], out: Counter[Key]) -> None:
    first: dict[int, dict[tuple[int, int], dt.date]] = defaultdict(dict)
    for measure, place_id, item, day, extra, n, path, *parents in rows:
        scopes = _scopes(spec, path, (place_id, *parents))
        day = as_date(day)
        if measure == M.PEOPLE:
            seen = first[extra]
            for scope in scopes:
                for key in {(scope, 0), (scope, item)}:
                    if key not in seen or day < seen[key]:
                        seen[key] = day
        elif measure == M.TURNS:
            for scope in scopes:
                out[(spec.pk, scope, measure, 0, day, False)] += n
                if item:
                    out[(spec.pk, scope, measure, item, day, False)] += n
        else:
            for scope in scopes:
                out[(spec.pk, scope, measure, item, day, bool(extra))] += n
    for seen in first.values():
        for (scope, item), day in seen.items():
            out[(spec.pk, scope, M.PEOPLE, item, day, False)] += 1


def _upsert(delta: Counter[Key]) -> None:
    """Add the amounts to the rows (created at need), in key order so that two writers take
    the rows' locks in the same order."""
    rows = sorted((key, amount) for key, amount in delta.items() if amount)
    if not rows:
        return
    ops = connection.ops
    table = ops.quote_name(_TALLY)
    for start in range(0, len(rows), _ROWS_PER_UPSERT):
        chunk = rows[start : start + _ROWS_PER_UPSERT]
        params: list[Any] = []
        for (campaign, scope, measure, item, day, cohort), amount in chunk:
            params += [
                campaign,
                scope,
                measure,
                item,
                ops.adapt_datefield_value(day),
                cohort,
                amount,
            ]
        values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(chunk))
        with connection.cursor() as cursor:
            cursor.execute(
                f"""INSERT INTO {table}
                        (campaign_id, scope_id, measure, item, day, cohort, amount)
                    VALUES {values}
                    ON CONFLICT (campaign_id, scope_id, measure, item, day, cohort)
                    DO UPDATE SET amount = {table}.amount + excluded.amount""",  # noqa: S608
                params,
            )


# --- Changes -----------------------------------------------------------------------------


class _Change:
    """The residents a transaction changes, and their contributions before the change."""

    def __init__(self) -> None:
        self.specs: dict[int, dict[int, Spec]] = {}  # commune → campaigns around it
        self.communes: dict[tuple[bool, int], None] = {}  # (turns?, commune) tracked whole
        self.residents: dict[tuple[bool, int], set[int]] = defaultdict(set)
        # every resident tracked one by one, by group: a nested block naming them again (a
        # tick's achievement inside its turn, the writes of a batch) reads nothing more
        self.seen: dict[bool, set[int]] = defaultdict(set)
        self.before: Counter[Key] = Counter()

    def _campaigns(self, communes: Iterable[int], paths: dict[int, str] | None = None) -> None:
        """The campaigns around the communes; `paths`: a place's path in each, when known."""
        missing = sorted(set(communes) - set(self.specs))
        if not missing:
            return
        known = {c: (paths or {})[c] for c in missing if c in (paths or {})}
        if len(known) < len(missing):
            known |= dict(
                Place.objects.filter(pk__in=set(missing) - set(known)).values_list("pk", "path")
            )
        self.specs.update(_specs_around(known))

    def _measure(
        self,
        commune: int,
        selections: dict[bool, list[int] | None],
        people: dict[int, _Person] | None = None,
    ) -> Counter[Key]:
        """Contributions of the commune's residents, by group (turns or not): None means all
        of them. A few residents are computed in Python (from `people` when already read);
        many by grouped SQL, groups asked for the same residents in one statement."""
        specs = list(self.specs[commune].values())
        total: Counter[Key] = Counter()
        merged: dict[tuple[int, ...] | None, set[bool]] = defaultdict(set)
        for group, chosen in selections.items():
            if chosen is not None and len(chosen) <= _PYTHON_AT_MOST:
                if group:
                    total.update(_turn_contributions(specs, chosen))
                    continue
                if people is None or any(pk not in people for pk in chosen):
                    people = _people(_people_rows(chosen)).get(commune, {})
                total.update(
                    _people_contributions(specs, [people[pk] for pk in chosen if pk in people])
                )
            else:
                merged[None if chosen is None else tuple(chosen)].add(group)
        for key, groups in merged.items():
            for spec in specs:
                total.update(
                    contributions(
                        spec,
                        [commune],
                        None if key is None else list(key),
                        people=False in groups,
                        turns=True in groups,
                    )
                )
        return total

    def add_residents(self, ids: Iterable[int], groups: tuple[bool, ...]) -> None:
        wanted = sorted(pk for pk in set(ids) if any(pk not in self.seen[g] for g in groups))
        if not wanted:
            return
        people: dict[int, dict[int, _Person]] = {}
        by_commune: dict[int, list[int]] = defaultdict(list)
        paths: dict[int, str] = {}
        if connection.features.has_select_for_update:
            # The lock first, in its own statements: a statement that waited for a lock still
            # reads the data as it was when it started, so the reads come after.
            for chunk in range(0, len(wanted), _IDS_PER_QUERY):
                part = wanted[chunk : chunk + _IDS_PER_QUERY]
                fetch_all(
                    f"""SELECT id FROM {_RESIDENT} WHERE id IN ({placeholders(part)})
                        ORDER BY id FOR UPDATE""",  # noqa: S608 - constants
                    part,
                )
        if False in groups and len(wanted) <= _PYTHON_AT_MOST:
            people = _people(_people_rows(wanted))
            for commune, persons in people.items():
                by_commune[commune] = sorted(persons)
                paths[commune] = next(iter(persons.values())).path
        else:
            for chunk in range(0, len(wanted), _IDS_PER_QUERY):
                part = wanted[chunk : chunk + _IDS_PER_QUERY]
                for pk, commune in fetch_all(
                    f"SELECT id, commune_id FROM {_RESIDENT} WHERE id IN ({placeholders(part)})",  # noqa: S608
                    part,
                ):
                    by_commune[commune].append(pk)
        self._campaigns(by_commune, paths)
        for commune, pks in by_commune.items():
            if not self.specs[commune]:
                continue
            news: dict[bool, list[int] | None] = {}
            for group in groups:
                if (group, commune) in self.communes:
                    continue
                tracked = self.residents[(group, commune)]
                new = [pk for pk in pks if pk not in tracked]
                if new:
                    news[group] = new
                    tracked.update(new)
                    self.seen[group].update(new)
            self.before.update(self._measure(commune, news, people.get(commune)))

    def add_created(self, ids: Iterable[int], groups: tuple[bool, ...]) -> None:
        """Residents the transaction created: they counted nothing before it, so only their
        contributions after it are read (at `apply`)."""
        wanted = sorted(set(ids))
        by_commune: dict[int, list[int]] = defaultdict(list)
        for chunk in range(0, len(wanted), _IDS_PER_QUERY):
            part = wanted[chunk : chunk + _IDS_PER_QUERY]
            for pk, commune in fetch_all(
                f"SELECT id, commune_id FROM {_RESIDENT} WHERE id IN ({placeholders(part)})",  # noqa: S608
                part,
            ):
                by_commune[commune].append(pk)
        self._campaigns(by_commune)
        for commune, pks in by_commune.items():
            if not self.specs[commune]:
                continue
            for group in groups:
                if (group, commune) not in self.communes:
                    self.residents[(group, commune)].update(pks)
                    self.seen[group].update(pks)

    def add_communes(self, communes: Iterable[int], groups: tuple[bool, ...]) -> None:
        self._campaigns(communes)
        for commune in sorted(set(communes)):
            if not self.specs[commune]:
                continue
            if connection.features.has_select_for_update:
                fetch_all(
                    f"SELECT id FROM {_RESIDENT} WHERE commune_id = %s ORDER BY id FOR UPDATE",  # noqa: S608
                    [commune],
                )
            for group in groups:
                if (group, commune) in self.communes:
                    continue
                # Residents tracked one by one already have their "before": take the rest.
                tracked = sorted(self.residents.pop((group, commune), set()))
                self.before.update(self._measure(commune, {group: None}))
                if tracked:
                    self.before.subtract(self._measure(commune, {group: tracked}))
                self.communes[(group, commune)] = None

    def apply(self) -> None:
        selections: dict[int, dict[bool, list[int] | None]] = defaultdict(dict)
        for group, commune in self.communes:
            selections[commune][group] = None
        for (group, commune), pks in self.residents.items():
            if pks:
                selections[commune][group] = sorted(pks)
        few = sorted(
            {
                pk
                for chosen in selections.values()
                for group, pks in chosen.items()
                if not group and pks is not None and len(pks) <= _PYTHON_AT_MOST
                for pk in pks
            }
        )
        # The few residents of every commune read again in one statement.
        people = _people(_people_rows(few)) if few else {}
        after: Counter[Key] = Counter()
        for commune, chosen in selections.items():
            after.update(self._measure(commune, chosen, people.get(commune, {})))
        delta: Counter[Key] = Counter(after)
        delta.subtract(self.before)
        _upsert(delta)


_ACTIVE: ContextVar[_Change | None] = ContextVar("tally_change", default=None)


@contextmanager
def tally_change(
    *,
    residents: Iterable[int] = (),
    communes: Iterable[int] = (),
    achievements: bool = True,
    turns: bool = False,
) -> Iterator[None]:
    """Keep the tallies exact across the block, which changes the residents (or every
    resident of the communes): their achievements and own data (`achievements`) and/or
    their turns and the sessions these are in (`turns`). Nested blocks join the outermost,
    which applies the difference when it ends."""
    groups = tuple(group for group, wanted in ((False, achievements), (True, turns)) if wanted)
    outer = _ACTIVE.get()
    if outer is not None:
        outer.add_residents(residents, groups)
        outer.add_communes(communes, groups)
        yield
        return
    change = _Change()
    token = _ACTIVE.set(change)
    try:
        with transaction.atomic():
            change.add_residents(residents, groups)
            change.add_communes(communes, groups)
            yield
            change.apply()
    finally:
        _ACTIVE.reset(token)


def tally_track(
    *,
    residents: Iterable[int] = (),
    achievements: bool = True,
    turns: bool = False,
    created: bool = False,
) -> None:
    """Within a `tally_change` block, add residents found on the way (before changing them),
    or residents the block `created` (they counted nothing before it)."""
    change = _ACTIVE.get()
    if change is None:
        raise RuntimeError("tally_track outside tally_change")  # noqa: TRY003
    groups = tuple(group for group, wanted in ((False, achievements), (True, turns)) if wanted)
    if created:
        change.add_created(residents, groups)
    else:
        change.add_residents(residents, groups)


# --- Rebuild and check --------------------------------------------------------------------


def _fresh(spec: Spec, communes: Sequence[int]) -> Counter[Key]:
    total: Counter[Key] = Counter()
    for commune in communes:
        total.update(contributions(spec, [commune]))
    return +total


def _campaign_communes(campaign: Campaign) -> list[int]:
    return communes_under(campaign.place)


@transaction.atomic
def tally_rebuild(campaign: Campaign) -> int:
    """Recompute the campaign's tallies from the data; returns the number of rows."""
    if connection.features.has_select_for_update:
        Campaign.objects.select_for_update().filter(pk=campaign.pk).exists()
    spec = _spec_of(campaign.pk)
    Tally.objects.filter(campaign_id=campaign.pk).delete()
    if spec is None:
        return 0
    fresh = _fresh(spec, _campaign_communes(campaign))
    _upsert(fresh)
    return len(fresh)


@transaction.atomic
def tally_rebuild_target(target: Target) -> int:
    """Compute one target's tallies (G, H) afresh, after it was added or its terms changed:
    the campaign's other figures stay as they are, so a province's campaign is not counted
    again from the start. Returns the number of rows."""
    campaign = Campaign.objects.select_related("place").get(pk=target.campaign_id)
    if connection.features.has_select_for_update:
        Campaign.objects.select_for_update().filter(pk=campaign.pk).exists()
    Tally.objects.filter(
        campaign_id=campaign.pk, measure__in=[M.TARGET_POPULATION, M.TARGET_MET], item=target.pk
    ).delete()
    spec = _spec_of(campaign.pk)
    own = [t for t in spec.targets if t.pk == target.pk] if spec else []
    if spec is None or not own:
        return 0  # a target with a role: read from the campaign's own measures
    only = replace(spec, targets=tuple(own))
    fresh: Counter[Key] = Counter()
    for commune in _campaign_communes(campaign):
        fresh.update(contributions(only, [commune], targets_only=True))
    _upsert(+fresh)
    return len(+fresh)


@dataclass(frozen=True)
class Difference:
    scope_id: int
    measure: str
    item: int
    day: dt.date
    cohort: bool
    stored: int
    computed: int


def tally_check(campaign: Campaign) -> list[Difference]:
    """Every row where the stored tally differs from a fresh computation (none: exact)."""
    spec = _spec_of(campaign.pk)
    fresh = _fresh(spec, _campaign_communes(campaign)) if spec else Counter()
    stored: Counter[Key] = Counter()
    for scope, measure, item, day, cohort, amount in Tally.objects.filter(
        campaign_id=campaign.pk
    ).values_list("scope_id", "measure", "item", "day", "cohort", "amount"):
        stored[(campaign.pk, scope, measure, item, day, bool(cohort))] += amount
    keys = {k for k, v in stored.items() if v} | set(fresh)
    return [
        Difference(
            scope_id=key[1],
            measure=key[2],
            item=key[3],
            day=key[4],
            cohort=key[5],
            stored=stored.get(key, 0),
            computed=fresh.get(key, 0),
        )
        for key in sorted(keys)
        if stored.get(key, 0) != fresh.get(key, 0)
    ]


def tallies_registered_before(
    campaign: Campaign, communes: Sequence[int], registered_before: dt.datetime
) -> Counter[Key]:
    """The campaign's tallies over the communes as they would be had the list held only the
    residents registered before the moment: computed from the data (seconds for a commune,
    not the milliseconds of the kept tallies), for re-making a past report exactly."""
    spec = _spec_of(campaign.pk)
    total: Counter[Key] = Counter()
    if spec is None:
        return total
    for commune in communes:
        total.update(contributions(spec, [commune], registered_before=registered_before))
    return +total
