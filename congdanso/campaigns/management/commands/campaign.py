"""`congdanso campaign create|show|list` and `congdanso campaign target add|list|remove`."""

import json
from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from congdanso.campaigns.models import Campaign, TargetKind
from congdanso.campaigns.selectors import campaign_get, campaign_list, campaign_rules
from congdanso.campaigns.services import campaign_create
from congdanso.campaigns.targets import (
    TargetTerms,
    target_add,
    target_get,
    target_remove,
    target_update,
    targets_of,
)
from congdanso.core.commands import Command as BaseCommand
from congdanso.core.parsing import age_range_parse, codes_parse, date_parse
from congdanso.places.selectors import place_get
from congdanso.vn.numbers import format_date, format_number, format_percent


def _target_arguments(parser: Any) -> None:
    """The terms of a target, as `target add` and `target update` take them."""
    parser.add_argument("--campaign", required=True)
    parser.add_argument("--name", required=True)
    value = parser.add_mutually_exclusive_group(required=True)
    value.add_argument("--count", default=None, help="A number of residents.")
    value.add_argument("--share", default=None, help="A share: 0.8 or 80%%.")
    parser.add_argument(
        "--criteria", default="", help="c1,c2,… all met (default: the exemplary criteria)"
    )
    parser.add_argument("--ages", default=None, help="e.g. 18-60, age on the deadline")
    parser.add_argument("--deadline", default=None, help="YYYY-MM-DD (default: campaign end)")
    parser.add_argument("--segment", default="", help="only a group: student, public_sector")
    parser.add_argument(
        "--milestone",
        action="append",
        default=[],
        help="YYYY-MM-DD=VALUE, e.g. 2025-06-30=60%% (repeatable)",
    )
    parser.add_argument("--json", action="store_true")


def _target_terms(options: dict[str, Any]) -> dict[str, Any]:
    milestones = []
    for text in options["milestone"]:
        day, _sep, value = text.partition("=")
        milestones.append((date_parse(day, label="--milestone"), value))
    is_count = options["count"] is not None
    deadline = options["deadline"]
    return {
        "name": options["name"],
        "kind": TargetKind.COUNT if is_count else TargetKind.SHARE,
        "value": options["count"] if is_count else options["share"],
        "criteria": codes_parse(options["criteria"]),
        "ages": age_range_parse(options["ages"]) if options["ages"] else None,
        "deadline": date_parse(deadline, label="--deadline") if deadline else None,
        "milestones": milestones,
        "segment": options["segment"],
    }


class Command(BaseCommand):
    help = "Create, show and list campaigns."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a campaign and print its id.")
        create.add_argument("--place", required=True, help="Commune (or higher place) code.")
        create.add_argument("--name", required=True)
        create.add_argument("--start", required=True, help="YYYY-MM-DD")
        create.add_argument("--end", required=True, help="YYYY-MM-DD")
        create.add_argument("--criteria", required=True, help="c1,c2,… (criterion codes)")
        create.add_argument("--exemplary", default=None, help="c1,c2,… (default: all criteria)")
        create.add_argument("--target-exemplary", type=int, required=True)
        create.add_argument("--cohort-ages", default="16-50")
        create.add_argument("--cohort-target", default="0.5")
        create.add_argument("--json", action="store_true")
        show = sub.add_parser("show", help="Show one campaign.")
        show.add_argument("campaign_id", nargs="?", default=None)
        show.add_argument("--campaign", dest="campaign_option", default=None)
        show.add_argument("--json", action="store_true")
        listing = sub.add_parser("list", help="List campaigns.")
        listing.add_argument("--place", default=None)
        listing.add_argument("--json", action="store_true")
        target = sub.add_parser("target", help="Add, list and remove a campaign's targets.")
        target_sub = target.add_subparsers(dest="target_action", required=True)
        add = target_sub.add_parser("add", help="Add a target and print its id.")
        _target_arguments(add)
        update = target_sub.add_parser(
            "update", help="Change a target of the campaign's own (every term given again)."
        )
        update.add_argument("target_id")
        _target_arguments(update)
        target_list_parser = target_sub.add_parser("list", help="List the campaign's targets.")
        target_list_parser.add_argument("--campaign", required=True)
        target_list_parser.add_argument("--json", action="store_true")
        remove = target_sub.add_parser("remove", help="Remove a target of the campaign's own.")
        remove.add_argument("--campaign", required=True)
        remove.add_argument("target_id")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            self._create(options)
        elif action == "target":
            self._target(options)
        elif action == "show":
            campaign = campaign_get(options["campaign_option"] or options["campaign_id"] or "")
            self._show(campaign, as_json=options["json"])
        else:
            place = place_get(options["place"]) if options["place"] else None
            campaigns = list(campaign_list(place=place))
            if options["json"]:
                self.stdout.write(
                    json.dumps([_data(c) for c in campaigns], ensure_ascii=False, indent=2)
                )
                return
            for c in campaigns:
                self.stdout.write(
                    f"{c.pk:>5}  {format_date(c.start_date)} – {format_date(c.end_date)}  "
                    f"{c.name}  ({c.place.name})"
                )

    def _create(self, options: dict[str, Any]) -> None:
        exemplary = options["exemplary"]
        campaign = campaign_create(
            place=place_get(options["place"]),
            name=options["name"],
            start_date=date_parse(options["start"], label="--start"),
            end_date=date_parse(options["end"], label="--end"),
            criteria=codes_parse(options["criteria"]),
            exemplary=codes_parse(exemplary) if exemplary is not None else None,
            target_exemplary=options["target_exemplary"],
            cohort_ages=age_range_parse(options["cohort_ages"]),
            cohort_target=options["cohort_target"],
        )
        if options["json"]:
            self.stdout.write(json.dumps(_data(campaign), ensure_ascii=False))
        else:
            self.stdout.write(str(campaign.pk))

    def _target(self, options: dict[str, Any]) -> None:
        campaign = campaign_get(options["campaign"])
        action = options["target_action"]
        if action == "add":
            target = target_add(campaign=campaign, **_target_terms(options))
            self.stdout.write(json.dumps({"id": target.pk}) if options["json"] else str(target.pk))
        elif action == "update":
            found = target_get(campaign=campaign, target_id=options["target_id"])
            target = target_update(target=found, **_target_terms(options))
            self.stdout.write(json.dumps({"id": target.pk}) if options["json"] else str(target.pk))
        elif action == "remove":
            target_remove(target=target_get(campaign=campaign, target_id=options["target_id"]))
        else:
            targets = targets_of(campaign)
            if options["json"]:
                rows = [_target_data(t) for t in targets]
                self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
                return
            for terms in targets:
                row = _target_data(terms)
                value = (
                    format_number(row["count"])
                    if row["kind"] == TargetKind.COUNT
                    else format_percent(row["share"])
                )
                ages = f" {row['ages'][0]}–{row['ages'][1]}" if row["ages"] else ""
                self.stdout.write(
                    f"{row['id']:>5}  {value:>8}{ages}  {format_date(terms.deadline)}  "
                    f"{row['name']}  [{','.join(row['criteria']) or '*'}]"
                )

    def _show(self, campaign: Campaign, *, as_json: bool) -> None:
        data = _data(campaign)
        if as_json:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        write = self.stdout.write
        write(f"{campaign.pk}: {campaign.name}")
        write(_("Place: %(place)s") % {"place": campaign.place.name})
        write(
            _("Period: %(start)s – %(end)s")
            % {"start": format_date(campaign.start_date), "end": format_date(campaign.end_date)}
        )
        write(
            _("Targets: %(count)s exemplary citizens; %(share)s of ages %(low)d–%(high)d")
            % {
                "count": format_number(campaign.target_exemplary),
                "share": format_percent(float(campaign.cohort_target)),
                "low": campaign.cohort_min_age,
                "high": campaign.cohort_max_age,
            }
        )
        for criterion in data["criteria"]:
            mark = "*" if criterion["exemplary"] else " "
            write(f"  {mark} {criterion['code']:<24} {criterion['name']}")
        write(_("(* required to be exemplary)"))
        others = [t for t in targets_of(campaign) if not t.role]
        if others:
            write(_("More targets (congdanso campaign target list):"))
            for terms in others:
                value = (
                    format_number(terms.count or 0)
                    if terms.kind == TargetKind.COUNT
                    else format_percent(float(terms.share or 0))
                )
                write(f"  {terms.pk:>5}  {value:>8}  {format_date(terms.deadline)}  {terms.name}")


def _target_data(target: TargetTerms) -> dict[str, Any]:
    return {
        "id": target.pk,
        "name": target.name,
        "role": target.role,
        "kind": target.kind,
        "count": target.count,
        "share": float(target.share) if target.share is not None else None,
        "criteria": list(target.criteria),
        "ages": [target.min_age, target.max_age] if target.min_age is not None else None,
        "segment": target.segment,
        "deadline": target.deadline.isoformat(),
        "milestones": [[d.isoformat(), float(v)] for d, v in target.milestones],
    }


def _data(campaign: Campaign) -> dict[str, Any]:
    return {
        "id": campaign.pk,
        "name": campaign.name,
        "place": {"code": campaign.place.code, "name": campaign.place.name},
        "start": campaign.start_date.isoformat(),
        "end": campaign.end_date.isoformat(),
        "target_exemplary": campaign.target_exemplary,
        "cohort_ages": [campaign.cohort_min_age, campaign.cohort_max_age],
        "cohort_target": float(campaign.cohort_target),
        "criteria": campaign_rules(campaign).as_json(),
    }
