"""`congdanso tokens create|revoke|list` — keys for the JSON API."""

from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from congdanso.accounts.models import ApiToken, User
from congdanso.accounts.services import token_create, token_revoke
from congdanso.core.commands import Command as BaseCommand
from congdanso.core.errors import Message, NotFound


class Command(BaseCommand):
    help = "Create, revoke and list API tokens (the key is shown once, at creation)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create")
        create.add_argument("username")
        create.add_argument("--name", default="API")
        revoke = sub.add_parser("revoke")
        revoke.add_argument("token_id", type=int)
        listing = sub.add_parser("list")
        listing.add_argument("username", nargs="?")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "create":
            user = User.objects.filter(username__iexact=options["username"]).first()
            if user is None:
                raise NotFound(
                    Message(_("No user named %(name)s."), name=options["username"]),
                    code="not_found",
                )
            new = token_create(user=user, name=options["name"])
            self.stdout.write(new.key)
            self.stderr.write(
                _("Token %(id)d for %(name)s: keep the key above, it is not shown again.")
                % {"id": new.token.pk, "name": user.username}
            )
        elif options["action"] == "revoke":
            token = ApiToken.objects.filter(pk=options["token_id"]).first()
            if token is None:
                raise NotFound(
                    Message(_("No token has the id %(id)s."), id=options["token_id"]),
                    code="not_found",
                )
            token_revoke(token=token)
            self.stdout.write(_("Token %(id)d revoked.") % {"id": token.pk})
        else:
            tokens = ApiToken.objects.select_related("user").order_by("user__username", "id")
            if options.get("username"):
                tokens = tokens.filter(user__username__iexact=options["username"])
            for t in tokens:
                state = _("revoked") if t.revoked_at else _("active")
                used = f"{t.last_used_at:%d/%m/%Y %H:%M}" if t.last_used_at else "—"
                self.stdout.write(
                    f"{t.pk:>4} {t.user.username:<20} {t.name:<20} {t.prefix}… {state} {used}"
                )
