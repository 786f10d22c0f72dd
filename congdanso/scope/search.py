"""Finding a person in a campaign: the residents a search names, a page of them with the
campaign criteria each reached — two queries whatever the number of results (never one a
row) — counted and audited as `people.searching` says.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from congdanso.campaigns.models import Campaign
from congdanso.campaigns.selectors import CampaignRules, campaign_rules
from congdanso.people.models import Resident
from congdanso.people.searching import search_allow, search_record
from congdanso.people.selectors import (
    SearchQuery,
    card_namesakes,
    resident_search_ranked,
    search_query_parse,
)
from congdanso.scope.access import (
    Access,
)
from congdanso.scope.cards import CriterionState, criteria_reached
from congdanso.scope.people import campaign_residents
from congdanso.vn import CccdQr

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
    cccd_masked: str  # with the last four digits in clear when the search matched them
    phone_masked: str  # likewise
    states: tuple[CriterionState, ...]
    #: Which number the search by digits matched ("cccd", "phone"), "" for a name.
    matched: str = ""

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
    #: A scanned card (its QR code): what it says, and when its number matched nobody, the
    #: residents without a CCCD who have its name and birth date ("gắn số CCCD này").
    card: CccdQr | None = None
    namesakes: tuple[SearchRow, ...] = ()


def search_rows(
    access: Access,
    campaign: Campaign,
    text: "str | SearchQuery",
    *,
    limit: int = SEARCH_LIMIT,
    village_id: int | None = None,
) -> SearchResult:
    """The residents the search text names, best first (`resident_search_ranked`: whole
    syllables, then the start of one, then those of `village_id`, then by name), each with the
    campaign criteria they have reached; `limit` at most."""
    query = text if isinstance(text, SearchQuery) else search_query_parse(text)
    ids = list(
        resident_search_ranked(
            campaign_residents(access, campaign), query, village_id=village_id
        ).values_list("pk", flat=True)[: limit + 1]
    )
    rules = campaign_rules(campaign)
    rows = rows_of(campaign, rules, ids[:limit], query=query)
    namesakes: tuple[SearchRow, ...] = ()
    if query.card is not None and not rows:
        namesake_ids = list(
            card_namesakes(campaign_residents(access, campaign), query.card).values_list(
                "pk", flat=True
            )[:limit]
        )
        namesakes = rows_of(campaign, rules, namesake_ids)
    return SearchResult(
        rows=rows,
        more=len(ids) > limit,
        criteria_count=len(rules.criteria),
        card=query.card,
        namesakes=namesakes,
    )


def rows_of(
    campaign: Campaign,
    rules: CampaignRules,
    ids: Sequence[int],
    *,
    query: SearchQuery | None = None,
) -> tuple[SearchRow, ...]:
    """The rows of these residents (ids in the order to show), each with the campaign
    criteria they reached — two queries whatever their number."""
    by_id = Resident.objects.select_related("village").in_bulk(list(ids))
    found = [by_id[pk] for pk in ids if pk in by_id]
    reached = criteria_reached(campaign, [r.pk for r in found])
    rows = []
    for r in found:
        matched = _matched(r, query) if query is not None and query.by_number else ""
        rows.append(
            SearchRow(
                resident=r,
                birth_year=r.birth_date.year if r.birth_date else None,
                village=r.village.name if r.village else "",
                cccd_masked=_shown(r.cccd_masked, query, 3) if matched == "cccd" else r.cccd_masked,
                phone_masked=(
                    _shown(r.phone_masked, query, 2) if matched == "phone" else r.phone_masked
                ),
                states=tuple(
                    CriterionState(
                        c, reached[r.pk].get(c.pk), exemplary=c.pk in rules.exemplary_ids
                    )
                    for c in rules.criteria
                ),
                matched=matched,
            )
        )
    return tuple(rows)


def _matched(resident: Resident, query: SearchQuery) -> str:
    """Which of the resident's numbers the search by digits found."""
    wanted = dict(query.hmacs)
    if resident.cccd_hmac and resident.cccd_hmac == wanted.get("cccd_hmac"):
        return "cccd"
    if resident.phone_hmac and resident.phone_hmac == wanted.get("phone_hmac"):
        return "phone"
    if resident.cccd_last4_hmac and resident.cccd_last4_hmac == wanted.get("cccd_last4_hmac"):
        return "cccd"
    if resident.phone_last4_hmac and resident.phone_last4_hmac == wanted.get("phone_last4_hmac"):
        return "phone"
    return ""


def _shown(masked: str, query: SearchQuery | None, head: int) -> str:
    """A masked number with the four digits the user typed in clear: 09****5678."""
    if not masked or query is None or not query.last4:
        return masked
    return masked[:head] + "*" * (len(masked) - head - 4) + query.last4


def search_people(
    *,
    access: Access,
    user: Any,
    campaign: Campaign,
    query: SearchQuery,
    limit: int,
    village_id: int | None = None,
) -> SearchResult:
    """A user's search in the campaign: counted against their rates (`Throttled` once one is
    passed), and audited when it is by number (`people.searching`)."""
    search_allow(user_id=user.pk, query=query)
    result = search_rows(access, campaign, query, limit=limit, village_id=village_id)
    search_record(
        user=user,
        query=query,
        found=[(row.resident.pk, row.resident.commune_id) for row in result.rows],
        commune_id=campaign.place_id if campaign.place.is_commune_level else None,
    )
    return result
