"""The order of names on official Vietnamese lists: :func:`name_sort_key`.

A commune's lists (the door-to-door checklist, a register's printout) are ordered the way a
village head looks a person up: by the **given name** (the last word), then the **middle
name(s)**, then the **surname** — "Nguyễn Văn An" before "Trần Thị Ánh" before "Lê Văn Bình".

Each word compares letter by letter in the Vietnamese alphabet,
``a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y`` (f j w z, found in Ede and
foreign names, at their Latin places), and only when the letters are the same, by its tone, in
dictionary order: unmarked, huyền (à), hỏi (ả), ngã (ã), sắc (á), nặng (ạ). So
``An < Án < Anh`` and ``Dung < Dũng < Đức``; "Đào" comes before "Đặng" (a before ă).

The key ignores case, NFC/NFD form, extra and invisible spaces and where the tone sits
(hoà = hòa). Two names with the same key are the same name: callers add a tie-breaker
(the record's id) for a stable order.

Both the key of a word and of a name are cached: a province's workbook sorts 3,000,000 names
made of a few thousand distinct words.
"""

import unicodedata
from functools import lru_cache

from congdanso.vn.text import clean_text

#: Base letters in alphabet order; đ is d with its own stroke (below), after d.
_ALPHABET = "abcdefghijklmnopqrstuvwxyz"
_LETTER_RANK = {letter: rank for rank, letter in enumerate(_ALPHABET)}
#: Shape marks, as a second rank inside a base letter: a ă â, e ê, o ô ơ, u ư (Ede ĕ ĭ ŏ ŭ
#: take the breve's place); đ is d's "stroke", after them all.
_NO_SHAPE, _BREVE, _CIRCUMFLEX, _HORN, _STROKE = 0, 1, 2, 3, 4
_SHAPES = {"\u0306": _BREVE, "\u0302": _CIRCUMFLEX, "\u031b": _HORN}
#: Tones in dictionary order: unmarked (0), huyền, hỏi, ngã, sắc, nặng.
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}

#: Letter ranks are non-negative: anything else in a name (an apostrophe as in H'Nga, a
#: hyphen, a digit) sorts before every letter, among themselves by code point.
_OTHER = -1

Letter = tuple[int, int]
WordKey = tuple[tuple[Letter, ...], tuple[int, ...]]
NameKey = tuple[WordKey, tuple[WordKey, ...], tuple[WordKey, ...]]


@lru_cache(maxsize=1 << 16)
def _word_key(word: str) -> WordKey:
    """(its letters, its tones): the letters decide first, the tones only between words of the
    same letters."""
    letters: list[Letter] = []
    tones: list[int] = []
    for char in unicodedata.normalize("NFD", word):
        tone = _TONES.get(char)
        if tone is not None:
            tones.append(tone)
            continue
        shape = _SHAPES.get(char)
        if shape is not None:
            if letters and letters[-1][0] != _OTHER:
                letters[-1] = (letters[-1][0], max(letters[-1][1], shape))
            continue
        if char in "đð":
            letters.append((_LETTER_RANK["d"], _STROKE))
            continue
        rank = _LETTER_RANK.get(char)
        letters.append((rank, _NO_SHAPE) if rank is not None else (_OTHER, ord(char)))
    return tuple(letters), tuple(tones)


@lru_cache(maxsize=1 << 16)
def name_sort_key(full_name: str) -> NameKey:
    """The sort key of a person's full name on an official list: given name, then middle
    name(s), then surname, each in Vietnamese alphabet order with the tones second.

    >>> names = ["Đặng Văn Dũng", "Trần Thị Ánh", "Đào Thị Dung", "Nguyễn Văn An"]
    >>> sorted(names, key=name_sort_key)
    ['Nguyễn Văn An', 'Trần Thị Ánh', 'Đào Thị Dung', 'Đặng Văn Dũng']
    """
    words = clean_text(full_name).lower().split()
    if not words:
        return ((), ()), (), ()
    given = _word_key(words[-1])
    if len(words) == 1:
        return given, (), ()
    middle = tuple(_word_key(word) for word in words[1:-1])
    return given, middle, (_word_key(words[0]),)
