"""The Excel file of a list of people a page shows: the people behind a dashboard number, a
village's residents — every resident the page's filters select, not only the page shown.

The rows are the workbook's residents' sheet (`xlsx_rows.resident_lines` over the list's
residents, written by `xlsx.write_residents`): the same columns, and the same masking by role,
decided in one place. Above the header, the list says what it is: the place, the campaign,
the date, the filters and the number of people (Vietnamese, document content as in the
workbook).

Every export is audited, one event per commune whose residents it lists, so that each
commune's managers see it on their audit page.
"""

from dataclasses import dataclass
from pathlib import Path

from django.utils import translation

from congdanso.campaigns.models import Campaign
from congdanso.campaigns.selectors import CampaignRules
from congdanso.core.audit import audit_record
from congdanso.core.models import AuditAction
from congdanso.reports import xlsx_text as T
from congdanso.reports.lists import IssueFilter, PeopleFilter, people_filtered
from congdanso.reports.selectors import ReportRequest
from congdanso.reports.xlsx import (
    Book,
    birth_year_only,
    resident_columns,
    write_residents,
)
from congdanso.reports.xlsx_rows import line_communes, resident_lines
from congdanso.scope.access import Access
from congdanso.vn.numbers import format_date, format_number


@dataclass(frozen=True)
class ListExport:
    residents: int
    revealed: int  # rows with the CCCD and phone in full


def people_filter_words(f: PeopleFilter) -> list[str]:
    """What the list is filtered on, in Vietnamese, as the page's line under its title."""
    words = T.LIST_FILTER_WORDS
    out = []
    if f.exemplary is not None:
        out.append(words["exemplary" if f.exemplary else "not_exemplary"])
    if f.cohort is not None:
        out.append(words["cohort" if f.cohort else "not_cohort"])
    if f.done is not None:
        out.append(words["done"].format(name=f.done.name))
    if f.missing is not None:
        out.append(words["missing"].format(name=f.missing.name))
    if f.issues:
        out.append(words["duplicates" if f.issues == IssueFilter.DUPLICATE else "issues"])
    if f.no_birth_date:
        out.append(words["no_birth_date"])
    if f.no_village:
        out.append(words["no_village"])
    if f.helped:
        out.append(words["helped"])
    if f.unit is not None:
        key = "helped_by" if f.helped else "unit"
        out.append(words[key].format(unit=f.unit.name))
    return out


def people_list_lines(campaign: Campaign, f: PeopleFilter, count: int) -> list[str]:
    """The lines above the header."""
    filters = people_filter_words(f)
    lines = [
        T.LIST_TITLE.format(place=f.place.name),
        T.LIST_CAMPAIGN.format(campaign=campaign.name),
        T.LIST_AS_OF.format(date=format_date(f.day)),
    ]
    if f.registered_by is not None:
        lines.append(T.LIST_REGISTERED_BY.format(date=format_date(f.registered_by)))
    lines.append(T.LIST_FILTERS.format(filters="; ".join(filters)) if filters else T.LIST_NO_FILTER)
    lines.append(T.LIST_COUNT.format(count=format_number(count)))
    return lines


def people_list_file_name(f: PeopleFilter) -> str:
    """The file's name as the user sees it (Vietnamese; the caller gives an ASCII twin)."""
    return f"Danh sách người dân – {f.place.name} – {f.day:%d-%m-%Y}.xlsx"


def people_list_xlsx(
    access: Access, campaign: Campaign, rules: CampaignRules, f: PeopleFilter, path: Path
) -> ListExport:
    """Write every resident of the list to `path`: the rows `people_filtered` selects for the
    user (NotFound for a user who may not see the list), masked by role as in the workbook;
    audited, one event per commune listed."""
    people = people_filtered(access, campaign, rules, f)
    count = people.count()
    request = ReportRequest(campaign=campaign, place=f.place, on=f.day, access=access)
    communes = list(line_communes(request, people))
    columns = resident_columns(rules, birth_year=birth_year_only(access, communes))
    with translation.override("vi"):  # the labels of kinds (gender) in the cells
        book = Book(path, f.day)
        try:
            written = write_residents(
                book,
                resident_lines(request, rules, people),
                columns,
                top=people_list_lines(campaign, f, count),
            )
        finally:
            book.close()
    filters = "; ".join(people_filter_words(f))
    # An empty list is logged too, under the place's commune (a higher place has none).
    per_commune: list[tuple[int | None, int]] = [*sorted(written.rows.items())]
    per_commune = per_commune or [(f.place.commune_id, 0)]
    for commune_id, rows in per_commune:
        revealed = written.revealed[commune_id] if commune_id is not None else 0
        changes: dict[str, object] = {
            "what": "people-list",
            "format": "xlsx",
            "place": f.place.code,
            "as_of": f.day.isoformat(),
            "residents": rows,
        }
        if filters:
            changes["filter"] = filters
        if revealed:
            changes["fields"] = ["cccd", "phone"]
            changes["revealed"] = revealed
        audit_record(
            action=AuditAction.EXPORT, obj=campaign, commune_id=commune_id, changes=changes
        )
    return ListExport(residents=sum(written.rows.values()), revealed=sum(written.revealed.values()))
