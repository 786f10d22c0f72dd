"""Search keys and name cleaning: :func:`fold`, :func:`clean_name`, :func:`clean_text`.

``fold`` builds the key used to match names typed in different ways: it decomposes (NFD), drops
the combining marks U+0300–U+036F (tones, breve, circumflex, horn), maps đ/Đ (and the look-alike
eth ð/Ð, often typed for Đ) to ``d``, lower-cases, turns every apostrophe variant (’ ‘ ` ´ ʼ)
into ``'`` and collapses whitespace (including no-break and other Unicode spaces; zero-width
characters, the BOM and bidirectional controls are dropped). It is NFC/NFD-insensitive and
idempotent.

``clean_name`` never re-places tone marks and never changes a name that already mixes upper and
lower case: only an ALL-CAPS or all-lowercase name is title-cased. Title-casing upper-cases the
first *character* of each word (so a combining breve after it stays attached), also after a
hyphen, and the letter after an apostrophe that follows a one-letter initial (Ede H'Nga, Y'Sơn).

All three are cached (``functools.lru_cache``): a 200,000-row import repeats names a lot.
"""

import re
import unicodedata
from functools import lru_cache

_CACHE_SIZE = 1 << 16
_APOSTROPHES = "\u2019\u2018`\u00b4\u02bc\u02bb\u2032"
# Zero-width characters and the BOM, and the bidirectional controls (LRM/RLM/ALM, the
# embeddings and overrides U+202A–U+202E, the isolates U+2066–U+2069): none belongs in a
# Vietnamese name, and an override (U+202E) makes a list display text other than it holds.
_INVISIBLE = (
    "\u200b\u200c\u200d\u2060\ufeff"
    "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)

_FOLD_TABLE: dict[int, int | str | None] = dict.fromkeys(range(0x300, 0x370))
_FOLD_TABLE.update(dict.fromkeys(map(ord, _INVISIBLE)))
_FOLD_TABLE.update({ord(c): "'" for c in _APOSTROPHES})
_FOLD_TABLE.update({ord(c): "d" for c in "đĐðÐɖƉ"})
# After NFD, lower() and đ → d, a string without these characters holds only ASCII and the
# combining marks to drop, and the fast ASCII encoding does the job of the table above.
_FOLD_SLOW = re.compile("[^\x00-\x7f\u0300-\u036f]")

_CLEAN_TABLE: dict[int, int | str | None] = dict.fromkeys(map(ord, _INVISIBLE))
# Ð (U+00D0, eth) is what Đ becomes through a Windows-1258 → 1252 mix-up; in a Vietnamese
# register it always means Đ.
_CLEAN_TABLE.update({ord("Ð"): "Đ", ord("ð"): "đ"})
_CLEAN_SLOW = re.compile("[" + _INVISIBLE + "Ðð]")

_EDE_APOSTROPHE = re.compile(r"(?:^|(?<=[ \-]))([^\W\d_])(['\u2019\u02bc])([^\W\d_])")
# Modifier letters (U+02B0–U+02FF) pass isalpha() but have no case, and str.title() starts a
# new word after them: "aaʼa" would become "AaʼA". ʼ (U+02BC) and ʻ are apostrophes here.
_MODIFIER_LETTER = re.compile("[\u02b0-\u02ff]")


@lru_cache(maxsize=_CACHE_SIZE)
def fold(text: str) -> str:
    """Lower-case search key without diacritics: ``fold("Nguyễn Thị Hoà") == "nguyen thi hoa"``."""
    if text.isascii():
        if "`" in text:
            text = text.replace("`", "'")
        return " ".join(text.lower().split())
    text = unicodedata.normalize("NFD", text).lower().replace("đ", "d")
    if _FOLD_SLOW.search(text) is None:
        ascii_text = text.encode("ascii", "ignore").decode("ascii")
        if "`" in ascii_text:  # the backtick is an apostrophe, as on the ASCII path above
            ascii_text = ascii_text.replace("`", "'")
        return " ".join(ascii_text.split())
    return " ".join(text.translate(_FOLD_TABLE).split())


@lru_cache(maxsize=_CACHE_SIZE)
def clean_text(text: str) -> str:
    """NFC, zero-width characters removed, whitespace trimmed and collapsed; case kept."""
    if not text.isascii():
        if _CLEAN_SLOW.search(text) is not None:
            text = text.translate(_CLEAN_TABLE)
        text = unicodedata.normalize("NFC", text)
    return " ".join(text.split())


def _capitalize(word: str) -> str:
    return word[:1].upper() + word[1:]


def _title_ede(match: re.Match[str]) -> str:
    initial, apostrophe, after = match.groups()
    return initial + apostrophe + after.upper()


def title_case(text: str) -> str:
    """Vietnamese title case of ``text``: every word (and hyphen part) capitalised, and the
    letter after a one-letter initial and an apostrophe (H'Nga)."""
    if text.replace(" ", "").replace("-", "").isalpha() and _MODIFIER_LETTER.search(text) is None:
        # Only letters (no digit, apostrophe, modifier letter or combining mark), spaces
        # and hyphens: str.title() does exactly the same, faster.
        return text.lower().title()
    words = text.lower().split(" ")
    if "-" in text:
        words = ["-".join(map(_capitalize, word.split("-"))) for word in words]
    else:
        words = list(map(_capitalize, words))
    titled = " ".join(words)
    if "'" in titled or "\u2019" in titled or "\u02bc" in titled:
        titled = _EDE_APOSTROPHE.sub(_title_ede, titled)
    return titled


@lru_cache(maxsize=_CACHE_SIZE)
def clean_name(text: str) -> str:
    """A person's or place's name, tidy: NFC, trimmed, single spaces, title case if the name
    was typed ALL-CAPS or all-lowercase ("TRẦN THỊ BÌNH" → "Trần Thị Bình"); a mixed-case
    name is kept as typed."""
    text = clean_text(text)
    if text != text.upper() and text != text.lower():
        return text
    return title_case(text)
