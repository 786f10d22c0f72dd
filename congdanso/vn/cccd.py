"""CCCD: the 12-digit number of the citizen identity card (căn cước công dân), which is also the
personal identification number (số định danh cá nhân) — Circular 07/2016/TT-BCA, kept by
Circular 59/2021/TT-BCA.

Layout ``PPP G YY RRRRRR``:

* ``PPP`` province where the birth was registered (001 Hà Nội … 066 Đắk Lắk … 096 Cà Mau, the
  63 codes of the official list). A code outside the list is not an error (births registered
  abroad use other codes); its ``province_name`` is then None.
* ``G`` gender and century: 0/1 male/female born 1900–1999, 2/3 in 2000–2099, 4/5 in 2100–2199,
  6/7 in 2200–2299, 8/9 in 2300–2399.
* ``YY`` last two digits of the birth year; ``RRRRRR`` a random serial. There is no check digit.

Input as spreadsheets give it: str or int (or an integer-valued float), with spaces, dots,
dashes or a leading apostrophe (Excel's text marker). All official province codes start with 0,
so a number that lost its leading zero(s) to Excel (11 or 10 digits, not starting with 0) is
restored when the restored first three digits are a listed province code. Scientific notation
is accepted only if no digit was lost. A birth year after today's year is refused.
"""

from dataclasses import dataclass
from datetime import date

from congdanso.vn import _data
from congdanso.vn._numbers import Scientific, number_digits, number_text
from congdanso.vn.errors import InvalidCccd, show, show_other_chars
from congdanso.vn.gender import parse_gender
from congdanso.vn.today import vietnam_today

CCCD_LENGTH = 12


# 4th digit → (century of birth, gender)
_CENTURY_GENDER = {str(d): (1900 + d // 2 * 100, "F" if d % 2 else "M") for d in range(10)}


@dataclass(frozen=True, slots=True)
class Cccd:
    """A valid CCCD number (make it with :func:`parse_cccd`). Everything else the number says
    is derived from it on access; ``repr`` shows it masked (it is personal data)."""

    number: str

    @property
    def province_code(self) -> str:
        return self.number[:3]

    @property
    def province_name(self) -> str | None:
        """From the official list; None for other codes (e.g. births registered abroad)."""
        return _data.province_names().get(self.number[:3])

    @property
    def gender(self) -> str:
        """'M' or 'F'."""
        return _CENTURY_GENDER[self.number[3]][1]

    @property
    def birth_century(self) -> int:
        """1900, 2000, 2100 …"""
        return _CENTURY_GENDER[self.number[3]][0]

    @property
    def birth_year_2d(self) -> int:
        return int(self.number[4:6])

    @property
    def birth_year(self) -> int:
        return self.birth_century + self.birth_year_2d

    def agrees_with(self, *, birth_year: int | None = None, gender: str | None = None) -> bool:
        """False if a known birth year or gender (``M``/``F`` or Nam/Nữ…) contradicts the
        number; None means unknown and agrees."""
        if birth_year is not None and birth_year != self.birth_year:
            return False
        return gender is None or parse_gender(gender) in (None, self.gender)

    def masked(self) -> str:
        """'066******345': the province code and the last three digits."""
        return f"{self.number[:3]}{'*' * 6}{self.number[-3:]}"

    def __str__(self) -> str:
        return self.number

    def __repr__(self) -> str:
        return (
            f"Cccd({self.masked()!r}, province_code={self.province_code!r}, "
            f"gender={self.gender!r}, birth_year={self.birth_year})"
        )


def _error(code: str, message: str, message_en: str, value: object) -> InvalidCccd:
    return InvalidCccd(code, message, message_en, value)


def _digits(value: str | int | float | None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        try:
            return number_text(value)
        except Scientific:
            raise _error(
                "cccd_scientific",
                f"Số CCCD bị Excel ghi ở dạng số mũ và đã mất chữ số: {show(value)}; hãy định "
                "dạng cột là Văn bản (Text) rồi nhập lại số",
                f"The CCCD number is in scientific notation and lost digits: {show(value)}; "
                "format the column as Text and type the number again",
                value,
            ) from None
    digits = number_digits(value)
    if digits is None:
        raise _error(
            "cccd_type",
            f"Số CCCD phải là một dãy chữ số, nhận được giá trị kiểu {type(value).__name__}: "
            f"{show(value)}",
            f"A CCCD number must be a string of digits, got a value of type "
            f"{type(value).__name__}: {show(value)}",
            value,
        )
    return digits


def _checked_digits(value: str | int | float | None) -> str:
    """The 12 digits of a CCCD cell (leading zeros restored), or raise saying why."""
    digits = _digits(value)
    if not digits:
        raise _error("cccd_empty", "Số CCCD đang để trống", "The CCCD number is empty", value)
    if not (digits.isascii() and digits.isdigit()):
        bad = show_other_chars(digits)
        raise _error(
            "cccd_not_digits",
            f"Số CCCD chỉ được gồm chữ số, nhưng có ký tự khác ({bad}): {show(value)}",
            f"A CCCD number may only hold digits, but it has {bad}: {show(value)}",
            value,
        )
    if len(digits) in (10, 11) and digits[0] != "0":  # Excel drops zeros, never keeps one
        restored = digits.zfill(CCCD_LENGTH)
        if restored[:3] in _data.province_names():
            digits = restored
    if len(digits) == CCCD_LENGTH:
        return digits
    if len(digits) == 9:
        raise _error(
            "cccd_old_cmnd",
            f"Số CCCD phải có đúng 12 chữ số, nhận được 9 chữ số (có thể là số CMND cũ): {digits}",
            f"A CCCD number has exactly 12 digits, got 9 (perhaps an old CMND number): {digits}",
            value,
        )
    raise _error(
        "cccd_length",
        f"Số CCCD phải có đúng 12 chữ số, nhận được {len(digits)} chữ số: {show(digits)}",
        f"A CCCD number has exactly 12 digits, got {len(digits)}: {show(digits)}",
        value,
    )


def parse_cccd(value: str | int | float, *, today: date | None = None) -> Cccd:
    """Parse a CCCD number or raise :class:`InvalidCccd` saying why (see the module docstring).

    ``today`` (default: today in Vietnam) bounds the birth year.
    """
    if isinstance(value, str) and len(value) == CCCD_LENGTH and value.isdigit() and value.isascii():
        digits = value  # the common case: already clean
    else:
        digits = _checked_digits(value)
    birth_year = _CENTURY_GENDER[digits[3]][0] + int(digits[4:6])
    current_year = (today or vietnam_today()).year
    if birth_year > current_year:
        raise _error(
            "cccd_future_birth_year",
            f"Số CCCD cho năm sinh {birth_year} (chữ số thứ 4 là {digits[3]}, chữ số thứ 5–6 "
            f"là {digits[4:6]}), là năm chưa tới (năm nay là {current_year}): {digits}",
            f"The CCCD number gives birth year {birth_year} (4th digit {digits[3]}, 5th–6th "
            f"{digits[4:6]}), which is after {current_year}: {digits}",
            value,
        )
    return Cccd(digits)


def province_name(code: str) -> str | None:
    """Province of a 3-digit CCCD code ('066' → 'Đắk Lắk'), None if not in the list."""
    return _data.province_names().get(code)
