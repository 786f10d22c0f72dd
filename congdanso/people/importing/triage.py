"""Which clean rows are certainly new residents, decided where the rows are cleaned.

Most rows of a first import, and the new people of a later list, match nobody: no resident of
the commune, and no earlier row of the file, has their CCCD, or their name in their village
with a birth year that could be theirs. Such a row needs no look-up and no decision: the
writer inserts it as it comes (`NewValues`). Every other row goes through the matching
(`identity.Matcher`, fed by `writing.ChunkWriter.write`), which reads what is stored.

The triage runs beside the cleaner (in the reader process for big files), so the writer,
which is the busier of the two processes, only inserts those rows. It answers from bit
filters (`Presence`): a miss means certainly absent, a hit means "let the writer look". They
hold the commune's residents as stored when the import began (`load`, before the reader is
forked) and every row of the file seen so far, routed either way, so that a later row for
the same person always reaches the matching that finds the earlier one.

A row sent to the matching may leave a resident with what the triage cannot see. Matched for
the first time in the file, the resident takes the row's name, but keeps its village when the
row has none (or one the writer still has to resolve), and its birth year when the row has
none. Matched again, it only fills what is empty: it keeps the name of the earlier row and
may take this row's village, when that earlier row had none. So a row without a village (new
or not) is recorded under its name in any village (`_loose`), and a row without a birth date
under "year unknown": both send every later namesake to the matching.
"""

from typing import Any

from django.db import connection

from congdanso.core.crypto import keyring
from congdanso.people import personal
from congdanso.people.importing.cleaning import CleanRow
from congdanso.people.models import Resident, ResidentStatus

#: A new resident as the triage hands it to the writer: village id, full name, name key, birth
#: date (ISO text), its precision, gender, CCCD, its two look-up keys, phone, its two keys,
#: status. The writer adds the id, commune and timestamps; the CCCD and phone are the
#: numbers, which the writer encrypts, or already their tokens (see `reader_encrypts`).
NewValues = tuple[Any, ...]


def reader_encrypts() -> bool:
    """Whether the triage encrypts the numbers of new residents, or leaves that to the writer.

    Whichever process has the lighter load should: on SQLite the writer inserts in its own
    process and waited on the reader (the writer encrypting measured 8 % faster); on
    PostgreSQL the server takes a core for the inserts and the writer, which feeds it, must
    not keep it waiting (the reader encrypting measured 5 % faster).
    """
    return connection.vendor == "postgresql"


class Presence:
    """A one-bit-per-slot filter over hashes: a miss means certainly absent, a hit means "look
    it up". Callers pass `hash(value)`.

    8 Mi slots (1 MB) keep false hits rare for the few hundred thousand residents of even a
    large commune; a false hit only costs a database look-up. (`Triage.route` tests and sets
    the bits itself, the same way: a method call per bit was a third of its time.)
    """

    SLOTS = 1 << 23
    MASK = SLOTS - 1

    def __init__(self) -> None:
        self.bits = bytearray(self.SLOTS >> 3)

    def add(self, hashed: int) -> None:
        slot = hashed & self.MASK
        self.bits[slot >> 3] |= 1 << (slot & 7)


class Triage:
    """Routes each clean row: certainly new (`route` gives the values to insert), or to the
    writer's matching. `enabled=False` sends every row to the matching (what the import did
    before the triage existed; the tests compare the two)."""

    def __init__(self, *, enabled: bool = True) -> None:
        self.enabled = enabled
        self.keyring = keyring() if reader_encrypts() else None
        self._cccds = Presence()
        # (folded name, village id or 0) and (that pair, birth year or 0 when unknown).
        self._names = Presence()
        self._named_years = Presence()
        # Names of rows whose resident may end up in a village the triage does not know.
        self._loose = Presence()

    def load(self, commune_id: int) -> None:
        """The commune's residents as stored: run in the writer's transaction, before forking."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT cccd_hmac, name_key, village_id, CAST(birth_date AS TEXT) "  # noqa: S608
                f"FROM {Resident._meta.db_table} WHERE commune_id = %s",
                [commune_id],
            )
            while batch := cursor.fetchmany(10_000):
                for cccd, name_key, village_id, birth in batch:
                    if cccd:
                        self._cccds.add(hash(cccd))
                    pair = hash((name_key, village_id or 0))
                    self._names.add(pair)
                    self._named_years.add(hash((pair, int(birth[:4]) if birth else 0)))

    def route(self, row: CleanRow) -> NewValues | None:
        """The values to insert when no stored resident and no earlier row can be this row's
        person; None sends it to the matching. The row is remembered either way."""
        mask = Presence.MASK
        cccds, names, years, loose = (
            self._cccds.bits,
            self._names.bits,
            self._named_years.bits,
            self._loose.bits,
        )
        birth = row.birth_date
        year = birth.year if birth is not None else 0
        village = row.village_id
        name = hash(row.name_key) & mask
        pair_hash = hash((row.name_key, village or 0))
        pair = pair_hash & mask
        pair_year = hash((pair_hash, year)) & mask
        cccd = hash(row.cccd_hmac) & mask if row.cccd_hmac else -1
        new = (
            self.enabled
            and row.resident_id is None
            and row.village_text is None
            and not (cccd >= 0 and cccds[cccd >> 3] >> (cccd & 7) & 1)
            and not loose[name >> 3] >> (name & 7) & 1
        )
        if new and names[pair >> 3] >> (pair & 7) & 1:
            # Namesakes there: still new if each was born in another known year (then none
            # can be this person, nor a possible duplicate: see identity._weak_difference).
            unknown = hash((pair_hash, 0)) & mask
            new = (
                year != 0
                and not years[pair_year >> 3] >> (pair_year & 7) & 1
                and not years[unknown >> 3] >> (unknown & 7) & 1
            )
        if cccd >= 0:
            cccds[cccd >> 3] |= 1 << (cccd & 7)
        names[pair >> 3] |= 1 << (pair & 7)
        years[pair_year >> 3] |= 1 << (pair_year & 7)
        if village is None:
            loose[name >> 3] |= 1 << (name & 7)
        if not new:
            return None
        cccd_value, phone_value = row.cccd, row.phone
        if self.keyring is not None:
            if cccd_value:
                cccd_value = self.keyring.encrypt(cccd_value, personal.CCCD)
            if phone_value:
                phone_value = self.keyring.encrypt(phone_value, personal.PHONE)
        return (
            village,
            row.full_name,
            row.name_key,
            birth.isoformat() if birth is not None else None,
            row.birth_date_precision,
            row.gender,
            cccd_value,
            row.cccd_hmac,
            row.cccd_last4_hmac,
            phone_value,
            row.phone_hmac,
            row.phone_last4_hmac,
            row.status or ResidentStatus.LIVING,
        )
