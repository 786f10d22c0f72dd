"""What a page asked the Vietnamese catalog for and did not find: a message marked in a way
`makemessages` does not extract (an unusual alias of `gettext_lazy`), or never marked in the
catalog, reaches a Vietnamese page in English. Tests wrap a request in `catalog_misses()`."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.utils.translation import trans_real


@contextmanager
def catalog_misses() -> Iterator[set[str]]:
    """The messages looked up in the Vietnamese catalog, while inside, that it lacks."""
    missed: set[str] = set()
    cls = trans_real.DjangoTranslation
    gettext, ngettext = cls.gettext, cls.ngettext
    translations: dict[int, set[str]] = {}

    def _translated(catalog: Any) -> set[str]:
        # Django looks a language's name up twice ("Vietnamese", then "Tiếng Việt"): a
        # Vietnamese text looked up again is not a message the catalog lacks.
        if id(catalog) not in translations:
            translations[id(catalog)] = {v for _, v in catalog.items() if isinstance(v, str)}
        return translations[id(catalog)]

    def _gettext(self: Any, message: str) -> str:
        if (
            self.language() == "vi"
            and message
            and message not in self._catalog
            and (message, 0) not in self._catalog
            and message not in _translated(self._catalog)
        ):
            missed.add(message.split("\x04")[-1])
        return gettext(self, message)

    def _ngettext(self: Any, singular: str, plural: str, n: int) -> str:
        if self.language() == "vi" and (singular, 0) not in self._catalog:
            missed.add(singular.split("\x04")[-1])
        return ngettext(self, singular, plural, n)

    cls.gettext, cls.ngettext = _gettext, _ngettext  # type: ignore[method-assign]
    try:
        yield missed
    finally:
        cls.gettext, cls.ngettext = gettext, ngettext  # type: ignore[method-assign]
