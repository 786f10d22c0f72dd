"""The Excel workbook of a campaign for a place and a date: its sheets, their layout, and the
writing of their cells.

Sheets (their Vietnamese names and headers are in `xlsx_text`): the summary, the criteria,
the villages — or, for a place above a commune, the communes with their rank by cohort share
—, the units against their pledges, the support sessions, the donations, the weekly series,
and the residents with their criteria.

Every figure is read from `campaign_indicators` for the request (so it equals the dashboard's
for the same campaign, place and date); the two lists the indicators only count — the
sessions and the residents — are read in `xlsx_rows`, which also says who gets the residents'
sheet and what of each resident it shows.

The residents' sheet streams: xlsxwriter in `constant_memory` mode writes each row to disk as
it comes from `xlsx_rows.resident_lines`, which reads them a commune at a time, so a
province of 3,000,000 residents fits in the memory of a commune's.

Cells hold real numbers and dates, never text that looks like them — except a birth date
known only to its month or year, written as the register writes it ("03/1977", "1977"), not as
a made-up first day; no formulas. The file is deterministic: the same data give the same
bytes (its creation date is the report date).
"""

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import xlsxwriter
from django.utils import translation
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from congdanso.campaigns.selectors import CampaignRules, campaign_rules, communes_under
from congdanso.core.audit import audit_record
from congdanso.core.models import AuditAction
from congdanso.outreach.models import SessionStatus
from congdanso.partners.models import DonationItem, UnitKind
from congdanso.people.models import BirthDatePrecision, Resident
from congdanso.places.models import Place, PlaceKind
from congdanso.progress.figures import AreaRow, Forecast, Indicators
from congdanso.reports import xlsx_text as T
from congdanso.reports.selectors import ReportRequest
from congdanso.reports.xlsx_rows import (
    CHUNK,
    ResidentLine,
    resident_lines,
    sees_residents,
    sessions_listed,
)
from congdanso.scope.access import Access, can_reveal

#: Excel's day 0 (1899-12-30, the 1900 date system), as a proleptic ordinal.
_EXCEL_EPOCH = dt.date(1899, 12, 30).toordinal()

#: Cell kinds, each with its number format.
TEXT, INT, PCT, VND, DATE, NUMBER = "text", "int", "pct", "vnd", "date", "number"
_NUMBER_FORMATS = {
    INT: "#,##0",
    PCT: "0.0%",
    VND: '#,##0 "đ"',
    DATE: "dd/mm/yyyy",
    NUMBER: "#,##0.0",
}


def birth_cell(birth: dt.date, precision: str) -> dt.date | str:
    """What a birth date's cell holds: a real date when the day is known, else text as the
    register writes it, "03/1977" or "1977" — a year-only birth date is not 1 January: as a
    date, Excel would show, sort and filter it as one."""
    if precision == BirthDatePrecision.YEAR:
        return f"{birth.year:04d}"
    if precision == BirthDatePrecision.MONTH:
        return f"{birth.month:02d}/{birth.year:04d}"
    return birth


@dataclass(frozen=True)
class Column:
    header: str
    kind: str
    width: float


def _columns(headers: Sequence[str], kinds: Sequence[str], widths: Sequence[float]) -> list[Column]:
    return [Column(h, k, w) for h, k, w in zip(headers, kinds, widths, strict=True)]


class _Sheet:
    """A table sheet: a bold header row, frozen; typed cells; an autofilter over the rows."""

    def __init__(
        self, book: "Book", name: str, columns: Sequence[Column], *, top: Sequence[str] = ()
    ) -> None:
        """`top`: lines of text above the header (a list's title and filters), one a row."""
        self.book = book
        self.sheet: Worksheet = book.workbook.add_worksheet(name)
        self.columns = tuple(columns)
        self.header_row = len(top) + 1 if top else 0  # a blank row between
        for index, line in enumerate(top):
            self.sheet.write_string(index, 0, line, book.title if index == 0 else None)
        self.next_row = self.header_row + 1
        for index, column in enumerate(self.columns):
            self.sheet.set_column(index, index, column.width)
            self.sheet.write_string(self.header_row, index, column.header, book.header)
        self.sheet.set_row(self.header_row, 45)
        self.sheet.freeze_panes(self.header_row + 1, 0)

    def row(self, values: Sequence[Any], formats: Sequence[Format | None] = ()) -> None:
        r = self.next_row
        for index, value in enumerate(values):
            if value is None or value == "":
                continue
            given = formats[index] if index < len(formats) else None
            self.book.write(
                self.sheet, r, index, value, given or self.book.kind[self.columns[index].kind]
            )
        self.next_row += 1

    def close(self) -> None:
        self.sheet.autofilter(
            self.header_row,
            0,
            max(self.next_row - 1, self.header_row + 1),
            len(self.columns) - 1,
        )


class Book:
    def __init__(self, path: Path, created: dt.date) -> None:
        self.workbook = xlsxwriter.Workbook(
            str(path),
            {
                "constant_memory": True,
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "remove_timezone": True,
            },
        )
        # The creation date is the report's date, so that the same data give the same file.
        self.workbook.set_properties(
            {"created": dt.datetime.combine(created, dt.time()), "author": "congdanso"}
        )
        self.header = self.workbook.add_format(
            {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#E7ECF1", "border": 1}
        )
        self.title = self.workbook.add_format({"bold": True, "font_size": 13})
        self.kind: dict[str, Format | None] = {TEXT: None}
        for kind, number_format in _NUMBER_FORMATS.items():
            self.kind[kind] = self.workbook.add_format({"num_format": number_format})
        # Partial birth dates are text: right-aligned like the dates around them.
        self.birth_text = self.workbook.add_format({"align": "right"})

    def write(self, sheet: Worksheet, row: int, col: int, value: Any, fmt: Format | None) -> None:
        if isinstance(value, str):
            sheet.write_string(row, col, value, fmt)
        elif isinstance(value, bool):
            sheet.write_string(row, col, T.YES if value else T.NO, fmt)
        elif isinstance(value, int | float):
            sheet.write_number(row, col, value, fmt)
        elif isinstance(value, dt.date):
            # A date cell is its serial number under a date format (what write_datetime
            # writes, without its datetime arithmetic: a date has no time or zone).
            sheet.write_number(row, col, value.toordinal() - _EXCEL_EPOCH, fmt)
        else:
            sheet.write_string(row, col, str(value), fmt)

    def close(self) -> None:
        self.workbook.close()


#: Data rows a sheet holds: Excel's 1,048,576 rows less the header. A longer residents list
#: (a province) goes on over further sheets, "Người dân (2)" and on: xlsxwriter would drop the
#: rows past the last one without a word.
SHEET_DATA_ROWS = 1_048_575


def report_xlsx(
    request: ReportRequest,
    path: Path,
    *,
    rows_per_sheet: int = SHEET_DATA_ROWS,
    residents: bool = True,
) -> None:
    """Write the workbook of the request to `path` (the caller makes it atomic); the
    residents' sheet when the reader may see them and `residents` is asked."""
    indicators = request.indicators()
    rules = campaign_rules(request.campaign)
    with translation.override("vi"):  # the labels of kinds and statuses in the cells
        book = Book(path, request.on)
        try:
            _summary(book, request, indicators)
            _criteria(book, indicators)
            if indicators.communes:
                _communes(book, indicators.communes)
            else:
                _villages(book, indicators.villages)
            _units(book, indicators)
            _sessions(book, request)
            _donations(book, indicators)
            _weekly(book, indicators)
            if residents and sees_residents(request.access, request.place):
                _residents(book, request, rules, rows_per_sheet)
        finally:
            book.close()


# --- The aggregate sheets -------------------------------------------------------------------


def _summary(book: Book, request: ReportRequest, ind: Indicators) -> None:
    campaign = request.campaign
    recent, whole = ind.projection, ind.projection_campaign

    def target_date(day: dt.date | None) -> dt.date | str:
        return day if day is not None else T.NOT_REACHED

    figures: list[tuple[str, Any, str]] = [
        ("campaign", campaign.name, TEXT),
        ("place", ind.place_name, TEXT),
        ("place_code", ind.place_code, TEXT),
        ("date", ind.date, DATE),
        ("start_date", campaign.start_date, DATE),
        ("end_date", campaign.end_date, DATE),
        ("exemplary_target", ind.exemplary.target, INT),
        ("exemplary_count", ind.exemplary.count, INT),
        ("exemplary_share_of_target", ind.exemplary.share_of_target, PCT),
        ("cohort_ages", f"{ind.cohort.min_age}–{ind.cohort.max_age}", TEXT),
        ("cohort_size", ind.cohort.size, INT),
        ("cohort_met", ind.cohort.met, INT),
        ("cohort_share", ind.cohort.share, PCT),
        ("cohort_target_share", ind.cohort.target_share, PCT),
        ("cohort_needed", ind.cohort.needed, INT),
        ("recent_basis_days", recent.basis_days, INT),
        ("recent_exemplary_per_week", _per_week(recent), NUMBER),
        ("recent_exemplary_at_end", recent.exemplary_at_end, INT),
        ("recent_cohort_share_at_end", recent.cohort_share_at_end, PCT),
        ("recent_exemplary_target_date", target_date(recent.exemplary_target_date), DATE),
        ("recent_cohort_target_date", target_date(recent.cohort_target_date), DATE),
        ("campaign_exemplary_at_end", whole.exemplary_at_end, INT),
        ("campaign_cohort_share_at_end", whole.cohort_share_at_end, PCT),
        ("sessions_held", ind.sessions.held, INT),
        ("sessions_planned", ind.sessions.planned, INT),
        ("turns", ind.sessions.turns, INT),
        ("registry_turns", ind.sessions.registry_turns, INT),
        ("anonymous_turns", ind.sessions.anonymous_turns, INT),
        ("people_helped", ind.sessions.people, INT),
        ("donations_count", len(ind.donations), INT),
        ("donations_value", sum(d.value_vnd for d in ind.donations), VND),
        ("residents", ind.data_quality.residents, INT),
        ("without_birth_date", ind.data_quality.without_birth_date, INT),
        ("with_open_issues", ind.data_quality.with_open_issues, INT),
        ("possible_duplicates", ind.data_quality.possible_duplicates, INT),
    ]
    sheet = _Sheet(
        book,
        T.SHEET_SUMMARY,
        [Column(T.SUMMARY_HEADERS[0], TEXT, 62), Column(T.SUMMARY_HEADERS[1], TEXT, 34)],
    )
    sheet.sheet.set_row(0, None)
    for key, value, kind in figures:
        sheet.row([T.SUMMARY_LABELS[key], value], [None, book.kind[kind]])
    sheet.close()


def _per_week(forecast: Forecast) -> float:
    return round(forecast.exemplary_per_day * 7, 2)


def _criteria(book: Book, ind: Indicators) -> None:
    kinds = (TEXT, TEXT, TEXT, INT, PCT, INT)
    widths = (24, 40, 16, 16, 12, 16)
    sheet = _Sheet(
        book,
        T.SHEET_CRITERIA,
        _columns(T.CRITERIA_HEADERS, kinds, widths),
    )
    for row in ind.criteria:
        sheet.row([row.code, row.name, row.exemplary, row.count, row.share, row.count_all])
    sheet.close()


_AREA_KINDS = (TEXT, TEXT, TEXT, INT, INT, INT, PCT, INT, INT)
_AREA_WIDTHS = (22, 30, 14, 12, 14, 18, 12, 16, 16)


def _area_values(row: AreaRow) -> list[Any]:
    kind = PlaceKind(row.kind).label if row.kind in PlaceKind.values else ""
    return [
        row.code,
        row.name,
        str(kind),
        row.residents,
        row.cohort,
        row.met,
        row.share,
        row.exemplary,
        row.gap,
    ]


def _villages(book: Book, rows: Sequence[AreaRow]) -> None:
    sheet = _Sheet(book, T.SHEET_VILLAGES, _columns(T.AREA_HEADERS, _AREA_KINDS, _AREA_WIDTHS))
    for row in rows:
        sheet.row(_area_values(row))
    sheet.close()


def commune_ranking(rows: Sequence[AreaRow]) -> list[tuple[int, AreaRow]]:
    """The communes by cohort share, highest first (then more people met, then name); equal
    shares share a rank (1, 2, 2, 4). Shares are compared exactly, as fractions."""

    def share(row: AreaRow) -> Fraction:
        return Fraction(row.met, row.cohort) if row.cohort else Fraction(0)

    ordered = sorted(rows, key=lambda r: (-share(r), -r.met, r.name, r.code))
    ranked: list[tuple[int, AreaRow]] = []
    for position, row in enumerate(ordered, start=1):
        if ranked and share(ranked[-1][1]) == share(row):
            ranked.append((ranked[-1][0], row))
        else:
            ranked.append((position, row))
    return ranked


def _communes(book: Book, rows: Sequence[AreaRow]) -> None:
    columns = [
        Column(T.RANK_HEADER, INT, 10),
        *_columns(T.AREA_HEADERS, _AREA_KINDS, _AREA_WIDTHS),
    ]
    sheet = _Sheet(book, T.SHEET_COMMUNES, columns)
    for rank, row in commune_ranking(rows):
        sheet.row([rank, *_area_values(row)])
    sheet.close()


def _units(book: Book, ind: Indicators) -> None:
    kinds = (TEXT, TEXT, TEXT, INT, INT, INT, INT, INT, INT, INT)
    widths = (34, 20, 12, 12, 12, 12, 14, 14, 14, 14)
    sheet = _Sheet(
        book,
        T.SHEET_UNITS,
        _columns(T.UNIT_HEADERS, kinds, widths),
    )
    for u in ind.units:
        kind = UnitKind(u.kind).label if u.kind in UnitKind.values else u.kind
        sheet.row(
            [
                u.name,
                str(kind),
                u.pledged,
                u.sessions,
                u.target_sessions,
                u.turns,
                u.people,
                u.target_people,
                u.achievements,
                u.target_achievements,
            ]
        )
    sheet.close()


def _sessions(book: Book, request: ReportRequest) -> None:
    kinds = (DATE, TEXT, TEXT, TEXT, TEXT, TEXT, INT, INT, INT)
    widths = (12, 28, 22, 28, 14, 40, 16, 16, 12)
    sheet = _Sheet(
        book,
        T.SHEET_SESSIONS,
        _columns(T.SESSION_HEADERS, kinds, widths),
    )
    for session in sessions_listed(request).iterator(chunk_size=CHUNK):
        commune = session.place.commune
        sheet.row(
            [
                session.date,
                session.place.name,
                commune.name if commune is not None else "",
                session.title,
                str(SessionStatus(session.status).label),
                ", ".join(sorted(unit.name for unit in session.units.all())),
                session.turn_count,
                session.anonymous_turns,
                session.turn_count + session.anonymous_turns,
            ]
        )
    sheet.close()


def _donations(book: Book, ind: Indicators) -> None:
    kinds = (DATE, TEXT, TEXT, TEXT, TEXT, TEXT, VND)
    widths = (12, 24, 26, 22, 36, 40, 18)
    sheet = _Sheet(
        book,
        T.SHEET_DONATIONS,
        _columns(T.DONATION_HEADERS, kinds, widths),
    )
    for d in ind.donations:
        item = DonationItem(d.item).label if d.item in DonationItem.values else d.item
        sheet.row(
            [
                d.given_on,
                d.village,
                d.site,
                str(item),
                d.description,
                ", ".join(d.donors),
                d.value_vnd,
            ]
        )
    sheet.close()


def _weekly(book: Book, ind: Indicators) -> None:
    kinds = (DATE, DATE, INT, INT, PCT)
    widths = (14, 14, 18, 22, 14)
    sheet = _Sheet(
        book,
        T.SHEET_WEEKLY,
        _columns(T.WEEKLY_HEADERS, kinds, widths),
    )
    for week in ind.weekly:
        end = min(week.week_start + dt.timedelta(days=6), ind.date)
        share = week.cohort_met / ind.cohort.size if ind.cohort.size else 0.0
        sheet.row([week.week_start, end, week.exemplary, week.cohort_met, share])
    sheet.close()


# --- The residents --------------------------------------------------------------------------


def resident_columns(rules: CampaignRules, *, birth_year: bool) -> list[Column]:
    """The residents sheet's columns (the birth year in place of the birth date for a reader
    who may not see every row's birth date)."""
    headers = list(T.RESIDENT_HEADERS_BEFORE)
    columns = [
        Column(headers[0], INT, 8),
        Column(headers[1], TEXT, 28),
        Column(headers[2], DATE, 12),
        Column(headers[3], TEXT, 9),
        Column(headers[4], TEXT, 20),
        Column(headers[5], TEXT, 20),
        Column(headers[6], TEXT, 15),
        Column(headers[7], TEXT, 13),
        *(Column(c.name, DATE, max(12.0, min(24.0, len(c.name) * 0.6))) for c in rules.criteria),
        Column(T.RESIDENT_HEADERS_AFTER[0], TEXT, 12),
        Column(T.RESIDENT_HEADERS_AFTER[1], TEXT, 12),
    ]
    if birth_year:
        columns[2] = Column(T.BIRTH_YEAR_HEADER, INT, 10)
    return columns


def birth_year_only(access: Access | None, communes: Iterable[Place]) -> bool:
    """Whether the sheet's header says "birth year": some row shows no full birth date.
    Whether each commune's birth dates are shown depends on the user's reveal roles."""
    if access is None or access.is_admin:
        return False
    return not all(can_reveal(access, Resident(commune=c)) for c in communes)


@dataclass
class ResidentsWritten:
    """What a residents sheet holds, by commune: its rows and those with numbers in full."""

    rows: Counter[int] = field(default_factory=Counter)
    revealed: Counter[int] = field(default_factory=Counter)


def write_residents(
    book: "Book",
    lines: Iterable[ResidentLine],
    columns: Sequence[Column],
    *,
    rows_per_sheet: int = SHEET_DATA_ROWS,
    top: Sequence[str] = (),
) -> ResidentsWritten:
    """Write the residents' lines (`xlsx_rows`, which decides what of each person shows) on
    the residents sheet, going on over further sheets past `rows_per_sheet`; `top` are lines
    of text above the first sheet's header (what a list was filtered on)."""
    written = ResidentsWritten()
    sheet = _Sheet(book, T.SHEET_RESIDENTS, columns, top=top)
    # The hot loop of a province (3 M rows): each cell's type is known, so it is written
    # straight away rather than through `_Sheet.row`'s dispatch.
    ws, date_format, int_format = sheet.sheet, book.kind[DATE], book.kind[INT]
    write_string, write_number = ws.write_string, ws.write_number
    first_criterion = len(T.RESIDENT_HEADERS_BEFORE)
    row, part, last_row = sheet.next_row - 1, 1, sheet.next_row - 1 + rows_per_sheet
    for number, line in enumerate(lines, start=1):
        row += 1
        if row > last_row:
            sheet.close()
            part += 1
            sheet = _Sheet(book, f"{T.SHEET_RESIDENTS} ({part})", columns)
            ws, row, last_row = sheet.sheet, 1, rows_per_sheet
            write_string, write_number = ws.write_string, ws.write_number
        write_number(row, 0, number, int_format)
        write_string(row, 1, line.name)
        if isinstance(line.birth, dt.date):
            birth = birth_cell(line.birth, line.birth_precision)
            if isinstance(birth, str):
                write_string(row, 2, birth, book.birth_text)
            else:
                write_number(row, 2, birth.toordinal() - _EXCEL_EPOCH, date_format)
        elif line.birth is not None:
            write_number(row, 2, line.birth)
        for col, text in ((3, line.gender), (4, line.commune), (5, line.village)):
            if text:
                write_string(row, col, text)
        if line.cccd:
            write_string(row, 6, line.cccd)
        if line.phone:
            write_string(row, 7, line.phone)
        col = first_criterion
        for reached in line.reached:
            if reached is not None:
                write_number(row, col, reached.toordinal() - _EXCEL_EPOCH, date_format)
            col += 1
        write_string(row, col, T.YES if line.exemplary else T.NO)
        write_string(row, col + 1, T.YES if line.in_cohort else T.NO)
        written.rows[line.commune_id] += 1
        if line.revealed:
            written.revealed[line.commune_id] += 1
        sheet.next_row = row + 1
    sheet.close()
    return written


def _residents(
    book: "Book", request: ReportRequest, rules: CampaignRules, rows_per_sheet: int
) -> None:
    communes = Place.objects.filter(pk__in=communes_under(request.place))
    columns = resident_columns(rules, birth_year=birth_year_only(request.access, communes))
    written = write_residents(
        book, resident_lines(request, rules), columns, rows_per_sheet=rows_per_sheet
    )
    for commune_id, revealed in sorted(written.revealed.items()):
        # Numbers in full leave the system: an audited reveal, as on the person card — one
        # event per commune whose people were shown, so that each commune's managers see it
        # (a district or province workbook is no single commune's).
        audit_record(
            action=AuditAction.REVEAL,
            obj=request.campaign,
            commune_id=commune_id,
            changes={
                "fields": ["cccd", "phone"],
                "place": request.place.code,
                "residents": revealed,
            },
            reason="Excel workbook",
        )
