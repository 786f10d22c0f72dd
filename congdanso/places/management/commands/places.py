"""`congdanso places load | add-village | add-commune | list`."""

from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from congdanso.core.commands import Command as BaseCommand
from congdanso.places import selectors, services
from congdanso.places.models import LOCAL_KINDS, PlaceKind


class Command(BaseCommand):
    help = "Manage the place tree: load the official list, add villages and historical communes."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("load", help="Load the 34 provinces and their communes (idempotent).")

        village = sub.add_parser("add-village", help="Add a village, Ede village, school or site.")
        village.add_argument("--commune", required=True, help="Commune code, e.g. 24490.")
        village.add_argument("--kind", choices=sorted(LOCAL_KINDS), default=None)
        village.add_argument("name", help='e.g. "Thôn Tân Lập", "Buôn Ghamah".')

        commune = sub.add_parser(
            "add-commune", help="Add a commune that is not in the 2025 list (historical)."
        )
        commune.add_argument("--province", required=True, help="Province code, e.g. 66.")
        commune.add_argument("--district", default=None, help='e.g. "Huyện Krông Pắc".')
        commune.add_argument("--code", default=None, help="Code to give the commune.")
        commune.add_argument("name", help='e.g. "Xã Ea Yông".')

        listing = sub.add_parser("list", help="List the villages and sites of a commune.")
        listing.add_argument("--commune", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, "_" + options["action"].replace("-", "_"))(options)

    def _load(self, options: dict[str, Any]) -> None:
        result = services.places_load_official()
        self.stdout.write(
            _("Places: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
            % vars(result)
        )

    def _add_village(self, options: dict[str, Any]) -> None:
        commune = selectors.commune_get(options["commune"])
        place, created = services.village_get_or_create(
            commune=commune, name=options["name"], kind=options["kind"]
        )
        message = (
            _("Created %(name)s (%(kind)s), code %(code)s.")
            if created
            else _("%(name)s (%(kind)s) already exists, code %(code)s.")
        )
        self.stdout.write(
            message % {"name": place.name, "kind": place.get_kind_display(), "code": place.code}
        )

    def _add_commune(self, options: dict[str, Any]) -> None:
        parent = selectors.place_get(options["province"].zfill(2))
        if options["district"]:
            parent, _created = services.district_get_or_create(
                province=parent, name=options["district"]
            )
        place, created = services.commune_get_or_create(
            parent=parent, name=options["name"], code=options["code"], kind=PlaceKind.COMMUNE
        )
        message = (
            _("Created %(name)s, code %(code)s.")
            if created
            else _("%(name)s already exists, code %(code)s.")
        )
        self.stdout.write(message % {"name": place.name, "code": place.code})

    def _list(self, options: dict[str, Any]) -> None:
        commune = selectors.commune_get(options["commune"])
        self.stdout.write(f"{commune.code}\t{commune.name}")
        for place in selectors.villages_of(commune):
            self.stdout.write(f"  {place.code}\t{place.name}\t{place.get_kind_display()}")
