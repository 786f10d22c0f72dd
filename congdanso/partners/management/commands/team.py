"""`congdanso team create|member-add|list`: community digital technology teams."""

import json
from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext_lazy as _

from congdanso.core.commands import Command as BaseCommand
from congdanso.core.errors import Message, NotFound
from congdanso.core.parsing import codes_parse
from congdanso.partners.models import Unit, UnitKind
from congdanso.partners.teams import team_create, team_member_add
from congdanso.places.selectors import place_get


class Command(BaseCommand):
    help = "Create community digital technology teams, add their members, list them."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a team and print its id.")
        create.add_argument("--commune", required=True, help="Commune code.")
        create.add_argument("--name", required=True)
        create.add_argument("--villages", required=True, help="v1,v2,… (village codes)")
        member = sub.add_parser("member-add", help="Add a member to a team.")
        member.add_argument("--team", required=True, type=int)
        member.add_argument("--name", required=True)
        member.add_argument("--role", default="")
        member.add_argument("--from", dest="organisation", default="")
        member.add_argument("--phone", default="")
        listing = sub.add_parser("list", help="List a commune's teams.")
        listing.add_argument("--commune", required=True)
        listing.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            team = team_create(
                commune=place_get(options["commune"]),
                name=options["name"],
                villages=[place_get(code) for code in codes_parse(options["villages"])],
            )
            self.stdout.write(str(team.pk))
        elif action == "member-add":
            found = (
                Unit.objects.select_related("place")
                .filter(pk=options["team"], kind=UnitKind.DIGITAL_TEAM)
                .first()
            )
            if found is None:
                raise NotFound(
                    Message(_("No team has the id %(id)s."), id=options["team"]),
                    code="team_not_found",
                )
            member = team_member_add(
                team=found,
                full_name=options["name"],
                role=options["role"],
                organisation=options["organisation"],
                phone=options["phone"],
            )
            self.stdout.write(str(member.pk))
        else:
            commune = place_get(options["commune"])
            teams = (
                Unit.objects.filter(place=commune, kind=UnitKind.DIGITAL_TEAM)
                .prefetch_related("villages", "members")
                .order_by("name_key")
            )
            rows: list[dict[str, Any]] = [
                {
                    "id": t.pk,
                    "name": t.name,
                    "villages": [v.code for v in t.villages.all()],
                    "members": [
                        {"name": m.full_name, "role": m.role, "from": m.organisation}
                        for m in t.members.all()
                    ],
                }
                for t in teams
            ]
            if options["json"]:
                self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
                return
            for row in rows:
                names = ", ".join(m["name"] for m in row["members"])
                self.stdout.write(
                    f"{row['id']:>5}  {row['name']}  [{','.join(row['villages'])}]  {names}"
                )
