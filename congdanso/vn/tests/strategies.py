"""Hypothesis strategies for Vietnamese text, identity numbers and phone numbers."""

import unicodedata
from datetime import date

from hypothesis import strategies as st

from congdanso.vn import _data
from congdanso.vn._letters import TONE_MARKS, VN_LETTERS
from congdanso.vn.syllables import _NUCLEI, is_syllable

TODAY = date(2025, 6, 15)

#: every Vietnamese letter (precomposed, both cases) — the alphabet of real text
VN_ALPHABET = "".join(sorted(VN_LETTERS))
#: letters outside Latin-1: text holding one of them cannot be legacy mojibake
NON_LATIN1_LETTERS = "".join(c for c in VN_ALPHABET if ord(c) > 0xFF)
EDE_EXTRA = ["ĕ", "ĭ", "ŏ", "ŭ", "Ĕ", "Ŏ", "Ŭ", "ê\u0306", "ô\u0306", "ơ\u0306", "ư\u0306"]

_INITIALS = [
    "", "b", "c", "ch", "d", "đ", "g", "gh", "gi", "h", "k", "kh", "l", "m", "n", "ng", "ngh",
    "nh", "p", "ph", "qu", "r", "s", "t", "th", "tr", "v", "x", "kr", "bl", "y",
]  # fmt: skip
_FINALS = ["", "c", "ch", "m", "n", "ng", "nh", "p", "t"]


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


@st.composite
def syllables(draw: st.DrawFn) -> str:
    """A well-formed lower-case Vietnamese syllable (tone anywhere the checker allows)."""
    nucleus = draw(st.sampled_from(sorted(_NUCLEI)))
    closed = _NUCLEI[nucleus][1]
    final = draw(st.sampled_from(_FINALS[1:] if closed == 2 else _FINALS)) if closed else ""
    initial = draw(st.sampled_from(_INITIALS))
    tone = draw(st.sampled_from(["", *TONE_MARKS]))
    position = draw(st.integers(0, len(nucleus) - 1))
    if tone:
        nucleus = nucleus[:position] + _nfc(nucleus[position] + tone) + nucleus[position + 1 :]
    word = _nfc(initial + nucleus + final)
    if not is_syllable(word):
        # the tone is misplaced or the combination is not allowed: drop the tone
        word = _nfc(initial + _untoned(nucleus) + final)
    return word


def _untoned(nucleus: str) -> str:
    return _nfc("".join(c for c in unicodedata.normalize("NFD", nucleus) if c not in TONE_MARKS))


def _style(text: str, style: str) -> str:
    if style == "upper":
        return text.upper()
    if style == "title":
        return " ".join(w[:1].upper() + w[1:] for w in text.split(" "))
    return text


@st.composite
def vietnamese_texts(draw: st.DrawFn, min_words: int = 1, max_words: int = 5) -> str:
    """Words that are valid syllables, joined by single spaces, all in one case style."""
    words = draw(st.lists(syllables().filter(is_syllable), min_size=min_words, max_size=max_words))
    style = draw(st.sampled_from(["lower", "title", "upper"]))
    return _style(" ".join(words), style)


def any_vietnamese_letters(min_size: int = 0, max_size: int = 30) -> st.SearchStrategy[str]:
    """Arbitrary strings of Vietnamese letters and spaces (not necessarily syllables)."""
    return st.text(alphabet=VN_ALPHABET + " ", min_size=min_size, max_size=max_size)


@st.composite
def names(draw: st.DrawFn) -> str:
    """Name-like text: Vietnamese letters, Ede letters, apostrophes, hyphens, in any case."""
    word = st.lists(
        st.one_of(st.sampled_from(list(VN_ALPHABET)), st.sampled_from(EDE_EXTRA)),
        min_size=1,
        max_size=8,
    ).map("".join)
    parts = draw(st.lists(word, min_size=1, max_size=4))
    glue = draw(st.lists(st.sampled_from([" ", " ", "-", "'", "\u2019"]), min_size=len(parts)))
    text = parts[0]
    for sep, part in zip(glue, parts[1:], strict=False):
        text += sep + part
    style = draw(st.sampled_from(["lower", "upper", "asis"]))
    return _nfc(text.upper() if style == "upper" else text.lower() if style == "lower" else text)


NOISY_SPACE = st.sampled_from([" ", "  ", "\u00a0", "\t", " \u200b", "\ufeff", "\n"])


@st.composite
def valid_cccd(draw: st.DrawFn, today: date = TODAY) -> str:
    """A 12-digit CCCD number whose birth year is not after ``today``."""
    code = draw(st.one_of(st.sampled_from(sorted(_data.province_names())), st.just("999")))
    birth_year = draw(st.integers(1900, today.year))
    century_index = (birth_year - 1900) // 100
    gender_digit = century_index * 2 + draw(st.integers(0, 1))
    serial = draw(st.integers(0, 999_999))
    return f"{code}{gender_digit}{birth_year % 100:02d}{serial:06d}"


@st.composite
def valid_mobile(draw: st.DrawFn) -> str:
    prefix = draw(st.sampled_from(sorted(_data.mobile_prefixes())))
    return prefix + f"{draw(st.integers(0, 9_999_999)):07d}"


@st.composite
def noisy_digits(draw: st.DrawFn, digits: str) -> str:
    """``digits`` in groups of three or more, with spaces, dots or dashes between them, and
    spaces around (the ways people and exports write identifiers)."""
    separator = draw(st.sampled_from([" ", ".", "-", "", " - "]))
    groups = []
    rest = digits
    while len(rest) >= 6 and draw(st.booleans()):
        size = draw(st.integers(3, len(rest) - 3))
        groups.append(rest[:size])
        rest = rest[size:]
    groups.append(rest)
    body = separator.join(groups)
    return draw(NOISY_SPACE) + body + draw(st.sampled_from(["", " ", "\u00a0"]))
