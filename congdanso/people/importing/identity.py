"""Which stored resident a row of the import is: the identity rules, and what a row may
change.

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
fields; a row that contradicts it goes to the rejects file with both values. Updating never
erases: an empty cell keeps what is stored.

CCCDs and phones are compared through the keyed hashes the cleaner computed
(`people.personal`); a number is encrypted only when a row's value is taken, and a stored
one is decrypted only to be quoted in a reason.

`Matcher.decide` applies the rules to a chunk of rows and to the residents they may be,
which `writing.ChunkWriter` reads for it and then stores as decided. The rules are a module
of their own because they are what a commune officer asks about and what the property tests
pin down, while the SQL around them changes for other reasons (speed, the backend). The
loop over a chunk's rows stays one method: the import's hot path makes no call per row
that it does not need.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from math import inf
from typing import Any

from django.utils.translation import gettext_lazy as _

from congdanso.core.crypto import Keyring, decrypt
from congdanso.core.errors import Message
from congdanso.people import personal
from congdanso.people.importing.cleaning import CleanRow, Issue, RejectedRow
from congdanso.people.importing.namesakes import Namesakes
from congdanso.people.models import IssueCode, ResidentStatus
from congdanso.people.personal import TOKEN, Sealed
from congdanso.places.models import Place


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
    def of_row(
        cls, resident_id: int, row: CleanRow, cccd: Sealed | None, phone: Sealed | None
    ) -> "Known":
        """The resident a clean row describes, its numbers sealed as `cccd` and `phone`."""
        return cls(
            resident_id,
            row.cccd_hmac,
            row.name_key,
            row.full_name,
            row.birth_date,
            row.birth_date_precision,
            row.gender,
            row.phone_hmac,
            row.village_id,
            row.status or ResidentStatus.LIVING,
            cccd,
            phone,
        )


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    warnings: dict[str, int] = field(default_factory=lambda: defaultdict(int))


@dataclass(frozen=True, slots=True)
class Decisions:
    """What the rows of a chunk came to, for the writer to store."""

    creates: list[tuple[CleanRow, Known]]  # new residents, in the order of their rows
    updates: dict[int, Known]  # stored residents a row changed, by id
    new_issues: list[tuple[Known, Issue]]
    resolved: list[tuple[Known, str]]  # (resident, issue code) that a row's value resolved


def _in_clear(sealed: Sealed | None, context: str) -> str:
    return decrypt(sealed[TOKEN], context) if sealed else ""


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


def namesakes_wanted(
    rows: list[CleanRow], by_id: dict[int, Known]
) -> dict[tuple[str, int], set[str] | None]:
    """The namesakes to look up for a chunk. They matter only to rows that no id or CCCD
    placed (`by_id`: the residents those found): to match them by name, birth date and
    village, or to flag a possible duplicate. For each (folded name, village or 0), the birth
    years ("YYYY") that make a namesake relevant (same year: a match or a possible
    duplicate); None when any birth date is unknown."""
    # (a resident found by id may have no CCCD: None is no number a row can share)
    found_cccds = {k.cccd for k in by_id.values() if k.cccd}
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
    return years


class Matcher:
    """The identity rules over the rows of one import, chunk by chunk, with what they must
    remember from one chunk to the next: the residents earlier rows of the file matched."""

    def __init__(self, *, ring: Keyring, counts: Counts, rejected: list[RejectedRow]) -> None:
        self.keyring = ring
        self.counts = counts  # the writer's: the matching adds the rows it decides
        self.rejected = rejected  # the writer's: the rows the rules refuse go there
        self._claimed = bytearray()
        self._claimed_base = 0

    def decide(self, rows: list[CleanRow], by_id: dict[int, Known]) -> Decisions:
        """Match each row to a resident of `by_id` (those the rows' ids, CCCDs and
        `namesakes_wanted` found, with their issues) or to one an earlier row created, and
        decide what changes."""
        by_cccd = {k.cccd: k for k in by_id.values() if k.cccd}
        by_name = Namesakes()
        for stored in by_id.values():
            by_name.add(stored)

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
                known = Known.of_row(0, row, self._seal_cccd(row), self._seal_phone(row))
                for other in by_name.near(row.name_key, row.village_id, row.birth_date):
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
                by_name.add(known)
                if row.cccd_hmac:
                    by_cccd[row.cccd_hmac] = known
                for issue in row_issues.values():
                    new_issues.append((known, issue))
                    known.issues.add((issue.code, issue.original))
                self.counts.created += 1
            else:
                if self._is_claimed(known, claimed_here):
                    conflict = _conflict(row, known)
                    if conflict is not None:
                        self.rejected.append(RejectedRow(row.row_number, row.cells, conflict))
                        continue
                    changed = self._apply(row, known, by_cccd, resolved, fill_only=True)
                else:
                    changed = self._apply(row, known, by_cccd, resolved)
                    self._claim(known, claimed_here)
                # Later rows of the chunk meet the person under the name, village and birth
                # date now theirs, as they would once it is stored.
                by_name.refile(known)
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
        return Decisions(creates, updates, new_issues, resolved)

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

    def claim_ids(self, resident_ids: list[int]) -> None:
        """Residents just inserted: a later row for the same person fills, never overwrites."""
        for resident_id in resident_ids:
            self._claim_id(resident_id)

    # -- deciding --------------------------------------------------------------------------
    def _match(
        self,
        row: CleanRow,
        by_id: dict[int, Known],
        by_cccd: dict[str, Known],
        by_name: Namesakes,
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
            for known in by_name.born_on(row.name_key, row.village_id, row.birth_date)
            if not row.cccd or not known.cccd
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

    # -- the numbers a decision takes, encrypted -------------------------------------------
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
