"""`congdanso schedule --campaign ID --weekdays thu,fri --from DATE [--to DATE] [--per-day N]
[--unit NAME]... [--starts-at HH:MM] [--ends-at HH:MM] [--commit] [--json] [--ics PATH]`.

Proposes sessions by the rule of `congdanso.outreach.schedule`, weighting each village by its
gap to the campaign's cohort target, and saves them with `--commit`.
"""

import datetime as dt
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
from congdanso.core.parsing import date_parse, time_parse
from congdanso.outreach import schedule, session_days
from congdanso.outreach.calendar import proposals_ics, sessions_ics
from congdanso.outreach.selectors import session_list
from congdanso.partners.selectors import campaign_units_find
from congdanso.progress.indicators import village_gaps


class Command(BaseCommand):
    help = (
        "Propose support sessions on the given weekdays, rotating across the campaign's "
        "villages and sites, skipping public holidays; --commit saves them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--campaign", required=True, help="Campaign id.")
        parser.add_argument("--weekdays", required=True, help="e.g. thu,fri or t5,t6.")
        parser.add_argument("--from", dest="date_from", required=True, help="YYYY-MM-DD.")
        parser.add_argument("--to", dest="date_to", default=None, help="Default: campaign end.")
        parser.add_argument("--per-day", default="1", help="Sessions a day (default 1).")
        parser.add_argument("--unit", action="append", default=[], help="Unit present (repeat).")
        parser.add_argument("--starts-at", default=None, help="e.g. 07:30.")
        parser.add_argument("--ends-at", default=None, help="e.g. 11:00.")
        parser.add_argument("--commit", action="store_true", help="Save the sessions.")
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")
        parser.add_argument("--ics", type=Path, default=None, help="Write an .ics calendar.")

    def handle(self, *args: Any, **options: Any) -> None:
        self._run(options)

    def _run(self, options: dict[str, Any]) -> None:
        campaign = campaign_get(options["campaign"])
        weekdays = session_days.weekdays_parse(options["weekdays"])
        date_from = date_parse(options["date_from"])
        date_to = date_parse(options["date_to"]) if options["date_to"] else None
        per_day = _count(options["per_day"])
        starts_at = time_parse(options["starts_at"]) if options["starts_at"] else None
        ends_at = time_parse(options["ends_at"]) if options["ends_at"] else None
        units = campaign_units_find(campaign=campaign, names=options["unit"])
        ics: Path | None = options["ics"]
        if ics is not None:
            target_check(ics)
        days = session_days.schedule_days(
            campaign=campaign, weekdays=weekdays, date_from=date_from, date_to=date_to
        )
        proposals = schedule.schedule_propose(
            campaign=campaign,
            weekdays=weekdays,
            date_from=date_from,
            date_to=date_to,
            need=village_gaps(campaign),
            per_day=per_day,
        )
        created = []
        if options["commit"]:
            created = schedule.schedule_commit(
                campaign=campaign,
                proposals=proposals,
                units=units,
                starts_at=starts_at,
                ends_at=ends_at,
            )
        if ics is not None:
            if options["commit"]:
                saved = session_list(campaign=campaign).filter(pk__in=[s.pk for s in created])
                calendar = sessions_ics(saved, calendar_name=campaign.name)
            else:
                calendar = proposals_ics(
                    proposals,
                    campaign=campaign,
                    calendar_name=campaign.name,
                    units=units,
                    starts_at=starts_at,
                    ends_at=ends_at,
                )
            write_private(ics, lambda path: path.write_bytes(calendar))
        if options["json"]:
            self._json(proposals, days, committed=options["commit"], created=len(created))
        else:
            self._text(proposals, days, committed=options["commit"], created=len(created))
        if ics is not None:
            self.stderr.write(f"{len(created) if options['commit'] else len(proposals)} → {ics}")

    def _json(
        self,
        proposals: list[schedule.ProposedSession],
        days: session_days.ScheduleDays,
        *,
        committed: bool,
        created: int,
    ) -> None:
        result = {
            "sessions": [
                {
                    "date": p.date.isoformat(),
                    "place_code": p.place.code,
                    "place_name": p.place.name,
                    "need": p.need,
                    "reason": str(p.reason),
                }
                for p in proposals
            ],
            "holidays_skipped": [
                {"date": day.isoformat(), "name": name}
                for day, name in days.holidays_skipped.items()
            ],
            "committed": committed,
            "created": created,
        }
        self.stdout.write(json.dumps(result, ensure_ascii=False))

    def _text(
        self,
        proposals: list[schedule.ProposedSession],
        days: session_days.ScheduleDays,
        *,
        committed: bool,
        created: int,
    ) -> None:
        write = self.stdout.write
        write(
            _("Sessions proposed from %(start)s to %(end)s: %(count)d.")
            % {"start": _vn(days.start), "end": _vn(days.end), "count": len(proposals)}
        )
        rows = [
            (
                _vn(p.date),
                session_days.WEEKDAY_NAMES[p.date.weekday()],
                p.place.name,
                p.need,
                schedule.Reason(p.reason).label,
            )
            for p in proposals
        ]
        header = (_("Date"), _("Weekday"), _("Place"), _("Need"), _("Reason"))
        for line in table_lines(header, rows):
            write(line)
        if days.holidays_skipped:
            write(_("Holidays skipped:"))
            for day, name in days.holidays_skipped.items():
                write(f"  {_vn(day)}  {session_days.WEEKDAY_NAMES[day.weekday()]}  {name}")
        else:
            write(_("No public holiday falls on these days."))
        if committed:
            write(_("Sessions saved: %(count)d.") % {"count": created})
        else:
            write(_("Not saved; add --commit to save them."))


def _vn(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _count(text: str) -> int:
    if not text.strip().isdigit() or int(text) < 1:
        raise DomainError(
            Message(
                gettext_lazy("%(text)s is not a number of sessions a day (1 or more)."), text=text
            ),
            code="per_day_invalid",
        )
    return int(text)
