"""Finding the resident a row of a partner's list is about, among the campaign's communes.

Keys in order, each looked up in bulk (one query per chunk of values, never one per row):

1. CCCD, exact. A resident found whose name (folded) differs from the row's: the row is
   rejected as conflicting — a CCCD is the partner's surest key, so it is not overruled.
2. Phone. Several people share a family phone: when the row gives a name, only residents of
   that name count (a phone whose residents all have other names is not a match, and the
   name and birth date are tried next); several left → ambiguous.
3. Folded name and birth date: the dates agree at the coarser precision of the two (a list
   saying "1990" matches a resident born 17/05/1990). Several → the village column, when the
   list has one, tells them apart; still several → ambiguous.

A resident whose CCCD differs from the row's (valid) CCCD is never matched by phone or name.
Whatever could not be matched is rejected with a reason saying why, bad values included.

Residents' CCCDs and phones are stored encrypted: they are looked up and compared through
their keyed hashes (`people.personal`), never decrypted here.
"""

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, NamedTuple

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from congdanso.campaigns.importing.reasons import ParserError, reason
from congdanso.campaigns.importing.rows import ListRow
from congdanso.core.errors import Message
from congdanso.people import personal
from congdanso.people.models import Resident
from congdanso.places.models import COMMUNE_LEVEL_KINDS, LOCAL_KINDS, Place
from congdanso.vn import format_birth_date, place_key

#: Values per look-up query: SQLite allows 999 parameters in a query.
CHUNK = 800
#: Above this many communes the scope is a subquery rather than a list of ids.
LISTED_COMMUNES = 100
_SHOWN = 5
_ADDRESS_PARTS = re.compile(r"\s*[,;]\s*|\s+-\s+")


class Known(NamedTuple):
    id: int
    commune_id: int
    village_id: int | None
    full_name: str
    name_key: str
    birth_date: dt.date | None
    birth_date_precision: str
    cccd_hmac: str | None  # keyed hashes of the numbers: compared, never shown
    phone_hmac: str
    status: str


_FIELDS = Known._fields
#: Keys stored as keyed hashes: the column, and how a value gets its hash.
_HASHED = {
    "cccd": ("cccd_hmac", personal.cccd_hmac),
    "phone": ("phone_hmac", personal.phone_hmac),
}


def other_cccd(row: ListRow, known: Known) -> bool:
    """True when the row and the resident both have a CCCD, and not the same."""
    return bool(row.cccd and known.cccd_hmac and known.cccd_hmac != personal.cccd_hmac(row.cccd))


class Matched(NamedTuple):
    row: ListRow
    resident: Known
    key: str  # "cccd", "phone" or "name_birth_date"


def chunked(values: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def birth_dates_agree(row: ListRow, known: Known) -> bool:
    """Same birth date at the coarser precision of the two."""
    if row.birth_date is None or known.birth_date is None:
        return False
    precisions = {row.birth_date_precision, known.birth_date_precision}
    if "year" in precisions:
        return row.birth_date.year == known.birth_date.year
    if "month" in precisions:
        return (row.birth_date.year, row.birth_date.month) == (
            known.birth_date.year,
            known.birth_date.month,
        )
    return row.birth_date == known.birth_date


class ResidentIndex:
    """Bulk look-ups of the residents of a set of communes."""

    def __init__(self, place: Place, communes: list[int]) -> None:
        self.scope: list[int] | QuerySet[Place, Any]
        if len(communes) <= LISTED_COMMUNES:
            self.scope = communes
        else:
            self.scope = Place.objects.filter(
                path__startswith=place.path, kind__in=COMMUNE_LEVEL_KINDS
            ).values("id")
        villages = Place.objects.filter(commune_id__in=self.scope, kind__in=LOCAL_KINDS)
        self.village_names: dict[int, str] = {}
        self.villages_by_key: dict[str, set[int]] = defaultdict(set)
        for village_id, name, key in villages.values_list("id", "name", "name_key"):
            self.village_names[village_id] = name
            self.villages_by_key[key].add(village_id)

    def load(self, field: str, values: Iterable[str]) -> dict[str, list[Known]]:
        """The residents whose `field` ("cccd", "phone", "name_key") is one of `values`, by
        value."""
        found: dict[str, list[Known]] = defaultdict(list)
        column = field
        by_key = {value: value for value in values}
        if field in _HASHED:
            column, hashed = _HASHED[field]
            by_key = {hashed(value): value for value in by_key}
        position = _FIELDS.index(column)
        for chunk in chunked(sorted(by_key), CHUNK):
            residents = Resident.objects.filter(
                commune_id__in=self.scope, **{f"{column}__in": chunk}
            ).order_by()
            for values_row in residents.values_list(*_FIELDS):
                found[by_key[values_row[position]]].append(Known(*values_row))
        return found

    def villages_of(self, text: str) -> set[int]:
        """The village ids a village cell may mean ("Tân Lập", "Thôn Tân Lập, xã Ea Yông")."""
        ids = self.villages_by_key.get(place_key(text))
        if ids:
            return ids
        for part in _ADDRESS_PARTS.split(text):
            ids = self.villages_by_key.get(place_key(part)) if part else None
            if ids:
                return ids
        return set()

    def describe(self, residents: Iterable[Known]) -> str:
        """ "Nguyễn Văn A (1990-05-17, Thôn Tân Lập), …" for a reason; the first few only."""
        ordered = sorted(residents, key=lambda k: k.id)
        shown = []
        for known in ordered[:_SHOWN]:
            details = [format_birth_date(known.birth_date, known.birth_date_precision) or "?"]
            if known.village_id in self.village_names:
                details.append(self.village_names[known.village_id])
            shown.append(f"{known.full_name} ({', '.join(details)})")
        if len(ordered) > _SHOWN:
            shown.append("…")
        return ", ".join(shown)


class Matcher:
    """Matches rows to residents, key after key (see the module docstring)."""

    def __init__(self, index: ResidentIndex, *, place_name: str) -> None:
        self.index = index
        self.place_name = place_name

    def match(self, rows: list[ListRow]) -> list[Matched | tuple[ListRow, Message]]:
        outcomes: dict[int, Matched | Message] = {}
        hints: dict[int, list[Message]] = defaultdict(list)

        by_cccd = self.index.load("cccd", [r.cccd for r in rows if r.cccd])
        for row in rows:
            if row.cccd and row.cccd in by_cccd:
                outcomes[row.row_number] = self._by_cccd(row, by_cccd[row.cccd])

        waiting = [r for r in rows if r.row_number not in outcomes]
        by_phone = self.index.load("phone", [r.phone for r in waiting if r.phone])
        for row in waiting:
            if row.phone and row.phone in by_phone:
                found = self._by_phone(row, by_phone[row.phone], hints[row.row_number])
                if found is not None:
                    outcomes[row.row_number] = found

        waiting = [r for r in waiting if r.row_number not in outcomes]
        by_name = self.index.load(
            "name_key", [r.name_key for r in waiting if r.name_key and r.birth_date]
        )
        for row in waiting:
            if row.name_key and row.birth_date:
                found = self._by_name(row, by_name.get(row.name_key, []), hints[row.row_number])
                if found is not None:
                    outcomes[row.row_number] = found

        results: list[Matched | tuple[ListRow, Message]] = []
        for row in rows:
            outcome = outcomes.get(row.row_number)
            if outcome is None:
                outcome = self._unmatched(row, hints.get(row.row_number, []))
            results.append(outcome if isinstance(outcome, Matched) else (row, outcome))
        return results

    # -- each key --------------------------------------------------------------------------
    def _narrow(self, row: ListRow, candidates: list[Known]) -> list[Known]:
        """Several candidates: keep those born when the row says, then those of its village."""
        if len(candidates) > 1 and row.birth_date:
            candidates = [k for k in candidates if birth_dates_agree(row, k)] or candidates
        if len(candidates) > 1 and row.village_text:
            villages = self.index.villages_of(row.village_text)
            candidates = [k for k in candidates if k.village_id in villages] or candidates
        return candidates

    def _by_cccd(self, row: ListRow, candidates: list[Known]) -> Matched | Message:
        if row.name_key:
            named = [k for k in candidates if k.name_key == row.name_key]
            if not named:
                return Message(
                    _("The CCCD %(cccd)s belongs to %(resident)s, not to %(name)s."),
                    cccd=row.cccd,
                    resident=self.index.describe(candidates),
                    name=row.full_name,
                )
            candidates = named
        candidates = self._narrow(row, candidates)
        if len(candidates) == 1:
            return Matched(row, candidates[0], "cccd")
        return Message(
            _("Several residents have the CCCD %(cccd)s: %(residents)s."),
            cccd=row.cccd,
            residents=self.index.describe(candidates),
        )

    def _by_phone(
        self, row: ListRow, candidates: list[Known], hints: list[Message]
    ) -> Matched | Message | None:
        candidates = [k for k in candidates if not other_cccd(row, k)]
        if not candidates:
            return None
        if row.name_key:
            named = [k for k in candidates if k.name_key == row.name_key]
            if not named:
                hints.append(
                    Message(
                        _("The phone %(phone)s belongs to %(residents)s, not to %(name)s."),
                        phone=row.phone,
                        residents=self.index.describe(candidates),
                        name=row.full_name,
                    )
                )
                return None
            candidates = named
        candidates = self._narrow(row, candidates)
        if len(candidates) == 1:
            return Matched(row, candidates[0], "phone")
        return Message(
            _(
                "Several residents share the phone %(phone)s: %(residents)s. A CCCD, or a name "
                "and birth date, would tell them apart."
            ),
            phone=row.phone,
            residents=self.index.describe(candidates),
        )

    def _by_name(
        self, row: ListRow, candidates: list[Known], hints: list[Message]
    ) -> Matched | Message | None:
        born = [k for k in candidates if birth_dates_agree(row, k)]
        others = [k for k in born if other_cccd(row, k)]
        born = [k for k in born if k not in others]
        if others and not born:
            hints.append(
                Message(
                    _("A resident with this name and birth date has another CCCD: %(residents)s."),
                    residents=self.index.describe(others),
                )
            )
        if not born:
            return None
        if len(born) > 1 and row.village_text:
            villages = self.index.villages_of(row.village_text)
            born = [k for k in born if k.village_id in villages] or born
        if len(born) == 1:
            return Matched(row, born[0], "name_birth_date")
        return Message(
            _(
                "Several residents are named %(name)s and born %(birth)s: %(residents)s. A CCCD "
                "or a village would tell them apart."
            ),
            name=row.full_name,
            birth=format_birth_date(row.birth_date, row.birth_date_precision),
            residents=self.index.describe(born),
        )

    def _unmatched(self, row: ListRow, hints: list[Message]) -> Message:
        details = list(hints)
        for field, template in (
            ("cccd", _("The CCCD is not valid: %(error)s")),
            ("phone", _("The phone is not valid: %(error)s")),
            ("birth_date", _("The birth date is not valid: %(error)s")),
        ):
            if field in row.invalid:
                details.append(Message(template, error=ParserError(row.invalid[field][1])))
        if not (row.cccd or row.phone or (row.name_key and row.birth_date)):
            if row.name_key and "birth_date" not in row.invalid:
                main = Message(
                    _(
                        "The row has no valid CCCD or phone, and a name without a birth date "
                        "cannot identify the resident: %(name)s."
                    ),
                    name=row.full_name,
                )
            else:
                main = Message(
                    _(
                        "The row has no valid CCCD, phone, or name with a birth date to find "
                        "the resident by."
                    )
                )
        else:
            main = Message(
                _(
                    "No resident of %(place)s matches this row by CCCD, phone, or name and "
                    "birth date."
                ),
                place=self.place_name,
            )
        return reason(main, *details)
