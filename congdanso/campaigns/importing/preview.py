"""What an achievement import will do with the first rows of a partner's list.

Read as `import_achievements` reads (`open_achievement_list`, the user's column override
applied), each row read by the import's `RowReader`, its date checked and the resident found
by the import's `Matcher`: the preview says who each row is about, or why it will be
rejected. Only the writing is left out. The first rows are matched on their own, so a row
that repeats an earlier one further down the file is not flagged here.
"""

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from congdanso.campaigns.importing.matching import Matched, Matcher, ResidentIndex
from congdanso.campaigns.importing.pipeline import date_problem, open_achievement_list
from congdanso.campaigns.importing.rows import ListRow, RowReader
from congdanso.campaigns.models import Campaign
from congdanso.campaigns.selectors import campaign_communes
from congdanso.core.errors import Message, ParserError
from congdanso.people.importing.preview import (
    PREVIEW_ROWS,
    ImportPreview,
    PreviewRow,
    base_preview,
    birth_text,
    masked_cccd,
    masked_phone,
)
from congdanso.vn import vietnam_today

#: The fields the column choice offers for a partner's list, with their labels.
ACHIEVEMENT_FIELD_LABELS: dict[str, Promise] = {
    "full_name": _("Full name"),
    "family_name": _("Family and middle name (when the name is split)"),
    "birth_date": _("Birth date"),
    "cccd": _("CCCD number"),
    "phone": _("Phone"),
    "village": _("Village"),
    "achieved_on": _("Date reached"),
}
_KEYS: dict[str, Promise] = {
    "cccd": _("found by CCCD"),
    "phone": _("found by phone"),
    "name_birth_date": _("found by name and birth date"),
}


def preview_achievements(
    path: Path,
    *,
    campaign: Campaign,
    sheet: str | int | None = None,
    default_date: dt.date | None = None,
    columns: Mapping[str, int | None] | None = None,
    today: dt.date | None = None,
    limit: int = PREVIEW_ROWS,
    dated: bool = True,
) -> ImportPreview:
    """The first `limit` data rows of the list and the resident each is about. Raises
    ImportFailed as the import would. `dated=False`: a list whose rows carry no date (a
    group's list), shown without one."""
    today = today or vietnam_today()
    opened = open_achievement_list(path, sheet=sheet, default_date=default_date, columns=columns)
    reader = RowReader(
        opened.column_map.columns,
        today=today,
        default_date=default_date,
        legacy_hint=opened.legacy_hint,
    )
    read: list[ListRow | PreviewRow] = []
    for number, cells in opened.head[opened.used :]:
        if len(read) >= limit:
            break
        row = reader.read(number, cells)
        if row is None:
            continue
        problem = date_problem(row, today)
        read.append(PreviewRow(number, (), rejected=problem) if problem else row)
    to_match = [r for r in read if isinstance(r, ListRow)]
    index = ResidentIndex(campaign.place, campaign_communes(campaign))
    outcomes = {
        (o.row if isinstance(o, Matched) else o[0]).row_number: o
        for o in Matcher(index, place_name=campaign.place.name).match(to_match)
    }
    rows: list[PreviewRow] = []
    for item in read:
        if isinstance(item, PreviewRow):
            rows.append(item)
            continue
        outcome = outcomes[item.row_number]
        if not isinstance(outcome, Matched):
            rows.append(PreviewRow(item.row_number, (), rejected=outcome[1]))
            continue
        resident = outcome.resident
        found = Message(
            _("%(name)s, %(key)s"), name=resident.full_name, key=_KEYS.get(outcome.key, "")
        )
        values = (
            item.full_name,
            birth_text(item.birth_date, item.birth_date_precision),
            masked_cccd(item.cccd),
            masked_phone(item.phone),
            item.village_text,
            *((item.achieved_on.strftime("%d/%m/%Y") if item.achieved_on else "",) * dated),
            str(found),
        )
        warnings = tuple(
            Message(
                _("%(field)s set aside: %(error)s"),
                field=ACHIEVEMENT_FIELD_LABELS.get(name, name),
                error=ParserError(error),
            )
            for name, (_text, error) in item.invalid.items()
        )
        rows.append(PreviewRow(item.row_number, values, warnings=warnings))
    return ImportPreview(
        shown=(
            _("Full name"),
            _("Birth date"),
            _("CCCD number"),
            _("Phone"),
            _("Village"),
            *((_("Date reached"),) * dated),
            _("Resident"),
        ),
        rows=tuple(rows),
        **base_preview(
            opened.column_map,
            opened.detected,
            sheet=opened.source.sheet_name,
            encoding=opened.source.encoding,
            head=opened.head,
            used=opened.used,
        ),
    )
