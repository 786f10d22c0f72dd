"""Writing the audit log.

Services call `audit_record` inside their transaction, so an action and its audit row commit
or roll back together. Who and from where come from the request (set by `AuditMiddleware` or
the API) or from the command line (`via="command"`), through a context variable, so service
signatures stay about the domain.

Personal fields are masked before they are written: a CCCD keeps its first three and last
three digits, a phone its first two and last two, a name its initials, a birth date its year.
"""

import contextvars
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models
from django.http import HttpRequest, HttpResponse

from congdanso.core.models import AuditAction, AuditEvent
from congdanso.vn import mask_phone

#: Who does something, as the services take it: a user, or None for the command line (and
#: then the audit context says who).
Actor = AbstractBaseUser | None


@dataclass(frozen=True)
class AuditContext:
    user_id: int | None = None
    user_name: str = ""
    ip: str | None = None
    via: str = ""


_context: contextvars.ContextVar[AuditContext] = contextvars.ContextVar(
    "congdanso_audit",
    default=AuditContext(via="command"),  # noqa: B039 - a frozen dataclass, immutable
)


@contextmanager
def audit_context(
    *, user: Any = None, ip: str | None = None, via: str = "web"
) -> Iterator[AuditContext]:
    """Who acts, from where, for the duration of the block."""
    context = AuditContext(
        user_id=getattr(user, "pk", None),
        user_name=getattr(user, "username", "") or "",
        ip=ip,
        via=via,
    )
    token = _context.set(context)
    try:
        yield context
    finally:
        _context.reset(token)


def client_ip(request: HttpRequest) -> str | None:
    """The client address Django sees (REMOTE_ADDR; a trusted proxy sets it, see README)."""
    return request.META.get("REMOTE_ADDR") or None


class AuditMiddleware:
    """Puts the signed-in user and their address in the audit context of each request, and
    how it came: `api` under /api/ (the token's user is only known inside the endpoint,
    which names itself as the actor), else `web`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        signed_in = user if user is not None and user.is_authenticated else None
        via = "api" if request.path.startswith("/api/") else "web"
        with audit_context(user=signed_in, ip=client_ip(request), via=via):
            return self.get_response(request)


def mask_cccd(value: str | None) -> str:
    digits = value or ""
    return f"{digits[:3]}{'*' * (len(digits) - 6)}{digits[-3:]}" if len(digits) > 6 else "***"


def mask_name(value: str | None) -> str:
    return " ".join(f"{word[0]}." for word in (value or "").split())


def _mask_date(value: Any) -> str:
    text = str(value or "")
    return text[:4] if text else ""


def _mask_phone(value: Any) -> str:
    return mask_phone(str(value)) if value else ""


#: How each personal field is masked in the log.
MASKS: dict[str, Callable[[Any], str]] = {
    "cccd": mask_cccd,
    "phone": _mask_phone,
    "full_name": mask_name,
    "birth_date": _mask_date,
    "original_value": lambda value: "***" if value else "",
}


def masked(field: str, value: Any) -> Any:
    mask = MASKS.get(field)
    if mask is not None:
        return mask(value)
    if isinstance(value, models.Model):
        return value.pk
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def changes_between(
    before: Mapping[str, Any] | None, after: Mapping[str, Any] | None
) -> dict[str, list[Any]]:
    """{field: [before, after]} for the fields that differ, personal ones masked."""
    before, after = before or {}, after or {}
    out = {}
    for field in sorted(set(before) | set(after)):
        old, new = before.get(field), after.get(field)
        if old != new:
            out[field] = [masked(field, old), masked(field, new)]
    return out


def audit_record(
    *,
    action: AuditAction | str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: Any = "",
    label: str = "",
    commune_id: int | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    changes: Mapping[str, Any] | None = None,
    reason: str = "",
    actor: Any = None,
) -> AuditEvent:
    """Append one event. `actor` overrides the context's user (e.g. a service given
    `recorded_by`); personal fields in before/after are masked here."""
    context = _context.get()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
        label = label or _label(obj)
        commune_id = commune_id if commune_id is not None else getattr(obj, "commune_id", None)
    user_id = getattr(actor, "pk", None) or context.user_id
    user_name = getattr(actor, "username", "") or context.user_name
    return AuditEvent.objects.create(
        actor_id=user_id,
        actor_name=user_name,
        ip=context.ip,
        via=context.via,
        action=str(action),
        object_type=object_type,
        object_id=str(object_id or ""),
        object_label=label[:200],
        commune_id=commune_id,
        changes=dict(changes) if changes is not None else changes_between(before, after),
        reason=reason[:500],
    )


def _label(obj: models.Model) -> str:
    """A label that names no person in clear: a resident is shown by initials and id."""
    if obj._meta.label_lower == "people.resident":
        return f"#{obj.pk} {mask_name(getattr(obj, 'full_name', ''))}"
    return str(obj)
