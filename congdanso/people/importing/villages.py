"""Matching the village cell of a row to a village of the commune.

Two steps, so that cleaning can run in a worker process without the database:
`VillageIndex.lookup` is a pure dictionary look-up ("Ghamah" = "Buôn Ghamah" = "buon ghamah",
an address "Thôn Tân Lập, xã Ea Yông" by its parts); a cell it cannot place is resolved by
`VillageResolver.resolve` in the main process, which creates the village when asked to
(--create-villages, or the import page's box) or rejects the row with the list of known
villages and what to do, in the words of where the import was asked from (`ImportOrigin`): a
secretary on the import page has no command-line flag to add.
"""

import re
from enum import StrEnum
from functools import lru_cache

from django.utils.translation import gettext_lazy as _

from congdanso.core.errors import Message
from congdanso.places.models import Place
from congdanso.places.selectors import villages_of
from congdanso.places.services import village_get_or_create
from congdanso.vn import fix_legacy, place_key

_ADDRESS_PARTS = re.compile(r"\s*[,;]\s*|\s+-\s+")


def _parts(text: str) -> list[str]:
    return [p for p in _ADDRESS_PARTS.split(text) if p]


class VillageIndex:
    """Folded bare village names of one commune → place id (no database: the cleaning
    worker uses it)."""

    def __init__(self, by_key: dict[str, int]) -> None:
        self.by_key = by_key
        self.lookup = lru_cache(maxsize=4096)(self._lookup)

    def _lookup(self, cell: str) -> int | None:
        text = fix_legacy(cell).strip()
        found = self.by_key.get(place_key(text))
        if found is None:
            for part in _parts(text):
                found = self.by_key.get(place_key(part))
                if found is not None:
                    break
        return found


class ImportOrigin(StrEnum):
    """Where an import was asked from: what a rejected row tells the person to do differs."""

    COMMAND_LINE = "command_line"
    PAGE = "page"


#: The import page's box that has unknown villages created, and the page where a manager
#: adds a village (the navigation's label): the advice quotes both.
CREATE_VILLAGES_LABEL = _("Create the villages the file names that are not known yet")
PLACES_PAGE = _("Places")


class VillageResolver:
    """The database side: unknown villages are created (`create`) or the row is rejected."""

    def __init__(
        self, commune: Place, *, create: bool, origin: ImportOrigin = ImportOrigin.COMMAND_LINE
    ) -> None:
        self.commune = commune
        self.create = create
        self.origin = origin
        self.created: list[str] = []
        self.index = VillageIndex({p.name_key: p.pk for p in villages_of(commune)})
        self._resolved: dict[str, int | Message] = {}

    def resolve(self, cell: str) -> int | Message:
        if cell not in self._resolved:
            self._resolved[cell] = self._resolve(cell)
        return self._resolved[cell]

    def _resolve(self, cell: str) -> int | Message:
        found = self.index.lookup(cell)
        if found is not None:
            return found
        text = fix_legacy(cell).strip()
        if self.create:
            village, created = village_get_or_create(commune=self.commune, name=_parts(text)[0])
            if created:
                self.created.append(village.name)
            return village.pk
        known = ", ".join(sorted(p.name for p in villages_of(self.commune))) or "—"
        if self.origin == ImportOrigin.PAGE:
            return Message(
                _(
                    "%(village)s is not in the list of villages of %(commune)s (known: "
                    "%(known)s). Add it on the '%(page)s' page, or upload the file again with "
                    "the box '%(option)s' ticked."
                ),
                village=text,
                commune=self.commune.name,
                known=known,
                page=PLACES_PAGE,
                option=CREATE_VILLAGES_LABEL,
            )
        return Message(
            _(
                "Unknown village %(village)s in %(commune)s. Known villages: %(known)s. "
                "Add it on the places page, or import with the villages created "
                "(--create-villages)."
            ),
            village=text,
            commune=self.commune.name,
            known=known,
        )
