"""`congdanso import-achievements PATH --campaign ID --criterion CODE`: a partner's list of
who reached a criterion (the police's VNeID activations, a bank's new accounts)."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from congdanso.campaigns.importing import (
    AchievementImportResult,
    DateUnreadable,
    campaign_criterion_get,
    campaign_unit_get,
    import_achievements,
    parse_achievement_date,
)
from congdanso.campaigns.selectors import campaign_get
from congdanso.core.commands import Command as BaseCommand
from congdanso.core.errors import DomainError, Message
from congdanso.core.files import target_check
from congdanso.people.importing import summary
from congdanso.people.importing.rejects import save_rejects


class Command(BaseCommand):
    help = "Import a partner's list of residents who reached a criterion (.xlsx, .xls, .ods, .csv)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--campaign", required=True, help="Campaign id.")
        parser.add_argument(
            "--criterion", required=True, help="Criterion code, e.g. vneid_level2, bank_account."
        )
        parser.add_argument(
            "--date", default=None, help="YYYY-MM-DD, for a list without a date column."
        )
        parser.add_argument("--unit", default=None, help="Name of the partner unit.")
        summary.add_output_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["rejects"]:
            target_check(options["rejects"])  # a bad path is refused before the import
        campaign = campaign_get(options["campaign"])
        criterion = campaign_criterion_get(campaign=campaign, code=options["criterion"])
        unit = None
        if options["unit"]:
            unit = campaign_unit_get(campaign=campaign, name=options["unit"])
        default_date = None
        if options["date"]:
            try:
                default_date = parse_achievement_date(options["date"])
            except DateUnreadable as error:
                raise DomainError(
                    Message(
                        gettext_lazy(
                            "Cannot read the date %(value)s: write it as day/month/year "
                            "(dd/mm/yyyy)."
                        ),
                        value=options["date"],
                    ),
                    code="date_unreadable",
                ) from error
        result = import_achievements(
            options["path"],
            campaign=campaign,
            criterion=criterion,
            default_date=default_date,
            unit=unit,
            sheet=options["sheet"],
            dry_run=options["dry_run"],
        )
        if options["rejects"]:
            save_rejects(options["rejects"], result, options["rejects_format"])
        if options["json"]:
            self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False))
            return
        self._summary(result, options)

    def _summary(self, result: AchievementImportResult, options: dict[str, Any]) -> None:
        write = self.stdout.write
        if result.dry_run:
            write(_("Dry run: nothing was written."))
        for line in summary.header_and_counts(result):
            write(line)
        matched = result.matched_by
        write(
            _(
                "Residents found by CCCD: %(cccd)d, by phone: %(phone)d, by name and birth "
                "date: %(name)d."
            )
            % {
                "cccd": matched.get("cccd", 0),
                "phone": matched.get("phone", 0),
                "name": matched.get("name_birth_date", 0),
            }
        )
        for line in summary.warnings_and_rejects(result, saved=bool(options["rejects"])):
            write(line)
