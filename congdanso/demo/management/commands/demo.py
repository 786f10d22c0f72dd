"""`congdanso demo` — load the demo commune (idempotent) and print the demo log-ins."""

from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from congdanso.core.commands import Command as BaseCommand
from congdanso.demo.services import DEMO_RESIDENTS, DEMO_SEED, demo_load


class Command(BaseCommand):
    help = (
        "Load the demo commune xã Ea Yông with about 12,000 residents and its 2023 campaign "
        "(idempotent)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--residents", type=int, default=DEMO_RESIDENTS)
        parser.add_argument("--seed", type=int, default=DEMO_SEED)

    def handle(self, *args: Any, **options: Any) -> None:
        result = demo_load(residents=options["residents"], seed=options["seed"])
        imported = result.imported
        self.stdout.write(
            _(
                "Demo commune %(commune)s (code %(code)s): %(rows)d rows, %(created)d created, "
                "%(updated)d updated, %(unchanged)d unchanged, %(rejected)d rejected."
            )
            % {"commune": result.commune.name, "code": result.commune.code, **imported.as_json()}
        )
        campaign = result.campaign
        if campaign.created:
            line = _(
                "Campaign %(name)s (id %(id)d): %(sessions)d support sessions, %(turns)d turns "
                "and %(anonymous)d turns for people not in the registry, %(achievements)d "
                "achievements (%(withdrawn)d withdrawn)."
            )
        else:
            line = _(
                "Campaign %(name)s (id %(id)d) exists already, left unchanged: %(sessions)d "
                "support sessions, %(turns)d turns and %(anonymous)d turns for people not in the "
                "registry, %(achievements)d achievements (%(withdrawn)d withdrawn)."
            )
        self.stdout.write(
            line
            % {
                "name": campaign.campaign.name,
                "id": campaign.campaign.pk,
                "sessions": campaign.sessions,
                "turns": campaign.turns,
                "anonymous": campaign.anonymous_turns,
                "achievements": campaign.achievements,
                "withdrawn": campaign.withdrawn,
            }
        )
        current = result.current
        if current.pk != campaign.campaign.pk:
            self.stdout.write(
                _(
                    "This year's campaign %(name)s (id %(id)d, %(start)s – %(end)s): field mode "
                    "works today, e.g. as congan."
                )
                % {
                    "name": current.name,
                    "id": current.pk,
                    "start": current.start_date.strftime("%d/%m/%Y"),
                    "end": current.end_date.strftime("%d/%m/%Y"),
                }
            )
        self.stdout.write(_("Demo log-ins:"))
        for login in result.logins:
            password = login.password or _("(unchanged since it was created)")
            self.stdout.write(f"  {login.username} / {password}  ({login.role})")
