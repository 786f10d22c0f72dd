"""Writing an import's rows, a chunk at a time: the look-ups its matching needs, and the SQL
that stores what it decided.

For each chunk, the residents the rows may be — by id, by CCCD, and the namesakes
`identity.namesakes_wanted` asks for, with their issues — are read from the database (rows
written earlier in the same transaction included): by id, the candidates named by the
commune's look-up keys held in memory (`recall`: its stored residents and every row this
import wrote), so that a chunk costs a few statements by primary key however crowded its
names; the full rows are not kept, so memory stays flat whatever the file's size.
`identity.Matcher` decides, and the chunk's new residents, updates, issues and resolved
issues are written. Rows the triage (`triage`) found certainly new skip all this:
`write_new` inserts them before the chunk's other rows are matched, so that those find them
stored. Inserts are one executemany per chunk on SQLite and COPY on PostgreSQL, with ids
reserved up front so that issues can point at their residents.

CCCDs and phones are stored as the tokens encrypted when a decision took them (or by the
triage), beside the keyed hashes the cleaner computed (`people.personal`). An issue about a
CCCD or phone keeps its value masked, and encrypted.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection
from django.utils import timezone

from congdanso.core.crypto import decrypt, keyring
from congdanso.people import personal
from congdanso.people.importing.cleaning import CleanRow, Issue, RejectedRow
from congdanso.people.importing.identity import (
    Counts,
    Decisions,
    Known,
    Matcher,
    namesakes_wanted,
)
from congdanso.people.importing.recall import ResidentKeys
from congdanso.people.importing.triage import NewValues, reader_encrypts
from congdanso.people.models import DataIssue, Resident
from congdanso.people.personal import TOKEN

#: Inserted rows after which an import refreshes the table statistics (`_refresh_statistics`).
ANALYZE_AFTER_ROWS = 5_000
#: The matching asks the database for the residents of each chunk's rows until these rows
#: reach 1/RECALL_SHARE of the commune's residents, then reads the keys of all of them
#: (`recall`). Reading a resident's keys costs about a sixteenth of looking a row up by
#: CCCD and name: a list of new people with a few hundred repeated rows matches those in a
#: few statements rather than reading 200,000 residents' keys for them.
RECALL_SHARE = 16

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
_COLUMNS = (
    "id, cccd_encrypted, cccd_hmac, cccd_last4_hmac, name_key, full_name, "
    "CAST(birth_date AS TEXT), birth_date_precision, gender, phone_encrypted, phone_hmac, "
    "phone_last4_hmac, village_id, status"
)
_SELECT = f"SELECT {_COLUMNS} FROM {RESIDENT_TABLE} WHERE commune_id = %s AND "
_NAME_KEY, _BIRTH_DATE = 4, 6  # positions in _COLUMNS
# By primary key alone, the commune checked on the rows read: with `commune_id = %s` beside
# `id IN (…)`, SQLite walks the commune's index (every resident of it) rather than the ids.
_SELECT_IDS = f"SELECT {_COLUMNS}, commune_id FROM {RESIDENT_TABLE} WHERE id IN "
_MAX_PARAMS = 500  # stays under the 999 parameters of old SQLite builds, villages included


def _known(row: Sequence[Any]) -> Known:
    """A resident as `_SELECT` reads it."""
    birth = row[_BIRTH_DATE]
    if birth is not None:
        birth = dt.date.fromisoformat(birth)
    return Known(
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
#: serves the app's reads; an import would fill it with pages of the table it writes once.
#: 32 MiB still holds the hot pages of the indexes the rows go into at random (the look-up
#: keys): at 16 MiB inserting 200,000 residents took 20 % more CPU, the pages going out to
#: the WAL and being read back.
IMPORT_CACHE_KIB = 32 * 1024
#: From this file size on (~500,000 CSV rows), memory is the bound — 300 MB for 1,000,000
#: CSV rows: the 32 MiB cache took it to 295 MB with the reader forked, 330 MB without —
#: and the indexes outgrow either cache: 16 MiB there.
LARGE_IMPORT_BYTES = 40_000_000
LARGE_IMPORT_CACHE_KIB = 16 * 1024


@contextmanager
def import_cache(file_bytes: int = 0) -> Iterator[None]:
    """A smaller SQLite page cache while importing a file of `file_bytes` (nothing to do on
    PostgreSQL)."""
    if connection.vendor != "sqlite":
        yield
        return
    size = LARGE_IMPORT_CACHE_KIB if file_bytes >= LARGE_IMPORT_BYTES else IMPORT_CACHE_KIB
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size=-{size}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size={before}")


@contextmanager
def references_checked_as_written() -> Iterator[None]:
    """On PostgreSQL, the foreign keys of what the import inserts (each resident's commune and
    village, each issue's resident) checked as each statement ends rather than all at COMMIT.

    Django declares them DEFERRABLE INITIALLY DEFERRED, so 200,000 residents queued 400,000
    checks that ran at COMMIT, alone (1.9 s at load 3); checked as the chunks are written,
    they overlap the reader's cleaning. The same checks, earlier: a broken reference fails
    the import the same way. The deferral comes back for the rest of the transaction after
    the block (a failed block leaves with its savepoint, which restores it)."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


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
    """Writes the rows of one import into one commune, chunk by chunk. `recall=False` looks
    the residents up by CCCD and name in the database instead of through the keys in memory
    (what the import did before `recall`; the tests compare the two)."""

    def __init__(self, *, commune_id: int, source: str, recall: bool = True) -> None:
        self.commune_id = commune_id
        self.source = source[:255]
        self.counts = Counts()
        self.rejected: list[RejectedRow] = []
        self.vendor = connection.vendor
        self.keyring = keyring()
        self.matcher = Matcher(ring=self.keyring, counts=self.counts, rejected=self.rejected)
        self._next_id: int | None = None
        self._sequence: str | None = None  # PostgreSQL: the id sequence's name
        self._encrypt_new = not reader_encrypts()
        self._inserted = 0
        self._analyzed_at = 0
        self._recall: ResidentKeys | None = ResidentKeys() if recall else None
        self._recall_loaded = False
        self._matched = 0  # rows sent to the matching
        self._stored: int | None = None  # the commune's residents before this import

    # -- the look-up keys in memory --------------------------------------------------------
    def _keys(self, rows: int) -> ResidentKeys | None:
        """The keys of the commune's residents, for a chunk of `rows` rows to match: None
        (the database answers) while the rows matched so far are few beside the commune's
        residents (`RECALL_SHARE`); then read from the database, with every resident
        inserted so far, and kept up to date. A list of new people may need them only for
        its last few rows, or never: the residents the triage found certainly new cost
        nothing until then."""
        if self._recall is None or self._recall_loaded:
            return self._recall
        self._matched += rows
        if self._stored is None:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT COUNT(*) FROM {RESIDENT_TABLE} WHERE commune_id = %s",  # noqa: S608
                    [self.commune_id],
                )
                self._stored = int(cursor.fetchone()[0]) - self._inserted
        if self._matched * RECALL_SHARE < self._stored + self._inserted:
            return None
        self._recall_loaded = True
        self._refresh_statistics(whole_commune=True)
        try:
            self._recall.load(self.commune_id)
        except OverflowError:
            self._recall = None
        return self._recall

    def _remember(self, residents: list[tuple[int, str | None, str, int | None, Any]]) -> None:
        """Residents inserted or updated: (id, CCCD key, name key, village, birth date)."""
        if self._recall is not None and self._recall_loaded and residents:
            try:
                self._recall.add(residents)
            except OverflowError:  # an id past 32 bits: the database answers from here on
                self._recall = None

    # -- reading what is stored ------------------------------------------------------------
    def _fetch_ids(self, ids: set[int]) -> list[Known]:
        found: list[Known] = []
        commune_id = self.commune_id
        with connection.cursor() as cursor:
            for part in _chunks(sorted(ids)):
                cursor.execute(f"{_SELECT_IDS}({', '.join(['%s'] * len(part))})", part)
                found.extend(_known(r) for r in cursor.fetchall() if r[-1] == commune_id)
        return found

    def _fetch(self, column: str, values: set[Any]) -> list[Known]:
        found: list[Known] = []
        with connection.cursor() as cursor:
            for part in _chunks(sorted(values)):
                marks = ", ".join(["%s"] * len(part))
                cursor.execute(f"{_SELECT}{column} IN ({marks})", [self.commune_id, *part])
                found.extend(_known(r) for r in cursor.fetchall())
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
                            found.append(_known(raw))
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

    # -- writing ---------------------------------------------------------------------------
    def _refresh_statistics(self, *, whole_commune: bool = False) -> None:
        """Table statistics for the query planner, refreshed once the table has doubled.

        PostgreSQL plans the look-ups from them; a table that an import is filling (or that
        one just filled, before autovacuum came by) looks empty to the planner, which then
        scans it sequentially, or through an index that only narrows it to the commune, for
        every chunk. ANALYZE samples a fixed number of rows, so running it before the
        look-ups once the table has doubled costs little.

        SQLite needs them for the statements that read a commune whole (`whole_commune`: the
        keys in memory, then the campaign tallies and the import log's fingerprint once the
        rows are in). Without statistics it reads such a commune through one of the
        (commune, …) indexes and fetches every row by its id in that index's order: four
        times slower than reading the table through (the tallies of 200,000 residents took
        1.9 s against 0.5 s). Its ANALYZE reads every index whole (0.14 s there), so it runs
        only before such a statement, after a large insert.

        Before the statements that read the commune whole, a small insert (on either
        database) leaves the statistics as good as they were: a list of a few new people
        runs no ANALYZE."""
        if self._inserted < self._analyzed_at:
            return
        if whole_commune and self._inserted < ANALYZE_AFTER_ROWS:
            return
        if self.vendor != "postgresql" and not whole_commune:
            return  # SQLite plans the look-ups by key well without them
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                # Only the columns the look-ups filter on: the tokens are long text, and their
                # statistics were most of the cost.
                cursor.execute(
                    f"ANALYZE {RESIDENT_TABLE} (id, commune_id, village_id, name_key, "
                    "cccd_hmac, birth_date)"
                )
                cursor.execute(f"ANALYZE {ISSUE_TABLE} (resident_id)")
            else:
                cursor.execute(f"ANALYZE {RESIDENT_TABLE}")
                cursor.execute(f"ANALYZE {ISSUE_TABLE}")
        self._analyzed_at = max(2 * self._inserted, ANALYZE_AFTER_ROWS)

    def finish(self) -> None:
        """After the last chunk, before the statements that read the commune whole."""
        self._refresh_statistics(whole_commune=True)

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
        if self._recall_loaded:
            self._remember(
                [(i, new[7], new[2], new[0], new[3]) for i, new in zip(ids, values, strict=True)]
            )
        self.matcher.claim_ids(ids)
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
        keys = self._keys(len(rows))
        if keys is None:
            by_id: dict[int, Known] = {}
            for stored in self._fetch_ids(ids) + self._fetch("cccd_hmac", cccds):
                by_id.setdefault(stored.id, stored)
            years = namesakes_wanted(rows, by_id)
        else:
            by_id, years = self._recalled(keys, rows, ids, cccds)
        for stored in self._fetch_named(years):
            by_id.setdefault(stored.id, stored)
        self._attach_issues(by_id)
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        decided = self.matcher.decide(rows, by_id)
        self._flush(decided, now)
        self._remember(
            [
                (k.id, k.cccd, k.name_key, k.village_id, k.birth_date)
                for k in decided.updates.values()
            ]
            + [
                (k.id, k.cccd, k.name_key, k.village_id, k.birth_date)
                for _row, k in decided.creates
            ]
        )

    def _recalled(
        self, keys: ResidentKeys, rows: list[CleanRow], ids: set[int], cccds: set[str]
    ) -> tuple[dict[int, Known], dict[tuple[str, int], set[str] | None]]:
        """The residents that the look-ups by id and CCCD, and by name for the rows with a
        birth year, find: read by id among the candidates the keys in memory name, keeping
        those whose stored values are wanted (the keys may name more). Also the namesakes
        still to read from the database: the pairs wanting any birth year (rare)."""
        # Every row's namesakes, by the years known: a superset of those wanted once ids and
        # CCCDs placed rows (the namesakes of a row without a birth date, any year, are read
        # from the database).
        every: dict[tuple[str, int], set[int]] = defaultdict(set)
        for row in rows:
            years_known = every[row.name_key, row.village_id or 0]
            if row.birth_date is not None:
                years_known.add(row.birth_date.year)
        candidates = keys.candidates(cccds, every)
        fetched = sorted(self._fetch_ids(ids | candidates), key=lambda k: k.id)
        by_id = {k.id: k for k in fetched if k.id in ids or (k.cccd and k.cccd in cccds)}
        years = namesakes_wanted(rows, by_id)
        for known in fetched:
            if known.id in by_id:
                continue
            pair = (known.name_key, known.village_id or 0)
            if pair not in years:
                continue
            wanted = years[pair]
            birth = known.birth_date
            if wanted is not None and (birth is None or f"{birth.year:04d}" in wanted):
                by_id[known.id] = known
        return by_id, {pair: None for pair, wanted in years.items() if wanted is None}

    def _flush(self, decided: Decisions, now: Any) -> None:
        creates, updates = decided.creates, decided.updates
        new_issues, resolved = decided.new_issues, decided.resolved
        ids = self._reserve_ids(len(creates))
        for (_row, known), new_id in zip(creates, ids, strict=True):
            known.id = new_id
        self.matcher.claim_ids(ids)
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
