"""Writes to the place tree. Paths are computed here and nowhere else."""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _
from vietnam_provinces import Province, VietNamDivisionType, Ward

from congdanso.core.errors import DomainError, Message
from congdanso.places.models import COMMUNE_LEVEL_KINDS, LOCAL_KINDS, Place, PlaceKind
from congdanso.vn import clean_name, fold, place_key, split_place_name, village_display_name

_PROVINCE_KINDS = {
    VietNamDivisionType.TINH: PlaceKind.PROVINCE,
    VietNamDivisionType.THANH_PHO_TRUNG_UONG: PlaceKind.PROVINCE,
}
_WARD_KINDS = {
    VietNamDivisionType.XA: PlaceKind.COMMUNE,
    VietNamDivisionType.PHUONG: PlaceKind.WARD,
    VietNamDivisionType.DAC_KHU: PlaceKind.SPECIAL_ZONE,
}


@dataclass(frozen=True)
class LoadResult:
    created: int
    updated: int
    unchanged: int


def _child_path(parent: Place | None, code: str) -> str:
    return f"{parent.path if parent else '/'}{code}/"


def _slug(name: str) -> str:
    return "-".join(fold(name).replace("'", "").split())


@transaction.atomic
def places_load_official() -> LoadResult:
    """Load the 34 provinces and their communes/wards of the 2025 two-tier map (idempotent).

    Names are cleaned (the package has stray double spaces); a place already loaded keeps its
    id, and only a changed name, kind or parent is written. New places go in with two bulk
    inserts (provinces, then communes) so that a first load takes a fraction of a second.
    """
    existing = {p.code: p for p in Place.objects.filter(is_official=True)}
    counts = {"created": 0, "updated": 0, "unchanged": 0}

    def sync(wanted: list[tuple[str, str, str, Place | None]]) -> None:
        new: list[Place] = []
        changed: list[Place] = []
        for code, raw_name, kind, parent in wanted:
            name = clean_name(raw_name)
            path = _child_path(parent, code)
            place = existing.get(code)
            if place is None:
                place = Place(
                    code=code,
                    name=name,
                    name_key=place_key(name),
                    kind=kind,
                    parent=parent,
                    path=path,
                    is_official=True,
                )
                new.append(place)
            elif (place.name, place.kind, place.path) != (name, kind, path):
                place.name, place.name_key, place.kind, place.path = (
                    name,
                    place_key(name),
                    kind,
                    path,
                )
                place.parent = parent
                changed.append(place)
            else:
                counts["unchanged"] += 1
        Place.objects.bulk_create(new, batch_size=500)
        Place.objects.bulk_update(changed, ["name", "name_key", "kind", "path", "parent"], 500)
        existing.update({p.code: p for p in new})
        counts["created"] += len(new)
        counts["updated"] += len(changed)

    provinces = list(Province.iter_all())
    sync(
        [
            (
                f"{int(p.code):02d}",
                p.name,
                _PROVINCE_KINDS.get(p.division_type, PlaceKind.PROVINCE),
                None,
            )
            for p in provinces
        ]
    )
    sync(
        [
            (
                f"{int(w.code):05d}",
                w.name,
                _WARD_KINDS.get(w.division_type, PlaceKind.COMMUNE),
                existing[f"{int(w.province_code):02d}"],
            )
            for w in Ward.iter_all()
        ]
    )
    Place.objects.filter(
        is_official=True, kind__in=COMMUNE_LEVEL_KINDS, commune__isnull=True
    ).update(commune=F("id"))
    return LoadResult(**counts)


def _local_child_get_or_create(
    *, parent: Place, name: str, kind: str, code: str | None
) -> tuple[Place, bool]:
    key = place_key(name)
    found = Place.objects.filter(parent=parent, name_key=key, kind=kind).first()
    if found is not None:
        return found, False
    code = code or f"{parent.code}-{_slug(name)}"
    if Place.objects.filter(code=code).exists():
        raise DomainError(
            Message(_("The code %(code)s is already used by another place."), code=code),
            code="place_code_taken",
        )
    place = Place.objects.create(
        code=code,
        name=name,
        name_key=key,
        kind=kind,
        parent=parent,
        path=_child_path(parent, code),
    )
    return place, True


@transaction.atomic
def district_get_or_create(*, province: Place, name: str) -> tuple[Place, bool]:
    """A pre-2025 district (huyện), kept for historical campaigns."""
    if province.kind != PlaceKind.PROVINCE:
        raise DomainError(
            Message(_("%(place)s is not a province."), place=province.name), code="not_a_province"
        )
    return _local_child_get_or_create(
        parent=province, name=clean_name(name), kind=PlaceKind.DISTRICT, code=None
    )


@transaction.atomic
def commune_get_or_create(
    *, parent: Place, name: str, code: str | None = None, kind: str = PlaceKind.COMMUNE
) -> tuple[Place, bool]:
    """A commune that is not in the 2025 list (e.g. merged away), under its province/district."""
    if parent.kind not in {PlaceKind.PROVINCE, PlaceKind.DISTRICT}:
        raise DomainError(
            Message(
                _("A commune must be placed under a province or a district, not under %(place)s."),
                place=parent.name,
            ),
            code="bad_parent",
        )
    if kind not in COMMUNE_LEVEL_KINDS:
        raise DomainError(Message(_("Unknown commune kind: %(kind)s."), kind=kind), code="bad_kind")
    place, created = _local_child_get_or_create(
        parent=parent, name=clean_name(name), kind=kind, code=code
    )
    if created:
        place.commune = place
        place.save(update_fields=["commune"])
    return place, created


def _next_local_code(commune: Place) -> str:
    prefix = f"{commune.code}."
    used = Place.objects.filter(parent=commune, code__startswith=prefix).values_list(
        "code", flat=True
    )
    numbers = [int(c[len(prefix) :]) for c in used if c[len(prefix) :].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1}"


@transaction.atomic
def village_get_or_create(
    *, commune: Place, name: str, kind: str | None = None
) -> tuple[Place, bool]:
    """A village (thôn), Ede village (buôn), residential group, school or other site.

    The kind is inferred from the name's prefix when not given ("Buôn Ghamah" → Ede village).
    A name given without prefix gets the prefix of its kind ("Ghamah", ede_village →
    "Buôn Ghamah"). Matching is by the folded bare name, so "Ghamah" finds "Buôn Ghamah".
    """
    if commune.kind not in COMMUNE_LEVEL_KINDS:
        raise DomainError(
            Message(_("%(place)s is not a commune."), place=commune.name), code="not_a_commune"
        )
    cleaned = clean_name(name)
    if not cleaned:
        raise DomainError(_("A village needs a name."), code="name_missing")
    inferred, bare = split_place_name(cleaned)
    kind = kind or inferred or PlaceKind.VILLAGE
    if kind not in LOCAL_KINDS:
        raise DomainError(Message(_("Unknown village kind: %(kind)s."), kind=kind), code="bad_kind")
    display = cleaned if inferred else village_display_name(kind, bare)
    key = place_key(display)
    found = (
        Place.objects.filter(parent=commune, name_key=key, kind__in=LOCAL_KINDS)
        .order_by("archived_at", "id")
        .first()
    )
    if found is not None:
        return found, False
    code = _next_local_code(commune)
    place = Place.objects.create(
        code=code,
        name=display,
        name_key=key,
        kind=kind,
        parent=commune,
        commune=commune,
        path=_child_path(commune, code),
    )
    return place, True
