"""The frequency tables the generator draws from, and the weighted choice over them.

Ages (Vietnam's population pyramid, ~2023), Kinh and Ede names with their frequencies,
the provinces a migrant's CCCD was issued in, the phone carriers' prefixes by market share
and the 11-digit prefixes they replaced in 2018. Data, apart from the code that draws from
it (`residents`, `rows`): a table can be corrected without reading the generator.
"""

from __future__ import annotations

import random
import unicodedata
from bisect import bisect
from collections.abc import Iterable
from itertools import accumulate
from typing import Generic, TypeVar

T = TypeVar("T")


class Weighted(Generic[T]):
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
        pairs.append((unicodedata.normalize("NFC", name.strip()), float(weight) if weight else 1.0))
    return pairs


# ------------------------------------------------------------------ age, sex, precision

# Share of the population (%) per 5-year band, Vietnam ~2023: 0-14 = 24, 15-64 = 68,
# 65+ = 8, tapering to 100.
AGE_BANDS: tuple[tuple[int, int, float], ...] = (
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
AGES = Weighted(
    (age, share / (hi - lo + 1)) for lo, hi, share in AGE_BANDS for age in range(lo, hi + 1)
)

# ----------------------------------------------------------------------------- names

KINH_FAMILY = Weighted(
    _w(
        "Nguyễn:38, Trần:11, Lê:9.5, Phạm:7, Hoàng:3, Huỳnh:2, Phan:4.5, Vũ:2.5, Võ:1.5,"
        " Đặng:2, Bùi:2, Đỗ:1.4, Hồ:1.3, Ngô:1.3, Dương:1, Lý:0.5, Đào:0.5, Đoàn:0.5,"
        " Trương:0.5, Đinh:0.5, Trịnh:0.4, Hà:0.4, Lâm:0.3, Mai:0.3, Cao:0.3, Lương:0.3,"
        " Nông:0.3, Tạ:0.2, Triệu:0.2, Châu:0.2, Tô:0.2, Lưu:0.2, Phùng:0.2, Thái:0.2,"
        " La:0.1, Lục:0.1, Kiều:0.1, Quách:0.1, Lại:0.1, Khổng:0.05, Âu:0.05"
    )
)
KINH_MIDDLE_M = Weighted(
    _w(
        "Hữu:4, Đức:5, Minh:6, Quốc:3, Thanh:4, Công:3, Đình:4, Xuân:3, Quang:4, Trọng:2,"
        " Anh:2, Gia:2, Hoàng:2, Ngọc:1, Duy:2, Tuấn:1, Bảo:2, Nhật:1, Tiến:1, Thành:1,"
        " Viết:1, Khắc:1, Phước:1"
    )
)
KINH_MIDDLE_F = Weighted(
    _w(
        "Ngọc:6, Thanh:4, Thu:4, Minh:3, Kim:3, Mỹ:2, Phương:3, Khánh:2, Bảo:2, Thùy:2,"
        " Thuỳ:1, Hồng:2, Diệu:1, Hoài:1, Ánh:1, Lan:1, Tường:1, Cẩm:1, Bích:1, Kiều:1,"
        " Quỳnh:1, Hải:1, Như:1"
    )
)
KINH_GIVEN_M = Weighted(
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
KINH_GIVEN_F = Weighted(
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
EDE_GIVEN_M = Weighted(
    _w(
        "Bhiăo:2, Sơn:3, Thuôn:2, Ngông:2, Ju:2, Kông:2, Wang:2, Blô:2, Dhăm:2, Khuê:1,"
        " Jut:1, Bun:2, Nhuê:1, Tlang:1, Kim:2, Lâm:1, Phôn:1, Hoan:1, Thái:1, Djuin:1,"
        " Siêng:1, Bhin:1, Kŭ:1, Mŏ:1, Thŭ:1, Hăm:1, Yơn:1, Hrưn:1, Kăm:1, Dơng:1,"
        " Jôn:1, Bruh:1, Wơn:1, Ky:1, Lơi:1, Nguôn:1, Tuân:1, Phúc:1, Hiếu:1, Dũng:1,"
        " Ŏk:0.5, Bô\u0306:0.5, Hơ\u0306n:0.5, Kư\u0306:0.5"
    )
)
EDE_GIVEN_F = Weighted(
    _w(
        "Nga:3, Bia:2, Yim:2, Hen:2, Mai:2, Thu:2, Ngơn:1, Lina:1, Khiêm:1, Bơ:1, Duôn:1,"
        " Bĭ:1, Ngơ:1, Hăn:1, Rin:1, Dung:1, Huê:1, Ly:1, Juê:1, Jŭ:1, Yăn:1, Nhi:1,"
        " Zen:1, Loan:1, Huyên:1, Wen:1, Xoan:1, Nĕ:1, Mlăn:1, Bhyơn:1, Thiên:1, Liêm:1,"
        " Yơn:1, Ruôn:1, Ái:1, Linh:1, Trang:1, Ngọc:1, Kê\u0306:0.5, Hư\u0306:0.5,"
        " Drô\u0306ng:0.5"
    )
)
EDE_FAMILY = Weighted(
    _w(
        "Niê:15, Êban:12, Mlô:8, Ksơr:7, Ayun:6, Byă:6, Buôn Yă:4, Hmok:4, Kbuôr:5,"
        " Knul:4, Adrơng:5, Êya:4, Kpă:4, Mdrang:3, Hwing:3, Ênuôl:3, Niê Kdăm:2,"
        " Buôn Krông:2, Ktla:2, Ktul:2, Kđoh:1, Mlô Duôn Du:1"
    )
)

# A crowded list for stress tests: few distinct names (the commonest families, "Văn" and
# "Thị" only, a dozen given names), so that each village holds hundreds of namesakes.
FEW_KINH_FAMILY = Weighted(_w("Nguyễn:38, Trần:11, Lê:9.5, Phạm:7"))
FEW_KINH_GIVEN_M = Weighted(
    _w("Anh, Dũng, Hải, Hùng, Huy, Long, Minh, Nam, Sơn, Thành, Trung, Tuấn")
)
FEW_KINH_GIVEN_F = Weighted(
    _w("Anh, Hà, Hằng, Hoa, Hương, Huyền, Lan, Linh, Mai, Nga, Phương, Trang")
)
FEW_EDE_FAMILY = Weighted(_w("Niê:15, Êban:12, Mlô:8"))
FEW_EDE_GIVEN_M = Weighted(_w("Sơn, Thuôn, Ngông, Ju, Kông, Wang"))
FEW_EDE_GIVEN_F = Weighted(_w("Nga, Bia, Yim, Hen, Mai, Thu"))

# ------------------------------------------------------------------------ CCCD, phone

HOME_PROVINCE = "066"  # Đắk Lắk
# Birth-registration provinces of people who moved to Đắk Lắk (Circular 07/2016 codes).
MIGRANT_PROVINCES = Weighted(
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
PHONE_PREFIXES = Weighted(
    (sub, share / len(prefixes) / len(_SUBPREFIXES.get(prefix, (prefix,))))
    for share, prefixes in _PHONE_SHARES
    for prefix in prefixes
    for sub in _SUBPREFIXES.get(prefix, (prefix,))
)
# The retired 11-digit prefixes replaced in the 2018 conversion (new -> old).
OLD_PREFIX: dict[str, str] = {
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
