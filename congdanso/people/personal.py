"""How the registry stores personal numbers: encrypted, with keyed hashes to find them.

The cipher, the keyring and the rotation are in `congdanso.core.crypto`; this module decides
what the resident tables keep (see also `models`):

- **Resident**: `cccd_encrypted` / `phone_encrypted`, the AES-GCM tokens of the 12-digit CCCD
  and the 10-digit phone (NULL / "" when there is none); `cccd_hmac` / `phone_hmac`, their
  blind indexes, for exact look-up and for the commune's unique CCCD constraint;
  `cccd_last4_hmac` / `phone_last4_hmac`, blind indexes of the last four digits, so that a
  search by the last four (or more) digits finds its candidates through an index and only
  those are decrypted; `key_version`, the oldest key version among the row's tokens (what
  `congdanso keys` counts and rotates). No digit of either number is stored in clear: the
  masked forms (`066******345`, `09******78`) are made by decrypting, which costs a few
  microseconds a value.
- **DataIssue** of a CCCD or phone field (a rejected or suspicious value): `original_value`
  holds the value *masked*, `original_encrypted` the whole value, and the digits of `detail`
  (the parser's explanation quotes the value) are masked too.
- **ImportRun**: the rejected rows (their cells hold CCCDs and phones) are one encrypted JSON.

Search works with the full CCCD or phone (any spelling the importer accepts: spaces, dots,
+84…) or with the last four digits or more; a fragment from the middle or the start of a
number finds nothing, since nothing in clear could match it.
"""

import re

from congdanso.core.crypto import Keyring, keyring, token_version
from congdanso.vn import Cccd, mask_phone

#: Associated data of each encrypted column: a token moved to another column fails to decrypt.
CCCD = "people.resident.cccd"
PHONE = "people.resident.phone"
ISSUE_ORIGINAL = "people.dataissue.original_value"
RUN_REJECTED = "people.importrun.rejected_rows"
JOB_REJECTED = "people.importjob.rejected_rows"
#: Contexts of the blind indexes.
CCCD_LAST4 = "people.resident.cccd.last4"
PHONE_LAST4 = "people.resident.phone.last4"

#: DataIssue fields whose original value is personal.
PERSONAL_FIELDS = frozenset({"cccd", "phone"})
LAST4_INDEX_CHARS = 16  # 64 bits are plenty for 10,000 possible values


#: A number as stored: (token, blind index, blind index of its last four digits). A plain
#: tuple, not a named one: the import's reader process sends millions of them to the writer,
#: and a named tuple is rebuilt by a Python-level call when unpickled.
Sealed = tuple[str, str, str]
TOKEN = 0


def _last4(ring: Keyring, number: str, context: str) -> str:
    return ring.index_remembered(number[-4:], context)[:LAST4_INDEX_CHARS]


def cccd_keys(number: str, ring: Keyring | None = None) -> tuple[str, str]:
    """The look-up keys of a CCCD (12 digits, as `parse_cccd` gives them): of the number, and
    of its last four digits."""
    if not (len(number) == 12 and number.isascii() and number.isdigit()):
        raise ValueError("a CCCD is stored as its 12 digits")
    ring = ring or keyring()
    return ring.index(number, CCCD), _last4(ring, number, CCCD_LAST4)


def phone_keys(number: str, ring: Keyring | None = None) -> tuple[str, str]:
    """The look-up keys of a phone (the 10-digit national form, as `normalize_phone` gives
    it): of the number, and of its last four digits."""
    if not (len(number) == 10 and number.isascii() and number.isdigit()):
        raise ValueError("a phone is stored as its 10 digits")
    ring = ring or keyring()
    return ring.index(number, PHONE), _last4(ring, number, PHONE_LAST4)


def seal_cccd(number: str, ring: Keyring | None = None) -> Sealed:
    ring = ring or keyring()
    keys = cccd_keys(number, ring)  # checks the number before anything is encrypted
    return (ring.encrypt(number, CCCD), *keys)


def seal_phone(number: str, ring: Keyring | None = None) -> Sealed:
    ring = ring or keyring()
    keys = phone_keys(number, ring)
    return (ring.encrypt(number, PHONE), *keys)


def cccd_hmac(number: str) -> str:
    return keyring().index(number, CCCD)


def phone_hmac(number: str) -> str:
    return keyring().index(number, PHONE)


def last4_hmacs(digits: str) -> tuple[str, str]:
    """(CCCD, phone) blind indexes of the last four of `digits`."""
    ring = keyring()
    return _last4(ring, digits, CCCD_LAST4), _last4(ring, digits, PHONE_LAST4)


def key_version_of(*tokens: str | None) -> int | None:
    """The oldest key version among a row's tokens; None when it holds none."""
    versions = [token_version(t) for t in tokens if t]
    return min(versions) if versions else None


def mask_value(field: str, text: str) -> str:
    """A personal field's value masked for display: a valid CCCD as `066******345`, anything
    else (a phone, an invalid value) keeping only its first two and last two characters."""
    if field == "cccd" and len(text) == 12 and text.isdigit():
        return Cccd(text).masked()
    return mask_phone(text)


_DIGIT_RUN = re.compile(r"\d(?:[ .\-]?\d){4,}")


def mask_digits(text: str) -> str:
    """Every run of five digits or more (spaces, dots or dashes inside included) keeps only
    its first two and last two digits: for explanations that quote a personal value."""

    def mask(match: re.Match[str]) -> str:
        run = match.group()
        digits = [i for i, ch in enumerate(run) if ch.isdigit()]
        hidden = set(digits[2:-2])
        return "".join("*" if i in hidden else ch for i, ch in enumerate(run))

    return _DIGIT_RUN.sub(mask, text)
