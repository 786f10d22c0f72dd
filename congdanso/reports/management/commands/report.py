"""`congdanso report docx|xlsx|card|checklist --campaign ID [--place CODE] [--date D] [--out PATH]`.

The official report (.docx, Decree 30/2020 layout; with `--pdf` also its PDF beside it, made
by LibreOffice: reports/pdf.py), the Excel workbook, the progress card to
share (a 1080 × 1080 PNG, no personal data: reports/card.py), and a village's door-to-door
checklist (HTML for print, the same as the web print view). Bad input (unknown
campaign, a date outside the campaign, a place outside it) is one clear line and no file.

Reports sent up (reports.models): `report submit --campaign ID [--place CODE] --date D
[--registered-by D] [--note TEXT] [--user NAME]` freezes the report as sent;
`report submissions --campaign ID [--date D] [--json]` lists them with their state;
`report decide SUBMISSION --accept|--return --comment TEXT [--user NAME]` decides on one.
"""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from congdanso.accounts.selectors import user_named
from congdanso.campaigns.selectors import campaign_get
from congdanso.core.commands import Command as BaseCommand
from congdanso.core.files import write_private
from congdanso.core.parsing import date_parse
from congdanso.reports.card import report_card
from congdanso.reports.checklist import checklist_html
from congdanso.reports.docx import report_docx
from congdanso.reports.models import Decision
from congdanso.reports.pdf import docx_to_pdf
from congdanso.reports.selectors import ReportRequest, report_request
from congdanso.reports.submissions import (
    report_submit,
    submission_decide,
    submission_find,
    submission_summary,
    submissions_of,
)
from congdanso.reports.xlsx import report_xlsx
from congdanso.vn.today import VIETNAM_TZ as VIETNAM

SUFFIX = {"docx": ".docx", "xlsx": ".xlsx", "card": ".png", "checklist": ".html"}


class Command(BaseCommand):
    help = (
        "Write a campaign's official report (.docx), workbook (.xlsx), progress card (.png) "
        "or village checklist."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="kind", required=True)
        for kind, text in (
            ("docx", "The official report (.docx)."),
            ("xlsx", "The Excel workbook."),
            ("card", "The progress card to share (.png, 1080 × 1080, no personal data)."),
            ("checklist", "A village's door-to-door checklist (HTML for print)."),
            ("submit", "Send the report up: its figures and files frozen as they are now."),
        ):
            p = sub.add_parser(kind, help=text)
            p.add_argument("--campaign", required=True, help="Campaign id.")
            p.add_argument("--place", default=None, help="A place of the campaign (code).")
            p.add_argument(
                "--date",
                default=None,
                required=kind == "submit",
                help="YYYY-MM-DD (default: today).",
            )
            p.add_argument(
                "--registered-by",
                default=None,
                help="Count only the residents in the list by this day (YYYY-MM-DD).",
            )
            if kind == "submit":
                p.add_argument("--note", default="", help="A note for the reader.")
                p.add_argument("--user", default=None, help="Who sends it (user name).")
                continue
            p.add_argument("--out", default=None, help="The file to write.")
            if kind == "docx":
                p.add_argument(
                    "--pdf",
                    action="store_true",
                    help="Also write the report as a PDF beside it (needs LibreOffice).",
                )
            if kind == "checklist":
                p.add_argument("--village", required=True, help="The village (code or name).")
                p.add_argument(
                    "--all", action="store_true", help="Exemplary citizens too (default: not)."
                )

        listing = sub.add_parser("submissions", help="The reports sent up, with their state.")
        listing.add_argument("--campaign", required=True, help="Campaign id.")
        listing.add_argument("--date", default=None, help="Only those as of this day.")
        listing.add_argument("--json", action="store_true", help="Print one JSON list.")
        decide = sub.add_parser("decide", help="Accept a report sent up, or return it.")
        decide.add_argument("submission", help="The report's number (report submissions).")
        choice = decide.add_mutually_exclusive_group(required=True)
        choice.add_argument("--accept", action="store_true", help="Accept the figures.")
        choice.add_argument("--return", dest="give_back", action="store_true", help="Return it.")
        decide.add_argument("--comment", default="", help="What to correct (required to return).")
        decide.add_argument("--user", default=None, help="Who decides (user name).")

    def handle(self, *args: Any, **options: Any) -> None:
        kind = options["kind"]
        if kind == "submissions":
            self._submissions(options)
            return
        if kind == "decide":
            self._decide(options)
            return
        day = date_parse(options["date"], label="--date") if options["date"] else None
        registered = options["registered_by"]
        request = report_request(
            campaign_id=options["campaign"],
            place_code=options["place"],
            on=day,
            registered_by=date_parse(registered, label="--registered-by") if registered else None,
        )
        if kind == "submit":
            self._submit(request, options)
            return
        out = Path(options["out"] or self._default_name(request, kind))
        if kind == "docx":
            docx = report_docx(request)
            # Converted before anything is written: without LibreOffice, one line and no file.
            pdf = docx_to_pdf(docx) if options["pdf"] else None
            write_private(out, lambda path: path.write_bytes(docx))
            if pdf is not None:
                self.stdout.write(_("Written: %(path)s") % {"path": out})
                out = out.with_suffix(".pdf")
                write_private(out, lambda path: path.write_bytes(pdf))
        elif kind == "xlsx":
            write_private(out, lambda path: report_xlsx(request, path))
        elif kind == "card":
            write_private(out, lambda path: path.write_bytes(report_card(request)))
        else:
            html = checklist_html(request, village=options["village"], everyone=options["all"])
            write_private(out, lambda path: path.write_text(html, encoding="utf-8"))
        self.stdout.write(_("Written: %(path)s") % {"path": out})

    def _submit(self, request: ReportRequest, options: dict[str, Any]) -> None:
        submission = report_submit(
            request, submitted_by=user_named(options["user"]), note=options["note"]
        )
        self.stdout.write(
            _("Report no. %(id)s sent: %(place)s, figures as of %(date)s.")
            % {
                "id": submission.pk,
                "place": submission.place.name,
                "date": submission.as_of.strftime("%d/%m/%Y"),
            }
        )
        if submission.supersedes_id:
            self.stdout.write(
                _("It replaces report no. %(id)s (both are kept).")
                % {"id": submission.supersedes_id}
            )
        self.stdout.write(f"sha256 figures {submission.figures_sha256}")

    def _submissions(self, options: dict[str, Any]) -> None:
        campaign = campaign_get(options["campaign"])
        day = date_parse(options["date"], label="--date") if options["date"] else None
        found = submissions_of(campaign, [campaign.place])
        if day is not None:
            found = [s for s in found if s.as_of == day]
        rows = [submission_summary(s) for s in found]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        if not rows:
            self.stdout.write(_("No report was sent up for this campaign."))
        for row, submission in zip(rows, found, strict=True):
            sent = submission.submitted_at.astimezone(VIETNAM)
            self.stdout.write(
                f"{row['id']:>5}  {submission.as_of:%d/%m/%Y}  {row['place']['name']}  "
                f"{sent:%d/%m/%Y %H:%M}  "
                f"{row['submitted_by'] or '—'}  {row['state_label']}"
                + (f"  ({row['comment']})" if row["comment"] else "")
            )

    def _decide(self, options: dict[str, Any]) -> None:
        submission = submission_find(options["submission"])
        decision = Decision.ACCEPT if options["accept"] else Decision.RETURN
        submission_decide(
            submission,
            decision=decision,
            comment=options["comment"],
            decided_by=user_named(options["user"]),
        )
        self.stdout.write(
            _("Report no. %(id)s: %(state)s.")
            % {"id": submission.pk, "state": Decision(decision).label}
        )

    @staticmethod
    def _default_name(request: ReportRequest, kind: str) -> str:
        return f"bao-cao-{request.campaign.pk}-{request.place.code}-{request.on:%Y-%m-%d}" + (
            SUFFIX[kind] if kind != "checklist" else "-danh-sach.html"
        )
