"""Vietnamese text, identity-number, phone and date helpers. Pure Python: no Django here.

Every function is meant for bulk use (each cell of a 200,000-row import): caches, precompiled
patterns and fast paths keep a typical call at a few microseconds. Parsers raise subclasses of
:class:`VnValueError` (a ``ValueError``) with a stable ``code``, a Vietnamese ``message`` and an
English ``message_en``.

Modules: :mod:`.text` (fold, clean_name), :mod:`.legacy` (TCVN3/VNI), :mod:`.cccd`,
:mod:`.phone`, :mod:`.dates`, :mod:`.gender`, :mod:`.places`, :mod:`.qr` (a CCCD card's QR code),
:mod:`.errors`,
:mod:`.collation` (the order of names on official lists).
"""

from congdanso.vn.cccd import Cccd, parse_cccd, province_name
from congdanso.vn.collation import name_sort_key
from congdanso.vn.dates import (
    PRECISIONS,
    Precision,
    date_to_excel_serial,
    excel_serial_to_date,
    format_birth_date,
    parse_birth_date,
)
from congdanso.vn.errors import (
    ERROR_CODES,
    InvalidCccd,
    InvalidDate,
    InvalidGender,
    InvalidPhone,
    InvalidQr,
    VnValueError,
)
from congdanso.vn.gender import parse_gender
from congdanso.vn.legacy import (
    decode_legacy,
    detect_legacy,
    detect_legacy_encoding,
    encode_legacy,
    fix_legacy,
)
from congdanso.vn.phone import mask_phone, normalize_phone, phone_carrier
from congdanso.vn.places import (
    PLACE_KINDS,
    PlaceKind,
    place_key,
    split_place_name,
    village_display_name,
)
from congdanso.vn.qr import CccdQr, looks_like_cccd_qr, parse_cccd_qr
from congdanso.vn.text import clean_name, clean_text, fold, title_case
from congdanso.vn.today import vietnam_today

__all__ = [
    "ERROR_CODES",
    "PLACE_KINDS",
    "PRECISIONS",
    "Cccd",
    "CccdQr",
    "InvalidCccd",
    "InvalidDate",
    "InvalidGender",
    "InvalidPhone",
    "InvalidQr",
    "PlaceKind",
    "Precision",
    "VnValueError",
    "clean_name",
    "clean_text",
    "date_to_excel_serial",
    "decode_legacy",
    "detect_legacy",
    "detect_legacy_encoding",
    "encode_legacy",
    "excel_serial_to_date",
    "fix_legacy",
    "fold",
    "looks_like_cccd_qr",
    "format_birth_date",
    "mask_phone",
    "name_sort_key",
    "normalize_phone",
    "parse_birth_date",
    "parse_cccd",
    "parse_cccd_qr",
    "parse_gender",
    "phone_carrier",
    "place_key",
    "province_name",
    "split_place_name",
    "title_case",
    "vietnam_today",
    "village_display_name",
]
