"""Gender cells: Nam / Nữ and their many spellings → ``"M"`` / ``"F"``.

Matching is on the folded text (case and diacritics ignored), so "NỮ", "nữ", "Nu" and "nu"
are all female. A lone "x" (a tick in a "Nữ" column) is *not* read as a gender: what it means
depends on the column, which only the caller knows. Numeric codes (0/1/2) are refused for the
same reason. Legacy TCVN3/VNI text ("N÷", "Nöõ") is converted first.
"""

import math
from functools import lru_cache

from congdanso.vn.errors import InvalidGender, show
from congdanso.vn.legacy import fix_legacy
from congdanso.vn.text import fold

_MALE = ("nam", "nam gioi", "gioi tinh nam", "trai", "con trai", "m", "male", "man")
_FEMALE = ("nu", "nu gioi", "gioi tinh nu", "gai", "con gai", "f", "female", "woman")
_WORDS = dict.fromkeys(_MALE, "M") | dict.fromkeys(_FEMALE, "F")


@lru_cache(maxsize=1024)
def _from_text(text: str) -> str | None:
    key = fold(fix_legacy(text)).strip(" .:;,")
    if not key:
        return None
    if key in _WORDS:
        return _WORDS[key]
    raise InvalidGender(
        "gender_unknown",
        f"Không hiểu giới tính: {show(text)}; hãy nhập Nam hoặc Nữ",
        f"Unknown gender: {show(text)}; enter Nam (male) or Nữ (female)",
        text,
    )


def parse_gender(value: object) -> str | None:
    """'M' (male), 'F' (female), or None for an empty cell; raises :class:`InvalidGender`."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str):
        return _from_text(value)
    raise InvalidGender(
        "gender_type",
        f"Giới tính phải là chữ (Nam hoặc Nữ), nhận được giá trị kiểu {type(value).__name__}: "
        f"{show(value)}",
        f"Gender must be text (Nam or Nữ), got a value of type {type(value).__name__}: "
        f"{show(value)}",
        value,
    )
