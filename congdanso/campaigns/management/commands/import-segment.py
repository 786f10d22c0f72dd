"""`congdanso import-segment PATH --campaign ID --segment student|public_sector`: a school's
list of its students or an office's list of its staff, marking the residents it names as
members of the group (for the targets narrowed to it)."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from congdanso.campaigns.importing.segments import SegmentImportResult, import_segment_list
from congdanso.campaigns.selectors import campaign_get
from congdanso.core.commands import Command as BaseCommand
from congdanso.core.files import target_check
from congdanso.people.importing import summary
from congdanso.people.importing.rejects import save_rejects
from congdanso.people.models import Segment


class Command(BaseCommand):
    help = (
        "Mark the residents a list names as students or public-sector staff "
        "(.xlsx, .xls, .ods, .csv)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--campaign", required=True, help="Campaign id.")
        parser.add_argument(
            "--segment", required=True, help=f"The group: {', '.join(Segment.values)}."
        )
        summary.add_output_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["rejects"]:
            target_check(options["rejects"])  # a bad path is refused before the import
        campaign = campaign_get(options["campaign"])
        result = import_segment_list(
            options["path"],
            campaign=campaign,
            segment=options["segment"],
            sheet=options["sheet"],
            dry_run=options["dry_run"],
        )
        if options["rejects"]:
            save_rejects(options["rejects"], result, options["rejects_format"])
        if options["json"]:
            self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False))
            return
        self._summary(result, options)

    def _summary(self, result: SegmentImportResult, options: dict[str, Any]) -> None:
        write = self.stdout.write
        if result.dry_run:
            write(_("Dry run: nothing was written."))
        for line in summary.header_and_counts(result):
            write(line)
        write(
            _("Marked now: %(marked)d; marked already: %(already)d (group %(segment)s).")
            % {"marked": result.updated, "already": result.unchanged, "segment": result.segment}
        )
        for line in summary.warnings_and_rejects(result, saved=bool(options["rejects"])):
            write(line)
