"""The audit log a user may read: the events of the communes they manage (every event for an
administrator), and each event as a commune officer reads it.

`audit_rows` turns the stored events into what the page shows: the action, the object (its
model's `verbose_name`) and each changed field (the field's `verbose_name`) in the reader's
language, the time in Vietnam as dd/mm/yyyy HH:MM, the commune by name, and every value
whole — a stored value is a pair [before, after] only when it is a list of two for a field
that holds one value; anything else (a text, a list of fields, a count) is one value.
Personal numbers are masked when the event is written (`core.audit`); the page masks again
any run of digits long enough to be a CCCD or a phone, so that a value a service wrote
unmasked never shows in clear.
"""

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from congdanso.campaigns.models import Criterion
from congdanso.core.audit import mask_cccd
from congdanso.core.models import AuditAction, AuditEvent
from congdanso.people.models import Resident
from congdanso.places.models import Place
from congdanso.scope.access import MANAGE_ROLES, Access, residents_visible
from congdanso.vn import fold, mask_phone
from congdanso.vn.today import VIETNAM_TZ

#: Residents a name in the "resident" filter may stand for (a name matching more is too vague
#: to be a filter: the page asks for more of it).
RESIDENTS_PER_NAME = 50


def audit_places(access: Access) -> QuerySet[Place] | None:
    """The places whose events the user reads (None: all, for an administrator): every place
    under a place they manage — its communes, and the place itself when it is above a
    commune (a district campaign's import job is logged under the district)."""
    if access.is_admin:
        return None
    paths = access.paths(MANAGE_ROLES)
    if not paths:
        return Place.objects.none()
    under = Q()
    for path in paths:
        under |= Q(path__startswith=path)
    return Place.objects.filter(under)


def residents_named(access: Access, text: str) -> list[int]:
    """The residents a "resident" filter names: `#123` or `123` (the id the log shows beside
    the initials), else residents of the user's scope whose name contains the words."""
    text = text.strip()
    if text.lstrip("#").isdigit():
        return [int(text.lstrip("#"))]
    key = fold(text)
    if not key:
        return []
    return list(
        residents_visible(access)
        .filter(name_key__contains=key)
        .order_by("name_key", "id")
        .values_list("id", flat=True)[:RESIDENTS_PER_NAME]
    )


def _about_residents(resident_ids: list[int]) -> Q:
    """Events about the residents: the resident's own, and those of the rows that belong to
    them (achievements, turns, data issues, notices…: every model pointing at a resident)."""
    q = Q(object_type=Resident._meta.label_lower, object_id__in=[str(i) for i in resident_ids])
    for relation in Resident._meta.related_objects:
        related = relation.related_model
        if relation.many_to_many or isinstance(related, str):
            continue
        ids = related._default_manager.filter(
            **{f"{relation.field.name}_id__in": resident_ids}
        ).values_list("pk", flat=True)
        q |= Q(object_type=related._meta.label_lower, object_id__in=[str(i) for i in ids])
    return q


def audit_events_visible(
    access: Access,
    *,
    commune: Place | None = None,
    actor_name: str = "",
    resident_ids: list[int] | None = None,
    action: str = "",
    object_type: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    """The audit events of the communes a manager covers (all of them for an administrator),
    newest first, filtered. Events of no commune (users, keys, roles above a commune) are for
    administrators.
    `since`/`until` are days in Vietnam."""
    events = AuditEvent.objects.all()
    places = audit_places(access)
    if places is not None:
        events = events.filter(commune_id__in=places.values("id"))
    if commune is not None:
        events = events.filter(commune_id=commune.pk)
    if actor_name.strip():
        events = events.filter(actor_name__icontains=actor_name.strip())
    if resident_ids is not None:
        events = events.filter(_about_residents(resident_ids)) if resident_ids else events.none()
    if action:
        events = events.filter(action=action)
    if object_type:
        events = events.filter(object_type=object_type)
    # Whole days in Vietnam, as ranges of the indexed `at` (not `at__date`, which the index
    # cannot serve and which follows whatever time zone is active).
    if since is not None:
        events = events.filter(at__gte=dt.datetime.combine(since, dt.time(), VIETNAM_TZ))
    if until is not None:
        next_day = until + dt.timedelta(days=1)
        events = events.filter(at__lt=dt.datetime.combine(next_day, dt.time(), VIETNAM_TZ))
    return events.order_by("-at", "-id")


# --- As the page shows them ------------------------------------------------------------------

#: Objects that are no model (what the services name with `object_type=`).
OBJECT_NAMES = {"database": _("database")}

#: Keys of `changes` that are no field of the object's model.
CHANGE_LABELS = {
    "fields": _("fields"),
    "field": _("field"),
    "place": _("place"),
    "residents": _("residents"),
    "what": _("what"),
    "format": _("format"),
    "file": _("file"),
    "rejected_rows": _("rejected rows"),
    "rows": _("rows"),
    "size": _("size"),
    "sha256": _("checksum (SHA-256)"),
    "found": _("residents found"),
    "kind": _("kind"),
    "turns_created": _("turns recorded"),
    "turns_existing": _("turns already recorded"),
    "achievements_created": _("achievements recorded"),
    "achievements_updated": _("achievements updated"),
    "achievements_unchanged": _("achievements unchanged"),
    "revealed": _("numbers shown in full"),
    "filter": _("filter"),
    "campaign": _("campaign"),
    "as_of": _("as of"),
    "cohort": _("age cohort and its target share"),
    "exemplary": _("criteria of an exemplary citizen"),
    "criteria": _("criteria"),
    "units": _("units"),
    "resident": _("resident"),
    "decision": _("decision"),
}

#: How the event came.
VIA_LABELS = {"web": _("website"), "api": _("app (API)"), "command": _("command line")}

#: Values that are words of the system, shown as their label.
VALUE_LABELS = {
    "cccd": _("CCCD"),
    "phone": _("phone"),
    "full_name": _("full name"),
    "birth_date": _("birth date"),
    "export-residents": _("the list of residents"),
    "people-list": _("a list of residents"),
    "data subject export": _("a resident's own data, given to them"),
    "xlsx": "Excel (.xlsx)",
    "csv": "CSV",
    "Excel workbook": _("Excel workbook"),
}

#: Runs of digits as long as a phone (10, or 9 without its 0) or a CCCD (12), between
#: non-word characters: never shown in clear.
_NUMBER_RUN = re.compile(r"(?<!\w)\+?\d{9,12}(?!\w)")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATE_IN_TEXT = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?![\d:T])")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


@dataclass(frozen=True)
class AuditChange:
    field: str
    before: str | None  # None: the change is one value (`after`), not a before → after
    after: str


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: str  # dd/mm/yyyy HH:MM, Vietnam time
    actor: str
    ip: str
    via: str
    action: str
    object_type: str
    object_label: str
    commune: str
    changes: tuple[AuditChange, ...]
    reason: str


def _scrub(text: str) -> str:
    """A text as the page shows it: dates in it dd/mm/yyyy, long digit runs masked."""

    def mask(match: re.Match[str]) -> str:
        digits = match.group(0)
        return mask_cccd(digits) if len(digits.lstrip("+")) == 12 else mask_phone(digits)

    text = _ISO_DATE_IN_TEXT.sub(r"\3/\2/\1", text)
    return _NUMBER_RUN.sub(mask, text)


def audit_value(value: Any) -> str:
    """One stored value as the page writes it: whole, dates dd/mm/yyyy, yes/no, lists
    joined, words of the system by their label, long digit runs masked."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, int | float):
        return f"{value:,}".replace(",", ".") if isinstance(value, int) else str(value)
    if isinstance(value, list | tuple):
        return ", ".join(audit_value(v) for v in value) if value else "—"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {audit_value(v)}" for k, v in value.items())
    text = str(value)
    if text in VALUE_LABELS:
        return str(VALUE_LABELS[text])
    if _ISO_DATE.match(text):
        return dt.date.fromisoformat(text).strftime("%d/%m/%Y")
    if _ISO_DATETIME.match(text):
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            return _scrub(text)
        if timezone.is_aware(moment):
            moment = moment.astimezone(VIETNAM_TZ)
        return moment.strftime("%d/%m/%Y %H:%M")
    return _scrub(text)


def _model(object_type: str) -> Any:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _field_label(model: Any, key: str) -> str:
    if key in CHANGE_LABELS:
        return str(CHANGE_LABELS[key])
    if model is not None:
        try:
            field = model._meta.get_field(key)
        except FieldDoesNotExist:
            field = None
        if field is not None and hasattr(field, "verbose_name"):
            return str(field.verbose_name)
        if field is not None and field.related_model is not None:
            # a reverse relation (a target's milestones): the related rows' plural name
            return str(field.related_model._meta.verbose_name_plural)
    return key.replace("_", " ")


#: Keys whose stored value is a list of several items, never a [before, after] pair.
_LIST_KEYS = frozenset({"fields", "found", "columns"})
#: Keys whose values are place codes (besides the fields pointing at a place).
_PLACE_KEYS = frozenset({"place", "village", "site", "commune", "parent"})
#: Keys whose values are criteria codes, comma-separated.
_CRITERIA_KEYS = frozenset({"criteria", "exemplary"})


def _field(model: Any, key: str) -> Any:
    if model is None:
        return None
    try:
        field = model._meta.get_field(key)
    except FieldDoesNotExist:
        return None
    # a reverse relation (a target's "milestones") is a list of rows, not a field's value
    return None if field.auto_created and not field.concrete else field


def _names_places(model: Any, key: str) -> bool:
    field = _field(model, key)
    related = getattr(field, "related_model", None) if field is not None else None
    return key in _PLACE_KEYS or related is Place


@dataclass(frozen=True)
class _Words:
    """What the values of a page's events name by code: places and criteria."""

    places: dict[str, str]
    criteria: dict[str, str]
    criteria_by_id: dict[int, str]

    def shown(self, model: Any, key: str, value: Any) -> Any:
        """A stored value as words: a place or criterion by name, a choice by its label, a
        row of another table by its number (#12)."""
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, str) and _names_places(model, key) and value in self.places:
            return self.places[value]
        if isinstance(value, str) and key in _CRITERIA_KEYS:
            codes = [c for c in value.split(",") if c]
            return [self.criteria.get(c, c) for c in codes]
        field = _field(model, key)
        if field is None:
            return value
        if field.choices and isinstance(value, str | int):
            return dict(field.flatchoices).get(value, value)
        if field.related_model is Criterion and isinstance(value, int):
            return self.criteria_by_id.get(value, f"#{value}")
        if field.is_relation and isinstance(value, int):
            return f"#{value}"
        return value


def _words(events: list[AuditEvent]) -> _Words:
    codes: set[str] = set()
    criteria: set[str] = set()
    criterion_ids: set[int] = set()
    for event in events:
        if not isinstance(event.changes, dict):
            continue
        model = _model(event.object_type)
        for key, value in event.changes.items():
            values = value if isinstance(value, list) else [value]
            texts = [v for v in values if isinstance(v, str)]
            if _names_places(model, key):
                codes.update(texts)
            if key in _CRITERIA_KEYS:
                criteria.update(c for text in texts for c in text.split(",") if c)
            field = _field(model, key)
            if field is not None and field.related_model is Criterion:
                criterion_ids.update(v for v in values if isinstance(v, int))
    return _Words(
        places=dict(Place.objects.filter(code__in=codes).values_list("code", "name"))
        if codes
        else {},
        criteria=dict(Criterion.objects.filter(code__in=criteria).values_list("code", "name"))
        if criteria
        else {},
        criteria_by_id=dict(
            Criterion.objects.filter(pk__in=criterion_ids).values_list("id", "name")
        )
        if criterion_ids
        else {},
    )


def _changes(model: Any, changes: Any, words: _Words) -> tuple[AuditChange, ...]:
    if not isinstance(changes, dict):
        return (AuditChange("", None, audit_value(changes)),) if changes else ()
    out = []
    for key, value in changes.items():
        label = _field_label(model, key)
        if isinstance(value, list) and len(value) == 2 and key not in _LIST_KEYS:
            before, after = (words.shown(model, key, v) for v in value)
            if before is None:  # a value set where there was none (a creation): the value
                out.append(AuditChange(label, None, audit_value(after)))
            else:
                out.append(AuditChange(label, audit_value(before), audit_value(after)))
        else:
            out.append(AuditChange(label, None, audit_value(words.shown(model, key, value))))
    return tuple(out)


def _object_name(object_type: str, model: Any) -> str:
    if model is not None:
        return str(model._meta.verbose_name)
    if object_type in OBJECT_NAMES:
        return str(OBJECT_NAMES[object_type])
    return object_type


def audit_rows(events: Iterable[AuditEvent]) -> list[AuditRow]:
    """The events of a page as the page shows them (a query for the communes' names, and
    one each for the places and the criteria the changes name by code)."""
    events = list(events)
    names = dict(
        Place.objects.filter(pk__in={e.commune_id for e in events if e.commune_id}).values_list(
            "id", "name"
        )
    )
    words = _words(events)
    actions = dict(AuditAction.choices)
    rows = []
    for event in events:
        model = _model(event.object_type)
        rows.append(
            AuditRow(
                id=event.pk,
                at=event.at.astimezone(VIETNAM_TZ).strftime("%d/%m/%Y %H:%M"),
                actor=event.actor_name,
                ip=event.ip or "",
                via=str(VIA_LABELS.get(event.via, event.via)),
                action=str(actions.get(event.action, event.action)),
                object_type=_object_name(event.object_type, model),
                object_label=_scrub(event.object_label),
                commune=names.get(event.commune_id, "") if event.commune_id else "",
                changes=_changes(model, event.changes, words),
                reason=str(VALUE_LABELS[event.reason])
                if event.reason in VALUE_LABELS
                else _scrub(event.reason),
            )
        )
    return rows


def audit_object_types() -> list[tuple[str, str]]:
    """The kinds of object the log names, for the filter: (object_type, its name)."""
    types = AuditEvent.objects.order_by().values_list("object_type", flat=True).distinct()
    named = [(t, _object_name(t, _model(t))) for t in types if t]
    return sorted(named, key=lambda pair: fold(pair[1]))
