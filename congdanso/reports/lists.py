"""The residents behind a dashboard number, and a village's roster.

Each filter restates, as a queryset, the definition that a tally measure counts
(progress/tallies.py), so that the list a number links to has exactly that many people:

- *counted in place P*: status "living here", filed under P (their village, or their commune
  when they have none, lies in P's subtree) — measure R;
- *has criterion X at D*: an achievement of X in force dated on or before D — measure C;
- *exemplary at D*: every exemplary criterion of the campaign held at D — measure E;
- *cohort*: birth date within the campaign's birth range — the cohort flag;
- *open data issue* / *possible duplicate*: an unresolved issue (of that code) — measure Q;
- *achievements through unit U*: an achievement of a campaign criterion in force, recorded
  through U, dated from the campaign start to D, of a counted resident — measure U (it counts
  achievements: the list gives their number beside the number of people);
- *helped*: a turn (through U when asked) in a held session of the campaign, in P, on or
  before D — measures P and T. Here P is where the session was held, not where the person
  lives, and moved-away people still count, as they do in those measures.

Every list starts from `scope.access.residents_visible`: scope has one choke point.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from congdanso.campaigns.cohort import cohort_birth_range
from congdanso.campaigns.models import Achievement, Campaign, Criterion
from congdanso.campaigns.selectors import CampaignRules, communes_under
from congdanso.core.errors import NotFound
from congdanso.outreach.models import SessionStatus, Turn
from congdanso.partners.models import Unit
from congdanso.people.models import DataIssue, IssueCode, Resident, ResidentStatus
from congdanso.places.models import LOCAL_KINDS, Place, PlaceKind
from congdanso.progress.figures import Indicators, TargetFigure
from congdanso.progress.indicators import campaign_indicators, registered_before
from congdanso.scope.access import (
    PERSON_ROLES,
    Access,
    indicator_place_for,
    place_get_for,
    residents_visible,
)
from congdanso.vn import name_sort_key

#: Columns that hold personal numbers (encrypted, or their look-up keys).
_SEALED_COLUMNS = (
    "cccd_encrypted",
    "cccd_hmac",
    "cccd_last4_hmac",
    "phone_encrypted",
    "phone_hmac",
    "phone_last4_hmac",
)
#: Residents a page of the list shows.
PAGE_SIZE = 50


class IssueFilter:
    ANY = "1"
    DUPLICATE = "trung"


@dataclass(frozen=True)
class PeopleFilter:
    """What a list asks for; None/empty/False means "not filtered on that"."""

    place: Place
    day: dt.date
    exemplary: bool | None = None
    cohort: bool | None = None
    done: Criterion | None = None
    missing: Criterion | None = None
    issues: str = ""  # IssueFilter.ANY or IssueFilter.DUPLICATE
    no_birth_date: bool = False
    no_village: bool = False
    helped: bool = False
    unit: Unit | None = None
    #: Only the residents in the list by the end of this day (the figures' `registered_by`).
    registered_by: dt.date | None = None


@dataclass(frozen=True)
class PeopleTotals:
    """Besides the number of people, what some dashboard numbers count in their list."""

    turns: int | None = None  # turns of the people helped (helped lists)
    achievements: int | None = None  # achievements through the unit (unit lists)


@dataclass(frozen=True)
class Tick:
    criterion: Criterion
    achieved_on: dt.date | None


@dataclass(frozen=True)
class PersonRow:
    """A resident as the lists show them: masked, nothing decrypted (the birth date is shown
    as its year only, the CCCD and phone not at all)."""

    resident: Resident
    birth_year: int | None
    ticks: tuple[Tick, ...]
    exemplary: bool
    open_issues: int
    missing: tuple[Criterion, ...] = field(default=())


def require_person_scope(access: Access, place: Place) -> None:
    """Only the roles that see residents one by one, over the whole place, get its lists
    (a viewer gets a 404, as for anything that does not exist for them)."""
    if not access.covers(place, PERSON_ROLES):
        raise NotFound(_("No such list of residents."), code="not_found")


def _living_in(place: Place) -> Q:
    """Counted in the place (measure R): living, filed under it. The commune ids come first
    for the indexes and the future shard key."""
    q = Q(commune_id__in=communes_under(place), status=ResidentStatus.LIVING)
    if place.kind in LOCAL_KINDS:
        q &= Q(village__path__startswith=place.path)
    return q


def _in_force(campaign: Campaign, place: Place, day: dt.date) -> QuerySet[Achievement]:
    return Achievement.objects.filter(
        commune_id__in=communes_under(place), withdrawn_at__isnull=True, achieved_on__lte=day
    )


def _exemplary_ids(
    campaign: Campaign, rules: CampaignRules, place: Place, day: dt.date
) -> QuerySet[Any] | None:
    """Residents holding every exemplary criterion at D (None: the campaign has none, so
    nobody is exemplary)."""
    wanted = sorted(rules.exemplary_ids)
    if not wanted:
        return None
    return (
        _in_force(campaign, place, day)
        .filter(criterion_id__in=wanted)
        .values("resident_id")
        .annotate(held=Count("criterion_id", distinct=True))
        .filter(held=len(wanted))
        .values("resident_id")
    )


def _turns(campaign: Campaign, f: PeopleFilter) -> QuerySet[Turn]:
    """Turns of held sessions of the campaign, in the place's subtree, up to D (through the
    unit when asked)."""
    turns = Turn.objects.filter(
        session__campaign=campaign,
        session__status=SessionStatus.HELD,
        session__date__lte=f.day,
        session__place__path__startswith=f.place.path,
    )
    if f.unit is not None:
        turns = turns.filter(unit=f.unit)
    return turns


def _unit_achievements(
    campaign: Campaign, rules: CampaignRules, f: PeopleFilter, unit: Unit
) -> QuerySet[Achievement]:
    return _in_force(campaign, f.place, f.day).filter(
        unit=unit,
        criterion_id__in=[c.pk for c in rules.criteria],
        achieved_on__gte=campaign.start_date,
    )


def people_filtered(
    access: Access, campaign: Campaign, rules: CampaignRules, f: PeopleFilter
) -> QuerySet[Resident]:
    """The residents behind a number (see the module docstring), in name order."""
    require_person_scope(access, f.place)
    people = residents_visible(access)
    if f.helped:
        people = people.filter(pk__in=_turns(campaign, f).values("resident_id"))
    else:
        people = people.filter(_living_in(f.place))
        if f.unit is not None:
            people = people.filter(
                pk__in=_unit_achievements(campaign, rules, f, f.unit).values("resident_id")
            )
    if f.registered_by is not None:
        people = people.filter(created_at__lt=registered_before(f.registered_by))
    if f.no_village:
        people = people.filter(village__isnull=True)
    if f.cohort is not None:
        born_from, born_to = cohort_birth_range(campaign)
        in_cohort = Q(birth_date__gte=born_from, birth_date__lte=born_to)
        people = people.filter(in_cohort if f.cohort else ~in_cohort | Q(birth_date__isnull=True))
    if f.exemplary is not None:
        exemplary = _exemplary_ids(campaign, rules, f.place, f.day)
        if exemplary is None:
            people = people if not f.exemplary else people.none()
        elif f.exemplary:
            people = people.filter(pk__in=exemplary)
        else:
            people = people.exclude(pk__in=exemplary)
    for criterion, wanted in ((f.done, True), (f.missing, False)):
        if criterion is None:
            continue
        holders = (
            _in_force(campaign, f.place, f.day).filter(criterion=criterion).values("resident_id")
        )
        people = people.filter(pk__in=holders) if wanted else people.exclude(pk__in=holders)
    if f.issues:
        issues = DataIssue.objects.filter(
            commune_id__in=communes_under(f.place), resolved_at__isnull=True
        )
        if f.issues == IssueFilter.DUPLICATE:
            issues = issues.filter(code=IssueCode.POSSIBLE_DUPLICATE)
        people = people.filter(pk__in=issues.values("resident_id"))
    if f.no_birth_date:
        people = people.filter(birth_date__isnull=True)
    # The lists never show the numbers: their tokens and keys stay in the database.
    return people.select_related("village").defer(*_SEALED_COLUMNS).order_by("name_key", "id")


def people_totals(
    campaign: Campaign, rules: CampaignRules, f: PeopleFilter, people: QuerySet[Resident]
) -> PeopleTotals:
    """The turns or achievements of the listed people, for the numbers that count those."""
    ids = people.order_by().values("pk")
    turns = achievements = None
    if f.helped:
        turns = _turns(campaign, f).filter(resident_id__in=ids).count()
    elif f.unit is not None:
        achievements = (
            _unit_achievements(campaign, rules, f, f.unit).filter(resident_id__in=ids).count()
        )
    return PeopleTotals(turns=turns, achievements=achievements)


def person_rows(
    residents: list[Resident], campaign: Campaign, rules: CampaignRules, day: dt.date
) -> list[PersonRow]:
    """The residents of one page with their criteria at D and their open issues: two queries
    whatever the page size."""
    ids = [r.pk for r in residents]
    communes = sorted({r.commune_id for r in residents})
    dates: dict[tuple[int, int], dt.date] = {}
    for resident_id, criterion_id, on in (
        Achievement.objects.filter(
            commune_id__in=communes,
            resident_id__in=ids,
            withdrawn_at__isnull=True,
            achieved_on__lte=day,
            criterion_id__in=[c.pk for c in rules.criteria],
        )
        .order_by()
        .values_list("resident_id", "criterion_id", "achieved_on")
    ):
        # order_by(): the model's default order joins the places for nothing.
        dates[(resident_id, criterion_id)] = on
    issues = dict(
        DataIssue.objects.filter(
            commune_id__in=communes, resident_id__in=ids, resolved_at__isnull=True
        )
        .values("resident_id")
        .annotate(n=Count("id"))
        .values_list("resident_id", "n")
    )
    rows = []
    for resident in residents:
        ticks = tuple(Tick(c, dates.get((resident.pk, c.pk))) for c in rules.criteria)
        rows.append(
            PersonRow(
                resident=resident,
                birth_year=resident.birth_date.year if resident.birth_date else None,
                ticks=ticks,
                exemplary=rules.is_exemplary({t.criterion.pk for t in ticks if t.achieved_on}),
                open_issues=issues.get(resident.pk, 0),
                missing=tuple(t.criterion for t in ticks if t.achieved_on is None),
            )
        )
    return rows


@dataclass(frozen=True)
class PeoplePage:
    place: Place
    filter: PeopleFilter
    count: int
    page: Page
    rows: list[PersonRow]
    totals: PeopleTotals


def list_place(access: Access, campaign: Campaign, place_code: str) -> Place:
    """The place a list is about: the one asked for, else the campaign's or the user's own
    within it — as the dashboard picks it."""
    asked = place_get_for(access, place_code) if place_code else None
    return indicator_place_for(access, campaign, asked)


def village_get_for(access: Access, campaign: Campaign, code: str) -> Place:
    """A village (or site) of the campaign the user may see people of; else a 404."""
    village = place_get_for(access, code)
    if village.kind not in LOCAL_KINDS or not village.path.startswith(campaign.place.path):
        raise NotFound(_("No such village in this campaign."), code="not_found")
    require_person_scope(access, village)
    return village


def people_page(
    access: Access,
    campaign: Campaign,
    rules: CampaignRules,
    *,
    place: Place,
    page_number: str | int | None = 1,
    **filters: Any,
) -> PeoplePage:
    """One page of the people behind a number, with their criteria; the count is the
    number's."""
    f = PeopleFilter(place=place, **filters)
    people = people_filtered(access, campaign, rules, f)
    page = Paginator(people, PAGE_SIZE).get_page(page_number)
    return PeoplePage(
        place=place,
        filter=f,
        count=page.paginator.count,
        page=page,
        rows=person_rows(list(page.object_list), campaign, rules, f.day),
        totals=people_totals(campaign, rules, f, people),
    )


#: Rows of the printed checklist on one A4 page: 20 rows of 9 mm (room to write) leave room
#: for the page's own heading, the columns' legend and the signature lines.
PRINT_ROWS_PER_PAGE = 20

#: Who signs a place's checklist beside the person who made it, by the kind of place.
_HEAD_TITLES: dict[str, Any] = {
    PlaceKind.VILLAGE: _("Village head"),
    PlaceKind.EDE_VILLAGE: _("Ede village head"),
    PlaceKind.RESIDENTIAL_GROUP: _("Residential group head"),
}


@dataclass(frozen=True)
class PrintSheet:
    village: Place
    filter: PeopleFilter
    count: int
    pages: tuple[tuple[tuple[int, PersonRow], ...], ...]  # (number on the sheet, row)
    #: the campaign's targets measured for the village (its part of each), as of the day
    targets: tuple[TargetFigure, ...] = ()

    @property
    def page_count(self) -> int:
        return len(self.pages)

    @property
    def head_title(self) -> str:
        """Who signs each page beside the one who made it ("Trưởng thôn", "Trưởng buôn")."""
        return str(_HEAD_TITLES.get(self.village.kind, _("Person in charge")))


def village_print_sheet(
    access: Access, campaign: Campaign, rules: CampaignRules, *, village: Place, **filters: Any
) -> PrintSheet:
    """Everyone the filters select (by default the caller asks for the not yet exemplary),
    in the order of an official list (`vn.name_sort_key`: given name, middle names,
    surname), cut into pages of PRINT_ROWS_PER_PAGE rows, numbered through."""
    f = PeopleFilter(place=village, **filters)
    # A village's list is printed whole, so it is sorted here; the paginated lists keep the
    # database's order (name_key), which pagination needs.
    residents = sorted(
        people_filtered(access, campaign, rules, f),
        key=lambda r: (name_sort_key(r.full_name), r.pk),
    )
    rows = list(enumerate(person_rows(residents, campaign, rules, f.day), start=1))
    pages = tuple(
        tuple(rows[i : i + PRINT_ROWS_PER_PAGE]) for i in range(0, len(rows), PRINT_ROWS_PER_PAGE)
    )
    targets = campaign_indicators(campaign, place=village, on=f.day).targets
    return PrintSheet(village=village, filter=f, count=len(rows), pages=pages, targets=targets)


@dataclass(frozen=True)
class VillagePage:
    village: Place
    people: PeoplePage
    summary: Indicators  # the village's own figures, as of the list's date


def village_page(
    access: Access,
    campaign: Campaign,
    rules: CampaignRules,
    *,
    village: Place,
    page_number: str | int | None = 1,
    **filters: Any,
) -> VillagePage:
    people = people_page(access, campaign, rules, place=village, page_number=page_number, **filters)
    summary = campaign_indicators(campaign, place=village, on=people.filter.day)
    return VillagePage(village=village, people=people, summary=summary)
