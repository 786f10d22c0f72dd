"""Is a word a plausible Vietnamese syllable? Used to tell legacy mojibake from real text.

A Vietnamese syllable is ``initial consonants + vowel nucleus + final``, with at most one tone
mark, on a vowel of the nucleus. :func:`is_syllable` checks that shape against the list of
nuclei of the standard orthography and the finals c, ch, m, n, ng, nh, p, t (plus k, as in
Đắk Lắk). It is deliberately tolerant where real data varies:

* initial consonant clusters of up to three letters are accepted (Ede/Jarai: Kr, Bh, Ml ...);
  ``y`` may be an initial consonant (Ea Yông), ``qu``/``gi`` are handled both ways;
* tone placement: both the old and the new style are accepted for oa, oe, uy (hoà / hòa,
  thuý / thúy) and oo (which needs a final: xoong, moóc); a nucleus with a shaped vowel
  (â ă ê ô ơ ư) must carry the tone on a shaped vowel; other nuclei on the vowel the
  orthography prescribes (ái, áo, múa, ngoài ...).

:func:`is_plausible_word` is the looser test used for words known to come from a legacy
encoding: letters of the Vietnamese alphabet, at most one tone mark, and if toned a syllable
(untoned polysyllabic Ede words such as Êban, Bhiăo pass).
"""

import re
from functools import lru_cache

from congdanso.vn._letters import CONSONANTS, SHAPED_VOWELS, TONED_TO_BASE, VN_LETTERS

_ON_SHAPED = None  # tone must sit on a shaped vowel (ă â ê ô ơ ư)
_ZERO, _SECOND, _EITHER = frozenset({0}), frozenset({1}), frozenset({0, 1})
_MUST_CLOSE = 2  # "oo" (xoong, moóc) only before a final consonant

# (nuclei, allowed tone positions within the nucleus or _ON_SHAPED, may a final consonant
# follow: False / True / _MUST_CLOSE)
_NUCLEUS_RULES: tuple[tuple[tuple[str, ...], frozenset[int] | None, int], ...] = (
    (tuple("aeiouy"), _ZERO, True),
    (tuple("ăâêôơư"), _ON_SHAPED, True),
    (("ai", "ao", "au", "ay", "eo", "ia", "iu", "oi", "ua", "ui"), _ZERO, False),
    (("oa", "oe", "uy"), _EITHER, True),
    (("oo",), _EITHER, _MUST_CLOSE),
    (("âu", "ây", "êu", "ôi", "ơi", "ưi", "ưu", "ưa"), _ON_SHAPED, False),
    (("iê", "yê", "uô", "ươ", "uâ", "uê", "uơ", "oă", "uă", "uyê"), _ON_SHAPED, True),
    (("oai", "oay", "uai", "uay", "oao", "oeo", "uya", "uyu"), _SECOND, False),
    (("iêu", "yêu", "uôi", "ươi", "ươu", "uây"), _ON_SHAPED, False),
)
_NUCLEI: dict[str, tuple[frozenset[int] | None, int]] = {
    nucleus: (tones, closed) for nuclei, tones, closed in _NUCLEUS_RULES for nucleus in nuclei
}
_FINALS = frozenset({"", "c", "ch", "k", "m", "n", "ng", "nh", "p", "t"})
_C = "".join(sorted(CONSONANTS))
_SHAPE = re.compile(f"([{_C}]{{0,3}})([aăâeêioôơuưy]+)([{_C}]*)")


def _nucleus_options(initial: str, nucleus: str) -> list[tuple[int, str]]:
    """(letters moved from the nucleus into the initial, remaining nucleus) to try."""
    if initial.endswith("q"):
        return [(1, nucleus[1:])] if nucleus[0] == "u" and len(nucleus) > 1 else []
    options = [(0, nucleus)]
    if len(nucleus) > 1 and (
        (nucleus[0] == "i" and initial.endswith("g")) or (nucleus[0] == "y" and not initial)
    ):
        options.append((1, nucleus[1:]))
    return options


@lru_cache(maxsize=1 << 15)
def is_syllable(word: str) -> bool:
    """True if ``word`` (letters only, any case, NFC) is a well-formed Vietnamese syllable."""
    word = word.lower()
    tone_at = -1
    chars = []
    for i, ch in enumerate(word):
        base = TONED_TO_BASE.get(ch)
        if base is None:
            chars.append(ch)
            continue
        if tone_at >= 0:
            return False
        tone_at = i
        chars.append(base)
    match = _SHAPE.fullmatch("".join(chars))
    if match is None or match.group(3) not in _FINALS:
        return False
    initial, nucleus, final = match.groups()
    start = match.start(2)
    for moved, rest in _nucleus_options(initial, nucleus):
        rule = _NUCLEI.get(rest)
        if rule is None or (final and not rule[1]) or (rule[1] == _MUST_CLOSE and not final):
            continue
        if tone_at < 0:
            return True
        position = tone_at - start - moved
        if not 0 <= position < len(rest):
            continue
        allowed = rule[0]
        if (rest[position] in SHAPED_VOWELS) if allowed is None else (position in allowed):
            return True
    return False


@lru_cache(maxsize=1 << 15)
def is_plausible_word(word: str) -> bool:
    """Vietnamese letters only, at most one tone mark, and a syllable if it has one."""
    tones = 0
    for ch in word:
        if ch not in VN_LETTERS:
            return False
        if ch.lower() in TONED_TO_BASE:
            tones += 1
    return tones == 0 or (tones == 1 and is_syllable(word))
