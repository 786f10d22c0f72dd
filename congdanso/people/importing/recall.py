"""The commune's residents by their look-up keys, held in memory while an import runs, so
that the matching asks the database only for the residents it needs, by id.

A chunk of rows for the matching (`writing.ChunkWriter.write`) needs the residents its rows'
ids, CCCDs and names point at (a namesake in the same village born the same year, or in an
unknown year): stored ones, and those that earlier rows of the file created. Asking the
database by CCCD and by name, chunk by chunk, cost a statement per village and 500 names,
and every namesake of a common name came back to be thrown away: 8 s of a 200,000-row list
of eight crowded villages. The keys fit in memory: two 32-bit digests and two 32-bit ids a
resident, in tables at most half full (32–64 bytes a resident: 8 MB for 200,000).

`KeyTable` maps a digest to resident ids and answers with a superset: a digest that another
key shares, or a key a resident had before this import changed it (keys are added, never
taken out), only adds candidates; the writer reads the candidates by id and keeps those whose
stored values are wanted, so the matching sees exactly the residents the look-ups by CCCD and
name would have found. None is missed: the keys of every resident of the commune are read
from the database when the matching first needs them (`ResidentKeys.load`: those stored and
those this import inserted so far, in its transaction), and from then on the writer adds
each resident it inserts and the new keys of each it updates.
"""

from array import array
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection

from congdanso.people.models import Resident

_MASK = 0xFFFFFFFF
_FIRST_BITS = 17  # 128 Ki slots: 1 MB a table to start with


def cccd_digest(cccd_hmac: str) -> int:
    return hash(cccd_hmac) & _MASK or 1  # 0 marks an empty slot


def name_digest(name_key: str, village_id: int, year: int) -> int:
    """(folded name, village id or 0, birth year or 0 when unknown)."""
    return hash((name_key, village_id, year)) & _MASK or 1


class KeyTable:
    """A multimap from 32-bit digests to resident ids: open addressing with linear probing
    over two arrays, kept at most half full (the probes stay short)."""

    __slots__ = ("_ids", "_keys", "_mask", "_used")

    def __init__(self, bits: int = _FIRST_BITS) -> None:
        self._keys = array("I", bytes(4 << bits))
        self._ids = array("I", bytes(4 << bits))
        self._mask = (1 << bits) - 1
        self._used = 0

    def __len__(self) -> int:
        return self._used

    def add_many(self, pairs: Iterable[tuple[int, int]]) -> None:
        """(digest, resident id) pairs; a pair already there is added again (harmless)."""
        keys, ids, mask = self._keys, self._ids, self._mask
        limit = (mask + 1) >> 1
        used = self._used
        for digest, resident_id in pairs:
            if used >= limit:
                self._used = used
                self._grow()
                keys, ids, mask, used = self._keys, self._ids, self._mask, self._used
                limit = (mask + 1) >> 1
            slot = digest & mask
            while keys[slot]:
                slot = (slot + 1) & mask
            keys[slot] = digest
            ids[slot] = resident_id
            used += 1
        self._used = used

    def _grow(self) -> None:
        old_keys, old_ids = self._keys, self._ids
        bits = (self._mask + 1).bit_length()  # one more than now
        self._keys = array("I", bytes(4 << bits))
        self._ids = array("I", bytes(4 << bits))
        self._mask = (1 << bits) - 1
        self._used = 0
        self.add_many((k, i) for k, i in zip(old_keys, old_ids, strict=True) if k)

    def get(self, digest: int, found: set[int]) -> None:
        """Add to `found` the ids recorded under `digest`."""
        keys, mask = self._keys, self._mask
        slot = digest & mask
        while key := keys[slot]:
            if key == digest:
                found.add(self._ids[slot])
            slot = (slot + 1) & mask


class ResidentKeys:
    """The look-up keys of one commune's residents: CCCD and (name, village, birth year)."""

    def __init__(self) -> None:
        self.cccds = KeyTable()
        self.names = KeyTable()

    def load(self, commune_id: int) -> None:
        """The commune's residents as stored, in the import's transaction."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, cccd_hmac, name_key, village_id, CAST(birth_date AS TEXT) "  # noqa: S608
                f"FROM {Resident._meta.db_table} WHERE commune_id = %s",
                [commune_id],
            )
            while batch := cursor.fetchmany(10_000):
                self.add(batch)

    def add(self, residents: Sequence[tuple[int, str | None, str, int | None, Any]]) -> None:
        """(id, CCCD look-up key or None, name key, village id or None, birth date as ISO
        text or a date, or None) of residents stored or about to be. Raises OverflowError
        for an id past 32 bits (the writer then asks the database instead)."""
        self.cccds.add_many(
            (hash(cccd) & _MASK or 1, resident_id)
            for resident_id, cccd, _name, _village, _birth in residents
            if cccd
        )
        self.names.add_many(
            (
                hash((name, village or 0, int(str(birth)[:4]) if birth else 0)) & _MASK or 1,
                resident_id,
            )
            for resident_id, _cccd, name, village, birth in residents
        )

    def candidates(self, cccds: Iterable[str], years: dict[tuple[str, int], set[int]]) -> set[int]:
        """Ids of the residents that may hold one of `cccds`, or bear one of the (folded
        name, village id or 0) pairs of `years` born in one of its years or in an unknown
        year."""
        found: set[int] = set()
        by_cccd, by_name = self.cccds.get, self.names.get
        for cccd in cccds:
            by_cccd(cccd_digest(cccd), found)
        for (name, village), wanted in years.items():
            by_name(name_digest(name, village, 0), found)
            for year in wanted:
                by_name(name_digest(name, village, year), found)
        return found
