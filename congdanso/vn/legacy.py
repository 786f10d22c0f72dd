"""Legacy Vietnamese 8-bit encodings in Excel cells: TCVN3 (ABC, ".Vn" fonts) and VNI-Windows.

Old spreadsheets typed with the .VnTime / VNI-Times fonts store 8-bit bytes; Excel shows them as
Windows-1252 characters ("NguyÔn ThÞ Hoµ" is TCVN3, "Nguyeãn Thò Hoaø" is VNI, both for
"Nguyễn Thị Hoà"). Every byte the two tables use is ≥ 0xA1, where Windows-1252 and Latin-1
agree, so reading the bytes either way gives the same characters (``bytes`` input is read as
Latin-1). Only VN3 (the ABC fonts) is decoded, not the rare VN1 extras (capital toned vowels on
control and 0x80–0x9F bytes).

* :func:`decode_legacy` / :func:`encode_legacy` convert with the tables (VNI greedily, longest
  sequence first). TCVN3 has no capital toned vowels: encoding writes their lower-case code (what
  a typist of the time did), and decoding repairs the case where the context shows it: in an
  ALL-CAPS text every letter is upper-cased (.VnTimeH style), in a Title Case text (every other
  word capitalised) a word that starts with such a vowel is capitalised ("§ç ThÞ ¸nh" →
  "Đỗ Thị Ánh"). ``uppercase=True`` upper-cases everything (text set in a .VnTimeH font).

* :func:`fix_legacy` decides per cell, and never touches genuine text:

  1. ASCII text, or text with any character that a Windows-1252 reading of bytes cannot
     produce (ễ, ị, ă, đ, ơ, ư ... i.e. real Unicode Vietnamese) is returned as is (fast path).
  2. The text is cut into words; a word is *valid* if it is ASCII or a plausible Vietnamese
     syllable (:mod:`congdanso.vn.syllables`). If every word is valid the text is kept.
  3. Both decodings are tried. A decoding is accepted when every word it changes becomes a
     plausible Vietnamese word and at least one changed word was invalid before and is now a
     valid syllable, or carries *strong evidence* (a TCVN3 symbol such as « ¸ µ ® inside a
     word, or a VNI shape pair aâ eâ oâ aê; for TCVN3, an accented capital after the first
     letter of a word with lower-case letters: "TuÊn", "YÕn" — no word is written so) and is
     now plausible (this lets untoned Ede words like Êban or Bhiăo through). A word of
     symbols only ("£", "©") is never evidence.
  4. If both are accepted, the one leaving fewer invalid words wins, then the one with more
     (and stronger) repairs; a tie keeps the text, as does no accepted decoding.

  So "Café", "naïve", "São Paulo", "Müller" stay (their decodings are not Vietnamese), and so
  does text that reads correctly both ways: VNI "Hoà Chí Minh" is also valid Unicode
  Vietnamese, and "Hoà" is a common name, so it is kept. When a whole column is known to be
  legacy (see :func:`detect_legacy_encoding`), pass ``hint="vni"`` / ``hint="tcvn3"``: every
  Latin-1-only cell is then decoded when the result is plausible Vietnamese.
"""

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from functools import cache, lru_cache
from typing import Literal

from congdanso.vn import _data
from congdanso.vn._letters import TONED_TO_BASE, TONED_UPPER, VN_LETTERS
from congdanso.vn.syllables import is_plausible_word, is_syllable

Encoding = Literal["tcvn3", "vni"]
ENCODINGS: tuple[Encoding, ...] = ("tcvn3", "vni")

_ALIASES: dict[str, Encoding] = {
    "tcvn3": "tcvn3",
    "tcvn": "tcvn3",
    "vn3": "tcvn3",
    "abc": "tcvn3",
    "tcvn5712": "tcvn3",
    "vni": "vni",
    "vniwindows": "vni",
    "vniwin": "vni",
}


def canonical_encoding(name: str) -> Encoding:
    """'TCVN3', 'tcvn-3', 'ABC' → 'tcvn3'; 'VNI-Windows' → 'vni'; ValueError otherwise."""
    key = re.sub(r"[\s_\-:.]", "", name.lower())
    if key in _ALIASES:
        return _ALIASES[key]
    raise ValueError(f"unknown legacy encoding {name!r}: expected 'tcvn3' or 'vni'")


# ---------------------------------------------------------------- tables (built lazily, once)

# Characters a Windows-1252 (or Latin-1) reading of 8-bit text can produce, plus invisible
# characters that often ride along. Anything else proves the text is real Unicode.
_CP1252_EXTRA = bytes(range(0x80, 0xA0)).decode("cp1252", errors="ignore")
_NOT_8BIT = re.compile("[^\x00-\xff" + re.escape(_CP1252_EXTRA) + "\u200b-\u200d\u2060\ufeff]")


@cache
def _tcvn3_decode_table() -> dict[int, str]:
    return {ord(k): v for k, v in _data.tcvn3_table().items()}


@cache
def _tcvn3_encode_tables() -> tuple[dict[int, str], frozenset[str]]:
    """(lenient table: capital toned vowels → lower-case code; encodable characters)."""
    inverse = {v: k for k, v in _data.tcvn3_table().items()}
    table = {ord(letter): code for letter, code in inverse.items()}
    for upper in TONED_UPPER:
        table.setdefault(ord(upper), inverse[upper.lower()])
    return table, frozenset(inverse)


@cache
def _vni_decoder() -> tuple[re.Pattern[str], dict[str, str]]:
    table = _data.vni_table()
    keys = sorted(table, key=len, reverse=True)  # greedy: 2-character sequences first
    return re.compile("|".join(re.escape(k) for k in keys)), table


@cache
def _vni_encode_table() -> dict[int, str]:
    return {ord(letter): seq for seq, letter in _data.vni_table().items()}


# TCVN3 codes that are not letters (symbols, soft hyphen) or not Vietnamese (µ): inside a word
# they cannot be anything but TCVN3. VNI's shape pairs are impossible in Vietnamese and rare
# elsewhere.
_TCVN3_SYMBOLS = "¡¢£¤¥¦§¨©ª«¬\xad®µ¶·¸¹»¼½¾×÷"
_VNI_STRONG = re.compile("aâ|eâ|oâ|aê|AÂ|EÂ|OÂ|AÊ")
_TOKEN = re.compile(r"(?:[^\W\d_]|[" + re.escape(_TCVN3_SYMBOLS) + r"])+")
_TCVN3_STRONG = re.compile("[" + re.escape(_TCVN3_SYMBOLS) + "]")
_STRONG: dict[Encoding, re.Pattern[str]] = {"tcvn3": _TCVN3_STRONG, "vni": _VNI_STRONG}
_LEGACY_CHARS = re.compile("[" + re.escape(_TCVN3_SYMBOLS) + "\xc0-\xff]")


# ------------------------------------------------------------------------- decode / encode


def _upper_letter(ch: str) -> str:
    upper = ch.upper()
    return upper if len(upper) == 1 else ch


_ALPHA_RUN = re.compile(r"[^\W\d_]+")
_TONED = re.compile("[" + "".join(sorted(TONED_TO_BASE)) + "]")
_TONED_WORD_START = re.compile(r"(?<![^\W\d_])" + _TONED.pattern)


def _repair_tcvn3_case(text: str) -> str:
    """Upper-case the toned vowels that TCVN3 could only store in lower case, where the rest
    of the text shows they were capitals (see the module docstring).

    A letter is *sure* unless it is a lower-case toned vowel. A word is ALL-CAPS if it has a
    sure upper-case letter after its first and no sure lower-case one. If the text has an
    ALL-CAPS word and no sure lower-case letter at all, the whole text is upper-cased;
    otherwise ALL-CAPS words are, and the first letter of the other words is capitalised when
    the text is Title Case (some word starts with a sure capital, none with a sure small letter).
    """
    if _TONED.search(text) is None or text.islower():
        return text
    if text.istitle() and _TONED_WORD_START.search(text) is None:
        return text  # "Nguyễn Thị Hoà": nothing unsure at a word start, no capitals inside
    words = list(_ALPHA_RUN.finditer(text))
    caps_words = []
    starts_upper = starts_lower = sure_lower = False
    for word in words:
        letters = word.group()
        first = letters[0]
        if first not in TONED_TO_BASE:
            starts_upper = starts_upper or first.isupper()
            starts_lower = starts_lower or first.islower()
        sure = [ch for ch in letters[1:] if ch not in TONED_TO_BASE]
        sure_lower = sure_lower or first.islower() and first not in TONED_TO_BASE
        sure_lower = sure_lower or any(ch.islower() for ch in sure)
        first_may_be_upper = first in TONED_TO_BASE or not first.islower()
        if sure and first_may_be_upper and all(ch.isupper() for ch in sure):
            caps_words.append(word)
    if caps_words and not sure_lower:
        return "".join(_upper_letter(ch) for ch in text)
    chars = list(text)
    for word in caps_words:
        for i in range(word.start(), word.end()):
            chars[i] = _upper_letter(chars[i])
    if starts_upper and not starts_lower:
        for word in words:
            if word.group()[0] in TONED_TO_BASE:
                chars[word.start()] = _upper_letter(word.group()[0])
    return "".join(chars)


def _translate_tcvn3(text: str) -> str:
    return text.translate(_tcvn3_decode_table())


def _decode_tcvn3(text: str) -> str:
    return _repair_tcvn3_case(_translate_tcvn3(text))


def _decode_vni(text: str) -> str:
    pattern, table = _vni_decoder()
    return pattern.sub(lambda m: table[m.group()], text)


_DECODERS: dict[Encoding, Callable[[str], str]] = {"tcvn3": _decode_tcvn3, "vni": _decode_vni}
# Case does not matter to the judgement of a decoding: TCVN3's case repair waits for the winner.
_CANDIDATES: dict[Encoding, Callable[[str], str]] = {
    "tcvn3": _translate_tcvn3,
    "vni": _decode_vni,
}


def decode_legacy(text: str | bytes, encoding: str, *, uppercase: bool = False) -> str:
    """Convert TCVN3 or VNI text (as Excel shows it: bytes read as Windows-1252) to Unicode NFC.

    ``bytes`` are read as Latin-1 first. ``uppercase=True`` is for text set in an all-capitals
    font (.VnTimeH). Raises ``ValueError`` for an unknown encoding name.
    """
    if isinstance(text, bytes):
        text = text.decode("latin-1")
    decoded = _DECODERS[canonical_encoding(encoding)](text)
    if uppercase:
        decoded = decoded.upper()
    return unicodedata.normalize("NFC", decoded)


def encode_legacy(text: str, encoding: str, *, strict: bool = False) -> str:
    """Unicode → TCVN3 or VNI as Excel would show it (Windows-1252 characters).

    For making test and benchmark files. Characters with no code are kept as they are, except
    TCVN3's missing capital toned vowels, written with their lower-case code as typists did;
    ``strict=True`` raises ``ValueError`` for any character with no code instead.
    """
    enc = canonical_encoding(encoding)
    text = unicodedata.normalize("NFC", text)
    if enc == "tcvn3":
        table, encodable = _tcvn3_encode_tables()
    else:
        table = _vni_encode_table()
        encodable = frozenset(chr(cp) for cp in table)
    if strict:
        bad = sorted({ch for ch in text if not ch.isascii() and ch not in encodable})
        if bad:
            raise ValueError(f"{enc} has no code for {''.join(bad)!r} in {text!r}")
    return text.translate(table)


# -------------------------------------------------------------------------------- detection


_NEUTRAL, _VALID, _INVALID = 0, 1, 2
_LETTER = re.compile(r"[^\W\d_]")


@lru_cache(maxsize=1 << 16)
def _judge(word: str) -> int:
    """_VALID (ASCII, or Vietnamese letters forming a syllable), _INVALID, or _NEUTRAL for a
    word of TCVN3 symbols only ("£", "©"), which is left out of the judgement."""
    if word.isascii():
        return _VALID
    if _LETTER.search(word) is None:
        return _NEUTRAL
    if _case_switch(word):
        return _INVALID  # "TuÊn", "YÕn": TCVN3 bytes of "Tuấn", "Yến" read as Windows-1252
    if all(ch in VN_LETTERS for ch in word) and is_syllable(word):
        return _VALID
    return _INVALID


def _case_switch(word: str) -> bool:
    """Whether a word with lower-case letters has an accented capital after its first letter.
    No Vietnamese (or Ede) word is written so; TCVN3 puts lower-case toned vowels on the bytes
    that Windows-1252 reads as accented capitals (ấ → Ê, ế → Õ, í → Ý, ẩ → È …)."""
    return any(ch.islower() for ch in word) and any(
        ch.isupper() and not ch.isascii() for ch in word[1:]
    )


def _accept(before: list[str], decoded: str, encoding: Encoding) -> int:
    """Score of the words ``decoded`` repairs (0: the decoding is refused).

    A changed word must become plausible Vietnamese; a repaired word (invalid before) scores 2
    if it carried strong evidence, 1 if it is now a valid syllable."""
    after = _TOKEN.findall(decoded)
    if len(before) != len(after):
        return 0
    strong = _STRONG[encoding]
    repaired = 0
    for old, new in zip(before, after, strict=True):
        if old == new:
            continue
        if not is_plausible_word(new):
            return 0
        if _judge(old) != _INVALID:
            continue
        if strong.search(old) is not None or (encoding == "tcvn3" and _case_switch(old)):
            repaired += 2
        elif _judge(new) == _VALID:
            repaired += 1
    return repaired


@lru_cache(maxsize=1 << 16)
def _analyse(text: str) -> tuple[Encoding | None, str]:
    """(encoding, decoded text) for a Latin-1-only text, or (None, text) to keep it."""
    before = _TOKEN.findall(text)
    if _INVALID not in map(_judge, before):
        return None, text
    ranked: list[tuple[int, int, Encoding, str]] = []
    for encoding in ENCODINGS:
        decoded = _CANDIDATES[encoding](text)
        if decoded != text:
            score = _accept(before, decoded, encoding)
            if score:
                left = sum(_judge(w) == _INVALID for w in _TOKEN.findall(decoded))
                ranked.append((left, -score, encoding, decoded))
    if not ranked:
        return None, text
    ranked.sort()
    if len(ranked) > 1 and ranked[0][:2] == ranked[1][:2]:
        return None, text
    _, _, encoding, decoded = ranked[0]
    if encoding == "tcvn3":
        decoded = _repair_tcvn3_case(decoded)
    return encoding, unicodedata.normalize("NFC", decoded)


def _may_be_legacy(text: str) -> bool:
    return not (
        text.isascii() or _NOT_8BIT.search(text) is not None or _LEGACY_CHARS.search(text) is None
    )


def detect_legacy(text: str) -> Encoding | None:
    """'tcvn3' or 'vni' if ``text`` is legacy mojibake by the rules of :func:`fix_legacy`."""
    return _analyse(text)[0] if _may_be_legacy(text) else None


@lru_cache(maxsize=1 << 16)
def _hinted(text: str, encoding: Encoding) -> str | None:
    decoded = _DECODERS[encoding](text)
    if decoded == text:
        return None
    for old, new in zip(_TOKEN.findall(text), _TOKEN.findall(decoded), strict=False):
        if old != new and not is_plausible_word(new):
            return None
    return unicodedata.normalize("NFC", decoded)


def fix_legacy(text: str, hint: str | None = None) -> str:
    """Return ``text`` converted to Unicode if it is TCVN3 or VNI mojibake, else unchanged.

    ``hint`` ('tcvn3' or 'vni') says the column is known to be in that encoding: ambiguous
    cells are then decoded too (see the module docstring).
    """
    if not _may_be_legacy(text):
        return text
    if hint is not None:
        decoded = _hinted(text, canonical_encoding(hint))
        if decoded is not None:
            return decoded
    return _analyse(text)[1]


def detect_legacy_encoding(
    values: Iterable[object], *, share: float = 0.8, column_share: float = 0.5
) -> Encoding | None:
    """The legacy encoding of a column, or None.

    A column is legacy when the cells detected as legacy are at least ``column_share`` of its
    non-ASCII cells (a Unicode list with a few pasted legacy names is not a legacy column: the
    hint would misread its genuine names, e.g. "Mlô" as TCVN3 "Mlụ") and at least ``share`` of
    them agree on the encoding.
    """
    votes: Counter[Encoding] = Counter()
    non_ascii = 0
    for value in values:
        if isinstance(value, str) and not value.isascii():
            non_ascii += 1
            encoding = detect_legacy(value)
            if encoding is not None:
                votes[encoding] += 1
    if not votes or sum(votes.values()) < column_share * non_ascii:
        return None
    encoding, count = votes.most_common(1)[0]
    return encoding if count >= share * sum(votes.values()) else None
