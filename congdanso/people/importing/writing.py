"""Matching clean rows to residents and writing them, a chunk at a time.

Identity (in this order):
1. an `id` column (a file exported by `export-residents`) naming a resident of the commune;
2. same commune + same CCCD → same person; if that resident's data is clearly another
   person's (different folded name *and* different birth year or gender), the row is rejected;
3. no CCCD match: same folded name + same birth date (both unknown counts as the same) + same
   village → same person (a CCCD in the row is then added to that person). Among several
   such namesakes the one no earlier row of the file took and that agrees best (phone,
   gender, precision) is chosen, so that a re-import finds each again. When all were taken by
   earlier rows that say otherwise, a full birth date means the same person told twice (the
   row is rejected, see below) and a month or year only means another person;
4. otherwise a new person. When a resident with the same folded name lives in the same village
   and the evidence that they differ is weak — either birth date unknown, or the same birth
   year — and no CCCD tells them apart, the new person is flagged `possible_duplicate`.

A second row of the same file for a person an earlier row matched may only fill empty
fields; a row that contradicts it goes to the rejects file with both values.

Updating never erases: an empty cell keeps what is stored. Lookups go to the database per
chunk (rows written earlier in the same transaction included), so memory stays flat whatever
the file's size. Rows the triage (`triage`) found certainly new skip all this: `write_new`
inserts them before the chunk's other rows are matched, so that those find them stored.
Inserts are one executemany per chunk on SQLite and COPY on PostgreSQL, with ids reserved up
front so that issues can point at their residents.

CCCDs and phones are compared through the keyed hashes the cleaner computed
(`people.personal`); the tokens it encrypted alongside are stored only when a row writes the
number; a stored one is decrypted only to be quoted in a reason. An issue about a CCCD or
phone keeps its value masked, and encrypted.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from math import inf
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from congdanso.core.crypto import decrypt, keyring
from congdanso.core.errors import Message
from congdanso.people import personal
from congdanso.people.importing.cleaning import CleanRow, Issue, RejectedRow
from congdanso.people.importing.triage import NewValues, reader_encrypts
from congdanso.people.models import DataIssue, IssueCode, Resident, ResidentStatus
from congdanso.people.personal import TOKEN, Sealed
from congdanso.places.models import Place

RESIDENT_TABLE = Resident._meta.db_table
ISSUE_TABLE = DataIssue._meta.db_table
RESIDENT_COLUMNS = (
    "id",
    "commune_id",
    "village_id",
    "full_name",
    "name_key",
    "birth_date",
    "birth_date_precision",
    "gender",
    "cccd_encrypted",
    "cccd_hmac",
    "cccd_last4_hmac",
    "phone_encrypted",
    "phone_hmac",
    "phone_last4_hmac",
    "key_version",
    "status",
    "created_at",
    "updated_at",
)
_ISSUE_COLUMNS = (
    "commune_id",
    "resident_id",
    "code",
    "field",
    "original_value",
    "original_encrypted",
    "key_version",
    "detail",
    "source",
    "created_at",
)
# The birth date is read as text: parsing it with date.fromisoformat is several times faster
# than the per-row converter the SQLite driver would otherwise call.
_SELECT = (
    "SELECT id, cccd_encrypted, cccd_hmac, cccd_last4_hmac, name_key, full_name, "
    "CAST(birth_date AS TEXT), birth_date_precision, gender, phone_encrypted, phone_hmac, "
    f"phone_last4_hmac, village_id, status FROM {RESIDENT_TABLE} WHERE commune_id = %s AND "
)
_NAME_KEY, _BIRTH_DATE = 4, 6  # positions in _SELECT
_MAX_PARAMS = 500  # stays under the 999 parameters of old SQLite builds, villages included


@dataclass(slots=True)
class Known:
    """A resident as stored (or as this import is about to store it). `cccd` and `phone` are
    the numbers' look-up keys, to compare; `cccd_sealed` / `phone_sealed` what is stored."""

    id: int
    cccd: str | None
    name_key: str
    full_name: str
    birth_date: dt.date | None
    birth_date_precision: str
    gender: str
    phone: str
    village_id: int | None
    status: str
    cccd_sealed: Sealed | None
    phone_sealed: Sealed | None
    issues: set[tuple[str, str]] = field(default_factory=set)

    @classmethod
    def from_db(cls, row: Sequence[Any]) -> "Known":
        birth = row[_BIRTH_DATE]
        if birth is not None:
            birth = dt.date.fromisoformat(birth)
        return cls(
            row[0],
            row[2],
            row[4],
            row[5],
            birth,
            row[7],
            row[8],
            row[10],
            row[12],
            row[13],
            (row[1], row[2], row[3]) if row[1] else None,
            (row[9], row[10], row[11]) if row[9] else None,
        )


#: SQLite's page cache during an import, in KiB. The connection's own (64 MiB, settings.py)
#: serves the app's reads; an import would fill it with the pages it writes and never reads
#: again, ~70 MB of a 1,000,000-row import's peak (the memory target is 300 MB for it).
IMPORT_CACHE_KIB = 16 * 1024


@contextmanager
def import_cache() -> Iterator[None]:
    """A smaller SQLite page cache while importing (nothing to do on PostgreSQL)."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size=-{IMPORT_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size={before}")


def _in_clear(sealed: Sealed | None, context: str) -> str:
    return decrypt(sealed[TOKEN], context) if sealed else ""


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    warnings: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def _same_person(row: CleanRow, known: Known) -> bool:
    if row.name_key == known.name_key:
        return True
    # A spelling correction keeps the birth year and the gender.
    return bool(
        row.birth_date
        and known.birth_date
        and row.birth_date.year == known.birth_date.year
        and (not row.gender or not known.gender or row.gender == known.gender)
    )


def _weak_difference(row: CleanRow, known: Known) -> bool:
    if row.cccd_hmac and known.cccd and row.cccd_hmac != known.cccd:
        return False
    if row.birth_date is None or known.birth_date is None:
        return True
    return row.birth_date.year == known.birth_date.year


_CONFLICT_FIELDS = (
    ("birth_date", _("birth date")),
    ("gender", _("gender")),
    ("cccd", _("CCCD number")),
    ("phone", _("phone")),
    ("village_id", _("village")),
)
# Numbers are compared by their keyed hashes; the row's own value is shown in clear.
_KEYS = {"cccd": "cccd_hmac", "phone": "phone_hmac"}
_CONTEXTS = {"cccd": personal.CCCD, "phone": personal.PHONE}


def _conflict(row: CleanRow, known: Known) -> Message | None:
    """Why a second row of the same file for the same person cannot be applied, if it can't:
    it gives another value for a field an earlier row filled. Which one is right is for a
    person to decide, so the row goes to the rejects file with both values."""
    for attr, label in _CONFLICT_FIELDS:
        new: Any = getattr(row, _KEYS.get(attr, attr))
        old: Any = getattr(known, attr)
        if new and old and new != old:
            if attr == "village_id":
                names = dict(Place.objects.filter(pk__in=[new, old]).values_list("pk", "name"))
                new, old = names.get(new, new), names.get(old, old)
            elif attr in _KEYS:
                new = getattr(row, attr)
                old = _in_clear(getattr(known, f"{attr}_sealed"), _CONTEXTS[attr])
            return Message(
                _(
                    "An earlier row of this file is the same person (%(name)s) with another "
                    "%(field)s: %(old)s, here %(new)s."
                ),
                name=known.full_name,
                field=label,
                old=old,
                new=new,
            )
    return None


def _agreement(row: CleanRow, known: Known) -> int:
    """How many identifying fields the row and the resident share (minus those they contradict)."""
    score = 0
    for new, old in (
        (row.phone_hmac, known.phone),
        (row.gender, known.gender),
        (row.birth_date_precision, known.birth_date_precision),
    ):
        if new and old:
            score += 1 if new == old else -1
    return score


def _as_it_is(token: str, _context: str) -> str:
    return token  # encrypted by the triage (see triage.reader_encrypts)


_NO_CCCD = (None, None, None)
_NO_PHONE = ("", "", "")


def _key_version(known: Known) -> int | None:
    cccd, phone = known.cccd_sealed, known.phone_sealed
    if cccd is None:
        return None if phone is None else _version(phone[TOKEN])
    if phone is None:
        return _version(cccd[TOKEN])
    return min(_version(cccd[TOKEN]), _version(phone[TOKEN]))


def _version(token: str) -> int:
    return int(token[: token.index(":")])


def _chunks(values: list[Any]) -> list[list[Any]]:
    return [values[i : i + _MAX_PARAMS] for i in range(0, len(values), _MAX_PARAMS)]


class ChunkWriter:
    def __init__(self, *, commune_id: int, source: str) -> None:
        self.commune_id = commune_id
        self.source = source[:255]
        self.counts = Counts()
        self.rejected: list[RejectedRow] = []
        self.vendor = connection.vendor
        self.keyring = keyring()
        self._next_id: int | None = None
        self._sequence: str | None = None  # PostgreSQL: the id sequence's name
        self._claimed = bytearray()
        self._claimed_base = 0
        self._encrypt_new = not reader_encrypts()
        self._inserted = 0
        self._analyzed_at = 0

    # -- reading what is stored ------------------------------------------------------------
    def _fetch(self, column: str, values: set[Any]) -> list[Known]:
        found: list[Known] = []
        with connection.cursor() as cursor:
            for part in _chunks(sorted(values)):
                marks = ", ".join(["%s"] * len(part))
                cursor.execute(f"{_SELECT}{column} IN ({marks})", [self.commune_id, *part])
                found.extend(Known.from_db(r) for r in cursor.fetchall())
        return found

    def _fetch_named(self, years: dict[tuple[str, int], set[str] | None]) -> list[Known]:
        """Residents with one of these (folded name, village) pairs, through the (commune,
        village, name) index, keeping only those whose birth year makes them relevant: common
        names would otherwise pull in every namesake of the village."""
        keys_by_village: dict[int, list[str]] = defaultdict(list)
        for key, village in sorted(years):
            keys_by_village[village].append(key)
        found: list[Known] = []
        with connection.cursor() as cursor:
            for village, keys in keys_by_village.items():
                where = "village_id IS NULL" if village == 0 else "village_id = %s"
                for part in _chunks(keys):
                    marks = ", ".join(["%s"] * len(part))
                    cursor.execute(
                        f"{_SELECT}{where} AND name_key IN ({marks})",
                        [self.commune_id, *([village] if village else []), *part],
                    )
                    for raw in cursor.fetchall():
                        wanted = years[raw[_NAME_KEY], village]
                        birth = raw[_BIRTH_DATE]
                        if wanted is None or birth is None or birth[:4] in wanted:
                            found.append(Known.from_db(raw))
        return found

    def _attach_issues(self, known: dict[int, Known]) -> None:
        if not known:
            return
        with connection.cursor() as cursor:
            for part in _chunks(sorted(known)):
                marks = ", ".join(["%s"] * len(part))
                cursor.execute(
                    # Resolved issues count too: the same bad value in the same file again
                    # must not reopen what a later value or a person already fixed.
                    f"SELECT resident_id, code, original_value, original_encrypted "
                    f"FROM {ISSUE_TABLE} WHERE resident_id IN ({marks})",
                    part,
                )
                for resident_id, code, original, encrypted in cursor.fetchall():
                    if encrypted:
                        original = decrypt(encrypted, personal.ISSUE_ORIGINAL)
                    known[resident_id].issues.add((code, original))

    # -- rows of this file that already matched a resident ---------------------------------
    def _is_claimed(self, known: Known, claimed_here: set[int]) -> bool:
        if id(known) in claimed_here:
            return True
        index = known.id - self._claimed_base
        return 0 <= index < len(self._claimed) * 8 and bool(
            self._claimed[index >> 3] & (1 << (index & 7))
        )

    def _claim(self, known: Known, claimed_here: set[int]) -> None:
        claimed_here.add(id(known))
        if known.id:
            self._claim_id(known.id)

    def _claim_id(self, resident_id: int) -> None:
        # A bitmap over resident ids: a million claims cost 125 kB, not a 60 MB set.
        if not self._claimed:
            self._claimed_base = resident_id
        index = resident_id - self._claimed_base
        if index < 0:
            self._claimed = bytearray((-index + 7) // 8) + self._claimed
            self._claimed_base -= ((-index + 7) // 8) * 8
            index = resident_id - self._claimed_base
        if index >> 3 >= len(self._claimed):
            self._claimed.extend(bytes((index >> 3) - len(self._claimed) + 1))
        self._claimed[index >> 3] |= 1 << (index & 7)

    # -- ids -------------------------------------------------------------------------------
    def _reserve_ids(self, count: int) -> list[int]:
        if count == 0:
            return []
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                if self._sequence is None:
                    # Looked up once: called in the per-id query, it was evaluated for every
                    # id (nine tenths of the reservation's time).
                    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [RESIDENT_TABLE])
                    self._sequence = str(cursor.fetchone()[0])
                cursor.execute(
                    "SELECT nextval(%s::regclass) FROM generate_series(1, %s)",
                    [self._sequence, count],
                )
                return [r[0] for r in cursor.fetchall()]
            if self._next_id is None:
                # The import holds the write lock (IMMEDIATE transaction): no one else inserts.
                cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {RESIDENT_TABLE}")
                self._next_id = int(cursor.fetchone()[0]) + 1
                cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [RESIDENT_TABLE])
                seq = cursor.fetchone()
                if seq is not None:
                    self._next_id = max(self._next_id, int(seq[0]) + 1)
        first = self._next_id
        self._next_id = first + count
        return list(range(first, first + count))

    # -- deciding --------------------------------------------------------------------------
    def _refresh_statistics(self) -> None:
        """PostgreSQL plans the look-ups from table statistics; a table that an import is
        filling (or that one just filled, before autovacuum came by) looks empty to the
        planner, which then scans it sequentially, or through an index that only narrows it
        to the commune, for every chunk. ANALYZE samples a fixed number of rows, so running
        it before the look-ups once the table has doubled costs little."""
        if self.vendor != "postgresql" or self._inserted < self._analyzed_at:
            return
        with connection.cursor() as cursor:
            # Only the columns the look-ups filter on: the tokens are long text, and their
            # statistics were most of the cost.
            cursor.execute(
                f"ANALYZE {RESIDENT_TABLE} (id, commune_id, village_id, name_key, cccd_hmac, "
                "birth_date)"
            )
            cursor.execute(f"ANALYZE {ISSUE_TABLE} (resident_id)")
        self._analyzed_at = max(2 * self._inserted, 10_000)

    def write_new(self, values: list[NewValues], issues: list[tuple[int, Issue]]) -> None:
        """Insert residents the triage found certainly new: no look-up, no decision."""
        if not values:
            return
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        ids = self._reserve_ids(len(values))
        commune_id = self.commune_id
        version = self.keyring.active
        encrypt = self.keyring.encrypt if self._encrypt_new else _as_it_is
        cccd_context, phone_context = personal.CCCD, personal.PHONE
        # The values' layout is triage.NewValues: RESIDENT_COLUMNS from village to phone's keys
        # with the numbers at 6 and 9 (encrypted here unless the triage did), then status.
        self._insert(
            RESIDENT_TABLE,
            RESIDENT_COLUMNS,
            [
                (
                    new_id,
                    commune_id,
                    *new[:6],
                    encrypt(new[6], cccd_context) if new[6] else None,
                    *new[7:9],
                    encrypt(new[9], phone_context) if new[9] else "",
                    *new[10:12],
                    version if new[6] or new[9] else None,
                    new[12],
                    now,
                    now,
                )
                for new_id, new in zip(ids, values, strict=True)
            ],
        )
        self._inserted += len(values)
        for new_id in ids:
            self._claim_id(new_id)  # a later row for the same person fills, never overwrites
        self._insert(
            ISSUE_TABLE,
            _ISSUE_COLUMNS,
            [
                (
                    commune_id,
                    ids[i],
                    issue.code,
                    issue.field,
                    *self._issue_values(issue),
                    self.source,
                    now,
                )
                for i, issue in issues
            ],
        )
        self.counts.created += len(values)
        for _i, issue in issues:
            self.counts.warnings[issue.code] += 1

    def write(self, rows: list[CleanRow]) -> None:
        """Match each row to a resident (stored, or created by an earlier row) and write."""
        if not rows:
            return
        self._refresh_statistics()
        ids = {r.resident_id for r in rows if r.resident_id}
        cccds = {r.cccd_hmac for r in rows if r.cccd_hmac}
        by_id: dict[int, Known] = {}
        for stored in self._fetch("id", ids) + self._fetch("cccd_hmac", cccds):
            by_id.setdefault(stored.id, stored)
        # Namesakes matter only to rows that no id or CCCD placed: to match them by name,
        # birth date and village, or to flag a possible duplicate.
        found_cccds = {k.cccd for k in by_id.values()}
        # For each (name, village) to look up, the birth years that make a namesake relevant
        # (same year: a match or a possible duplicate); None when any birth date is unknown.
        years: dict[tuple[str, int], set[str] | None] = {}
        for r in rows:
            if (r.resident_id and r.resident_id in by_id) or r.cccd_hmac in found_cccds:
                continue
            pair = (r.name_key, r.village_id or 0)
            wanted = years.setdefault(pair, set())
            if wanted is not None:
                if r.birth_date is None:
                    years[pair] = None
                else:
                    wanted.add(f"{r.birth_date.year:04d}")
        for stored in self._fetch_named(years):
            by_id.setdefault(stored.id, stored)
        self._attach_issues(by_id)
        by_cccd = {k.cccd: k for k in by_id.values() if k.cccd}
        by_name: dict[tuple[str, int | None], list[Known]] = defaultdict(list)
        for stored in by_id.values():
            by_name[stored.name_key, stored.village_id].append(stored)

        now = connection.ops.adapt_datetimefield_value(timezone.now())
        creates: list[tuple[CleanRow, Known]] = []
        updates: dict[int, Known] = {}
        new_issues: list[tuple[Known, Issue]] = []
        resolved: list[tuple[Known, str]] = []
        claimed_here: set[int] = set()  # Known objects (by identity) this chunk matched

        for row in rows:
            match = self._match(row, by_id, by_cccd, by_name, claimed_here)
            if isinstance(match, RejectedRow):
                self.rejected.append(match)
                continue
            known = match
            row_issues = {(i.code, i.original): i for i in row.issues} if row.issues else {}
            if known is None:
                known = Known(
                    0,
                    row.cccd_hmac,
                    row.name_key,
                    row.full_name,
                    row.birth_date,
                    row.birth_date_precision,
                    row.gender,
                    row.phone_hmac,
                    row.village_id,
                    row.status or ResidentStatus.LIVING,
                    self._seal_cccd(row),
                    self._seal_phone(row),
                )
                for other in by_name.get((row.name_key, row.village_id), ()):
                    if _weak_difference(row, other):
                        issue = Issue(
                            IssueCode.POSSIBLE_DUPLICATE,
                            "",
                            other.full_name,
                            str(
                                Message(
                                    _("Same name and village as resident #%(id)s (%(birth)s)."),
                                    id=other.id or "?",
                                    birth=other.birth_date or "?",
                                )
                            ),
                        )
                        row_issues[(issue.code, issue.original)] = issue
                        break
                creates.append((row, known))
                claimed_here.add(id(known))
                by_name[row.name_key, row.village_id].append(known)
                if row.cccd_hmac:
                    by_cccd[row.cccd_hmac] = known
                for issue in row_issues.values():
                    new_issues.append((known, issue))
                    known.issues.add((issue.code, issue.original))
                self.counts.created += 1
            else:
                named = (known.name_key, known.village_id)
                if self._is_claimed(known, claimed_here):
                    conflict = _conflict(row, known)
                    if conflict is not None:
                        self.rejected.append(RejectedRow(row.row_number, row.cells, conflict))
                        continue
                    changed = self._apply(row, known, by_cccd, resolved, fill_only=True)
                else:
                    changed = self._apply(row, known, by_cccd, resolved)
                    self._claim(known, claimed_here)
                if (known.name_key, known.village_id) != named:
                    # Later rows of the chunk meet the person under the name and village now
                    # theirs, as they would once it is stored.
                    by_name[named] = [k for k in by_name[named] if k is not known]
                    by_name[known.name_key, known.village_id].append(known)
                for key, issue in row_issues.items():
                    if key not in known.issues:
                        new_issues.append((known, issue))
                        known.issues.add(key)
                        changed = True
                if changed:
                    if known.id:
                        updates[known.id] = known
                    self.counts.updated += 1
                else:
                    self.counts.unchanged += 1
            for issue in row_issues.values():
                self.counts.warnings[issue.code] += 1

        self._flush(creates, updates, new_issues, resolved, now)

    def _match(
        self,
        row: CleanRow,
        by_id: dict[int, Known],
        by_cccd: dict[str, Known],
        by_name: dict[tuple[str, int | None], list[Known]],
        claimed_here: set[int],
    ) -> Known | RejectedRow | None:
        if row.resident_id and row.resident_id in by_id:
            return by_id[row.resident_id]
        if row.cccd_hmac and row.cccd_hmac in by_cccd:
            known = by_cccd[row.cccd_hmac]
            if _same_person(row, known):
                return known
            return RejectedRow(
                row.row_number,
                row.cells,
                Message(
                    _(
                        "CCCD %(cccd)s already belongs to %(name)s (born %(birth)s), "
                        "a different person."
                    ),
                    cccd=row.cccd,
                    name=known.full_name,
                    birth=known.birth_date or "?",
                ),
            )
        candidates = [
            known
            for known in by_name.get((row.name_key, row.village_id), ())
            if known.birth_date == row.birth_date and (not row.cccd or not known.cccd)
        ]
        if not candidates:
            return None
        # Namesakes born the same day (or year, when only the year is known): the one no
        # earlier row of this file took, agreeing best with the row, so that re-importing a
        # file with two such people finds each again.
        best = min(
            candidates,
            key=lambda k: (self._is_claimed(k, claimed_here), -_agreement(row, k), k.id or inf),
        )
        if not self._is_claimed(best, claimed_here) or _conflict(row, best) is None:
            return best
        # Taken by an earlier row that says otherwise: with a full birth date it is the same
        # person told twice (the caller rejects the row); with only a month or a year it is a
        # different person (created, flagged as a possible duplicate).
        return best if row.birth_date_precision == "day" else None

    def _apply(
        self,
        row: CleanRow,
        known: Known,
        by_cccd: dict[str, Known],
        resolved: list[tuple[Known, str]],
        *,
        fill_only: bool = False,
    ) -> bool:
        """Copy the row's non-empty fields onto `known` (only into empty ones with
        `fill_only`); True if anything changed."""
        changed = False
        for attr, value in (
            ("full_name", row.full_name),
            ("gender", row.gender),
            ("village_id", row.village_id),
            ("status", row.status),
        ):
            current = getattr(known, attr)
            if value and current != value and not (fill_only and current):
                setattr(known, attr, value)
                changed = True
        phone = row.phone_hmac
        if phone and known.phone != phone and not (fill_only and known.phone):
            known.phone, known.phone_sealed = phone, self._seal_phone(row)
            resolved.append((known, IssueCode.PHONE_INVALID))
            changed = True
        if known.full_name == row.full_name:
            # The search key follows the name it folds (a second row of the file that spells
            # the name otherwise changes neither).
            known.name_key = row.name_key
        if fill_only and known.birth_date:
            pass
        elif row.birth_date and (
            known.birth_date != row.birth_date
            or known.birth_date_precision != row.birth_date_precision
        ):
            known.birth_date, known.birth_date_precision = row.birth_date, row.birth_date_precision
            resolved.append((known, IssueCode.BIRTH_DATE_INVALID))
            changed = True
        cccd = row.cccd_hmac
        if cccd and known.cccd != cccd and cccd not in by_cccd and not (fill_only and known.cccd):
            known.cccd, known.cccd_sealed = cccd, self._seal_cccd(row)
            by_cccd[cccd] = known
            resolved.append((known, IssueCode.CCCD_INVALID))
            changed = True
        return changed

    # -- writing ---------------------------------------------------------------------------
    def _flush(
        self,
        creates: list[tuple[CleanRow, Known]],
        updates: dict[int, Known],
        new_issues: list[tuple[Known, Issue]],
        resolved: list[tuple[Known, str]],
        now: Any,
    ) -> None:
        for (_row, known), new_id in zip(creates, self._reserve_ids(len(creates)), strict=True):
            known.id = new_id
            self._claim_id(new_id)
        resident_rows = [
            (
                k.id,
                self.commune_id,
                k.village_id,
                k.full_name,
                k.name_key,
                # ISO text on SQLite spares a Python adapter call per row; COPY takes dates.
                k.birth_date
                if self.vendor == "postgresql" or not k.birth_date
                else str(k.birth_date),
                k.birth_date_precision,
                k.gender,
                *(k.cccd_sealed or _NO_CCCD),
                *(k.phone_sealed or _NO_PHONE),
                _key_version(k),
                k.status,
                now,
                now,
            )
            for _row, k in creates
        ]
        issue_rows = [
            (self.commune_id, k.id, i.code, i.field, *self._issue_values(i), self.source, now)
            for k, i in new_issues
        ]
        self._insert(RESIDENT_TABLE, RESIDENT_COLUMNS, resident_rows)
        self._inserted += len(resident_rows)
        self._insert(ISSUE_TABLE, _ISSUE_COLUMNS, issue_rows)
        with connection.cursor() as cursor:
            if updates:
                cursor.executemany(
                    f"UPDATE {RESIDENT_TABLE} SET full_name = %s, name_key = %s, birth_date = %s, "
                    "birth_date_precision = %s, gender = %s, cccd_encrypted = %s, "
                    "cccd_hmac = %s, cccd_last4_hmac = %s, phone_encrypted = %s, "
                    "phone_hmac = %s, phone_last4_hmac = %s, key_version = %s, "
                    "village_id = %s, status = %s, updated_at = %s WHERE id = %s",
                    [
                        (
                            k.full_name,
                            k.name_key,
                            k.birth_date,
                            k.birth_date_precision,
                            k.gender,
                            *(k.cccd_sealed or _NO_CCCD),
                            *(k.phone_sealed or _NO_PHONE),
                            _key_version(k),
                            k.village_id,
                            k.status,
                            now,
                            k.id,
                        )
                        for k in updates.values()
                    ],
                )
            if resolved:
                cursor.executemany(
                    f"UPDATE {ISSUE_TABLE} SET resolved_at = %s "
                    "WHERE resident_id = %s AND code = %s AND resolved_at IS NULL",
                    [(now, known.id, code) for known, code in resolved],
                )

    def _seal_cccd(self, row: CleanRow) -> Sealed | None:
        # The cleaner computed the look-up keys; the number is encrypted only when written.
        if not row.cccd:
            return None
        token = self.keyring.encrypt(row.cccd, personal.CCCD)
        return token, row.cccd_hmac or "", row.cccd_last4_hmac or ""

    def _seal_phone(self, row: CleanRow) -> Sealed | None:
        if not row.phone:
            return None
        return self.keyring.encrypt(row.phone, personal.PHONE), row.phone_hmac, row.phone_last4_hmac

    def _issue_values(self, issue: Issue) -> tuple[str, str, int | None, str]:
        """(original_value, original_encrypted, key_version, detail) as stored."""
        if issue.field in personal.PERSONAL_FIELDS and issue.original:
            return (
                personal.mask_value(issue.field, issue.original)[:500],
                self.keyring.encrypt(issue.original, personal.ISSUE_ORIGINAL),
                self.keyring.active,
                personal.mask_digits(issue.detail)[:500],
            )
        return issue.original[:500], "", None, issue.detail[:500]

    def _insert(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                raw = cursor.cursor  # psycopg 3 cursor under Django's wrapper
                with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                return
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
