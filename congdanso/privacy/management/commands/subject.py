"""`congdanso subject export|correct|erase|notice RESIDENT_ID …` — data-subject requests."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from congdanso.core.commands import Command as BaseCommand
from congdanso.core.errors import DomainError, NotFound
from congdanso.core.files import write_private
from congdanso.core.parsing import date_parse
from congdanso.people.models import Resident
from congdanso.people.services import CORRECTABLE, resident_correct
from congdanso.places.selectors import place_get
from congdanso.privacy.models import NoticeMethod
from congdanso.privacy.services import (
    notice_record,
    resident_erase,
    subject_data,
    subject_docx,
)
from congdanso.vn import vietnam_today


def _resident(resident_id: str) -> Resident:
    resident = None
    if resident_id.isdigit():
        resident = (
            Resident.objects.select_related("commune", "village")
            .filter(pk=int(resident_id))
            .first()
        )
    if resident is None:
        raise NotFound(_("No such resident."), code="not_found")
    return resident


class Command(BaseCommand):
    help = "Data-subject requests: export, correct or erase one resident's data; record a notice."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="Everything held about the resident.")
        export.add_argument("resident_id")
        export.add_argument("--out", type=Path, help="FILE.json or FILE.docx (default: JSON out)")
        correct = sub.add_parser("correct", help="Correct fields: --set field=value …")
        correct.add_argument("resident_id")
        correct.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE")
        correct.add_argument("--reason", required=True)
        erase = sub.add_parser("erase", help="Erase the resident (an audit tombstone stays).")
        erase.add_argument("resident_id")
        erase.add_argument("--reason", required=True)
        erase.add_argument("--yes", action="store_true", help="Confirm: this cannot be undone.")
        notice = sub.add_parser("notice", help="Record how the resident was informed.")
        notice.add_argument("resident_id")
        notice.add_argument("--method", choices=NoticeMethod.values, required=True)
        notice.add_argument("--date", default=None, help="YYYY-MM-DD (default today)")
        notice.add_argument("--consented", choices=["yes", "no"], default=None)
        notice.add_argument("--note", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        resident = _resident(options["resident_id"])
        action = options["action"]
        if action == "export":
            data = subject_data(resident)
            out: Path | None = options["out"]
            # The numbers are in clear (the file is for the person): 0600, whole or nothing.
            if out is not None and out.suffix.lower() == ".docx":
                write_private(out, lambda path: path.write_bytes(subject_docx(data)))
            elif out is not None:
                text = json.dumps(data, ensure_ascii=False, indent=2)
                write_private(out, lambda path: path.write_text(text, encoding="utf-8"))
            else:
                self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            if out is not None:
                self.stderr.write(str(out))
        elif action == "correct":
            changes: dict[str, Any] = {}
            for item in options["set"]:
                field, sep, value = item.partition("=")
                if not sep or field not in CORRECTABLE:
                    raise DomainError(
                        _("Write --set FIELD=VALUE with a field among: %(fields)s")
                        % {"fields": ", ".join(CORRECTABLE)},
                        code="field_not_correctable",
                    )
                changes[field] = place_get(value) if field == "village" else value
            resident_correct(resident=resident, changes=changes, reason=options["reason"])
            self.stdout.write(_("Corrected: %(fields)s") % {"fields": ", ".join(changes)})
        elif action == "erase":
            if not options["yes"]:
                raise DomainError(
                    _("Erasing cannot be undone: add --yes to confirm."), code="confirm_needed"
                )
            erased = resident_erase(resident=resident, reason=options["reason"])
            self.stdout.write(
                _("Erased resident %(id)d with %(achievements)d achievements and %(turns)d turns.")
                % {"id": erased.resident_id, "achievements": erased.achievements,
                   "turns": erased.turns}
            )  # fmt: skip
        else:
            consented = {"yes": True, "no": False, None: None}[options["consented"]]
            day = date_parse(options["date"], label="--date") if options["date"] else None
            notice = notice_record(
                resident=resident,
                method=options["method"],
                informed_on=day or vietnam_today(),
                consented=consented,
                note=options["note"],
            )
            self.stdout.write(str(notice))
