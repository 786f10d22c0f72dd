"""Finding a person in a campaign: the residents a search names, a page of them with the
campaign criteria each reached — two queries whatever the number of results (never one a
row) — counted and audited as `people.searching` says.
"""

from dataclasses import dataclass
from typing import Any

from congdanso.campaigns.models import Campaign
from congdanso.campaigns.selectors import campaign_rules
from congdanso.people.models import Resident
from congdanso.people.searching import search_allow, search_record
from congdanso.people.selectors import SearchQuery, resident_search
from congdanso.scope.access import (
    Access,
)
from congdanso.scope.cards import CriterionState, criteria_reached
from congdanso.scope.people import campaign_residents

#: Results a search page shows: enough to find someone, small enough for 3G.
SEARCH_LIMIT = 20


#: Results in session mode, each with its buttons: the volunteer types until the person is
#: among the first few, and a short page stays quick to scroll with a thumb.
SESSION_SEARCH_LIMIT = 10


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
    reached = criteria_reached(campaign, [r.pk for r in found])
    rows = tuple(
        SearchRow(
            resident=r,
            birth_year=r.birth_date.year if r.birth_date else None,
            village=r.village.name if r.village else "",
            cccd_masked=r.cccd_masked,
            phone_masked=r.phone_masked,
            states=tuple(
                CriterionState(c, reached[r.pk].get(c.pk), exemplary=c.pk in rules.exemplary_ids)
                for c in rules.criteria
            ),
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
