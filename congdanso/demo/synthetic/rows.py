"""The rows of a commune's resident list, as a careful clerk types them or with one mess.

:func:`generate_rows` yields one ``dict`` per file row, keyed by :data:`COLUMNS`
(``"STT"``, ``"Họ và tên"``, ``"Ngày sinh"``, ``"Giới tính"``, ``"Số CCCD"``,
``"Số điện thoại"``, ``"Thôn/Buôn"``).  Clean cell types:

=================  =========================================================
STT                ``int``, 1, 2, 3, ... over the emitted rows
Họ và tên          ``str``, NFC (Ede names may hold a letter + U+0306 breve)
Ngày sinh          ``datetime.date`` (day precision), ``"mm/yyyy"`` ``str``
                   (month precision), ``int`` year (year precision)
Giới tính          ``"Nam"`` / ``"Nữ"``
Số CCCD            ``str`` of 12 digits, or ``None`` (blank cell)
Số điện thoại      ``str`` of 10 digits starting with ``0``, or ``None``
Thôn/Buôn          ``str``, one of the ``villages``
=================  =========================================================

About ``messy_share`` of the *residents* get exactly one :class:`Mess` each.  With
``with_truth=True`` the generator yields :class:`GeneratedRow` ``(cells, truth, mess)``
tuples: ``truth`` is the clean :class:`~.residents.SyntheticResident` and ``mess`` the
:class:`Mess` applied to that row, or ``None``.  :data:`MESS_COLUMN` tells which column
each kind touches; :data:`INVALID_MESSES` are the kinds whose value cannot be recovered
(the importer should keep it aside and flag it); every other kind is recoverable to
the truth by normalisation (names up to letter case).  :attr:`Mess.DUPLICATE_ROW` does
not replace a row: the resident's clean row is emitted, then a second row whose cells
all equal it except ``STT`` (which keeps counting).  So ``generate_rows(n)`` yields
``n`` + (number of duplicates) rows, and exactly ``n`` distinct residents.

Rows are grouped by village (as when a commune merges the village heads' lists). Apart
from `files` because the same rows go to either format.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from enum import StrEnum
from typing import Literal, NamedTuple, overload

from congdanso.demo.synthetic.frequencies import OLD_PREFIX
from congdanso.demo.synthetic.residents import (
    EA_YONG_TODAY,
    EA_YONG_VILLAGES,
    SyntheticResident,
    generate_residents,
)

COL_STT = "STT"
COL_NAME = "Họ và tên"
COL_BIRTH = "Ngày sinh"
COL_GENDER = "Giới tính"
COL_CCCD = "Số CCCD"
COL_PHONE = "Số điện thoại"
COL_VILLAGE = "Thôn/Buôn"
COLUMNS: tuple[str, ...] = (
    COL_STT,
    COL_NAME,
    COL_BIRTH,
    COL_GENDER,
    COL_CCCD,
    COL_PHONE,
    COL_VILLAGE,
)

Cell = int | str | date | None
Row = dict[str, Cell]


def clean_cells(r: SyntheticResident, stt: int) -> Row:
    """The cells of ``r``'s row as a careful clerk would type them."""
    birth: Cell
    if r.birth_precision == "day":
        birth = r.birth
    elif r.birth_precision == "month":
        birth = f"{r.birth.month:02d}/{r.birth.year}"
    else:
        birth = r.birth.year
    return {
        COL_STT: stt,
        COL_NAME: r.full_name,
        COL_BIRTH: birth,
        COL_GENDER: "Nữ" if r.gender == "F" else "Nam",
        COL_CCCD: r.cccd,
        COL_PHONE: r.phone,
        COL_VILLAGE: r.village,
    }


class Mess(StrEnum):
    """One kind of mess applied to one row (the value is a stable identifier)."""

    NAME_UPPER = "name_upper"  # "NGUYỄN VĂN AN"
    NAME_LOWER = "name_lower"  # "nguyễn văn an"
    NAME_SPACES = "name_spaces"  # double / leading / trailing spaces, or a U+00A0
    NAME_TCVN3 = "name_tcvn3"  # TCVN3 (ABC) bytes read as Windows-1252 (encode_legacy)
    NAME_VNI = "name_vni"  # VNI-Windows bytes read as Windows-1252 (encode_legacy)
    BIRTH_TEXT = "birth_text"  # "dd/mm/yyyy", "d/m/yyyy", "d-m-yyyy", "dd.mm.yyyy" str
    BIRTH_SERIAL = "birth_serial"  # Excel serial number as a plain int (no date format)
    BIRTH_IMPOSSIBLE = "birth_impossible"  # "31/02/1990": invalid
    GENDER_VARIANT = "gender_variant"  # "nu", "NAM", "F", "male", ...
    CCCD_NUMBER = "cccd_number"  # int, leading zero lost (11 digits)
    CCCD_SEPARATORS = "cccd_separators"  # "066 090 123 456", "066.090.123.456"
    CCCD_INVALID = "cccd_invalid"  # 10 digits, or a letter inside: invalid
    PHONE_INTL = "phone_intl"  # "+84 336123456", "+84336123456", "84336123456"
    PHONE_SEPARATORS = "phone_separators"  # "0336 123 456", "0336.123.456"
    PHONE_NUMBER = "phone_number"  # int, leading zero lost (9 digits)
    PHONE_OLD_11_DIGIT = "phone_old_11_digit"  # 0336123456 -> "01636123456"
    PHONE_INVALID = "phone_invalid"  # "0111..." prefix or 9 digits: invalid
    VILLAGE_NO_PREFIX = "village_no_prefix"  # "Ghamah", "tân lập"
    DUPLICATE_ROW = "duplicate_row"  # the previous row again (only STT differs)


MESS_COLUMN: Mapping[Mess, str | None] = {
    Mess.NAME_UPPER: COL_NAME,
    Mess.NAME_LOWER: COL_NAME,
    Mess.NAME_SPACES: COL_NAME,
    Mess.NAME_TCVN3: COL_NAME,
    Mess.NAME_VNI: COL_NAME,
    Mess.BIRTH_TEXT: COL_BIRTH,
    Mess.BIRTH_SERIAL: COL_BIRTH,
    Mess.BIRTH_IMPOSSIBLE: COL_BIRTH,
    Mess.GENDER_VARIANT: COL_GENDER,
    Mess.CCCD_NUMBER: COL_CCCD,
    Mess.CCCD_SEPARATORS: COL_CCCD,
    Mess.CCCD_INVALID: COL_CCCD,
    Mess.PHONE_INTL: COL_PHONE,
    Mess.PHONE_SEPARATORS: COL_PHONE,
    Mess.PHONE_NUMBER: COL_PHONE,
    Mess.PHONE_OLD_11_DIGIT: COL_PHONE,
    Mess.PHONE_INVALID: COL_PHONE,
    Mess.VILLAGE_NO_PREFIX: COL_VILLAGE,
    Mess.DUPLICATE_ROW: None,
}
"""Which column a kind of mess touches (``None``: the whole row)."""

INVALID_MESSES: frozenset[Mess] = frozenset(
    {Mess.BIRTH_IMPOSSIBLE, Mess.CCCD_INVALID, Mess.PHONE_INVALID}
)
"""Kinds whose value cannot be recovered: the importer should keep it aside and flag it."""

VN_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")
_VN_SHAPES = {"\u0302": "aeo", "\u0306": "a", "\u031b": "ou"}


def legacy_encodable(text: str) -> bool:
    """True if every letter of ``text`` exists in TCVN3 / VNI (i.e. Vietnamese letters).

    Ede letters such as ĕ, ŏ, ŭ or ô + U+0306 do not.
    """
    for ch in text:
        if ch.isascii() or ch in "đĐ":
            continue
        decomposed = unicodedata.normalize("NFD", ch)
        base, marks = decomposed[0], decomposed[1:]
        if not marks or not base.isascii() or base.lower() not in "aeiouy":
            return False
        shapes = [m for m in marks if m not in VN_TONES]
        if len(marks) - len(shapes) > 1 or len(shapes) > 1:
            return False
        if shapes and base.lower() not in _VN_SHAPES.get(shapes[0], ""):
            return False
    return True


def applicable_messes(r: SyntheticResident) -> tuple[Mess, ...]:
    """The kinds of mess that make sense for ``r``'s row."""
    kinds = [Mess.NAME_UPPER, Mess.NAME_LOWER, Mess.NAME_SPACES]
    if not r.full_name.isascii() and legacy_encodable(r.full_name):
        kinds += [Mess.NAME_TCVN3, Mess.NAME_VNI]
    if r.birth_precision == "day":
        kinds += [Mess.BIRTH_TEXT, Mess.BIRTH_SERIAL, Mess.BIRTH_IMPOSSIBLE]
    kinds.append(Mess.GENDER_VARIANT)
    if r.cccd is not None:
        kinds += [Mess.CCCD_NUMBER, Mess.CCCD_SEPARATORS, Mess.CCCD_INVALID]
    if r.phone is not None:
        kinds += [Mess.PHONE_INTL, Mess.PHONE_SEPARATORS, Mess.PHONE_NUMBER]
        if r.phone[:3] in OLD_PREFIX:
            kinds.append(Mess.PHONE_OLD_11_DIGIT)
        kinds.append(Mess.PHONE_INVALID)
    if r.village.startswith(("Thôn ", "Buôn ")):
        kinds.append(Mess.VILLAGE_NO_PREFIX)
    kinds.append(Mess.DUPLICATE_ROW)
    return tuple(kinds)


EXCEL_EPOCH = date(1899, 12, 30).toordinal()
_IMPOSSIBLE_DAYS = ((30, 2), (31, 2), (31, 4), (31, 6), (31, 9), (31, 11))


def _messy_spaces(rng: random.Random, name: str) -> str:
    words = name.split(" ")
    variant = rng.randrange(4)
    if variant == 0 and len(words) > 1:
        i = rng.randrange(1, len(words))
        return " ".join(words[:i]) + "  " + " ".join(words[i:])
    if variant == 1:
        return " " + name + rng.choice(("", " ", "  "))
    if variant == 2:
        return name + rng.choice((" ", "  ", "\u00a0"))
    if len(words) > 1:
        i = rng.randrange(1, len(words))
        return " ".join(words[:i]) + "\u00a0" + " ".join(words[i:])
    return name + "\u00a0"


def _encode_legacy(name: str, encoding: Literal["tcvn3", "vni"]) -> str:
    from congdanso.vn import encode_legacy  # lazy: sibling package

    return encode_legacy(name, encoding)


def apply_mess(cells: Row, truth: SyntheticResident, kind: Mess, rng: random.Random) -> Row:
    """Return a copy of ``cells`` with one mess of ``kind`` (see :func:`applicable_messes`).

    :attr:`Mess.DUPLICATE_ROW` returns the cells unchanged: duplicating is done by
    :func:`generate_rows`.
    """
    out = dict(cells)
    if kind is Mess.NAME_UPPER:
        out[COL_NAME] = truth.full_name.upper()
    elif kind is Mess.NAME_LOWER:
        out[COL_NAME] = truth.full_name.lower()
    elif kind is Mess.NAME_SPACES:
        out[COL_NAME] = _messy_spaces(rng, truth.full_name)
    elif kind is Mess.NAME_TCVN3:
        out[COL_NAME] = _encode_legacy(truth.full_name, "tcvn3")
    elif kind is Mess.NAME_VNI:
        out[COL_NAME] = _encode_legacy(truth.full_name, "vni")
    elif kind in (Mess.BIRTH_TEXT, Mess.BIRTH_SERIAL, Mess.BIRTH_IMPOSSIBLE):
        b = truth.birth
        if kind is Mess.BIRTH_TEXT:
            fmt = rng.randrange(4)
            if fmt == 0:
                out[COL_BIRTH] = f"{b.day:02d}/{b.month:02d}/{b.year}"
            elif fmt == 1:
                out[COL_BIRTH] = f"{b.day}/{b.month}/{b.year}"
            elif fmt == 2:
                out[COL_BIRTH] = f"{b.day}-{b.month}-{b.year}"
            else:
                out[COL_BIRTH] = f"{b.day:02d}.{b.month:02d}.{b.year}"
        elif kind is Mess.BIRTH_SERIAL:
            out[COL_BIRTH] = b.toordinal() - EXCEL_EPOCH
        else:
            day, month = rng.choice(_IMPOSSIBLE_DAYS)
            sep = rng.choice("/-")
            out[COL_BIRTH] = f"{day:02d}{sep}{month:02d}{sep}{b.year}"
    elif kind is Mess.GENDER_VARIANT:
        if truth.gender == "F":
            out[COL_GENDER] = rng.choice(("nu", "Nu", "NỮ", "nữ", "F", "female", "nữ "))
        else:
            out[COL_GENDER] = rng.choice(("nam", "NAM", "M", "male", "Nam "))
    elif kind in (Mess.CCCD_NUMBER, Mess.CCCD_SEPARATORS, Mess.CCCD_INVALID):
        c = truth.cccd
        if c is None:
            raise ValueError(f"{kind} needs a CCCD")
        if kind is Mess.CCCD_NUMBER:
            out[COL_CCCD] = int(c)
        elif kind is Mess.CCCD_SEPARATORS:
            sep = rng.choice((" ", "."))
            if rng.random() < 0.5:
                out[COL_CCCD] = sep.join((c[:3], c[3:6], c[6:9], c[9:]))
            else:
                out[COL_CCCD] = sep.join((c[:6], c[6:]))
        elif rng.random() < 0.5:
            out[COL_CCCD] = c[:10]
        else:
            i = rng.randrange(3, 12)
            out[COL_CCCD] = c[:i] + rng.choice("AKXH") + c[i + 1 :]
    elif kind in (
        Mess.PHONE_INTL,
        Mess.PHONE_SEPARATORS,
        Mess.PHONE_NUMBER,
        Mess.PHONE_OLD_11_DIGIT,
        Mess.PHONE_INVALID,
    ):
        p = truth.phone
        if p is None:
            raise ValueError(f"{kind} needs a phone")
        if kind is Mess.PHONE_INTL:
            out[COL_PHONE] = rng.choice(("+84 ", "+84", "84")) + p[1:]
        elif kind is Mess.PHONE_SEPARATORS:
            sep = rng.choice((" ", "."))
            out[COL_PHONE] = sep.join((p[:4], p[4:7], p[7:]))
        elif kind is Mess.PHONE_NUMBER:
            out[COL_PHONE] = int(p)
        elif kind is Mess.PHONE_OLD_11_DIGIT:
            out[COL_PHONE] = OLD_PREFIX[p[:3]] + p[3:]
        elif rng.random() < 0.5:
            out[COL_PHONE] = "0111" + p[4:]
        else:
            out[COL_PHONE] = p[:-1]
    elif kind is Mess.VILLAGE_NO_PREFIX:
        _, _, bare = truth.village.partition(" ")
        out[COL_VILLAGE] = bare.lower() if rng.random() < 0.5 else bare
    return out


class GeneratedRow(NamedTuple):
    """One emitted row with the truth behind it and the mess applied (or ``None``)."""

    cells: Row
    truth: SyntheticResident
    mess: Mess | None


@overload
def generate_rows(
    n: int,
    *,
    seed: int = ...,
    villages: Sequence[str] = ...,
    today: date = ...,
    messy_share: float = ...,
    every_number: bool = ...,
    few_names: bool = ...,
    invalid: bool = ...,
    with_truth: Literal[False] = ...,
) -> Iterator[Row]: ...
@overload
def generate_rows(
    n: int,
    *,
    seed: int = ...,
    villages: Sequence[str] = ...,
    today: date = ...,
    messy_share: float = ...,
    every_number: bool = ...,
    few_names: bool = ...,
    invalid: bool = ...,
    with_truth: Literal[True],
) -> Iterator[GeneratedRow]: ...
def generate_rows(
    n: int,
    *,
    seed: int = 2023,
    villages: Sequence[str] = EA_YONG_VILLAGES,
    today: date = EA_YONG_TODAY,
    messy_share: float = 0.03,
    with_truth: bool = False,
    every_number: bool = False,
    few_names: bool = False,
    invalid: bool = True,
) -> Iterator[Row] | Iterator[GeneratedRow]:
    """Yield the rows of a resident list for the ``n`` residents of
    :func:`generate_residents` (same ``seed``, ``villages``, ``today``: same truth).

    Each resident is messed up with probability ``messy_share`` (one :class:`Mess`
    each, chosen among :func:`applicable_messes`, without :data:`INVALID_MESSES` when not
    ``invalid``).  Rows are ``dict``\\ s keyed by :data:`COLUMNS`; with ``with_truth=True``,
    :class:`GeneratedRow` tuples.  ``every_number`` and ``few_names``: see
    :func:`~.residents.generate_residents`.
    """
    if not 0.0 <= messy_share <= 1.0:
        raise ValueError("messy_share must be within [0, 1]")
    residents = generate_residents(
        n, seed=seed, villages=villages, today=today, every_number=every_number, few_names=few_names
    )
    gen = _generate_rows(residents, seed, messy_share, invalid)
    if with_truth:
        return gen
    return (g.cells for g in gen)


def _generate_rows(
    residents: Iterator[SyntheticResident], seed: int, messy_share: float, invalid: bool
) -> Iterator[GeneratedRow]:
    rng = random.Random(f"congdanso/mess/{seed}")
    stt = 0
    for truth in residents:
        stt += 1
        cells = clean_cells(truth, stt)
        if rng.random() >= messy_share:
            yield GeneratedRow(cells, truth, None)
            continue
        kinds = applicable_messes(truth)
        if not invalid:
            kinds = tuple(k for k in kinds if k not in INVALID_MESSES)
        kind = kinds[rng.randrange(len(kinds))]
        if kind is Mess.DUPLICATE_ROW:
            yield GeneratedRow(cells, truth, None)
            stt += 1
            duplicate = dict(cells)
            duplicate[COL_STT] = stt
            yield GeneratedRow(duplicate, truth, kind)
        else:
            yield GeneratedRow(apply_mess(cells, truth, kind, rng), truth, kind)
