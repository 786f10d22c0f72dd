"""Reads of the resident registry."""

import contextlib
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from congdanso.core.crypto import decrypt
from congdanso.people import personal
from congdanso.people.models import DataIssue, Resident
from congdanso.places.models import Place
from congdanso.vn import VnValueError, fold, normalize_phone, parse_cccd

_EXPORT_BATCH = 5000


@dataclass(frozen=True, slots=True)
class ExportRow:
    id: int
    full_name: str
    birth_date: dt.date | None
    birth_date_precision: str
    gender: str
    cccd: str | None
    phone: str
    village: str
    status: str
    issues: tuple[str, ...]


def resident_list(*, commune: Place) -> QuerySet[Resident]:
    return Resident.objects.filter(commune=commune)


def resident_export_rows(commune: Place) -> Iterator[ExportRow]:
    """Every resident of the commune with their open issue codes, streamed in id batches."""
    villages = dict(Place.objects.filter(parent=commune).values_list("id", "name"))
    last_id = 0
    fields = (
        "id",
        "full_name",
        "birth_date",
        "birth_date_precision",
        "gender",
        "cccd_encrypted",
        "phone_encrypted",
        "village_id",
        "status",
    )
    while True:
        batch = list(
            Resident.objects.filter(commune=commune, id__gt=last_id)
            .order_by("id")
            .values_list(*fields)[:_EXPORT_BATCH]
        )
        if not batch:
            return
        last_id = batch[-1][0]
        issues: dict[int, set[str]] = {}
        for resident_id, code in DataIssue.objects.filter(
            commune=commune,
            resolved_at__isnull=True,
            resident_id__gte=batch[0][0],
            resident_id__lte=last_id,
        ).values_list("resident_id", "code"):
            issues.setdefault(resident_id, set()).add(code)
        for rid, name, birth, precision, gender, cccd, phone, village_id, status in batch:
            yield ExportRow(
                id=rid,
                full_name=name,
                birth_date=birth,
                birth_date_precision=precision,
                gender=gender,
                cccd=decrypt(cccd, personal.CCCD) if cccd else None,
                phone=decrypt(phone, personal.PHONE) if phone else "",
                village=villages.get(village_id, "") if village_id else "",
                status=status,
                issues=tuple(sorted(issues.get(rid, ()))),
            )


#: Fewest digits a number fragment must have: the end of a number, looked up by its last four.
SEARCH_MIN_DIGITS = 4
_NUMBER_NOISE = re.compile(r"[ .\-()+]")


def resident_search(
    queryset: QuerySet[Resident], text: str, *, limit: int | None = 50
) -> QuerySet[Resident]:
    """Residents of `queryset` that `text` names: folded name fragments in any order
    ("hoa nguyen" finds Nguyễn Thị Hoà), or a CCCD or phone number — whole, in any spelling
    the importer reads ("0912 345 678", "+84912345678"), or its last four digits or more.
    A fragment from the start or the middle of a number finds nothing: numbers are stored
    encrypted, and only whole numbers and their last four digits have look-up keys
    (`people.personal`). At most `limit` residents, None for all."""
    term = text.strip()
    if not term:
        return queryset.none()
    if _NUMBER_NOISE.sub("", term).isdigit():
        found = queryset.filter(pk__in=_number_matches(queryset, term))
    else:
        found = queryset
        for word in fold(term).split():
            found = found.filter(name_key__contains=word)
    return found if limit is None else found[:limit]


def _number_matches(queryset: QuerySet[Resident], term: str) -> set[int]:
    digits = "".join(ch for ch in term if ch.isdigit())
    exact = Q(pk__in=[])
    with contextlib.suppress(VnValueError):
        exact |= Q(cccd_hmac=personal.cccd_hmac(parse_cccd(term).number))
    with contextlib.suppress(VnValueError):
        exact |= Q(phone_hmac=personal.phone_hmac(normalize_phone(term)))
    found = set(queryset.filter(exact).values_list("pk", flat=True))
    if len(digits) < SEARCH_MIN_DIGITS:
        return found
    cccd_last4, phone_last4 = personal.last4_hmacs(digits)
    candidates = queryset.filter(
        Q(cccd_last4_hmac=cccd_last4) | Q(phone_last4_hmac=phone_last4)
    ).values_list("pk", "cccd_encrypted", "cccd_last4_hmac", "phone_encrypted", "phone_last4_hmac")
    for pk, cccd, cccd_key, phone, phone_key in candidates:
        if len(digits) == SEARCH_MIN_DIGITS:
            found.add(pk)  # the look-up key is the whole test
        elif (
            cccd and cccd_key == cccd_last4 and decrypt(cccd, personal.CCCD).endswith(digits)
        ) or (
            phone and phone_key == phone_last4 and decrypt(phone, personal.PHONE).endswith(digits)
        ):
            found.add(pk)
    return found
