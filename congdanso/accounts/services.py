"""Writes for users and their roles (each one audited)."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from congdanso.accounts.models import Role, RoleGrant, User
from congdanso.core.audit import audit_record
from congdanso.core.errors import DomainError, Message
from congdanso.core.models import AuditAction
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
        after={"user": user.username, "role": role, "place": place.code, "unit": unit and unit.pk},
    )
    return grant


@transaction.atomic
def role_revoke(*, grant: RoleGrant) -> None:
    audit_record(
        action=AuditAction.REVOKE,
        obj=grant,
        before={"user": grant.user.username, "role": grant.role, "place": grant.place.code},
    )
    grant.delete()
