"""The namesakes the matching of a chunk compares a row with, by birth year.

`identity.Matcher.decide` asks, for each row, which residents of the same folded name and
village were born the same day (the row may be one of them), and which is the first, in the
order the chunk met them, that a weak difference keeps apart from the row (the new person is
then flagged a possible duplicate of it). It used to scan every namesake of the village for
both; in a crowded list (a village of 25,000 people sharing a few dozen names) that was a few
hundred comparisons a row, and most of a 200,000-row import. Only namesakes born the same
year, or in an unknown year, can answer either question when the row's birth date is known,
so they are kept by year too, in the order of the list that held them all.
"""

import datetime as dt
from collections import defaultdict
from itertools import count
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from congdanso.people.importing.identity import Known

Pair = tuple[str, int | None]  # (folded name, village id)


def _year(birth: dt.date | None) -> int | None:
    return None if birth is None else birth.year


class Namesakes:
    """Residents by (folded name, village), and by (folded name, village, birth year or None),
    both in the order they were added (a resident whose name or village changes goes to the
    end of its new pair's list, as if added again)."""

    def __init__(self) -> None:
        self._pairs: dict[Pair, list[Known]] = defaultdict(list)
        self._years: dict[tuple[str, int | None, int | None], list[Known]] = defaultdict(list)
        self._order: dict[int, int] = {}  # id(Known) → when it joined its pair's list
        self._next = count()
        # Where each resident is filed: (name, village, year), to move it when that changes.
        self._filed: dict[int, tuple[str, int | None, int | None]] = {}

    def add(self, known: "Known") -> None:
        key = (known.name_key, known.village_id, _year(known.birth_date))
        self._order[id(known)] = next(self._next)
        self._filed[id(known)] = key
        self._pairs[key[0], key[1]].append(known)
        self._years[key].append(known)

    def refile(self, known: "Known") -> None:
        """After `known`'s name, village or birth date may have changed."""
        old = self._filed[id(known)]
        new = (known.name_key, known.village_id, _year(known.birth_date))
        if new == old:
            return
        self._years[old] = [k for k in self._years[old] if k is not known]
        if new[:2] != old[:2]:
            self._pairs[old[0], old[1]] = [k for k in self._pairs[old[0], old[1]] if k is not known]
            self._pairs[new[0], new[1]].append(known)
            self._order[id(known)] = next(self._next)
            self._years[new].append(known)
        else:  # the same place in its pair's list: among its new year's, by that order
            self._years[new].append(known)
            self._years[new].sort(key=self._rank)
        self._filed[id(known)] = new

    def _rank(self, known: "Known") -> int:
        return self._order[id(known)]

    def born_on(
        self, name_key: str, village_id: int | None, birth: dt.date | None
    ) -> list["Known"]:
        """The namesakes born on `birth` (or, for None, in an unknown year), in order."""
        found = self._years.get((name_key, village_id, _year(birth)), ())
        return [k for k in found if k.birth_date == birth]

    def near(self, name_key: str, village_id: int | None, birth: dt.date | None) -> list["Known"]:
        """In order, the namesakes a row born on `birth` may be a possible duplicate of:
        born the same year or in an unknown year, every namesake when `birth` is None."""
        if birth is None:
            return list(self._pairs.get((name_key, village_id), ()))
        same = self._years.get((name_key, village_id, birth.year), [])
        unknown = self._years.get((name_key, village_id, None), [])
        if not unknown:
            return list(same)
        return sorted([*same, *unknown], key=self._rank)
