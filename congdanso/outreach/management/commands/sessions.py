"""`congdanso sessions --campaign ID [--from DATE] [--to DATE] [--json] [--ics PATH]`:
the campaign's sessions (date, place, status, units, turns), optionally as an .ics calendar."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from congdanso.campaigns.selectors import campaign_get
from congdanso.core.commands import Command as BaseCommand
from congdanso.core.commands import table_lines
from congdanso.core.errors import DomainError, Message
from congdanso.core.files import target_check, write_private
from congdanso.core.parsing import date_parse
from congdanso.outreach import session_days
from congdanso.outreach.calendar import sessions_ics
from congdanso.outreach.models import SupportSession
from congdanso.outreach.selectors import session_list


def _turns(session: SupportSession) -> int:
    # `turn_count` is annotated by `session_list`; people not in the registry count too.
    return int(getattr(session, "turn_count", 0)) + session.anonymous_turns


class Command(BaseCommand):
    help = "List a campaign's support sessions; --ics writes them as a calendar file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--campaign", required=True, help="Campaign id.")
        parser.add_argument("--from", dest="date_from", default=None, help="YYYY-MM-DD.")
        parser.add_argument("--to", dest="date_to", default=None, help="YYYY-MM-DD.")
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")
        parser.add_argument("--ics", type=Path, default=None, help="Write an .ics calendar.")

    def handle(self, *args: Any, **options: Any) -> None:
        self._run(options)

    def _run(self, options: dict[str, Any]) -> None:
        campaign = campaign_get(options["campaign"])
        date_from = date_parse(options["date_from"]) if options["date_from"] else None
        date_to = date_parse(options["date_to"]) if options["date_to"] else None
        if date_from and date_to and date_to < date_from:
            raise DomainError(
                Message(
                    gettext_lazy("The end date %(end)s is before the start date %(start)s."),
                    end=f"{date_to:%d/%m/%Y}",
                    start=f"{date_from:%d/%m/%Y}",
                ),
                code="date_range_invalid",
            )
        ics: Path | None = options["ics"]
        if ics is not None:
            target_check(ics)
        sessions = list(session_list(campaign=campaign, date_from=date_from, date_to=date_to))
        if ics is not None:
            calendar = sessions_ics(sessions, calendar_name=campaign.name)
            write_private(ics, lambda path: path.write_bytes(calendar))
            self.stderr.write(f"{len(sessions)} → {ics}")
        if options["json"]:
            self.stdout.write(json.dumps({"sessions": _as_json(sessions)}, ensure_ascii=False))
            return
        rows = [
            (
                f"{s.date:%d/%m/%Y}",
                session_days.WEEKDAY_NAMES[s.date.weekday()],
                s.place.name,
                s.get_status_display(),
                ", ".join(unit.name for unit in s.units.all()),
                _turns(s),
            )
            for s in sessions
        ]
        header = (_("Date"), _("Weekday"), _("Place"), _("Status"), _("Units"), _("Turns"))
        for line in table_lines(header, rows):
            self.stdout.write(line)
        self.stdout.write(_("Sessions: %(count)d.") % {"count": len(sessions)})


def _as_json(sessions: list[SupportSession]) -> list[dict[str, Any]]:
    return [
        {
            "id": s.pk,
            "date": s.date.isoformat(),
            "place_code": s.place.code,
            "place_name": s.place.name,
            "status": s.status,
            "units": [unit.name for unit in s.units.all()],
            "turns": _turns(s),
        }
        for s in sessions
    ]
