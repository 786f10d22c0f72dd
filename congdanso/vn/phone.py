"""Vietnamese mobile numbers: :func:`normalize_phone`, :func:`phone_carrier`, :func:`mask_phone`.

The result is the 10-digit national form ``0xxxxxxxxx`` whose first three digits are an assigned
mobile prefix (the project's table ``data/vn_mobile_prefixes.csv``, which is the only source:
Google's phonenumbers is not used).

Accepted noise: "+84", "(+84)", "84", "0084" and "+84 (0)" prefixes; spaces, dots, dashes,
parentheses, slashes inside a number; a leading apostrophe; a leading zero lost to Excel
(9 digits, or 10 for an old 11-digit number); int and integer-valued float cells; scientific
notation without lost digits. Old 11-digit numbers are converted as in the 2018 conversion
(0162–0169 → 032–039, 0120 → 070, 0121 → 079 …).

Landlines (02x area codes, 11 digits since 2017) are *refused* with ``phone_not_mobile``: the
register needs a number that can receive SMS and VNeID OTP codes, and without the official list
of area codes a landline could not be validated anyway. Service numbers (1800/1900) likewise.
"""

import re

from congdanso.vn import _data
from congdanso.vn._numbers import Scientific, number_digits, number_text
from congdanso.vn.errors import InvalidPhone, show, show_other_chars

PHONE_LENGTH = 10
_SEPARATOR = re.compile(r"[,;&|/\n]|\bho[aặ]c\b|\bor\b|\bvà\b", re.IGNORECASE)
_DIGIT = re.compile(r"\d")


def _several_numbers(text: str) -> bool:
    """True for '0912345678 / 0987654321', '0912345678; 0987654321', '… hoặc …' (only
    checked for cells longer than 17 characters: one number with its noise is shorter)."""
    if _SEPARATOR.search(text) is None:
        return False
    parts = _SEPARATOR.split(text)
    return sum(len(_DIGIT.findall(part)) >= 9 for part in parts) >= 2


def _error(code: str, message: str, message_en: str, value: object) -> InvalidPhone:
    return InvalidPhone(code, message, message_en, value)


def _raw_digits(value: object) -> tuple[str, bool]:
    """(digits, had_plus) from a cell; raises for types and letters."""
    if value is None:
        return "", False
    if not isinstance(value, str):
        digits = number_digits(value)
        if digits is None:
            raise _error(
                "phone_type",
                f"Số điện thoại phải là một dãy chữ số, nhận được giá trị kiểu "
                f"{type(value).__name__}: {show(value)}",
                f"A phone number must be a string of digits, got a value of type "
                f"{type(value).__name__}: {show(value)}",
                value,
            )
        return digits, False
    if len(value) > 17 and _several_numbers(value):
        raise _error(
            "phone_multiple",
            f"Ô này có nhiều số điện thoại, chỉ được ghi một số: {show(value)}",
            f"The cell holds several phone numbers, only one is allowed: {show(value)}",
            value,
        )
    try:
        text = number_text(value)
    except Scientific:
        raise _error(
            "phone_scientific",
            f"Số điện thoại bị Excel ghi ở dạng số mũ và đã mất chữ số: {show(value)}; hãy "
            "định dạng cột là Văn bản (Text) rồi nhập lại số",
            f"The phone number is in scientific notation and lost digits: {show(value)}; "
            "format the column as Text and type the number again",
            value,
        ) from None
    had_plus = text.startswith("+")
    if had_plus:
        text = text[1:]
    if not (text.isascii() and text.isdigit()):
        if not text:
            return "", had_plus
        bad = show_other_chars(text)
        raise _error(
            "phone_not_digits",
            f"Số điện thoại chỉ được gồm chữ số (có thể kèm +84, dấu cách, chấm, gạch ngang), "
            f"nhưng có ký tự khác ({bad}): {show(value)}",
            f"A phone number may only hold digits (with +84, spaces, dots, dashes), but it "
            f"has {bad}: {show(value)}",
            value,
        )
    return text, had_plus


def _national(digits: str, had_plus: bool, value: object) -> str:
    """The national form (leading 0) of the digits, still unchecked."""
    if had_plus or digits.startswith("00"):
        international = digits[2:] if digits.startswith("00") and not had_plus else digits
        if not international.startswith("84"):
            raise _error(
                "phone_foreign",
                f"Số điện thoại có mã quốc gia khác Việt Nam (+84): {show(value)}",
                f"The phone number has a country code other than Viet Nam's (+84): {show(value)}",
                value,
            )
        rest = international[2:]
        return rest if rest.startswith("0") else "0" + rest
    if digits.startswith("84") and len(digits) in (11, 12, 13):
        rest = digits[2:]
        return rest if rest.startswith("0") else "0" + rest
    if digits.startswith(("1800", "1900")):
        raise _error(
            "phone_not_mobile",
            f"Số {digits} là số tổng đài dịch vụ (1800/1900), không phải số di động",
            f"{digits} is a service number (1800/1900), not a mobile number",
            value,
        )
    if not digits.startswith("0") and (
        len(digits) == 9 or (len(digits) == 10 and digits[0] in "12")
    ):
        return "0" + digits  # the leading zero Excel dropped (10 digits: old mobile, landline)
    return digits


def normalize_phone(value: str | int | float) -> str:
    """The 10-digit national form '0912345678' of a Vietnamese mobile number, or raise
    :class:`InvalidPhone` saying why (see the module docstring)."""
    if (
        isinstance(value, str)
        and len(value) == PHONE_LENGTH
        and value.isdigit()
        and value.isascii()
        and value[:3] in _data.mobile_prefixes()
    ):
        return value  # the common case: already clean
    digits, had_plus = _raw_digits(value)
    if not digits:
        raise _error(
            "phone_empty", "Số điện thoại đang để trống", "The phone number is empty", value
        )
    number = _national(digits, had_plus, value)
    if number.startswith("02"):
        raise _error(
            "phone_not_mobile",
            f"Số {number} là số cố định (bắt đầu bằng 02), chỉ nhận số di động: {show(value)}",
            f"{number} is a landline number (starts with 02); only mobile numbers are accepted: "
            f"{show(value)}",
            value,
        )
    if len(number) == 11 and number.startswith("01"):
        new_prefix = _data.retired_prefixes().get(number[:4])
        if new_prefix is None:
            raise _error(
                "phone_prefix_unknown",
                f"Đầu số cũ {number[:4]} (số 11 chữ số) không có trong bảng chuyển đổi đầu số "
                f"năm 2018: {show(value)}",
                f"The old 11-digit prefix {number[:4]} is not in the 2018 conversion table: "
                f"{show(value)}",
                value,
            )
        number = new_prefix + number[4:]
    if len(number) != PHONE_LENGTH:
        raise _error(
            "phone_length",
            f"Số điện thoại di động phải có 10 chữ số (dạng 0xxxxxxxxx), nhận được "
            f"{len(number)} chữ số: {show(value)}",
            f"A mobile number has 10 digits (0xxxxxxxxx), got {len(number)}: {show(value)}",
            value,
        )
    if number[:3] not in _data.mobile_prefixes():
        raise _error(
            "phone_prefix_unknown",
            f"Đầu số {number[:3]} không phải đầu số di động đã cấp ở Việt Nam: {show(value)}",
            f"{number[:3]} is not an assigned Vietnamese mobile prefix: {show(value)}",
            value,
        )
    return number


def phone_carrier(number: str) -> str | None:
    """Original carrier of a mobile number: 'Viettel', 'VinaPhone', 'MobiFone', 'Vietnamobile',
    'Gmobile', 'Itelecom' or 'Reddi'; None if unknown (numbers may have been ported since)."""
    if not (len(number) == PHONE_LENGTH and number.isdigit()):
        try:
            number = normalize_phone(number)
        except InvalidPhone:
            return None
    return _data.mobile_prefixes().get(number[:3])


def mask_phone(number: str) -> str:
    """'0912345678' → '09******78': the first two and last two digits."""
    if len(number) <= 4:
        return "*" * len(number)
    return number[:2] + "*" * (len(number) - 4) + number[-2:]
