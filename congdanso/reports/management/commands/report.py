"""`congdanso report docx|xlsx|checklist --campaign ID [--place CODE] [--date D] [--out PATH]`.

The official report (.docx, Decree 30/2020 layout), the Excel workbook, and a village's
door-to-door checklist (HTML for print, the same as the web print view). Bad input (unknown
campaign, a date outside the campaign, a place outside it) is one clear line and no file.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from congdanso.core.commands import Command as BaseCommand
from congdanso.core.files import write_private
from congdanso.core.parsing import date_parse
from congdanso.reports.checklist import checklist_html
from congdanso.reports.docx import report_docx
from congdanso.reports.selectors import ReportRequest, report_request
from congdanso.reports.xlsx import report_xlsx

SUFFIX = {"docx": ".docx", "xlsx": ".xlsx", "checklist": ".html"}


class Command(BaseCommand):
    help = "Write a campaign's official report (.docx), workbook (.xlsx) or village checklist."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="kind", required=True)
        for kind, text in (
            ("docx", "The official report (.docx)."),
            ("xlsx", "The Excel workbook."),
            ("checklist", "A village's door-to-door checklist (HTML for print)."),
        ):
            p = sub.add_parser(kind, help=text)
            p.add_argument("--campaign", required=True, help="Campaign id.")
            p.add_argument("--place", default=None, help="A place of the campaign (code).")
            p.add_argument("--date", default=None, help="YYYY-MM-DD (default: today).")
            p.add_argument("--out", default=None, help="The file to write.")
            p.add_argument(
                "--registered-by",
                default=None,
                help="Count only the residents in the list by this day (YYYY-MM-DD).",
            )
            if kind == "checklist":
                p.add_argument("--village", required=True, help="The village (code or name).")
                p.add_argument(
                    "--all", action="store_true", help="Exemplary citizens too (default: not)."
                )

    def handle(self, *args: Any, **options: Any) -> None:
        kind = options["kind"]
        day = date_parse(options["date"], label="--date") if options["date"] else None
        registered = options["registered_by"]
        request = report_request(
            campaign_id=options["campaign"],
            place_code=options["place"],
            on=day,
            registered_by=date_parse(registered, label="--registered-by") if registered else None,
        )
        out = Path(options["out"] or self._default_name(request, kind))
        if kind == "docx":
            write_private(out, lambda path: path.write_bytes(report_docx(request)))
        elif kind == "xlsx":
            write_private(out, lambda path: report_xlsx(request, path))
        else:
            html = checklist_html(request, village=options["village"], everyone=options["all"])
            write_private(out, lambda path: path.write_text(html, encoding="utf-8"))
        self.stdout.write(_("Written: %(path)s") % {"path": out})

    @staticmethod
    def _default_name(request: ReportRequest, kind: str) -> str:
        return f"bao-cao-{request.campaign.pk}-{request.place.code}-{request.on:%Y-%m-%d}" + (
            SUFFIX[kind] if kind != "checklist" else "-danh-sach.html"
        )
