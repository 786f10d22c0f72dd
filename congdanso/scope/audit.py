"""The audit log a user may read: the events of the communes they manage (every event for an
administrator)."""

import datetime as dt

from django.db.models import QuerySet

from congdanso.core.models import AuditEvent
from congdanso.places.models import COMMUNE_LEVEL_KINDS, Place
from congdanso.scope.access import MANAGE_ROLES, Access


def audit_events_visible(
    access: Access,
    *,
    commune: Place | None = None,
    actor_name: str = "",
    action: str = "",
    object_type: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    """The audit events of the communes a manager covers (all of them for an administrator),
    newest first, filtered. Events of no commune (users, roles, keys) are for administrators."""
    events = AuditEvent.objects.all()
    if not access.is_admin:
        paths = access.paths(MANAGE_ROLES)
        communes: list[int] = []
        for place in Place.objects.filter(kind__in=COMMUNE_LEVEL_KINDS).only("id", "path"):
            if any(place.path.startswith(p) for p in paths):
                communes.append(place.pk)
        events = events.filter(commune_id__in=communes)
    if commune is not None:
        events = events.filter(commune_id=commune.pk)
    if actor_name:
        events = events.filter(actor_name__iexact=actor_name.strip())
    if action:
        events = events.filter(action=action)
    if object_type:
        events = events.filter(object_type=object_type)
    if since is not None:
        events = events.filter(at__date__gte=since)
    if until is not None:
        events = events.filter(at__date__lte=until)
    return events.order_by("-at", "-id")
