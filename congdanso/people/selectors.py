"""Reads of the resident registry."""

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import QuerySet

from congdanso.people.models import DataIssue, Resident
from congdanso.places.models import Place

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
        "cccd",
        "phone",
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
                cccd=cccd,
                phone=phone,
                village=villages.get(village_id, "") if village_id else "",
                status=status,
                issues=tuple(sorted(issues.get(rid, ()))),
            )
