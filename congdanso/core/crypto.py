"""Encryption at rest of personal data (CCCD and phone numbers), with keys outside the database.

What is stored
--------------
A personal value is stored as a *token*: ``"<version>:<base64(nonce ‖ ciphertext ‖ tag)>"``,
AES-256-GCM (``cryptography``'s AESGCM) under the data key of that version, a fresh random
96-bit nonce per value (``os.urandom``, drawn a few thousand nonces at a time: see
:class:`_Nonces`; a forked process never repeats its parent's), and
as associated data the name of the column the value belongs to (``"people.resident.cccd"``).
A token that was modified, or copied into another column, or read with the wrong key, does not
decrypt: :class:`DecryptionError` says which column failed. GCM with random nonces stays safe
for about 2³² values per key; rotating the key (below) resets that count.

Exact look-up and uniqueness use a keyed hash (a *blind index*): HMAC-SHA256 under a separate
index key over ``context ‖ 0x00 ‖ value``, truncated to 128 bits, in hex. The same value in
the same context always gives the same index, so a unique constraint and an equality filter
work on it; without the key nobody can compute it, so it does not reveal the value (a
12-digit number would otherwise be found by trying them all).

The keyring
-----------
JSON, from the environment variable ``CONGDANSO_KEYS`` when set, else from the file
``CONGDANSO_KEYS_FILE`` (default ``keys.json`` in the data directory), which is created with
mode 0600 on first use — only for a database that holds no encrypted value yet: otherwise its
absence is an error, not a reason for a new keyring (see ``congdanso.core.keycheck``, which
also checks at every start that the keyring at hand opens the data) — and refused when group
or others may read it::

    {"active": 2, "keys": {"1": "<base64 of 32 bytes>", "2": "…"}, "index_key": "<base64>"}

Every token names the version of its data key, so old values stay readable while a rotation
(``congdanso keys rotate``) re-encrypts them under the new active key; an old key leaves the
keyring only once no row uses it (``keys rotate --retire-old``). The index key is **not**
rotated: changing it means recomputing every index, during which look-ups and uniqueness
would not hold. Losing the keyring loses the data: back it up apart from the database.

A process keeps the keyring it loaded; a token under a version it does not know makes it read
the keyring again once (another process rotated), before failing.

Rotating the data key is `congdanso.core.rotation`.

What the people app stores this way (CCCD, phone, rejected values, the import log's rejected
rows) and which keyed hashes it keeps for search is in ``congdanso.people.personal``.
"""

import base64
import binascii
import contextlib
import hashlib
import hmac
import json
import os
import secrets
import tempfile
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from congdanso.core.errors import DomainError, Message

KEYS_ENV = "CONGDANSO_KEYS"
KEYS_FILE_ENV = "CONGDANSO_KEYS_FILE"
KEYS_FILE_NAME = "keys.json"
KEY_BYTES = 32
NONCE_BYTES = 12
INDEX_BYTES = 16  # 128 bits of HMAC: collisions are out of reach for any registry
REMEMBERED_INDEXES = 100_000  # per context (see Keyring.index_remembered)


class _Nonces:
    """Random nonces taken from one `os.urandom` call per `BLOCK` of them.

    An import encrypts hundreds of thousands of values; a system call per nonce cost more than
    the encryption, and each one let go of the GIL (a busy second thread then held it for a
    whole switch interval). The bytes are the same operating-system randomness, sliced. A
    nonce must never be used twice under one key: a lock hands out each slice once, and a
    forked child drops the block it inherited and the lock (`os.register_at_fork`), so it
    cannot repeat its parent's nonces nor wait for a lock a thread of the parent held. The
    parent keeps both: a thread of it may be inside `take` at the fork, and a block or lock
    swapped under it would hand out an empty slice, or one slice twice.
    """

    BLOCK = 4096

    def __init__(self) -> None:
        self._reset()
        os.register_at_fork(after_in_child=self._reset)

    def _reset(self) -> None:
        # A new lock too: one held by another thread at the fork would stay held in the child.
        self._lock = threading.Lock()
        self._pool = b""
        self._next = 0

    def take(self) -> bytes:
        with self._lock:
            start = self._next
            if start >= len(self._pool):
                self._pool = os.urandom(NONCE_BYTES * self.BLOCK)
                start = 0
            self._next = start + NONCE_BYTES
            return self._pool[start : start + NONCE_BYTES]


_nonces = _Nonces()


class CryptoError(DomainError):
    code = "crypto_error"


class KeyringError(CryptoError):
    code = "keyring_invalid"


class DecryptionError(CryptoError):
    code = "decryption_failed"


def _b64decode_key(text: Any, what: str, source: str) -> bytes:
    try:
        raw = base64.b64decode(str(text), validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != KEY_BYTES:
        raise KeyringError(
            Message(
                _("The keyring %(source)s is invalid: %(what)s is not %(bytes)d bytes in base64."),
                source=source,
                what=what,
                bytes=KEY_BYTES,
            )
        )
    return raw


def _new_key() -> str:
    return base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")


@dataclass(frozen=True)
class Keyring:
    """Versioned data keys, the active version, and the index (HMAC) key."""

    active: int
    keys: Mapping[int, bytes]
    index_key: bytes
    #: Where it came from: the file's path, or the environment variable's name.
    source: str = ""
    from_environment: bool = False
    _ciphers: dict[int, AESGCM] = field(default_factory=dict, compare=False, repr=False)
    _hmacs: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    _remembered: dict[str, dict[str, str]] = field(default_factory=dict, compare=False, repr=False)

    # -- making and reading --------------------------------------------------------------
    @classmethod
    def generate(cls) -> "Keyring":
        return cls.from_json(
            json.dumps({"active": 1, "keys": {"1": _new_key()}, "index_key": _new_key()})
        )

    @classmethod
    def from_json(cls, text: str, *, source: str = "", from_environment: bool = False) -> "Keyring":
        def invalid(what: Any) -> KeyringError:
            return KeyringError(
                Message(_("The keyring %(source)s is invalid: %(what)s."), source=source, what=what)
            )

        try:
            data = json.loads(text)
        except ValueError as error:
            raise invalid(_("it is not JSON")) from error
        if not isinstance(data, dict) or not isinstance(data.get("keys"), dict):
            raise invalid(_('it has no "keys" object'))
        keys: dict[int, bytes] = {}
        for version, key in data["keys"].items():
            if not str(version).isdigit() or int(version) < 1:
                raise invalid(_("a key version is not a positive number"))
            keys[int(version)] = _b64decode_key(key, f"key {version}", source)
        active = data.get("active")
        if not isinstance(active, int) or active not in keys:
            raise invalid(_("the active version is not one of the keys"))
        index_key = _b64decode_key(data.get("index_key"), "index_key", source)
        return cls(active, keys, index_key, source, from_environment)

    def to_json(self) -> str:
        return json.dumps(
            {
                "active": self.active,
                "keys": {
                    str(v): base64.b64encode(k).decode("ascii")
                    for v, k in sorted(self.keys.items())
                },
                "index_key": base64.b64encode(self.index_key).decode("ascii"),
            },
            indent=1,
        )

    def with_new_active_key(self) -> "Keyring":
        version = max(self.keys) + 1
        keys = {**self.keys, version: base64.b64decode(_new_key())}
        return Keyring(version, keys, self.index_key, self.source, self.from_environment)

    def without(self, versions: Iterable[int]) -> "Keyring":
        drop = set(versions) - {self.active}
        keys = {v: k for v, k in self.keys.items() if v not in drop}
        return Keyring(self.active, keys, self.index_key, self.source, self.from_environment)

    # -- using ---------------------------------------------------------------------------
    def _cipher(self, version: int) -> AESGCM:
        cipher = self._ciphers.get(version)
        if cipher is None:
            cipher = self._ciphers[version] = AESGCM(self.keys[version])
        return cipher

    def encrypt(self, value: str, context: str) -> str:
        """The token of `value` in the column `context`, under the active key."""
        nonce = _nonces.take()
        sealed = self._cipher(self.active).encrypt(nonce, value.encode(), context.encode())
        return f"{self.active}:{binascii.b2a_base64(nonce + sealed, newline=False).decode()}"

    def decrypt(self, token: str, context: str) -> str:
        version = token_version(token, context)
        if version not in self.keys:
            raise DecryptionError(
                Message(
                    _(
                        "A value of %(column)s is encrypted with key %(version)d, which the "
                        "keyring %(source)s does not hold."
                    ),
                    column=context,
                    version=version,
                    source=self.source,
                ),
                code="key_missing",
            )
        try:
            raw = base64.b64decode(token[token.index(":") + 1 :], validate=True)
            plain = self._cipher(version).decrypt(
                raw[:NONCE_BYTES], raw[NONCE_BYTES:], context.encode()
            )
        except (InvalidTag, binascii.Error, ValueError) as error:
            raise _tampered(context) from error
        return plain.decode()

    def index(self, value: str, context: str) -> str:
        """The blind index (keyed hash) of `value` in `context`."""
        # HMAC(key, context ‖ 0x00 ‖ value), from an HMAC already fed the context: copying it
        # is cheaper than keying a new one for every value (the import hashes millions).
        keyed = self._hmacs.get(context)
        if keyed is None:
            keyed = self._hmacs[context] = hmac.new(
                self.index_key, context.encode() + b"\x00", hashlib.sha256
            )
        running = keyed.copy()
        running.update(value.encode())
        return running.digest()[:INDEX_BYTES].hex()

    def index_remembered(self, value: str, context: str) -> str:
        """`index`, remembered per context: for values of a small set that repeat a lot (the
        last four digits of numbers: 10,000 values, met hundreds of thousands of times)."""
        remembered = self._remembered.get(context)
        if remembered is None:
            remembered = self._remembered[context] = {}
        found = remembered.get(value)
        if found is None:
            if len(remembered) >= REMEMBERED_INDEXES:
                remembered.clear()
            found = remembered[value] = self.index(value, context)
        return found


def _tampered(context: str) -> DecryptionError:
    return DecryptionError(
        Message(
            _(
                "A value of %(column)s cannot be decrypted: it was modified, moved from "
                "another column, or encrypted with another key."
            ),
            column=context,
        )
    )


def token_version(token: str, context: str = "?") -> int:
    """The key version a token names (without decrypting it)."""
    version, colon, _rest = token.partition(":")
    if not colon or not version.isdigit():
        raise _tampered(context)
    return int(version)


# -- where the keyring lives ---------------------------------------------------------------
def keys_path() -> Path:
    configured = os.environ.get(KEYS_FILE_ENV)
    if configured:
        return Path(configured)
    return Path(settings.DATA_DIR) / KEYS_FILE_NAME


def _read_file(path: Path) -> Keyring:
    mode = path.stat().st_mode
    if mode & 0o077:
        raise KeyringError(
            Message(
                _(
                    "The keyring file %(path)s may be read by other users (mode %(mode)s): "
                    "run chmod 600 on it."
                ),
                path=path,
                mode=oct(mode & 0o777),
            ),
            code="keyring_permissions",
        )
    return Keyring.from_json(path.read_text(encoding="utf-8"), source=str(path))


def _create_file(path: Path) -> None:
    """Write a new keyring at `path` unless one is there: written aside with mode 0600, then
    linked into place, which fails if another process created it first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=".keys-", dir=path.parent)  # mode 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(Keyring.generate().to_json())
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        os.unlink(temporary)


_loaded: dict[str, Keyring] = {}
_loading = threading.Lock()


def _source_key() -> str:
    from_env = os.environ.get(KEYS_ENV)
    return f"env:{from_env}" if from_env else f"file:{keys_path()}"


def keyring(*, create: bool = True) -> Keyring:
    """The keyring in use (loaded once per process and source). An absent file is created,
    with `create`, only for a database that holds no sealed value: a new keyring would not
    open them, and what it sealed would be lost once the right one is back (core.keycheck)."""
    source = _source_key()
    found = _loaded.get(source)
    if found is not None:
        return found
    with _loading:
        if source.startswith("env:"):
            found = Keyring.from_json(source[4:], source=KEYS_ENV, from_environment=True)
        else:
            path = keys_path()
            if not path.exists():
                from congdanso.core.keycheck import sealed_values_stored

                if not create or sealed_values_stored():
                    raise _keyring_missing(path)
                _create_file(path)
            found = _read_file(path)
        _loaded[source] = found
    return found


def _keyring_missing(path: Path) -> KeyringError:
    return KeyringError(
        Message(
            _(
                "The keyring file %(path)s is missing; a new one would not open the values "
                "this database holds, so none was made. Put the keyring back (a backup made "
                "with --include-keys has it in FILE.keys.tar: tar -xpf FILE.keys.tar -C "
                "%(folder)s) or give it in %(variable)s."
            ),
            path=path,
            folder=path.parent,
            variable=KEYS_ENV,
        ),
        code="keyring_missing",
    )


def keyring_reload() -> Keyring:
    _loaded.pop(_source_key(), None)
    return keyring()


def keyring_save(new: Keyring) -> Keyring:
    """Replace the keyring file with `new` (durably, mode 0600) and use it from now on."""
    if new.from_environment:
        raise KeyringError(
            Message(
                _(
                    "The keyring comes from the environment variable %(variable)s: it cannot be "
                    "changed from here. Put the new keyring into the variable instead."
                ),
                variable=KEYS_ENV,
            ),
            code="keyring_in_environment",
        )
    path = Path(new.source) if new.source else keys_path()
    fd, temporary = tempfile.mkstemp(prefix=".keys-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(new.to_json())
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
    return keyring_reload()


# -- the operations the apps use -----------------------------------------------------------
def encrypt(value: str, context: str) -> str:
    return keyring().encrypt(value, context)


def decrypt(token: str, context: str) -> str:
    ring = keyring()
    if token_version(token, context) not in ring.keys and not ring.from_environment:
        ring = keyring_reload()  # rotated by another process since this one loaded it
    return ring.decrypt(token, context)
