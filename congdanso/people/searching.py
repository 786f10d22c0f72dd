"""The rules around a search for residents, the same for the site and the API: how often a
user may search, and the audit of searches by number.

A search by number could be turned into a way of reading numbers: a whole number that finds
somebody confirms it. So searches are counted per user (every search; the ones that look a
number up; the whole numbers that found nobody, which is what guessing looks like), and
every search by number writes an audit row saying who searched, when, the kind of number and
which residents were found — never the digits.
"""

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from congdanso.core.audit import audit_record
from congdanso.core.errors import Message
from congdanso.core.models import AuditAction
from congdanso.core.ratelimit import Rate, rate_check, rate_count, rate_used
from congdanso.core.ratelimit import Throttled as Throttled
from congdanso.people.selectors import SearchQuery


def search_rates() -> tuple[Rate, Rate, Rate]:
    """Per user: every search (as-you-type included), the searches that look a number up,
    and whole numbers that found nobody (settings SEARCH_RATES: three counts, per minute,
    per minute, per hour). A volunteer finding 300 people in a morning stays far below each;
    trying the hundred numbers a masked CCCD and its last four digits leave open takes
    hours, each try audited."""
    every, numbers, misses = settings.SEARCH_RATES
    return Rate(every, 60), Rate(numbers, 60), Rate(misses, 3600)


def _too_many() -> Message:
    return Message(_("Too many searches in a short time; wait a minute and try again."))


def search_allow(*, user_id: int, query: SearchQuery) -> None:
    """Count the search against the user's rates; `Throttled` once one is passed."""
    every, numbers, misses = search_rates()
    rate_check(scope="search", subject=user_id, rate=every, message=_too_many())
    if not query.by_number:
        return
    rate_check(scope="search-number", subject=user_id, rate=numbers, message=_too_many())
    if query.whole_number and (
        rate_used(scope="search-miss", subject=user_id, rate=misses) >= misses.limit
    ):
        raise Throttled(
            Message(
                _(
                    "Too many searches for numbers that found nobody; searching by number "
                    "is paused for this account for up to an hour. Search by name meanwhile."
                )
            ),
            retry_after=misses.seconds,
        )


def search_record(
    *,
    user: Any,
    query: SearchQuery,
    found: Iterable[tuple[int, int]],
    commune_id: int | None = None,
) -> None:
    """After a search by number: one audit row per commune of the residents `found`
    ((resident id, commune id) pairs), or one for `commune_id` (the commune searched in,
    when known) when nobody was found; a whole number that found nobody counts as a miss."""
    if not query.by_number:
        return
    by_commune: dict[int | None, list[int]] = defaultdict(list)
    for resident_id, resident_commune in found:
        by_commune[resident_commune].append(resident_id)
    if not by_commune:
        by_commune[commune_id] = []
        if query.whole_number:
            rate_count(scope="search-miss", subject=user.pk, rate=search_rates()[2])
    for commune, residents in sorted(by_commune.items(), key=lambda item: item[0] or 0):
        audit_record(
            action=AuditAction.SEARCH,
            object_type="people.resident",
            object_id=residents[0] if len(residents) == 1 else "",
            label=str(query.kind),
            commune_id=commune,
            changes={"kind": str(query.kind), "found": sorted(residents)},
            actor=user,
        )
