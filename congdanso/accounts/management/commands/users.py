"""`congdanso users add|grant|revoke|list` — accounts and the roles they hold over places."""

import getpass
import os
from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from congdanso.accounts.models import Role, RoleGrant, User
from congdanso.accounts.services import role_grant, role_revoke, user_create
from congdanso.core.commands import Command as BaseCommand
from congdanso.core.errors import DomainError, Message, NotFound
from congdanso.partners.models import Unit
from congdanso.places.selectors import place_get
from congdanso.vn import fold


def _user(username: str) -> User:
    user = User.objects.filter(username__iexact=username.strip()).first()
    if user is None:
        raise NotFound(Message(_("No user named %(name)s."), name=username), code="not_found")
    return user


def _unit(name: str | None) -> Unit | None:
    if not name:
        return None
    units = list(Unit.objects.filter(name_key=fold(name.strip())))
    if len(units) != 1:
        raise DomainError(
            Message(_("No single unit is named %(name)s."), name=name), code="unit_unknown"
        )
    return units[0]


class Command(BaseCommand):
    help = (
        "Manage user accounts and their roles (admin, manager, unit_member, village_head, viewer)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser(
            "add", help="Create a user (password from CONGDANSO_PASSWORD or asked)."
        )
        add.add_argument("username")
        add.add_argument("--name", default="")
        for name in ("add", "grant"):
            target = add if name == "add" else sub.add_parser(name, help="Grant a role.")
            if name == "grant":
                target.add_argument("username")
            target.add_argument("--role", choices=Role.values, required=name == "grant")
            target.add_argument("--place", help="Place code the role covers.")
            target.add_argument("--unit", help="Unit name (unit members).")
        revoke = sub.add_parser("revoke", help="Revoke a role.")
        revoke.add_argument("username")
        revoke.add_argument("--role", choices=Role.values, required=True)
        revoke.add_argument("--place", required=True)
        sub.add_parser("list", help="List users and their roles.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "add":
            password = os.environ.get("CONGDANSO_PASSWORD") or getpass.getpass(_("Password: "))
            user = user_create(
                username=options["username"], password=password, full_name=options["name"]
            )
            self.stdout.write(_("User %(name)s created.") % {"name": user.username})
            if options["role"]:
                self._grant(user, options)
        elif action == "grant":
            self._grant(_user(options["username"]), options)
        elif action == "revoke":
            user = _user(options["username"])
            grants = RoleGrant.objects.filter(
                user=user, role=options["role"], place__code=options["place"]
            )
            for grant in grants:
                role_revoke(grant=grant)
            self.stdout.write(_("%(count)d role(s) revoked.") % {"count": len(grants)})
        else:
            for user in User.objects.order_by("username").prefetch_related(
                "grants__place", "grants__unit"
            ):
                roles = "; ".join(
                    f"{g.get_role_display()} @ {g.place.name}" + (f" ({g.unit})" if g.unit else "")
                    for g in user.grants.all()
                )
                admin = " [superuser]" if user.is_superuser else ""
                self.stdout.write(f"{user.username}{admin}: {roles or '—'}")

    def _grant(self, user: User, options: dict[str, Any]) -> None:
        if not options["place"]:
            raise DomainError(
                _("A role is granted over a place: add --place CODE."), code="place_missing"
            )
        grant = role_grant(
            user=user,
            role=options["role"],
            place=place_get(options["place"]),
            unit=_unit(options.get("unit")),
        )
        self.stdout.write(str(grant))
