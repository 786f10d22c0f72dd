"""Whether the keys at hand are the ones this database's encrypted values need.

Why: a keyring that was lost or replaced (a restore without its keys, a keys.json from another
machine) used to be replaced in silence: the next command generated a new keyring, new rows
were sealed with it, old rows no longer decrypted, the look-up key changed so that matching by
CCCD stopped and imports made duplicates — and once the right keys were back, the rows written
in between could not be read any more. So:

- The database keeps a *fingerprint* of each key its values need (`core.models.KeyFingerprint`):
  HMAC-SHA256 of a fixed text under the key, 128 bits in hex. It tells whether a key is the
  same and reveals nothing of it. Fingerprints are recorded the first time a keyring is
  checked against sealed values (`keys_start_check`), by `keys rotate` when it adds a key
  (before anything is encrypted with it), and dropped by `keys rotate --retire-old`.
- No keyring is generated for a database that holds sealed values (`sealed_values_stored`,
  asked by `crypto.keyring` before it creates a file).
- Every start (`core.startup`) checks the keyring at hand against the fingerprints and against
  a sample of the stored values — a few tokens per key version decrypted, and the look-up key
  recomputing the stored look-up keys of decrypted numbers (a model names them in
  `blind_indexes`, token column → look-up key column) — and refuses to run on a mismatch.
  The sample comes from the newest and the oldest rows of each encrypted table by primary
  key: a few indexed queries per start. A database without fingerprints yet (made before
  they existed) is checked thoroughly once — every key version its rows name — and then
  gets them.
"""

import contextlib
import hashlib
import hmac
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.utils.translation import gettext_lazy as _

from congdanso.core import crypto, rotation
from congdanso.core.crypto import CryptoError, Keyring, KeyringError
from congdanso.core.errors import Message
from congdanso.core.models import KeyFingerprint, KeyKind

FINGERPRINT_TEXT = b"congdanso key fingerprint"
FINGERPRINT_CHARS = 32
#: The look-up key is not versioned.
INDEX_VERSION = 1
#: Rows read (id and key version only) at each end of each encrypted table.
WINDOW = 50
#: Values decrypted per key version; stored look-up keys recomputed.
PER_VERSION = 3
INDEX_SAMPLES = 3

KeyId = tuple[str, int]  # (kind, version)


def fingerprint(key: bytes) -> str:
    return hmac.new(key, FINGERPRINT_TEXT, hashlib.sha256).hexdigest()[:FINGERPRINT_CHARS]


def keyring_fingerprints(ring: Keyring) -> dict[KeyId, str]:
    prints = {(str(KeyKind.DATA), version): fingerprint(key) for version, key in ring.keys.items()}
    prints[(str(KeyKind.INDEX), INDEX_VERSION)] = fingerprint(ring.index_key)
    return prints


def fingerprints_to_json(prints: dict[KeyId, str]) -> dict[str, str]:
    """{"data:1": "…", "index:1": "…"}: for the backup manifest."""
    return {f"{kind}:{version}": value for (kind, version), value in sorted(prints.items())}


def fingerprints_from_json(data: dict[str, str]) -> dict[KeyId, str]:
    prints = {}
    for name, value in data.items():
        kind, _colon, version = name.partition(":")
        prints[(kind, int(version))] = value
    return prints


def key_label(key: KeyId) -> Message:
    kind, version = key
    if kind == KeyKind.INDEX:
        return Message(_("the look-up key"))
    return Message(_("key %(version)d"), version=version)


# -- what the database holds ---------------------------------------------------------------
def _tables(using: str) -> set[str] | None:
    """The database's tables; None when it cannot be reached (then it holds nothing here)."""
    try:
        return set(connections[using].introspection.table_names())
    except DatabaseError:
        return None


@contextlib.contextmanager
def _reading(using: str) -> Any:
    """A savepoint when inside a transaction, so that a failed query leaves it usable
    (PostgreSQL aborts the whole transaction otherwise); nothing outside one (on SQLite an
    outer atomic block would take the write lock)."""
    if connections[using].in_atomic_block:
        with transaction.atomic(using=using):
            yield
    else:
        yield


def fingerprints_stored(
    using: str = DEFAULT_DB_ALIAS, tables: set[str] | None = None
) -> dict[KeyId, str]:
    tables = _tables(using) if tables is None else tables
    if not tables or KeyFingerprint._meta.db_table not in tables:
        return {}
    rows = KeyFingerprint.objects.using(using).values_list("kind", "version", "fingerprint")
    return {(kind, version): value for kind, version, value in rows}


def sealed_values_stored(using: str = DEFAULT_DB_ALIAS, tables: set[str] | None = None) -> bool:
    """Whether the database holds values sealed with some keyring (a fingerprint, or a row
    of an encrypted table that names a key version). A database that cannot be reached or
    is not migrated far enough holds none."""
    tables = _tables(using) if tables is None else tables
    if not tables:
        return False
    try:
        with _reading(using):
            fingerprints = KeyFingerprint.objects.using(using)
            if KeyFingerprint._meta.db_table in tables and fingerprints.exists():
                return True
            return any(
                table.model.objects.using(using).filter(key_version__isnull=False).exists()
                for table in rotation.encrypted_tables()
                if table.model._meta.db_table in tables
            )
    except DatabaseError:
        return False  # a table without its key_version column yet: nothing sealed


# -- the sample ------------------------------------------------------------------------------
@dataclass
class _Sample:
    tokens: dict[int, list[tuple[str, str]]] = field(default_factory=dict)  # version → (token, ad)
    indexes: list[tuple[str, str, str]] = field(default_factory=list)  # token, ad, stored index
    broken: list[str] = field(default_factory=list)  # columns of tokens naming no version

    def wants(self, version: int, looks_up: bool) -> bool:
        return len(self.tokens.get(version, ())) < PER_VERSION or (
            looks_up and len(self.indexes) < INDEX_SAMPLES
        )

    def add(self, token: str, context: str) -> int | None:
        try:
            version = crypto.token_version(token, context)
        except CryptoError:
            self.broken.append(context)
            return None
        found = self.tokens.setdefault(version, [])
        if len(found) < PER_VERSION:
            found.append((token, context))
        return version


def _versions_in_use(table: rotation.EncryptedTable, using: str) -> set[int]:
    from django.db.models import Count

    counted = (
        table.model.objects.using(using)
        .filter(key_version__isnull=False)
        .order_by()
        .values_list("key_version")
        .annotate(rows=Count("pk"))
    )
    return {version for version, _rows in counted}


def _sample(tables: set[str], using: str, *, thorough: bool) -> tuple[_Sample, set[int]]:
    """Tokens to decrypt and look-up keys to recompute; with `thorough`, also the key
    versions every row names (a full read of the key version column), each sampled."""
    sample, in_use = _Sample(), set()
    for table in rotation.encrypted_tables():
        model = table.model
        if model._meta.db_table not in tables:
            continue
        lookups: dict[str, str] = getattr(model, "blind_indexes", {})
        objects = model.objects.using(using)
        ends = [
            *objects.order_by("-pk").values_list("pk", "key_version")[:WINDOW],
            *objects.order_by("pk").values_list("pk", "key_version")[:WINDOW],
        ]
        by_version: dict[int, list[int]] = {}
        for pk, version in ends:
            if version is not None and pk not in by_version.setdefault(version, []):
                by_version[version].append(pk)
        if thorough:
            versions = _versions_in_use(table, using)
            in_use |= versions
            for version in versions - set(by_version):
                pks = objects.filter(key_version=version).order_by("-pk").values_list("pk")
                by_version[version] = [pk for (pk,) in pks[:PER_VERSION]]
        chosen = [
            pk
            for version, pks in sorted(by_version.items())
            if sample.wants(version, bool(lookups))
            for pk in pks[:PER_VERSION]
        ]
        if not chosen:
            continue
        columns = list(table.columns)
        for row in objects.filter(pk__in=chosen).values_list(*columns, *lookups.values()):
            tokens = dict(zip(columns, row[: len(columns)], strict=True))
            stored = dict(zip(lookups, row[len(columns) :], strict=True))
            for column, token in tokens.items():
                if not token:
                    continue
                context = table.columns[column]
                sample.add(token, context)
                if stored.get(column) and len(sample.indexes) < INDEX_SAMPLES:
                    sample.indexes.append((token, context, stored[column]))
    return sample, in_use


# -- the check -------------------------------------------------------------------------------
@dataclass(frozen=True)
class KeyReport:
    """One key: what the database recorded, what the keyring at hand holds, how the sample
    went (for the look-up key: stored look-up keys recomputed)."""

    kind: str
    version: int
    stored: str | None
    held: str | None
    tried: int = 0
    opened: int = 0

    @property
    def fingerprint_matches(self) -> bool | None:
        if self.stored is None or self.held is None:
            return None
        return hmac.compare_digest(self.stored, self.held)


@dataclass(frozen=True)
class KeysCheck:
    source: str  # the keyring at hand: a path, or the environment variable's name
    keyring: Keyring | None
    sealed: bool  # the database holds sealed values (then the keys matter)
    keys: tuple[KeyReport, ...] = ()
    problems: tuple[Message, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems

    def refusal(self) -> Message:
        """What is wrong and what to do, in one line."""
        if self.keyring is None:  # missing or unreadable: the keyring's error says what to do
            return Message(
                _("The encrypted data of this database cannot be opened: %(problem)s"),
                problem=self.problems[0],
            )
        return Message(
            _(
                "The keys at hand do not open this database's encrypted data: %(problem)s Put "
                "back the keyring it was encrypted with (%(source)s; from a backup made with "
                "--include-keys: tar -xpf FILE.keys.tar -C %(folder)s). `congdanso keys "
                "status` shows which key is wrong."
            ),
            problem=self.problems[0],
            source=self.source,
            folder=crypto.keys_path().parent,
        )


def keyring_at_hand() -> tuple[Keyring | None, KeyringError | None]:
    """The keyring from CONGDANSO_KEYS or the keys file, read again and never created; or
    why there is none."""
    crypto._loaded.pop(crypto._source_key(), None)
    try:
        return crypto.keyring(create=False), None
    except KeyringError as error:
        return None, error


def _source() -> str:
    return crypto.KEYS_ENV if os.environ.get(crypto.KEYS_ENV) else str(crypto.keys_path())


def keys_check(using: str = DEFAULT_DB_ALIAS, *, thorough: bool = False) -> KeysCheck:
    """The keyring at hand against the fingerprints and a sample of the stored values (see
    the module docstring). `thorough` samples every key version in use (a full read of the
    key version columns); a database with no fingerprint yet is always checked so."""
    tables = _tables(using)
    if tables is None:
        return KeysCheck(_source(), None, sealed=False)  # unreachable: the command will say
    stored = fingerprints_stored(using, tables)
    sample, in_use = _sample(tables, using, thorough=False)
    sealed = bool(stored or sample.tokens or sample.broken)
    # Only when the ends of the tables hold no token: a scan, short unless nothing is sealed.
    sealed = sealed or sealed_values_stored(using, tables)
    ring, trouble = keyring_at_hand()
    if not sealed:
        return KeysCheck(_source(), ring, sealed=False)
    if thorough or not stored:  # once per database, before its fingerprints are recorded
        sample, in_use = _sample(tables, using, thorough=True)
    if ring is None:
        problem = trouble.message if trouble else Message(_("There is no keyring."))
        return KeysCheck(_source(), None, True, _reports(stored, {}, {}), (problem,))
    held = keyring_fingerprints(ring)
    problems: dict[KeyId, Message] = {}
    for key, value in sorted(stored.items()):
        if key not in held:
            problems[key] = _lacks(key[1])
        elif not hmac.compare_digest(value, held[key]):
            problems[key] = _differs(key)
    results: dict[KeyId, tuple[int, int]] = {}
    for version, tokens in sorted(sample.tokens.items()):
        opened = 0
        for token, context in tokens:
            try:
                ring.decrypt(token, context)
            except CryptoError as error:
                problems.setdefault((str(KeyKind.DATA), version), error.message)
            else:
                opened += 1
        results[(str(KeyKind.DATA), version)] = (len(tokens), opened)
    for version in sorted(in_use - set(sample.tokens)):  # named by rows, no token found
        if version not in ring.keys:
            problems.setdefault((str(KeyKind.DATA), version), _lacks(version))
    index_key: KeyId = (str(KeyKind.INDEX), INDEX_VERSION)
    recomputed = 0
    for token, context, stored_index in sample.indexes:
        with contextlib.suppress(CryptoError):  # a token that does not open is reported above
            if hmac.compare_digest(ring.index(ring.decrypt(token, context), context), stored_index):
                recomputed += 1
                continue
            problems.setdefault(
                index_key,
                Message(
                    _(
                        "The look-up key of the keyring does not give the look-up keys stored "
                        "with the numbers: it is not the one they were computed with."
                    )
                ),
            )
    if sample.indexes:
        results[index_key] = (len(sample.indexes), recomputed)
    for context in sample.broken[:1]:
        problems.setdefault(("broken", 0), crypto._tampered(context).message)
    return KeysCheck(
        _source(),
        ring,
        True,
        _reports(stored, held, results),
        tuple(message for _key, message in sorted(problems.items(), key=_problem_order)),
    )


def _lacks(version: int) -> Message:
    return Message(
        _("The keyring lacks key %(version)d, which this database's values need."),
        version=version,
    )


def _differs(key: KeyId) -> Message:
    if key[0] == KeyKind.INDEX:
        return Message(
            _(
                "The look-up key of the keyring is not the one this database's look-up keys "
                "were computed with."
            )
        )
    return Message(
        _("Key %(version)d of the keyring is not the one this database's values were sealed with."),
        version=key[1],
    )


def _problem_order(item: tuple[KeyId, Message]) -> tuple[int, str, int]:
    (kind, version), _message = item
    return (0 if kind == KeyKind.DATA else 1, kind, version)


def _reports(
    stored: dict[KeyId, str], held: dict[KeyId, str], results: dict[KeyId, tuple[int, int]]
) -> tuple[KeyReport, ...]:
    keys = sorted(set(stored) | set(held) | set(results), key=lambda key: (key[0] != "data", key))
    return tuple(
        KeyReport(kind, version, stored.get((kind, version)), held.get((kind, version)),
                  *results.get((kind, version), (0, 0)))
        for kind, version in keys
    )  # fmt: skip


# -- recording -------------------------------------------------------------------------------
def fingerprints_record(ring: Keyring, using: str = DEFAULT_DB_ALIAS) -> list[KeyId]:
    """Record the fingerprints of the keys of `ring` the database has none of yet."""
    tables = _tables(using)
    if not tables or KeyFingerprint._meta.db_table not in tables:
        return []  # not migrated yet: the next start records them
    stored = fingerprints_stored(using, tables)
    new = {key: value for key, value in keyring_fingerprints(ring).items() if key not in stored}
    KeyFingerprint.objects.using(using).bulk_create(
        [KeyFingerprint(kind=kind, version=version, fingerprint=value)
         for (kind, version), value in sorted(new.items())],
        ignore_conflicts=True,  # another process starting at the same time
    )  # fmt: skip
    return sorted(new)


def fingerprints_forget(versions: Iterable[int], using: str = DEFAULT_DB_ALIAS) -> None:
    """Drop the fingerprints of data keys removed from the keyring (no row uses them)."""
    if KeyFingerprint._meta.db_table in (_tables(using) or ()):
        KeyFingerprint.objects.using(using).filter(
            kind=KeyKind.DATA, version__in=list(versions)
        ).delete()


def fingerprints_for_backup(using: str = DEFAULT_DB_ALIAS) -> dict[KeyId, str] | None:
    """The fingerprints of the keys the database's values need, for a backup's manifest: those
    recorded; for a database that has sealed values but none recorded yet, those of the
    keyring at hand (None when there is none: unknown); {} when nothing is sealed."""
    stored = fingerprints_stored(using)
    if stored:
        return stored
    if not sealed_values_stored(using):
        return {}
    ring, _trouble = keyring_at_hand()
    return keyring_fingerprints(ring) if ring is not None else None


def keys_start_check(using: str = DEFAULT_DB_ALIAS) -> Message | None:
    """What the start of a command or of the server checks: None when it may go on (the
    fingerprints of keys not recorded yet are then recorded), else why it may not."""
    check = keys_check(using)
    if not check.sealed:
        return None
    if not check.ok:
        return check.refusal()
    if check.keyring is not None and any(key.stored is None for key in check.keys):
        with contextlib.suppress(DatabaseError):  # a read-only database: checked next time
            fingerprints_record(check.keyring, using)
    return None


def keys_verify(using: str = DEFAULT_DB_ALIAS) -> Keyring | None:
    """For an action that uses the keys of a database that may not have been checked at start
    (`keys rotate`): the keyring, or KeyringError when it does not open the database."""
    check = keys_check(using)
    if not check.ok:
        raise KeyringError(check.refusal(), code="keyring_mismatch")
    return check.keyring
