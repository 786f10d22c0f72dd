"""The clean truth about each generated resident: name, birth date and its precision,
gender, CCCD, phone and village, as the commune's records would hold them.

Villages whose name starts with "Buôn" are mostly Ede, the others mostly Kinh; ages,
names and numbers are drawn from `frequencies`, CCCD and phone numbers unique within a
call. Apart from `rows` because the truth is what a test compares an import with, whatever
mess its cells were given.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal, NamedTuple

from congdanso.demo.synthetic.frequencies import (
    AGE_BANDS,
    AGES,
    EDE_FAMILY,
    EDE_GIVEN_F,
    EDE_GIVEN_M,
    FEW_EDE_FAMILY,
    FEW_EDE_GIVEN_F,
    FEW_EDE_GIVEN_M,
    FEW_KINH_FAMILY,
    FEW_KINH_GIVEN_F,
    FEW_KINH_GIVEN_M,
    HOME_PROVINCE,
    KINH_FAMILY,
    KINH_GIVEN_F,
    KINH_GIVEN_M,
    KINH_MIDDLE_F,
    KINH_MIDDLE_M,
    MIGRANT_PROVINCES,
    PHONE_PREFIXES,
)

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

Precision = Literal["day", "month", "year"]
Gender = Literal["M", "F"]

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


_MAX_AGE = AGE_BANDS[-1][1]


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
    family = KINH_FAMILY.pick(rng)
    if female:
        default, p_default = "Thị", 0.75 if age >= 40 else 0.35
        middles, givens = KINH_MIDDLE_F, KINH_GIVEN_F
    else:
        default, p_default = "Văn", 0.55 if age >= 40 else 0.25
        middles, givens = KINH_MIDDLE_M, KINH_GIVEN_M
    middle = default if rng.random() < p_default else middles.pick(rng)
    given = givens.pick(rng)
    if age < 25 and rng.random() < 0.08:
        second = middles.pick(rng)
        if second != middle:
            middle = f"{middle} {second}"
    return f"{family} {middle} {given}"


def _ede_name(rng: random.Random, female: bool) -> str:
    family = EDE_FAMILY.pick(rng)
    if female:
        return f"H'{EDE_GIVEN_F.pick(rng)} {family}"
    return f"Y {EDE_GIVEN_M.pick(rng)} {family}"


def _few_kinh_name(rng: random.Random, female: bool, _age: int) -> str:
    family = FEW_KINH_FAMILY.pick(rng)
    if female:
        return f"{family} Thị {FEW_KINH_GIVEN_F.pick(rng)}"
    return f"{family} Văn {FEW_KINH_GIVEN_M.pick(rng)}"


def _few_ede_name(rng: random.Random, female: bool) -> str:
    family = FEW_EDE_FAMILY.pick(rng)
    if female:
        return f"H'{FEW_EDE_GIVEN_F.pick(rng)} {family}"
    return f"Y {FEW_EDE_GIVEN_M.pick(rng)} {family}"


def generate_residents(
    n: int,
    *,
    seed: int = 2023,
    villages: Sequence[str] = EA_YONG_VILLAGES,
    today: date = EA_YONG_TODAY,
    every_number: bool = False,
    few_names: bool = False,
) -> Iterator[SyntheticResident]:
    """Yield ``n`` realistic residents, grouped by village, deterministic from ``seed``.

    CCCD numbers (12 digits: province, century/gender digit, 2-digit birth year, 6
    digits) and phone numbers are unique within one call.  Villages whose name starts
    with "Buôn" are mostly Ede, the others mostly Kinh.  ``every_number``: every resident
    has a CCCD and a phone (as a list the police have checked); ``few_names``: names come
    from a few common ones only (a crowded list for stress tests).  ``every_number`` changes
    no other draw: the same seed gives the same people otherwise.
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
    pick_age = AGES.pick
    rand = rng.random
    kinh_name, ede_name = (_few_kinh_name, _few_ede_name) if few_names else (_kinh_name, _ede_name)
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
                name = ede_name(rng, female)
                p_home = 0.98
            else:
                name = kinh_name(rng, female, age)
                p_home = prof.p_home_kinh

            cccd: str | None = None
            if (rand() < prof.p_cccd or every_number) and 1900 <= birth.year < 2100:
                province = HOME_PROVINCE if rand() < p_home else MIGRANT_PROVINCES.pick(rng)
                year = birth.year
                bucket = f"{province}{2 * (year // 100 - 19) + female}{year % 100:02d}"
                cccd = f"{bucket}{cccd_serials.next(bucket, 1000, 1000):06d}"

            phone: str | None = None
            if rand() < prof.p_phone or every_number:
                prefix = PHONE_PREFIXES.pick(rng)
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
