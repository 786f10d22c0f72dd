"""The translation catalogs are complete, consistent and compiled."""

import re
from pathlib import Path

import polib
import pytest

LOCALE = Path(__file__).resolve().parents[2] / "locale"
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdif]")


@pytest.mark.parametrize("language", ["vi", "en"])
def test_catalog_is_compiled_from_the_current_po(language: str) -> None:
    po = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    mo = polib.mofile(str(LOCALE / language / "LC_MESSAGES" / "django.mo"))
    compiled = {e.msgid: e.msgstr for e in mo}
    expected = {e.msgid: e.msgstr for e in po.translated_entries()}
    assert {k: v for k, v in compiled.items() if k} == expected


def test_every_message_has_a_vietnamese_translation_with_the_same_placeholders() -> None:
    po = polib.pofile(str(LOCALE / "vi" / "LC_MESSAGES" / "django.po"))
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []
    for entry in po:
        # Vietnamese has one plural form: it must carry the placeholders of both English forms.
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        expected = set(PLACEHOLDER.findall(entry.msgid + " " + (entry.msgid_plural or "")))
        for translation in translations:
            assert set(PLACEHOLDER.findall(translation)) == expected, entry.msgid
