"""Reading the digits of an identifier typed into a spreadsheet cell.

Excel turns long digit strings into numbers: the leading zero is lost, the value may come back
as a float (``66123456789.0``) or, in a CSV saved from a narrow column, in scientific notation
(``6.61235E+10``, digits lost). :func:`digits_of` undoes what can be undone.
"""

import math
import re
from decimal import Decimal, InvalidOperation
from numbers import Integral

_SCIENTIFIC = re.compile(r"[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+")
# A float's ".0" / ".00" (str(float), Excel's 0.00 format); a longer all-zero group after a
# single dot is a digit group ("001.000000000").
_FLOAT_ZERO = re.compile(r"(\d+)[.,]0{1,2}")
_COMMON_NOISE = (" ", ".", "-", "(", ")")
_NOISE = re.compile(r"[\s.\-_()/\u2013\u2014\u200b\u200c\u200d\u2060\ufeff]+")


class Scientific(ValueError):
    """The number was written in scientific notation with digits lost."""


def scientific_digits(text: str) -> str | None:
    """The integer a scientific-notation string stands for, if no digit was lost; None if the
    text is not scientific; raises :class:`Scientific` if digits were lost."""
    if _SCIENTIFIC.fullmatch(text) is None:
        return None
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:  # pragma: no cover - the regex admits only valid literals
        return None
    mantissa_digits = len(value.as_tuple().digits)
    exponent = value.adjusted()
    if value < 0 or exponent + 1 > mantissa_digits:
        raise Scientific(text)
    return str(int(value))


def number_digits(value: object) -> str | None:
    """Digits of an int or an integer-valued float (None for other types or values)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, Integral):
        return str(int(value)) if int(value) >= 0 else None
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer() or value < 0:
            return None
        return str(int(value))
    return None


def strip_float_zero(text: str) -> str:
    """'66123456789.0' → '66123456789' (a number that went through a float)."""
    match = _FLOAT_ZERO.fullmatch(text)
    return match.group(1) if match else text


def number_text(text: str) -> str:
    """The text of a digit cell without its noise: surrounding spaces, a leading apostrophe
    (Excel's text marker), separators (spaces of any kind, dots, dashes, parentheses, slashes),
    a float's ".0"; scientific notation is expanded (raises :class:`Scientific` if digits were
    lost). A leading "+" is kept. What remains is not checked to be digits."""
    text = text.strip()
    if text[:1] in ("'", "\u2019"):
        text = text[1:].lstrip()
    if "e" in text or "E" in text:
        scientific = scientific_digits(text.replace(" ", ""))
        if scientific is not None:
            return scientific
    if ("." in text or "," in text) and (match := _FLOAT_ZERO.fullmatch(text)):
        return match.group(1)
    for noise in _COMMON_NOISE:
        if noise in text:
            text = text.replace(noise, "")
    if text.isdigit() or (text[:1] == "+" and text[1:].isdigit()):
        return text
    return _NOISE.sub("", text)
