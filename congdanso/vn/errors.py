"""Errors raised by the parsers of ``congdanso.vn`` for bad *data* (never for bad code).

Every error is a ``ValueError`` carrying

* ``code``: a stable snake_case identifier for programs ("cccd_length", "phone_prefix_unknown",
  "date_in_future" ...); the full list is :data:`ERROR_CODES`;
* ``message``: the Vietnamese explanation shown to commune staff (NFC, full diacritics), which
  says why the value is refused and shows it; ``str(error)`` returns it;
* ``message_en``: the same in English, for logs and English-speaking users;
* ``value``: the offending input as received.
"""

from typing import Any

#: Every code a parser of this package can raise, by error class.
ERROR_CODES: dict[str, frozenset[str]] = {
    "InvalidCccd": frozenset(
        {
            "cccd_empty",
            "cccd_type",
            "cccd_not_digits",
            "cccd_scientific",
            "cccd_length",
            "cccd_old_cmnd",
            "cccd_future_birth_year",
        }
    ),
    "InvalidPhone": frozenset(
        {
            "phone_empty",
            "phone_type",
            "phone_not_digits",
            "phone_scientific",
            "phone_multiple",
            "phone_foreign",
            "phone_not_mobile",
            "phone_length",
            "phone_prefix_unknown",
        }
    ),
    "InvalidDate": frozenset(
        {
            "date_empty",
            "date_type",
            "date_format",
            "date_impossible",
            "date_in_future",
            "date_too_old",
        }
    ),
    "InvalidGender": frozenset({"gender_type", "gender_unknown"}),
    "InvalidQr": frozenset(
        {
            "qr_type",
            "qr_empty",
            "qr_not_cccd",
            "qr_cccd",
            "qr_old_id",
            "qr_name",
            "qr_birth_date",
            "qr_gender",
            "qr_mismatch",
            "qr_issue_date",
        }
    ),
}

_MAX_SHOWN = 60


def show(value: object) -> str:
    """The offending value as put into a message: stripped, and cut when very long."""
    text = value if isinstance(value, str) else repr(value)
    text = text.strip()
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 1] + "…"


def show_other_chars(text: str) -> str:
    """The characters of ``text`` that are not ASCII digits: "'O', 'l'" (first five)."""
    bad = sorted({ch for ch in text if not ("0" <= ch <= "9")})
    return ", ".join(repr(ch) for ch in bad[:5]) + (", …" if len(bad) > 5 else "")


class VnValueError(ValueError):
    """A value that cannot be read as what it should be; see the module docstring."""

    code: str
    message: str
    message_en: str
    value: Any

    def __init__(self, code: str, message: str, message_en: str, value: Any = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.message_en = message_en
        self.value = value

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r}, {self.message_en!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.code, self.message, self.message_en, self.value))


class InvalidCccd(VnValueError):
    """A CCCD (citizen identity card / personal identification) number that is not valid."""


class InvalidPhone(VnValueError):
    """A phone number that is not a valid Vietnamese mobile number."""


class InvalidDate(VnValueError):
    """A birth date that cannot be read or cannot be true."""


class InvalidGender(VnValueError):
    """A gender cell that is neither male nor female nor empty."""


class InvalidQr(VnValueError):
    """A text that is not, or not a readable, QR code of a citizen identity card. Its message
    never quotes the text (it holds an address and an old identity number)."""
