"""`congdanso tallies check|rebuild [--campaign ID]`: compare the campaigns' tallies with a
fresh computation, or compute them again (after data was changed outside the application,
e.g. by hand in SQL or by a partial restore)."""

from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from congdanso.campaigns.models import Campaign
from congdanso.campaigns.selectors import campaign_get
from congdanso.core.commands import Command as BaseCommand
from congdanso.progress.tallies import tally_check, tally_rebuild
from congdanso.vn.numbers import format_number

_SHOWN = 20


class Command(BaseCommand):
    help = "Check the campaigns' running totals against the data, or rebuild them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["check", "rebuild"])
        parser.add_argument("--campaign", default=None, help="Campaign id (default: all).")

    def handle(self, *args: Any, **options: Any) -> None:
        campaigns = (
            [campaign_get(options["campaign"])]
            if options["campaign"]
            else list(Campaign.objects.order_by("id"))
        )
        wrong = 0
        for campaign in campaigns:
            if options["action"] == "rebuild":
                rows = tally_rebuild(campaign)
                self.stdout.write(
                    _("%(campaign)s: %(rows)s rows computed again.")
                    % {"campaign": campaign.name, "rows": format_number(rows)}
                )
                continue
            differences = tally_check(campaign)
            if not differences:
                self.stdout.write(_("%(campaign)s: exact.") % {"campaign": campaign.name})
                continue
            wrong += 1
            self.stdout.write(
                _("%(campaign)s: %(count)s rows differ from the data (stored → computed):")
                % {"campaign": campaign.name, "count": format_number(len(differences))}
            )
            for d in differences[:_SHOWN]:
                self.stdout.write(
                    f"  place {d.scope_id} {d.measure}{d.item} {d.day.isoformat()} "
                    f"cohort={int(d.cohort)}: {d.stored} → {d.computed}"
                )
        if wrong:
            raise CommandError(
                _(
                    "%(count)s campaign(s) with wrong tallies: run "
                    "`congdanso tallies rebuild` and report it."
                )
                % {"count": wrong}
            )
