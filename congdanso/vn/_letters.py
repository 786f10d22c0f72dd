"""The Vietnamese alphabet as data: base vowels, the five tone marks, every precomposed letter.

Vietnamese writes a syllable's tone with one of five marks (grave, acute, hook above, tilde, dot
below) on top of a vowel that may already carry a *shape* mark (breve ă, circumflex â ê ô,
horn ơ ư). Every such letter has a precomposed code point, so NFC text is one code point per
letter. Ede adds ĕ ĭ ŏ ŭ (precomposed) and ê̆ ô̆ ơ̆ ư̆ (letter + combining breve U+0306, which
NFC keeps as two code points).
"""

import unicodedata

#: grave, acute, tilde, hook above, dot below
TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"
#: vowels before any tone mark (shape marks included)
BASE_VOWELS = "aăâeêioôơuưy"
SHAPED_VOWELS = frozenset("ăâêôơư")
CONSONANTS = frozenset("bcdđfghjklmnpqrstvwxz")
EDE_LETTERS = frozenset("ĕĭŏŭĔĬŎŬ")


def _build() -> tuple[dict[str, str], frozenset[str]]:
    toned: dict[str, str] = {}
    letters: set[str] = set("abcdefghijklmnopqrstuvwxyzđ")
    for base in BASE_VOWELS:
        letters.add(base)
        for mark in TONE_MARKS:
            letter = unicodedata.normalize("NFC", base + mark)
            toned[letter] = base
            letters.add(letter)
    lower = frozenset(letters)
    return toned, lower | frozenset(c.upper() for c in lower)


#: lower-case toned letter → its base vowel ("ấ" → "â")
TONED_TO_BASE, VN_LETTERS = _build()
#: upper-case toned letters (TCVN3 has no codes for these)
TONED_UPPER = frozenset(c.upper() for c in TONED_TO_BASE)
