"""Names of places inside a commune and their prefixes: "Thôn Tân Lập", "Buôn Ghamah", "TDP 3".

:func:`split_place_name` reads the kind from a leading prefix word (or words):

==================  ======================================================================
``village``         Thôn, Xóm, Ấp, Bản, Làng, Khu phố, Khối
``ede_village``     Buôn, Bon, Plei, Play (Central Highlands villages)
``residential_group``  Tổ dân phố, Tổ DP, TDP, Tổ
``school``          Trường (Trường Tiểu học …, Trường THCS …), Mẫu giáo, Mầm non
==================  ======================================================================

Matching ignores case, and diacritics *only when they are left out*: "thon", "THÔN", "Thôn"
all match, but a word with different marks does not ("Tố Hữu" is not "Tổ Hữu", "Bán" is not
"Bản"). The prefix must be followed by a name ("Thôn" alone has no prefix); "TDP3" and "Thôn1"
are read as "TDP 3", "Thôn 1".

For schools only the word "Trường" is a prefix: the level (Tiểu học, THCS, Mầm non …) is part
of the bare name, since "Trường TH Chu Văn An" and "Trường THCS Chu Văn An" are two schools.

:func:`place_key` is the matching key: the folded bare name, so "Buôn Ghamah", "Ghamah" and
"buon ghamah" share a key, with numbers without leading zeros ("Thôn 01" = "Thôn 1") and
school levels abbreviated ("Tiểu học" = "TH"). Names that differ only by their prefix collide
("Thôn 1" and "Buôn 1"): within one commune that is accepted (such pairs do not occur in
practice, and the caller may key on (kind, key) if needed).
"""

import re
import unicodedata
from functools import lru_cache
from typing import Literal

from congdanso.vn.text import clean_text, fold

PlaceKind = Literal["village", "ede_village", "residential_group", "school"]
PLACE_KINDS: tuple[PlaceKind, ...] = ("village", "ede_village", "residential_group", "school")

# (prefix words as written with diacritics, kind, number of words removed from the name)
_PREFIXES: tuple[tuple[str, PlaceKind, int | None], ...] = (
    ("tổ dân phố", "residential_group", None),
    ("tổ dp", "residential_group", None),
    ("tdp", "residential_group", None),
    ("tổ", "residential_group", None),
    ("khu phố", "village", None),
    ("thôn", "village", None),
    ("xóm", "village", None),
    ("ấp", "village", None),
    ("bản", "village", None),
    ("làng", "village", None),
    ("khối", "village", None),
    ("buôn", "ede_village", None),
    ("bon", "ede_village", None),
    ("plei", "ede_village", None),
    ("play", "ede_village", None),
    ("trường", "school", None),
    ("mẫu giáo", "school", 0),
    ("mầm non", "school", 0),
)
_DISPLAY_PREFIX: dict[str, str] = {
    "village": "Thôn",
    "ede_village": "Buôn",
    "residential_group": "Tổ dân phố",
    "school": "Trường",
}
_GLUED_NUMBER = re.compile(r"([^\W\d_]+)(\d\w*)")
_SCHOOL_LEVELS = (
    (re.compile(r"\btrung hoc pho thong\b"), "thpt"),
    (re.compile(r"\btrung hoc co so\b"), "thcs"),
    (re.compile(r"\btieu hoc\b"), "th"),
    (re.compile(r"\bmau giao\b"), "mg"),
    (re.compile(r"\bmam non\b"), "mn"),
)
_LEADING_ZEROS = re.compile(r"\b0+(\d)")


def _word_matches(typed: str, canonical: str) -> bool:
    """'Thôn'/'THON'/'thon' match 'thôn'; 'thốn' does not (other marks typed)."""
    lowered = unicodedata.normalize("NFC", typed.lower().rstrip(":.,")).replace("ð", "đ")
    return lowered == canonical or lowered == fold(canonical)


def _split_words(name: str) -> list[str]:
    words = name.split(" ")
    glued = _GLUED_NUMBER.fullmatch(words[0]) if words else None
    if glued:
        words[:1] = [glued.group(1), glued.group(2)]
    return words


@lru_cache(maxsize=1 << 14)
def split_place_name(name: str) -> tuple[PlaceKind | None, str]:
    """(kind inferred from the prefix or None, the name without its prefix)."""
    cleaned = clean_text(name)
    words = _split_words(cleaned)
    for prefix, kind, strip in _PREFIXES:
        prefix_words = prefix.split(" ")
        count = len(prefix_words)
        if len(words) <= count:
            continue
        if all(_word_matches(w, p) for w, p in zip(words, prefix_words, strict=False)):
            removed = count if strip is None else strip
            bare = " ".join(words[removed:]).lstrip(":-–., ")
            if bare:
                return kind, bare
    return None, cleaned


@lru_cache(maxsize=1 << 16)
def place_key(name: str) -> str:
    """Matching key of a place name: the folded bare name (see the module docstring)."""
    kind, bare = split_place_name(name)
    key = fold(bare)
    if kind == "school":
        for pattern, short in _SCHOOL_LEVELS:
            key = pattern.sub(short, key)
    if any(ch.isdigit() for ch in key):
        key = _LEADING_ZEROS.sub(r"\1", key)
    return key


def village_display_name(kind: str | None, bare_name: str) -> str:
    """The name as shown, with its kind's prefix: ("village", "Tân Lập") → "Thôn Tân Lập",
    ("ede_village", "Ghamah") → "Buôn Ghamah", ("residential_group", "3") → "Tổ dân phố 3".

    A name that already has a prefix, or a kind without one (None, "other"), is only cleaned.
    """
    cleaned = clean_text(bare_name)
    prefix = _DISPLAY_PREFIX.get(kind or "")
    if prefix is None or not cleaned or split_place_name(cleaned)[0] is not None:
        return cleaned
    return f"{prefix} {cleaned}"
