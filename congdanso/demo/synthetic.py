"""Deterministic synthetic resident lists for a commune, clean and slightly messy.

Pure Python (no Django).  Two consumers:

* the ``congdanso demo`` command builds a demo commune (~12,000 residents of xã Ea
  Yông) with :func:`generate_rows` + :func:`write_xlsx` and loads the file through the
  normal import code;
* benchmarks stream 200,000 - 1,000,000 rows to XLSX or CSV.

Everything is a generator and deterministic from ``seed`` (one private
:class:`random.Random` per stream, never the global one).  Memory stays flat: uniqueness
of CCCD and phone numbers is guaranteed by permuting per-prefix counters (a small
Feistel network), not by remembering the numbers already issued.

Rows
----
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
tuples: ``truth`` is the clean :class:`SyntheticResident` and ``mess`` the
:class:`Mess` applied to that row, or ``None``.  :data:`MESS_COLUMN` tells which column
each kind touches; :data:`INVALID_MESSES` are the kinds whose value cannot be recovered
(the importer should keep it aside and flag it); every other kind is recoverable to
the truth by normalisation (names up to letter case).  :attr:`Mess.DUPLICATE_ROW` does
not replace a row: the resident's clean row is emitted, then a second row whose cells
all equal it except ``STT`` (which keeps counting).  So ``generate_rows(n)`` yields
``n`` + (number of duplicates) rows, and exactly ``n`` distinct residents.

Rows are grouped by village (as when a commune merges the village heads' lists).
"""

from __future__ import annotations

import csv
import random
import re
import unicodedata
from bisect import bisect
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache
from itertools import accumulate
from pathlib import Path
from typing import Any, Generic, Literal, NamedTuple, TypeVar, overload

from xlsxwriter import Workbook
from xlsxwriter.utility import xl_rowcol_to_cell_fast
from xlsxwriter.worksheet import Worksheet

__all__ = [
    "COLUMNS",
    "COL_BIRTH",
    "COL_CCCD",
    "COL_GENDER",
    "COL_NAME",
    "COL_PHONE",
    "COL_STT",
    "COL_VILLAGE",
    "EA_YONG_SCHOOL",
    "EA_YONG_TODAY",
    "EA_YONG_VILLAGES",
    "INVALID_MESSES",
    "MESS_COLUMN",
    "Cell",
    "GeneratedRow",
    "Mess",
    "Row",
    "SyntheticResident",
    "applicable_messes",
    "apply_mess",
    "clean_cells",
    "cp1258_text",
    "generate_residents",
    "generate_rows",
    "legacy_encodable",
    "write_csv",
    "write_xlsx",
]

# --------------------------------------------------------------------------- constants

EA_YONG_VILLAGES: tuple[str, ...] = (
    "Thôn Cao Bằng",
    "Thôn Tân Lập",
    "Thôn Tân Tiến",
    "Thôn Tân Sơn",
    "Thôn Yên Khánh",
    "Thôn Đoàn Kết",
    "Thôn Quỳnh Tân",
    "Thôn Thăng Quý",
    "Buôn Ghamah",
    "Buôn Ea Yông A",
    "Buôn Ea Yông B",
    "Buôn Kniêr",
)
EA_YONG_SCHOOL = "Trường Tiểu học Chu Văn An"
EA_YONG_TODAY = date(2023, 4, 12)
"""Launch day of the "1.000 công dân số tiêu biểu" model: the default ``today``."""

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
Precision = Literal["day", "month", "year"]
Gender = Literal["M", "F"]

T = TypeVar("T")


def _nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


class _Weighted(Generic[T]):
    """Weighted choice with a precomputed cumulative table (faster than choices())."""

    __slots__ = ("_cum", "_items", "_total")

    def __init__(self, pairs: Iterable[tuple[T, float]]) -> None:
        items: list[T] = []
        weights: list[float] = []
        for item, weight in pairs:
            items.append(item)
            weights.append(weight)
        self._items = items
        self._cum = list(accumulate(weights))
        self._total = self._cum[-1]

    def pick(self, rng: random.Random) -> T:
        return self._items[bisect(self._cum, rng.random() * self._total)]


def _w(spec: str) -> list[tuple[str, float]]:
    """Parse "Name:weight, Name2, ..." (weight 1 when omitted) into NFC pairs."""
    pairs: list[tuple[str, float]] = []
    for part in spec.split(","):
        name, _, weight = part.strip().partition(":")
        pairs.append((_nfc(name.strip()), float(weight) if weight else 1.0))
    return pairs


# ------------------------------------------------------------------ age, sex, precision

# Share of the population (%) per 5-year band, Vietnam ~2023: 0-14 = 24, 15-64 = 68,
# 65+ = 8, tapering to 100.
_AGE_BANDS: tuple[tuple[int, int, float], ...] = (
    (0, 4, 7.5),
    (5, 9, 8.5),
    (10, 14, 8.0),
    (15, 19, 7.0),
    (20, 24, 6.8),
    (25, 29, 7.5),
    (30, 34, 8.0),
    (35, 39, 7.8),
    (40, 44, 7.2),
    (45, 49, 6.6),
    (50, 54, 6.0),
    (55, 59, 5.5),
    (60, 64, 5.6),
    (65, 69, 3.2),
    (70, 74, 2.0),
    (75, 79, 1.2),
    (80, 84, 0.8),
    (85, 89, 0.5),
    (90, 94, 0.22),
    (95, 99, 0.07),
    (100, 100, 0.01),
)
_AGES = _Weighted(
    (age, share / (hi - lo + 1)) for lo, hi, share in _AGE_BANDS for age in range(lo, hi + 1)
)

# ----------------------------------------------------------------------------- names

_KINH_FAMILY = _Weighted(
    _w(
        "Nguyễn:38, Trần:11, Lê:9.5, Phạm:7, Hoàng:3, Huỳnh:2, Phan:4.5, Vũ:2.5, Võ:1.5,"
        " Đặng:2, Bùi:2, Đỗ:1.4, Hồ:1.3, Ngô:1.3, Dương:1, Lý:0.5, Đào:0.5, Đoàn:0.5,"
        " Trương:0.5, Đinh:0.5, Trịnh:0.4, Hà:0.4, Lâm:0.3, Mai:0.3, Cao:0.3, Lương:0.3,"
        " Nông:0.3, Tạ:0.2, Triệu:0.2, Châu:0.2, Tô:0.2, Lưu:0.2, Phùng:0.2, Thái:0.2,"
        " La:0.1, Lục:0.1, Kiều:0.1, Quách:0.1, Lại:0.1, Khổng:0.05, Âu:0.05"
    )
)
_KINH_MIDDLE_M = _Weighted(
    _w(
        "Hữu:4, Đức:5, Minh:6, Quốc:3, Thanh:4, Công:3, Đình:4, Xuân:3, Quang:4, Trọng:2,"
        " Anh:2, Gia:2, Hoàng:2, Ngọc:1, Duy:2, Tuấn:1, Bảo:2, Nhật:1, Tiến:1, Thành:1,"
        " Viết:1, Khắc:1, Phước:1"
    )
)
_KINH_MIDDLE_F = _Weighted(
    _w(
        "Ngọc:6, Thanh:4, Thu:4, Minh:3, Kim:3, Mỹ:2, Phương:3, Khánh:2, Bảo:2, Thùy:2,"
        " Thuỳ:1, Hồng:2, Diệu:1, Hoài:1, Ánh:1, Lan:1, Tường:1, Cẩm:1, Bích:1, Kiều:1,"
        " Quỳnh:1, Hải:1, Như:1"
    )
)
_KINH_GIVEN_M = _Weighted(
    _w(
        "Anh:3, Bình:2, Cường:2, Dũng:3, Đạt:2, Đức:2, Hải:3, Hiếu:2, Hoàng:2, Hùng:3,"
        " Huy:3, Khánh:2, Khoa:2, Kiên:1, Lâm:1, Long:3, Mạnh:2, Minh:3, Nam:3, Nghĩa:2,"
        " Phong:2, Phúc:2, Quân:2, Quang:2, Sơn:3, Tài:2, Thắng:2, Thành:3, Thịnh:1,"
        " Toàn:2, Trung:3, Tuấn:3, Tùng:2, Việt:2, Vinh:2, Vũ:1, Hòa:2, Hoà:1, Khải:1,"
        " Lộc:2, Lợi:1, Tú:1, Tiến:2, Hưng:2, Hậu:1, Nhật:1, Bảo:2, Duy:2, Quý:1,"
        " Trường:1, Tâm:1, Thuận:1, Thiện:1, Chiến:1, Hạnh:1, Ngọc:1, Phát:1, Định:1,"
        " Thuỷ:0.3, Hiển:1, Luân:1, Nhân:1, Quyết:1, Sỹ:0.5, Sĩ:0.5, Khoẻ:0.3, Khỏe:0.3"
    )
)
_KINH_GIVEN_F = _Weighted(
    _w(
        "Anh:3, Chi:2, Dung:2, Duyên:2, Giang:2, Hà:3, Hạnh:2, Hằng:3, Hiền:2, Hoa:3,"
        " Hoà:1, Hòa:1.5, Hồng:2, Huệ:2, Hương:4, Huyền:3, Lan:3, Liên:2, Linh:4, Loan:2,"
        " Mai:3, My:2, Nga:3, Ngân:2, Ngọc:2, Nhung:2, Oanh:2, Phương:3, Quỳnh:2, Tâm:2,"
        " Thảo:3, Thu:2, Thuỷ:1, Thủy:2, Thuý:1, Thúy:1.5, Trang:4, Trinh:2, Tuyết:2,"
        " Uyên:1, Vân:2, Yến:2, Xuân:2, Nhi:2, Như:1, Thư:2, Vy:2, Hân:1, Diệp:1, Khuê:1,"
        " Hoè:0.3, Hòe:0.3, Lệ:1, Hiếu:1, Ly:1, Nguyệt:1"
    )
)

# Ede: women "H'" + given name, men "Y " + given name; the family name comes last.
# Some names carry the Ede breve letters (ă ĕ ĭ ŏ ŭ) and a few ê̆/ô̆/ơ̆/ư̆ (precomposed
# letter + combining U+0306, stable under NFC).
_EDE_GIVEN_M = _Weighted(
    _w(
        "Bhiăo:2, Sơn:3, Thuôn:2, Ngông:2, Ju:2, Kông:2, Wang:2, Blô:2, Dhăm:2, Khuê:1,"
        " Jut:1, Bun:2, Nhuê:1, Tlang:1, Kim:2, Lâm:1, Phôn:1, Hoan:1, Thái:1, Djuin:1,"
        " Siêng:1, Bhin:1, Kŭ:1, Mŏ:1, Thŭ:1, Hăm:1, Yơn:1, Hrưn:1, Kăm:1, Dơng:1,"
        " Jôn:1, Bruh:1, Wơn:1, Ky:1, Lơi:1, Nguôn:1, Tuân:1, Phúc:1, Hiếu:1, Dũng:1,"
        " Ŏk:0.5, Bô\u0306:0.5, Hơ\u0306n:0.5, Kư\u0306:0.5"
    )
)
_EDE_GIVEN_F = _Weighted(
    _w(
        "Nga:3, Bia:2, Yim:2, Hen:2, Mai:2, Thu:2, Ngơn:1, Lina:1, Khiêm:1, Bơ:1, Duôn:1,"
        " Bĭ:1, Ngơ:1, Hăn:1, Rin:1, Dung:1, Huê:1, Ly:1, Juê:1, Jŭ:1, Yăn:1, Nhi:1,"
        " Zen:1, Loan:1, Huyên:1, Wen:1, Xoan:1, Nĕ:1, Mlăn:1, Bhyơn:1, Thiên:1, Liêm:1,"
        " Yơn:1, Ruôn:1, Ái:1, Linh:1, Trang:1, Ngọc:1, Kê\u0306:0.5, Hư\u0306:0.5,"
        " Drô\u0306ng:0.5"
    )
)
_EDE_FAMILY = _Weighted(
    _w(
        "Niê:15, Êban:12, Mlô:8, Ksơr:7, Ayun:6, Byă:6, Buôn Yă:4, Hmok:4, Kbuôr:5,"
        " Knul:4, Adrơng:5, Êya:4, Kpă:4, Mdrang:3, Hwing:3, Ênuôl:3, Niê Kdăm:2,"
        " Buôn Krông:2, Ktla:2, Ktul:2, Kđoh:1, Mlô Duôn Du:1"
    )
)

# ------------------------------------------------------------------------ CCCD, phone

_HOME_PROVINCE = "066"  # Đắk Lắk
# Birth-registration provinces of people who moved to Đắk Lắk (Circular 07/2016 codes).
_MIGRANT_PROVINCES = _Weighted(
    _w(
        "038:14, 040:14, 042:9, 036:7, 034:7, 030:5, 001:4, 004:4, 044:5, 045:4, 046:5,"
        " 052:6, 054:4, 064:4, 067:4, 068:3"
    )
)

# (prefix, weight): market shares roughly Viettel 52, VinaPhone 22, MobiFone 20,
# Vietnamobile 4, Gmobile 2; 089 and 099 only where libphonenumber calls them valid.
_PHONE_SHARES: tuple[tuple[float, tuple[str, ...]], ...] = (
    (52.0, ("032", "033", "034", "035", "036", "037", "038", "039", "086", "096", "097", "098")),
    (22.0, ("081", "082", "083", "084", "085", "088", "091", "094")),
    (20.0, ("070", "076", "077", "078", "079", "090", "093", "089")),
    (4.0, ("056", "058", "092")),
    (2.0, ("059", "099")),
)
_SUBPREFIXES = {
    "089": ("0896", "0897", "0898", "0899"),
    "099": ("0993", "0994", "0995", "0996", "0997"),
}
_PHONE_PREFIXES = _Weighted(
    (sub, share / len(prefixes) / len(_SUBPREFIXES.get(prefix, (prefix,))))
    for share, prefixes in _PHONE_SHARES
    for prefix in prefixes
    for sub in _SUBPREFIXES.get(prefix, (prefix,))
)
# The retired 11-digit prefixes replaced in the 2018 conversion (new -> old).
_OLD_PREFIX: dict[str, str] = {
    "032": "0162",
    "033": "0163",
    "034": "0164",
    "035": "0165",
    "036": "0166",
    "037": "0167",
    "038": "0168",
    "039": "0169",
    "081": "0127",
    "082": "0129",
    "083": "0123",
    "084": "0124",
    "085": "0125",
    "070": "0120",
    "076": "0126",
    "077": "0122",
    "078": "0128",
    "079": "0121",
    "056": "0186",
    "058": "0188",
    "059": "0199",
}

_M32 = 0xFFFFFFFF
_GOLDEN32 = 0x9E3779B1


class _UniqueSerials:
    """Unique pseudo-random serial numbers per bucket, with O(buckets) memory.

    The k-th serial of a bucket is a 4-round Feistel permutation of k over
    Z_left x Z_right (each round adds a keyed multiplicative hash of the other half),
    keyed by (seed, label, bucket): distinct k always give distinct serials.
    """

    __slots__ = ("_label", "_seed", "_state")

    def __init__(self, seed: int, label: str) -> None:
        self._seed = seed
        self._label = label
        self._state: dict[str, list[int]] = {}  # bucket -> [counter, key0..key3]

    def next(self, bucket: str, left: int, right: int) -> int:
        state = self._state.get(bucket)
        if state is None:
            krng = random.Random(f"congdanso/{self._label}/{self._seed}/{bucket}")
            state = self._state[bucket] = [0, *(krng.getrandbits(32) for _ in range(4))]
        k, k0, k1, k2, k3 = state
        if k >= left * right:
            raise OverflowError(f"no unused {self._label} serial left in bucket {bucket!r}")
        state[0] = k + 1
        x, y = divmod(k, right)
        x = (x + ((((y ^ k0) * _GOLDEN32) & _M32) >> 8)) % left
        y = (y + ((((x ^ k1) * _GOLDEN32) & _M32) >> 8)) % right
        x = (x + ((((y ^ k2) * _GOLDEN32) & _M32) >> 8)) % left
        y = (y + ((((x ^ k3) * _GOLDEN32) & _M32) >> 8)) % right
        return x * right + y


# -------------------------------------------------------------------------- residents


@dataclass(frozen=True, slots=True)
class SyntheticResident:
    """The clean truth about one generated resident.

    For month precision ``birth`` is the 1st of the month, for year precision 1 January.
    """

    full_name: str
    birth: date
    birth_precision: Precision
    gender: Gender
    cccd: str | None
    phone: str | None
    village: str

    def age_on(self, day: date) -> int:
        """Completed years on ``day``."""
        b = self.birth
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


_MAX_AGE = _AGE_BANDS[-1][1]


class _AgeProfile(NamedTuple):
    """Everything about a resident that depends only on the age (precomputed per age)."""

    first_birth: int  # ordinal of the earliest birth date giving this age on `today`
    birth_span: int  # number of possible birth dates
    p_female: float
    p_year: float  # P(birth known to the year only)
    p_year_or_month: float  # P(year only) + P(month only)
    p_cccd: float
    p_phone: float
    p_home_kinh: float  # P(a Kinh resident's CCCD opens with 066, born in Đắk Lắk)

    @classmethod
    def build(cls, age: int, today: date) -> _AgeProfile:
        first = _years_before(today, age + 1).toordinal() + 1
        last = min(_years_before(today, age).toordinal(), today.toordinal())
        if age >= 60:
            p_year, p_month = 0.28, 0.05
        elif age >= 40:
            p_year, p_month = 0.07, 0.03
        else:
            p_year, p_month = 0.025, 0.027
        if age < 15:
            p_phone = 0.10
        elif age < 18:
            p_phone = 0.55
        elif age < 70:
            p_phone = 0.78
        else:
            p_phone = 0.45
        return cls(
            first_birth=first,
            birth_span=last - first + 1,
            p_female=0.56 if age >= 60 else 0.49,
            p_year=p_year,
            p_year_or_month=p_year + p_month,
            p_cccd=0.92 if age >= 14 else 0.15,
            p_phone=p_phone,
            p_home_kinh=0.95 if age < 35 else 0.70,
        )


def _village_quotas(rng: random.Random, villages: Sequence[str], n: int) -> list[int]:
    """Split n over the villages by random sizes (largest remainder, deterministic)."""
    sizes = [rng.uniform(0.6, 1.4) for _ in villages]
    total = sum(sizes)
    exact = [n * s / total for s in sizes]
    quotas = [int(e) for e in exact]
    order = sorted(range(len(villages)), key=lambda i: (quotas[i] - exact[i], i))
    for i in order[: n - sum(quotas)]:
        quotas[i] += 1
    return quotas


def _kinh_name(rng: random.Random, female: bool, age: int) -> str:
    family = _KINH_FAMILY.pick(rng)
    if female:
        default, p_default = "Thị", 0.75 if age >= 40 else 0.35
        middles, givens = _KINH_MIDDLE_F, _KINH_GIVEN_F
    else:
        default, p_default = "Văn", 0.55 if age >= 40 else 0.25
        middles, givens = _KINH_MIDDLE_M, _KINH_GIVEN_M
    middle = default if rng.random() < p_default else middles.pick(rng)
    given = givens.pick(rng)
    if age < 25 and rng.random() < 0.08:
        second = middles.pick(rng)
        if second != middle:
            middle = f"{middle} {second}"
    return f"{family} {middle} {given}"


def _ede_name(rng: random.Random, female: bool) -> str:
    family = _EDE_FAMILY.pick(rng)
    if female:
        return f"H'{_EDE_GIVEN_F.pick(rng)} {family}"
    return f"Y {_EDE_GIVEN_M.pick(rng)} {family}"


def generate_residents(
    n: int,
    *,
    seed: int = 2023,
    villages: Sequence[str] = EA_YONG_VILLAGES,
    today: date = EA_YONG_TODAY,
) -> Iterator[SyntheticResident]:
    """Yield ``n`` realistic residents, grouped by village, deterministic from ``seed``.

    CCCD numbers (12 digits: province, century/gender digit, 2-digit birth year, 6
    digits) and phone numbers are unique within one call.  Villages whose name starts
    with "Buôn" are mostly Ede, the others mostly Kinh.
    """
    if n < 0:
        raise ValueError("n must be >= 0")
    if not villages:
        raise ValueError("at least one village is needed")
    rng = random.Random(seed)
    cccd_serials = _UniqueSerials(seed, "cccd")
    phone_serials = _UniqueSerials(seed, "phone")
    quotas = _village_quotas(rng, villages, n)
    profiles = [_AgeProfile.build(age, today) for age in range(_MAX_AGE + 1)]
    pick_age = _AGES.pick
    rand = rng.random
    for village, quota in zip(villages, quotas, strict=True):
        ede_share = 0.9 if village.startswith("Buôn") else 0.04
        for _ in range(quota):
            age = pick_age(rng)
            prof = profiles[age]
            birth = date.fromordinal(prof.first_birth + int(rand() * prof.birth_span))
            female = rand() < prof.p_female

            u = rand()
            precision: Precision
            if u < prof.p_year:
                precision = "year"
                birth = date(birth.year, 1, 1)
            elif u < prof.p_year_or_month:
                precision = "month"
                birth = date(birth.year, birth.month, 1)
            else:
                precision = "day"

            if rand() < ede_share:
                name = _ede_name(rng, female)
                p_home = 0.98
            else:
                name = _kinh_name(rng, female, age)
                p_home = prof.p_home_kinh

            cccd: str | None = None
            if rand() < prof.p_cccd and 1900 <= birth.year < 2100:
                province = _HOME_PROVINCE if rand() < p_home else _MIGRANT_PROVINCES.pick(rng)
                year = birth.year
                bucket = f"{province}{2 * (year // 100 - 19) + female}{year % 100:02d}"
                cccd = f"{bucket}{cccd_serials.next(bucket, 1000, 1000):06d}"

            phone: str | None = None
            if rand() < prof.p_phone:
                prefix = _PHONE_PREFIXES.pick(rng)
                if len(prefix) == 3:
                    phone = f"{prefix}{phone_serials.next(prefix, 1000, 10000):07d}"
                else:
                    phone = f"{prefix}{phone_serials.next(prefix, 1000, 1000):06d}"

            yield SyntheticResident(
                full_name=name,
                birth=birth,
                birth_precision=precision,
                gender="F" if female else "M",
                cccd=cccd,
                phone=phone,
                village=village,
            )


# ------------------------------------------------------------------------------ cells


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

_VN_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")
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
        shapes = [m for m in marks if m not in _VN_TONES]
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
        if r.phone[:3] in _OLD_PREFIX:
            kinds.append(Mess.PHONE_OLD_11_DIGIT)
        kinds.append(Mess.PHONE_INVALID)
    if r.village.startswith(("Thôn ", "Buôn ")):
        kinds.append(Mess.VILLAGE_NO_PREFIX)
    kinds.append(Mess.DUPLICATE_ROW)
    return tuple(kinds)


_EXCEL_EPOCH = date(1899, 12, 30).toordinal()
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
            out[COL_BIRTH] = b.toordinal() - _EXCEL_EPOCH
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
            out[COL_PHONE] = _OLD_PREFIX[p[:3]] + p[3:]
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
) -> Iterator[Row] | Iterator[GeneratedRow]:
    """Yield the rows of a resident list for the ``n`` residents of
    :func:`generate_residents` (same ``seed``, ``villages``, ``today``: same truth).

    Each resident is messed up with probability ``messy_share`` (one :class:`Mess`
    each, chosen among :func:`applicable_messes`).  Rows are ``dict``\\ s keyed by
    :data:`COLUMNS`; with ``with_truth=True``, :class:`GeneratedRow` tuples.
    """
    if not 0.0 <= messy_share <= 1.0:
        raise ValueError("messy_share must be within [0, 1]")
    gen = _generate_rows(n, seed, villages, today, messy_share)
    if with_truth:
        return gen
    return (g.cells for g in gen)


def _generate_rows(
    n: int, seed: int, villages: Sequence[str], today: date, messy_share: float
) -> Iterator[GeneratedRow]:
    rng = random.Random(f"congdanso/mess/{seed}")
    stt = 0
    for truth in generate_residents(n, seed=seed, villages=villages, today=today):
        stt += 1
        cells = clean_cells(truth, stt)
        if rng.random() >= messy_share:
            yield GeneratedRow(cells, truth, None)
            continue
        kinds = applicable_messes(truth)
        kind = kinds[rng.randrange(len(kinds))]
        if kind is Mess.DUPLICATE_ROW:
            yield GeneratedRow(cells, truth, None)
            stt += 1
            duplicate = dict(cells)
            duplicate[COL_STT] = stt
            yield GeneratedRow(duplicate, truth, kind)
        else:
            yield GeneratedRow(apply_mess(cells, truth, kind, rng), truth, kind)


# ------------------------------------------------------------------------------ files


# Text that xlsxwriter would write unchanged: no XML-special or control characters, no
# "_x" escapes, no leading or trailing whitespace (which needs xml:space="preserve").
_SPECIAL = r'"&<>\x00-\x1f_\ufffe\uffff'
_PLAIN_TEXT = re.compile(rf"[^\s{_SPECIAL}](?:[^{_SPECIAL}]*[^\s{_SPECIAL}])?")


class _StreamingWorksheet(Worksheet):
    """A Worksheet whose innermost loop is faster for plain strings and numbers.

    ``_write_cell`` is xlsxwriter's per-cell XML writer (its cost dominates a
    constant_memory write).  For number cells and plain-text string cells with an
    explicit format or none, this writes the same bytes with less work; everything else
    goes to xlsxwriter's own code.  test_synthetic checks the sheet XML is identical.
    """

    def _write_cell(self, row: int, col: int, cell: Any) -> None:
        fmt = cell.format
        if fmt is None and (
            (row in self.row_info and self.row_info[row].row_format is not None)
            or (col in self.col_info and self.col_info[col].column_format is not None)
        ):
            super()._write_cell(row, col, cell)
            return
        kind = cell.__class__.__name__
        style = "" if fmt is None else f' s="{fmt._get_xf_index()}"'
        if kind == "Number":
            ref = xl_rowcol_to_cell_fast(row, col)
            self.fh.write(f'<c r="{ref}"{style}><v>{cell.number:.16G}</v></c>')
        elif kind == "String" and _PLAIN_TEXT.fullmatch(cell.string) is not None:
            ref = xl_rowcol_to_cell_fast(row, col)
            self.fh.write(f'<c r="{ref}"{style} t="inlineStr"><is><t>{cell.string}</t></is></c>')
        else:
            super()._write_cell(row, col, cell)


def _row_cells(row: Mapping[str, Cell] | GeneratedRow) -> Mapping[str, Cell]:
    return row.cells if isinstance(row, GeneratedRow) else row


def write_xlsx(
    path: str | Path,
    rows: Iterable[Mapping[str, Cell] | GeneratedRow],
    *,
    title: str | None = "DANH SÁCH CÔNG DÂN XÃ EA YÔNG",
    sheet: str = "Danh sách",
    fast: bool = True,
) -> int:
    """Stream ``rows`` to an .xlsx laid out like a commune's file; return the data rows.

    Layout (0-based rows) with a ``title``: 0 "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    (merged A:G), 1 the title (merged), 2 blank, 3 the header (:data:`COLUMNS`), 4..
    data, then a blank row, "Tổng cộng: N người", a blank row, "Người lập biểu" (B)
    and "Trưởng thôn" (F), "(Ký, ghi rõ họ tên)" under both.  ``title=None`` writes the
    bare table: header on the first row, no footer.  Dates are numbers formatted
    dd/mm/yyyy; ``str`` cells are text cells (CCCD and phone columns formatted "@");
    ``int`` cells are numbers.  xlsxwriter ``constant_memory`` mode: flat memory.
    ``fast=False`` uses xlsxwriter's stock cell writer (same bytes, ~2x slower).
    """
    wb = Workbook(str(path), {"constant_memory": True})
    try:
        ws = wb.add_worksheet(sheet, worksheet_class=_StreamingWorksheet if fast else Worksheet)
        bold_center = wb.add_format({"bold": True, "align": "center", "valign": "vcenter"})
        title_fmt = wb.add_format({"bold": True, "align": "center", "font_size": 14})
        header_fmt = wb.add_format(
            {"bold": True, "align": "center", "valign": "vcenter", "border": 1, "text_wrap": True}
        )
        date_fmt = wb.add_format({"num_format": "dd/mm/yyyy", "align": "center"})
        text_fmt = wb.add_format({"num_format": "@"})
        italic_center = wb.add_format({"italic": True, "align": "center"})
        last_col = len(COLUMNS) - 1
        for col, width in enumerate((6, 28, 12, 9, 16, 14, 18)):
            ws.set_column(col, col, width)

        r = 0
        if title is not None:
            ws.merge_range(0, 0, 0, last_col, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold_center)
            ws.merge_range(1, 0, 1, last_col, title, title_fmt)
            r = 3
        for col, name in enumerate(COLUMNS):
            ws.write_string(r, col, name, header_fmt)
        ws.freeze_panes(r + 1, 0)
        r += 1

        formats = [None, None, None, None, text_fmt, text_fmt, None]
        columns = list(enumerate(COLUMNS))
        write_string = ws.write_string
        write_number = ws.write_number
        count = 0
        for row in rows:
            cells = _row_cells(row)
            for col, key in columns:
                v = cells.get(key)
                if v is None:
                    continue
                if isinstance(v, str):
                    write_string(r, col, v, formats[col])
                elif isinstance(v, int):
                    write_number(r, col, v)
                elif isinstance(v, date):
                    write_number(r, col, v.toordinal() - _EXCEL_EPOCH, date_fmt)
                else:
                    raise TypeError(f"unsupported cell {v!r} in column {key!r}")
            r += 1
            count += 1

        if title is not None:
            r += 1
            total = f"{count:,}".replace(",", ".")
            ws.merge_range(r, 0, r, 2, f"Tổng cộng: {total} người", wb.add_format({"bold": True}))
            r += 2
            ws.write_string(r, 1, "Người lập biểu", bold_center)
            ws.write_string(r, 5, "Trưởng thôn", bold_center)
            r += 1
            ws.write_string(r, 1, "(Ký, ghi rõ họ tên)", italic_center)
            ws.write_string(r, 5, "(Ký, ghi rõ họ tên)", italic_center)
    finally:
        wb.close()
    return count


# ------------------------------------------------------------------------------- CSV


@cache
def _cp1258_table() -> dict[int, str | None]:
    """Map each letter Windows-1258 lacks to base letter (+ shape) + combining tone.

    Ede breves on e, i, o, u (and U+0306 after ê, ô, ơ, ư) have no Windows-1258 form at
    all and are dropped, as they were when typed on a Windows-1258 keyboard.
    """
    table: dict[int, str | None] = {0x0306: None}
    for cp in (*range(0x00C0, 0x0250), *range(0x1E00, 0x1F00)):
        ch = chr(cp)
        try:
            ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", ch)
        base = decomposed[0]
        shapes = "".join(m for m in decomposed[1:] if m not in _VN_TONES)
        tones = "".join(m for m in decomposed[1:] if m in _VN_TONES)
        for candidate in (base + shapes, base + shapes.replace("\u0306", "")):
            head = _nfc(candidate)
            try:
                (head + tones).encode("cp1258")
            except UnicodeEncodeError:
                continue
            table[cp] = head + tones
            break
    return table


def cp1258_text(text: str) -> str:
    """``text`` as Windows-1258 can hold it: NFC, then decomposed where it must be.

    ``unicodedata.normalize("NFC", cp1258_text(s))`` equals ``s`` for Vietnamese text;
    Ede breves on e/i/o/u/ê/ô/ơ/ư are lost.
    """
    return _nfc(text).translate(_cp1258_table())


def write_csv(
    path: str | Path,
    rows: Iterable[Mapping[str, Cell] | GeneratedRow],
    *,
    encoding: str = "utf-8-sig",
    delimiter: str = ",",
    errors: str | None = None,
) -> int:
    """Write a plain CSV (header :data:`COLUMNS`, then the rows); return the data rows.

    Dates are written dd/mm/yyyy, numbers as digits, ``None`` as an empty field.
    Encodings: "utf-8", "utf-8-sig" (Excel's "CSV UTF-8"), "utf-16", "cp1258"
    (Windows-1258: text goes through :func:`cp1258_text`, so letters without a
    precomposed Windows-1258 form are written as base letter + combining tone mark).
    ``errors`` is the codec's error handler: by default "replace" for cp1258 (what it cannot
    hold, such as the Windows-1252 characters of TCVN3/VNI mojibake names, becomes "?" as
    when Excel saves such a file) and "strict" otherwise.
    """
    convert: Callable[[str], str] | None = None
    is_cp1258 = encoding.lower().replace("-", "").replace("_", "") in ("cp1258", "windows1258")
    if errors is None:
        errors = "replace" if is_cp1258 else "strict"
    if is_cp1258:
        table = _cp1258_table()

        def convert(s: str) -> str:
            return _nfc(s).translate(table)

    count = 0
    with open(path, "w", encoding=encoding, errors=errors, newline="") as fh:
        writer = csv.writer(fh, delimiter=delimiter)
        writer.writerow([convert(c) if convert else c for c in COLUMNS])
        writerow = writer.writerow
        for row in rows:
            cells = _row_cells(row)
            out: list[object] = []
            for key in COLUMNS:
                v = cells.get(key)
                if isinstance(v, date):
                    out.append(f"{v.day:02d}/{v.month:02d}/{v.year}")
                elif convert is not None and isinstance(v, str):
                    out.append(convert(v))
                else:
                    out.append(v)
            writerow(out)
            count += 1
    return count
