"""The rows of the workbook's two long lists — the sessions and the residents — read from the
database as they are written.

The two lists the indicators only count are read with the indicators' definitions, and
their totals equal the indicators' (the tests check both). The residents are read commune by
commune (the shard key), each commune's residents and their achievements as two cursors in
the same order, merged as they go: no more than one village's residents are held at a time
(each village's are put in the order of an official list, `vn.name_sort_key`, before they are
written), so a province of 3,000,000 residents fits in the memory of a village's.

Personal data: a viewer (no role that sees residents one by one over the place) gets no
residents' sheet. CCCD and phone are masked unless the user may reveal them
(`scope.access.can_reveal`; the workbook is then an audited reveal); those who may not
see birth dates in full get the birth year. The command line (no access) is a system
administrator's: it sees birth dates, and the numbers masked all the same.

A module of its own because what is read, and what of each person may be shown, is one
job, apart from how the cells are laid out (`reports.xlsx`).
"""

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from congdanso.campaigns.cohort import cohort_birth_range
from congdanso.campaigns.models import Achievement
from congdanso.campaigns.selectors import CampaignRules, communes_under
from congdanso.core.crypto import Keyring, keyring
from congdanso.outreach.models import SessionStatus
from congdanso.outreach.selectors import session_list
from congdanso.people import personal
from congdanso.people.models import Gender, Resident, ResidentStatus
from congdanso.places.models import LOCAL_KINDS, Place
from congdanso.reports.selectors import ReportRequest
from congdanso.scope.access import PERSON_ROLES, Access, can_reveal, residents_visible
from congdanso.vn import mask_phone, name_sort_key
from congdanso.vn.collation import NameKey

#: Rows a database cursor fetches at a time (residents; achievements are ~5 a resident).
CHUNK = 2000


def sessions_listed(request: ReportRequest) -> Any:
    """The sessions the indicators count, in date order: held in the place's subtree on or
    before the date, and those planned (at any date)."""
    return (
        session_list(campaign=request.campaign)
        .filter(place__path__startswith=request.place.path)
        .filter(
            Q(status=SessionStatus.HELD, date__lte=request.on) | Q(status=SessionStatus.PLANNED)
        )
    )


def sees_residents(access: Access | None, place: Place) -> bool:
    """The command line sees everyone; a user, when a role that sees residents one by one
    covers the whole place (as for the lists behind the dashboard)."""
    return access is None or access.covers(place, PERSON_ROLES)


@dataclass(frozen=True)
class ResidentLine:
    """A row of the residents' sheet, before it is written (also what the tests compare)."""

    commune_id: int
    name: str
    birth: dt.date | int | None  # a date, or the birth year for those who may not see it
    birth_precision: str
    gender: str
    commune: str
    village: str
    cccd: str
    phone: str
    reached: tuple[dt.date | None, ...]  # per campaign criterion, in the campaign's order
    exemplary: bool
    in_cohort: bool
    revealed: bool  # the CCCD and phone in full


def line_communes(request: ReportRequest, people: "QuerySet[Resident] | None" = None) -> Any:
    """The communes whose residents the lines list, in path order: those under the place, or
    those of the given residents."""
    if people is not None:
        return Place.objects.filter(pk__in=people.order_by().values("commune_id")).order_by("path")
    return Place.objects.filter(pk__in=communes_under(request.place)).order_by("path")


def resident_lines(
    request: ReportRequest, rules: CampaignRules, people: "QuerySet[Resident] | None" = None
) -> Iterator[ResidentLine]:
    """The residents counted in the place at the date (living there, filed under it) — or,
    when given, the residents of `people` (a list's filtered residents, already scoped) —
    commune by commune in path order, then by village and, within a village, in the order of
    an official list (`vn.name_sort_key`), each with the date they reached each criterion (an
    achievement in force dated on or before the date). Streams, a village at a time."""
    access, place, day = request.access, request.place, request.on
    born_from, born_to = cohort_birth_range(request.campaign)
    criterion_ids = [c.pk for c in rules.criteria]
    base = residents_visible(access) if access is not None else Resident.objects.all()
    genders = {value: str(label) for value, label in Gender.choices}
    # Loaded once: `decrypt()` looks the keyring up again for every value. A key rotated
    # meanwhile by another process fails loudly (DecryptionError), nothing is written.
    ring = keyring()
    for commune in line_communes(request, people).iterator():
        villages = dict(
            Place.objects.filter(commune=commune, kind__in=LOCAL_KINDS).values_list("id", "name")
        )
        reveal = access is not None and can_reveal(access, Resident(commune=commune))
        sees_birth_date = access is None or reveal
        if people is not None:
            listed = people.filter(commune_id=commune.pk)
        else:
            listed = base.filter(commune_id=commune.pk, status=ResidentStatus.LIVING)
            if place.kind in LOCAL_KINDS:
                listed = listed.filter(village__path__startswith=place.path)
        residents = (
            listed.order_by("village__path", "name_key", "id")
            .values_list(
                "id",
                "full_name",
                "birth_date",
                "birth_date_precision",
                "gender",
                "village_id",
                "cccd_encrypted",
                "phone_encrypted",
            )
            .iterator(chunk_size=CHUNK)
        )
        # The same order as the residents, so the two cursors merge as they stream.
        achievements = (
            Achievement.objects.filter(
                commune_id=commune.pk,
                withdrawn_at__isnull=True,
                achieved_on__lte=day,
                criterion_id__in=criterion_ids,
                resident_id__in=listed.order_by().values("id"),
            )
            .order_by("resident__village__path", "resident__name_key", "resident_id")
            .values_list("resident_id", "criterion_id", "achieved_on")
            .iterator(chunk_size=CHUNK * 4)
        )
        pending = next(achievements, None)
        # The database gives each village's residents together (by name_key, which pagination
        # and the merge need); a village at a time, they are put in the official list order.
        village_lines: list[tuple[NameKey, int, ResidentLine]] = []
        current_village: int | None = None
        for rid, name, birth, precision, gender, village_id, cccd, phone in residents:
            reached: dict[int, dt.date] = {}
            while pending is not None and pending[0] == rid:
                reached[pending[1]] = pending[2]
                pending = next(achievements, None)
            if village_id != current_village:
                yield from _in_list_order(village_lines)
                village_lines, current_village = [], village_id
            line = ResidentLine(
                commune_id=commune.pk,
                name=name,
                birth=birth if sees_birth_date or birth is None else birth.year,
                birth_precision=precision,
                gender=genders.get(gender, ""),
                commune=commune.name,
                village=villages.get(village_id, "") if village_id else "",
                cccd=_shown(ring, cccd, personal.CCCD, reveal),
                phone=_shown(ring, phone, personal.PHONE, reveal),
                reached=tuple(reached.get(c) for c in criterion_ids),
                exemplary=rules.is_exemplary(reached),
                in_cohort=birth is not None and born_from <= birth <= born_to,
                revealed=reveal and bool(cccd or phone),
            )
            village_lines.append((name_sort_key(name), rid, line))
        yield from _in_list_order(village_lines)
        if pending is not None:  # the two orders disagree: never a sheet with missing ticks
            raise RuntimeError("the achievements did not stream in the residents' order")


def _in_list_order(lines: list[tuple[NameKey, int, ResidentLine]]) -> Iterator[ResidentLine]:
    lines.sort(key=lambda entry: entry[:2])
    return (line for _, _, line in lines)


def _shown(ring: Keyring, token: str | None, context: str, reveal: bool) -> str:
    if not token:
        return ""
    number = ring.decrypt(token, context)
    if reveal:
        return number
    return personal.mask_value("cccd", number) if context == personal.CCCD else mask_phone(number)
