"""Matching the village cell of a row to a village of the commune."""

import re

from django.utils.translation import gettext_lazy as _

from congdanso.core.errors import Message
from congdanso.places.selectors import villages_of
from congdanso.places.services import village_get_or_create
from congdanso.places.models import Place
from congdanso.vn import fix_legacy, place_key

_ADDRESS_PARTS = re.compile(r"\s*[,;]\s*|\s+-\s+")


class VillageResolver:
    """Folded name with or without its prefix: "Ghamah" = "Buôn Ghamah" = "buon ghamah".

    An address ("Thôn Tân Lập, xã Ea Yông") is matched by its parts. An unknown village is
    created when `create` is set; otherwise the row is rejected with the known names.
    """

    def __init__(self, commune: Place, *, create: bool) -> None:
        self.commune = commune
        self.create = create
        self.created: list[str] = []
        self._by_key = {p.name_key: p.pk for p in villages_of(commune)}
        self._cache: dict[str, int | Message] = {}

    def resolve(self, cell: str) -> int | Message | None:
        cached = self._cache.get(cell)
        if cached is not None:
            return cached
        resolved = self._resolve(fix_legacy(cell).strip())
        if resolved is not None:
            self._cache[cell] = resolved
        return resolved

    def _resolve(self, text: str) -> int | Message | None:
        if not text:
            return None
        key = place_key(text)
        if key in self._by_key:
            return self._by_key[key]
        parts = [p for p in _ADDRESS_PARTS.split(text) if p]
        for part in parts:
            part_key = place_key(part)
            if part_key in self._by_key:
                return self._by_key[part_key]
        if self.create:
            village, created = village_get_or_create(commune=self.commune, name=parts[0])
            if created:
                self.created.append(village.name)
            self._by_key[village.name_key] = village.pk
            return village.pk
        known = ", ".join(sorted(p.name for p in villages_of(self.commune))) or "—"
        return Message(
            _(
                "Unknown village %(village)s in %(commune)s. Known villages: %(known)s. "
                "Use --create-villages to add it."
            ),
            village=text,
            commune=self.commune.name,
            known=known,
        )
