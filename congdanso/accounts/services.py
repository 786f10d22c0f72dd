"""Writes for users, their roles and API tokens (each one audited)."""

import hashlib
import secrets
from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from congdanso.accounts.models import ApiToken, Role, RoleGrant, User
from congdanso.core.audit import audit_record
from congdanso.core.errors import DomainError, Message
from congdanso.core.models import AuditAction
from congdanso.core.parsing import text_clean
from congdanso.partners.models import Unit
from congdanso.places.models import Place


@transaction.atomic
def user_create(*, username: str, password: str, full_name: str = "") -> User:
    username = username.strip()
    if not username:
        raise DomainError(_("The user needs a user name."), code="username_missing")
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(
            Message(_("The user name %(name)s is taken."), name=username), code="username_taken"
        )
    user = User(username=username, first_name=full_name.strip()[:150])
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise DomainError(
            Message(_("Password refused: %(reasons)s"), reasons=" ".join(error.messages)),
            code="password_invalid",
        ) from error
    user.set_password(password)
    user.save()
    audit_record(action=AuditAction.CREATE, obj=user, after={"username": username})
    return user


@transaction.atomic
def role_grant(*, user: User, role: str, place: Place, unit: Unit | None = None) -> RoleGrant:
    if role not in Role.values:
        raise DomainError(
            Message(
                _("Unknown role %(role)s. Roles: %(roles)s"),
                role=role,
                roles=", ".join(Role.values),
            ),
            code="role_unknown",
        )
    if (role == Role.UNIT_MEMBER) != (unit is not None):
        raise DomainError(
            _("A unit member is granted with their unit; other roles without one."),
            code="role_unit_mismatch",
        )
    grant, _created = RoleGrant.objects.get_or_create(user=user, role=role, place=place, unit=unit)
    audit_record(
        action=AuditAction.GRANT,
        obj=grant,
        # Who may now see a commune's residents is its managers' business too (a grant above a
        # commune has none: administrators read it).
        commune_id=place.commune_id,
        after={"user": user.username, "role": role, "place": place.code, "unit": unit and unit.pk},
    )
    return grant


@transaction.atomic
def role_revoke(*, grant: RoleGrant) -> None:
    audit_record(
        action=AuditAction.REVOKE,
        obj=grant,
        commune_id=grant.place.commune_id,
        before={"user": grant.user.username, "role": grant.role, "place": grant.place.code},
    )
    grant.delete()


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    key: str  # shown once


def _key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def token_create(*, user: User, name: str) -> NewToken:
    """A new API key for the user; only its hash is kept."""
    key = "cds_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=text_clean(name, field=_("Name"), max_length=100) or "API",
        prefix=key[4:12],
        key_hash=_key_hash(key),
    )
    audit_record(action=AuditAction.CREATE, obj=token, after={"user": user.username, "name": name})
    return NewToken(token=token, key=key)


@transaction.atomic
def token_revoke(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(action=AuditAction.REVOKE, obj=token, before={"name": token.name})
    return token


def token_user(key: str) -> User | None:
    """The active user of a key, or None; notes when the key was last used (at most once a
    minute, so that reading does not write on every request)."""
    if not key.startswith("cds_"):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_key_hash(key), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
