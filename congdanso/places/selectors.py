"""Reads of the place tree."""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from congdanso.core.errors import Message, NotFound
from congdanso.places.models import COMMUNE_LEVEL_KINDS, LOCAL_KINDS, Place
from congdanso.vn import fold


def path_ancestors(path: str) -> list[str]:
    """The paths of a place and of every place above it: "/66/24490/" → ["/66/", "/66/24490/"]."""
    parts = path.strip("/").split("/")
    return [f"/{'/'.join(parts[:n])}/" for n in range(1, len(parts) + 1)]


def place_subtree(place: Place, *, include_self: bool = True) -> QuerySet[Place]:
    """The place and everything below it: one indexed prefix query on `path`."""
    qs = Place.objects.filter(path__startswith=place.path)
    return qs if include_self else qs.exclude(pk=place.pk)


def commune_get(code: str) -> Place:
    """The commune with this code, or NotFound whose message suggests communes by name."""
    code = code.strip()
    place = Place.objects.filter(code=code, kind__in=COMMUNE_LEVEL_KINDS).first()
    if place is None and code.isdigit():
        place = Place.objects.filter(code=code.zfill(5), kind__in=COMMUNE_LEVEL_KINDS).first()
    if place is not None:
        return place
    key = fold(code)
    suggestions = list(
        Place.objects.filter(kind__in=COMMUNE_LEVEL_KINDS)
        .filter(Q(name_key__contains=key) if key else Q(pk__in=[]))
        .select_related("parent")
        .order_by("path")[:5]
    )
    hint = "; ".join(
        f"{p.code} = {p.name} ({p.parent.name if p.parent else ''})" for p in suggestions
    )
    if hint:
        message = Message(
            _("No commune has the code %(code)s. Did you mean: %(hint)s"), code=code, hint=hint
        )
    else:
        message = Message(_("No commune has the code %(code)s."), code=code)
    raise NotFound(message, code="commune_not_found")


def place_get(code: str) -> Place:
    place = Place.objects.filter(code=code.strip()).first()
    if place is None:
        raise NotFound(
            Message(_("No place has the code %(code)s."), code=code), code="place_not_found"
        )
    return place


def villages_of(commune: Place, *, include_archived: bool = False) -> QuerySet[Place]:
    qs = Place.objects.filter(parent=commune, kind__in=LOCAL_KINDS).order_by("kind", "name")
    return qs if include_archived else qs.filter(archived_at__isnull=True)
