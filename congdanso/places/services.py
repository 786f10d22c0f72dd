"""Writes to the place tree. Paths are computed here and nowhere else."""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from congdanso.core.audit import audit_record
from congdanso.core.errors import DomainError, Message
from congdanso.core.hooks import place_archive_check
from congdanso.core.models import AuditAction
from congdanso.places.models import COMMUNE_LEVEL_KINDS, LOCAL_KINDS, Place, PlaceKind
from congdanso.vn import clean_name, fold, place_key, split_place_name, village_display_name


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
    # Imported here: the package's tables take ~0.1 s to load, which every command that
    # reaches this module (an import resolving villages) would pay at start-up.
    from vietnam_provinces import Province, VietNamDivisionType, Ward

    province_kinds = {
        VietNamDivisionType.TINH: PlaceKind.PROVINCE,
        VietNamDivisionType.THANH_PHO_TRUNG_UONG: PlaceKind.PROVINCE,
    }
    ward_kinds = {
        VietNamDivisionType.XA: PlaceKind.COMMUNE,
        VietNamDivisionType.PHUONG: PlaceKind.WARD,
        VietNamDivisionType.DAC_KHU: PlaceKind.SPECIAL_ZONE,
    }
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
                province_kinds.get(p.division_type, PlaceKind.PROVINCE),
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
                ward_kinds.get(w.division_type, PlaceKind.COMMUNE),
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


# -- the places page: villages and sites a commune adds, renames and archives ---------------


def _local_place_check(place: Place) -> None:
    if place.kind not in LOCAL_KINDS or place.parent_id is None:
        raise DomainError(
            Message(
                _("%(place)s is not a village or site of a commune: it cannot be changed here."),
                place=place.name,
            ),
            code="not_a_village",
        )


def _name_and_kind(name: str, kind: str | None) -> tuple[str, str]:
    """The name as stored (with its kind's prefix) and the kind, as `village_get_or_create`
    decides them: the prefix of the name wins over `kind`."""
    cleaned = clean_name(name)
    if not cleaned:
        raise DomainError(_("A village needs a name."), code="name_missing")
    inferred, bare = split_place_name(cleaned)
    kind = inferred or kind or PlaceKind.VILLAGE
    if kind not in LOCAL_KINDS:
        raise DomainError(Message(_("Unknown village kind: %(kind)s."), kind=kind), code="bad_kind")
    return (cleaned if inferred else village_display_name(kind, bare)), kind


def _same_name_check(*, parent: Place, name: str, excluded: Place | None = None) -> None:
    clash = Place.objects.filter(
        parent=parent, name_key=place_key(name), kind__in=LOCAL_KINDS, archived_at__isnull=True
    )
    if excluded is not None:
        clash = clash.exclude(pk=excluded.pk)
    found = clash.first()
    if found is not None:
        raise DomainError(
            Message(
                _("%(commune)s already has %(place)s: choose another name."),
                commune=parent.name,
                place=found.name,
            ),
            code="place_name_taken",
        )


@transaction.atomic
def village_add(*, commune: Place, name: str, kind: str | None = None) -> Place:
    """A new village or site of the commune (the kind inferred from the name's prefix when
    not given). Refused when the commune already has one of that name; an archived one of
    that name is brought back instead of making a second."""
    display, kind = _name_and_kind(name, kind)
    _same_name_check(parent=commune, name=display)
    archived = (
        Place.objects.filter(parent=commune, name_key=place_key(display), kind__in=LOCAL_KINDS)
        .exclude(archived_at__isnull=True)
        .first()
    )
    if archived is not None:
        return place_restore(place=archived)
    place, _created = village_get_or_create(commune=commune, name=display, kind=kind)
    audit_record(
        action=AuditAction.CREATE,
        obj=place,
        after={"name": place.name, "kind": place.kind, "code": place.code},
    )
    return place


@transaction.atomic
def village_rename(*, place: Place, name: str, kind: str | None = None) -> Place:
    """Rename a village or site (its code, path and residents stay). A name with a prefix
    ("Buôn …") sets the kind; without one the kind is kept (or `kind` given) and its prefix
    added. Refused when another village or site of the commune has that name."""
    _local_place_check(place)
    display, new_kind = _name_and_kind(name, kind or place.kind)
    assert place.parent is not None  # noqa: S101 - checked above
    _same_name_check(parent=place.parent, name=display, excluded=place)
    before = {"name": place.name, "kind": place.kind}
    after = {"name": display, "kind": new_kind}
    if before == after:
        return place
    place.name, place.name_key, place.kind = display, place_key(display), new_kind
    place.save(update_fields=["name", "name_key", "kind"])
    audit_record(action=AuditAction.UPDATE, obj=place, before=before, after=after)
    return place


@transaction.atomic
def place_archive(*, place: Place, reason: str = "") -> Place:
    """Archive a village or site: it leaves the lists and the import's village matching,
    and everything that points at it stays. Refused while residents live there (they would
    be left in a village nobody sees)."""
    _local_place_check(place)
    if place.archived_at is not None:
        return place
    # the apps that keep things in a place may refuse (people: residents living there)
    place_archive_check(place)
    place.archived_at = timezone.now()
    place.save(update_fields=["archived_at"])
    audit_record(
        action=AuditAction.UPDATE,
        obj=place,
        changes={"archived": [False, True]},
        reason=reason,
    )
    return place


@transaction.atomic
def place_restore(*, place: Place) -> Place:
    """Bring an archived village or site back, unless another one now has its name."""
    _local_place_check(place)
    if place.archived_at is None:
        return place
    assert place.parent is not None  # noqa: S101 - checked above
    _same_name_check(parent=place.parent, name=place.name, excluded=place)
    place.archived_at = None
    place.save(update_fields=["archived_at"])
    audit_record(action=AuditAction.UPDATE, obj=place, changes={"archived": [True, False]})
    return place
