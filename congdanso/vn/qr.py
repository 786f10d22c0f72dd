"""The QR code printed on the chip-based CCCD card (2021) and on the Căn cước card (2024).

It holds UTF-8 text, fields separated by ``|``::

    066190012345|241234567|Nguyễn Thị Hoà|12041990|Nữ|Thôn Cao Bằng, Ea Yông, …|01072021

0. the 12-digit personal identification number (the CCCD);
1. the old 9-digit CMND number, often empty;
2. the full name;
3. the birth date ``ddmmyyyy`` — some cards carry ``mmyyyy`` or ``yyyy`` when only the month or
   the year is known, and the precision is kept;
4. the sex, ``Nam`` or ``Nữ``;
5. the permanent address (it contains commas);
6. the issue date ``ddmmyyyy``.

Newer cards append further fields, empty or not: seven fields or more are accepted and the rest
is ignored. The number is checked as :func:`congdanso.vn.parse_cccd` checks a typed one, and
against the card's own birth year and sex (the CCCD's 4th to 6th digits encode them).

The text holds an address and an old identity number: a caller parses it and drops it, never
stores or logs it. So neither the result's ``repr`` nor an error message quotes it — an error
names the field that is wrong, and the field's value only where it cannot be the address.
"""

from dataclasses import dataclass
from datetime import date

from congdanso.vn.cccd import parse_cccd
from congdanso.vn.dates import Precision, parse_birth_date
from congdanso.vn.errors import InvalidQr, VnValueError, show
from congdanso.vn.gender import parse_gender
from congdanso.vn.text import clean_name, clean_text
from congdanso.vn.today import vietnam_today

#: The fields a card's QR holds before any a newer card appends.
QR_FIELDS = 7
#: Longer than any card's text (a name and an address of a few hundred characters).
QR_MAX_LENGTH = 1000


@dataclass(frozen=True, slots=True)
class CccdQr:
    """What a card's QR code says (make it with :func:`parse_cccd_qr`)."""

    cccd: str
    old_id: str  # the old 9-digit CMND, or ""
    full_name: str  # NFC, cleaned as the import cleans names
    birth_date: date | None
    birth_date_precision: Precision | None
    gender: str  # "M" or "F"
    address: str
    issued_on: date | None

    @property
    def last4(self) -> str:
        return self.cccd[-4:]

    def __repr__(self) -> str:  # personal data: the number masked, nothing else
        return f"CccdQr({self.cccd[:3]}******{self.cccd[-3:]})"


def _error(code: str, message: str, message_en: str) -> InvalidQr:
    return InvalidQr(code, message, message_en, None)  # never the text itself


def looks_like_cccd_qr(text: object) -> bool:
    """Whether a search box's text is a card's QR code rather than a name or a number: seven
    fields or more, the first of them twelve digits."""
    if not isinstance(text, str) or text.count("|") < QR_FIELDS - 1:
        return False
    first = text.strip().lstrip("\ufeff").split("|", 1)[0].strip()
    return len(first) == 12 and first.isascii() and first.isdigit()


def _day(text: str, field: str, field_en: str) -> date:
    if len(text) == 8 and text.isascii() and text.isdigit():
        try:
            return date(int(text[4:]), int(text[2:4]), int(text[:2]))
        except ValueError:
            pass
    raise _error(
        "qr_issue_date",
        f"Mã QR có {field} không đọc được ({show(text)}): cần dạng ngàythángnăm, ví dụ 01072021.",
        f"The QR code's {field_en} cannot be read ({show(text)}): it should be ddmmyyyy.",
    )


def parse_cccd_qr(text: object, *, today: date | None = None) -> CccdQr:
    """The fields of a card's QR text, checked, or :class:`InvalidQr` saying which is wrong
    (a bank's VietQR, a web address, a text cut short all say it is not a card's code)."""
    if not isinstance(text, str):
        raise _error(
            "qr_type",
            "Mã QR phải là văn bản.",
            "A QR code's content must be text.",
        )
    text = text.strip().lstrip("\ufeff").strip()
    if not text:
        raise _error("qr_empty", "Mã QR trống.", "The QR code is empty.")
    if len(text) > QR_MAX_LENGTH or not looks_like_cccd_qr(text):
        raise _error(
            "qr_not_cccd",
            "Đây không phải mã QR của thẻ căn cước (CCCD): mã trên thẻ bắt đầu bằng 12 chữ số "
            "và có ít nhất 7 mục ngăn bởi dấu |. Hãy quét lại mã ở mặt trước của thẻ.",
            "This is not the QR code of a citizen identity card: a card's code starts with 12 "
            "digits and has at least 7 fields separated by |. Scan the code on the card's front.",
        )
    fields = [field.strip() for field in text.split("|")]
    number, old_id, name, born, sex, address, issued = fields[:QR_FIELDS]
    today = today or vietnam_today()
    try:
        cccd = parse_cccd(number, today=today)
    except VnValueError as error:
        raise _error(
            "qr_cccd",
            f"Số CCCD trong mã QR không hợp lệ: {error.message}",
            f"The CCCD number in the QR code is not valid: {error.message_en}",
        ) from error
    if old_id and not (len(old_id) == 9 and old_id.isascii() and old_id.isdigit()):
        raise _error(
            "qr_old_id",
            "Số CMND cũ trong mã QR không phải 9 chữ số.",
            "The old CMND number in the QR code is not 9 digits.",
        )
    full_name = clean_name(name)
    if not any(ch.isalpha() for ch in full_name):
        raise _error(
            "qr_name",
            "Mã QR không có họ và tên.",
            "The QR code holds no full name.",
        )
    birth_date: date | None = None
    precision: Precision | None = None
    if born:
        try:
            birth_date, precision = parse_birth_date(born, today=today)
        except VnValueError as error:
            raise _error(
                "qr_birth_date",
                f"Ngày sinh trong mã QR không hợp lệ: {error.message}",
                f"The birth date in the QR code is not valid: {error.message_en}",
            ) from error
    try:
        gender = parse_gender(sex) or ""
    except VnValueError as error:
        raise _error(
            "qr_gender",
            f"Giới tính trong mã QR không đọc được ({show(sex)}): cần Nam hoặc Nữ.",
            f"The sex in the QR code cannot be read ({show(sex)}): it should be Nam or Nữ.",
        ) from error
    if not gender:
        raise _error(
            "qr_gender",
            "Mã QR không ghi giới tính (Nam hoặc Nữ).",
            "The QR code holds no sex (Nam or Nữ).",
        )
    if not cccd.agrees_with(birth_year=birth_date.year if birth_date else None, gender=gender):
        raise _error(
            "qr_mismatch",
            f"Số CCCD trong mã QR ({cccd.masked()}) không khớp với năm sinh và giới tính ghi "
            "trên thẻ: mã QR bị đọc sai hoặc không phải của thẻ này.",
            f"The CCCD in the QR code ({cccd.masked()}) does not match the birth year and sex "
            "on the card: the code was misread or is not this card's.",
        )
    issued_on = _day(issued, "ngày cấp", "issue date") if issued else None
    if issued_on is not None and (
        issued_on > today or (birth_date is not None and issued_on < birth_date)
    ):
        raise _error(
            "qr_issue_date",
            f"Ngày cấp trong mã QR ({issued_on:%d/%m/%Y}) không thể đúng.",
            f"The issue date in the QR code ({issued_on:%d/%m/%Y}) cannot be right.",
        )
    return CccdQr(
        cccd=cccd.number,
        old_id=old_id,
        full_name=full_name,
        birth_date=birth_date,
        birth_date_precision=precision,
        gender=gender,
        address=clean_text(address),
        issued_on=issued_on,
    )
