"""`congdanso indicators --campaign ID [--place CODE] [--date YYYY-MM-DD]
[--registered-by YYYY-MM-DD] [--json]`."""

import json
from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from congdanso.campaigns.selectors import campaign_get
from congdanso.core.commands import Command as BaseCommand
from congdanso.core.parsing import date_parse
from congdanso.places.selectors import place_get
from congdanso.progress.figures import Forecast, Indicators, registry_line
from congdanso.progress.indicators import campaign_indicators
from congdanso.vn.numbers import format_date, format_number, format_percent, format_vnd


class Command(BaseCommand):
    help = "Print a campaign's indicators for a place at a date (see docs/indicators.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--campaign", required=True, help="Campaign id.")
        parser.add_argument("--place", default=None, help="A place of the campaign (code).")
        parser.add_argument("--date", default=None, help="YYYY-MM-DD (default: today).")
        parser.add_argument(
            "--registered-by",
            default=None,
            help="Count only the residents in the list by this day (YYYY-MM-DD; default: the "
            "list as it stands today).",
        )
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args: Any, **options: Any) -> None:
        campaign = campaign_get(options["campaign"])
        place = place_get(options["place"]) if options["place"] else None
        day = date_parse(options["date"], label="--date") if options["date"] else None
        registered = options["registered_by"]
        registered_by = date_parse(registered, label="--registered-by") if registered else None
        result = campaign_indicators(campaign, place=place, on=day, registered_by=registered_by)
        if options["json"]:
            self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
            return
        self._print(result)

    def _print(self, r: Indicators) -> None:
        write = self.stdout.write
        write(_("%(place)s, as of %(date)s") % {"place": r.place_name, "date": format_date(r.date)})
        write(registry_line(r))
        write(
            _("Exemplary citizens: %(count)s of %(target)s (%(share)s of the target)")
            % {
                "count": format_number(r.exemplary.count),
                "target": format_number(r.exemplary.target),
                "share": format_percent(r.exemplary.share_of_target),
            }
        )
        write(
            _(
                "Ages %(low)d–%(high)d: %(met)s of %(size)s meet every exemplary criterion "
                "(%(share)s; target %(target)s)"
            )
            % {
                "low": r.cohort.min_age,
                "high": r.cohort.max_age,
                "met": format_number(r.cohort.met),
                "size": format_number(r.cohort.size),
                "share": format_percent(r.cohort.share),
                "target": format_percent(r.cohort.target_share),
            }
        )
        others = [t for t in r.targets if not t.role]
        if others:
            write("")
            write(_("Targets: now / needed, expected by today, deadline, at the recent pace"))
            for t in others:
                state = _("on track") if t.on_track else _("behind")
                projected = (
                    format_date(t.projected_date) if t.projected_date else _("not by the deadline")
                )
                write(
                    f"  {t.name:<38} {format_number(t.count):>7} / {format_number(t.needed):<7} "
                    f"{format_number(t.expected):>7} {state}  {format_date(t.deadline)}  "
                    f"{projected}"
                )
        write("")
        write(_("Criteria (share of the cohort):"))
        for c in r.criteria:
            write(f"  {c.name:<42} {format_number(c.count):>9} {format_percent(c.share):>7}")
        write("")
        write(_("Villages: residents, cohort, met, share, exemplary, gap"))
        for v in r.communes or r.villages:
            write(
                f"  {v.name:<32} {format_number(v.residents):>8} {format_number(v.cohort):>8} "
                f"{format_number(v.met):>7} {format_percent(v.share):>7} "
                f"{format_number(v.exemplary):>7} {format_number(v.gap):>6}"
            )
        if r.units:
            write("")
            write(_("Units: turns, people helped, achievements, sessions (pledged)"))
            for u in r.units:
                pledge = ""
                if u.target_people or u.target_sessions:
                    pledge = f"  ({u.target_people or '–'} / {u.target_sessions or '–'})"
                write(
                    f"  {u.name:<38} {format_number(u.turns):>7} {format_number(u.people):>7} "
                    f"{format_number(u.achievements):>7} {format_number(u.sessions):>5}{pledge}"
                )
        write("")
        write(
            _("Sessions held: %(held)s; turns: %(turns)s (%(anonymous)s not in the registry)")
            % {
                "held": format_number(r.sessions.held),
                "turns": format_number(r.sessions.turns),
                "anonymous": format_number(r.sessions.anonymous_turns),
            }
        )
        if r.donations:
            total = sum(d.value_vnd for d in r.donations)
            write(
                _("Donations: %(count)d, %(value)s")
                % {"count": len(r.donations), "value": format_vnd(total)}
            )
        write("")
        for label, forecast in (
            (_("At the pace of the last 4 weeks"), r.projection),
            (_("At the pace of the whole campaign"), r.projection_campaign),
        ):
            write(f"{label}: {self._forecast(r, forecast)}")
        if r.villages_at_risk:
            write(
                _("Villages at risk: %(names)s")
                % {"names": ", ".join(f"{v.name} (−{v.gap})" for v in r.villages_at_risk[:5])}
            )
        q = r.data_quality
        write(
            _(
                "Data quality: %(issues)s residents with open issues, %(duplicates)s possible "
                "duplicates, %(no_birth)s without a birth date"
            )
            % {
                "issues": format_number(q.with_open_issues),
                "duplicates": format_number(q.possible_duplicates),
                "no_birth": format_number(q.without_birth_date),
            }
        )

    def _forecast(self, r: Indicators, f: Forecast) -> str:
        never = _("not reachable at this pace")
        return _(
            "%(exemplary)s exemplary at the end (target reached: %(exemplary_date)s); "
            "cohort %(share)s at the end (target reached: %(cohort_date)s)"
        ) % {
            "exemplary": format_number(f.exemplary_at_end),
            "exemplary_date": (
                format_date(f.exemplary_target_date) if f.exemplary_target_date else never
            ),
            "share": format_percent(f.cohort_share_at_end),
            "cohort_date": format_date(f.cohort_target_date) if f.cohort_target_date else never,
        }
