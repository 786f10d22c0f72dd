"""The official report (.docx): an administrative document laid out under Decree 30/2020/NĐ-CP
(Appendix I: A4; margins top and bottom 20–25 mm, left 30–35 mm, right 15–20 mm; Times New
Roman; the issuing-body and national-motto blocks side by side, the number, the place and
date, the title, the body, the recipients and the signature).

Every figure comes from `ReportRequest.indicators()` (`campaign_indicators`), so the report
equals the dashboard for the same campaign, place and date. The wording is in
`docx_text`; the drafts of the last part in `drafts`; the chart in `chart_png`.

The output is the same bytes for the same data: the document's dates are the as-of date and
the zip entries carry it too (python-docx would stamp them with the time of writing).
"""

import datetime as dt
import io
import math
import zipfile
from collections.abc import Sequence

from django.utils import translation
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.shared import Pt

from congdanso.progress.figures import AreaRow, Indicators, registry_line
from congdanso.reports import docx_text as T
from congdanso.reports.chart_png import ChartPoint, progress_png
from congdanso.reports.docx_layout import (
    BODY_PT,
    BODY_RULE,
    HEADER_COLUMNS,
    HEADER_PT,
    MOTTO_RULE,
    RECIPIENT_LIST_PT,
    RECIPIENTS_PT,
    SUMMARY_RULE,
    TABLE_PT,
    TEXT_W_CM,
    Writer,
    admin_name,
    bare_name,
    in_sentence,
    nfc,
)
from congdanso.reports.drafts import (
    DIFFICULTIES,
    DRAFT_KEYS,
    NEXT_STEPS,
    PROPOSALS,
    report_drafts,
)
from congdanso.reports.selectors import ReportRequest
from congdanso.vn.numbers import format_date, format_date_long, format_number, format_percent


def report_docx(request: ReportRequest, *, drafts: dict[str, str] | None = None) -> bytes:
    """The report as .docx bytes. `drafts` replaces any of the pre-filled texts of the last
    part (keys: "difficulties", "proposals", "next_steps"; one paragraph per line)."""
    unknown = sorted(set(drafts or {}) - set(DRAFT_KEYS))
    if unknown:
        raise ValueError(f"unknown draft keys: {', '.join(unknown)}")
    # The document is Vietnamese whatever the user's language (labels from the catalog too).
    with translation.override("vi"):
        indicators = request.indicators()
        writer = Writer()
        _Report(writer, request, indicators).write(drafts or {})
        out = io.BytesIO()
        writer.document.save(out)
    return _fixed_zip(out.getvalue(), request.on)


def _fixed_zip(data: bytes, day: dt.date) -> bytes:
    """The same archive with every entry dated `day`, so equal data give equal bytes."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            entry = zipfile.ZipInfo(
                info.filename, date_time=(day.year, day.month, day.day, 0, 0, 0)
            )
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, source.read(info))
    return out.getvalue()


class _Report:
    def __init__(self, writer: Writer, request: ReportRequest, indicators: Indicators) -> None:
        self.w = writer
        self.request = request
        self.ind = indicators
        self.campaign = request.campaign
        issuer = request.campaign.place
        self.issuer_name = admin_name(issuer.name, issuer.kind)
        parent = issuer.parent
        self.superior = in_sentence(admin_name(parent.name, parent.kind)) if parent else ""
        self.end_text = format_date_long(self.campaign.end_date)

    def write(self, drafts: dict[str, str]) -> None:
        self._properties()
        self._header()
        self._title()
        self._part_1()
        self._part_2()
        self._part_3(drafts)
        self._closing()

    def _properties(self) -> None:
        props = self.w.document.core_properties
        moment = dt.datetime.combine(self.request.on, dt.time(), tzinfo=dt.UTC)
        props.title = nfc(T.SUMMARY % {"campaign": self.campaign.name})
        props.subject = nfc(self.issuer_name)
        props.author = props.last_modified_by = T.AUTHOR
        props.created = props.modified = props.last_printed = moment
        props.revision = 1
        props.language = "vi-VN"
        props.keywords = props.comments = props.category = ""

    def _header(self) -> None:
        w = self.w
        table = w.borderless(2, HEADER_COLUMNS)
        body, motto = table.rows[0].cells
        w.centred(T.ISSUER_SUPERIOR % {"place": self.issuer_name.upper()}, container=body,
                  size=HEADER_PT, space_after=0)  # fmt: skip
        w.centred(T.ISSUER, container=body, bold=True, size=HEADER_PT, space_after=0)
        w.rule(BODY_RULE, HEADER_COLUMNS[0], container=body)
        w.centred(T.NATIONAL_NAME, container=motto, bold=True, size=HEADER_PT, space_after=0)
        w.centred(T.MOTTO, container=motto, bold=True, size=BODY_PT, space_after=0)
        w.rule(MOTTO_RULE, HEADER_COLUMNS[1], container=motto)
        number, place_date = table.rows[1].cells
        w.centred(T.NUMBER, container=number, size=HEADER_PT, space_after=0)
        # Decree 30, Appendix I, item 4: the day below 10 and the months 1 and 2 take a leading
        # zero ("ngày 05 tháng 02 năm 2023"); `format_date_long` writes them so.
        line = T.PLACE_DATE % {
            "place": bare_name(self.issuer_name),
            "date": format_date_long(self.request.on),
        }
        w.centred(line, container=place_date, italic=True, size=BODY_PT, space_after=0)

    def _title(self) -> None:
        w = self.w
        w.centred(T.KIND, bold=True, space_after=0).paragraph_format.space_before = Pt(18)
        w.centred(T.SUMMARY % {"campaign": self.campaign.name}, bold=True, space_after=0)
        w.rule(SUMMARY_RULE, TEXT_W_CM)
        place = self.request.place
        date = format_date_long(self.request.on)
        if place.pk == self.campaign.place_id:
            w.centred(T.AS_OF % {"date": date}, italic=True)
        else:
            w.centred(T.AS_OF_PLACE % {"place": place.name, "date": date}, italic=True)
        if self.superior:
            w.centred(T.ADDRESSEE % {"superior": self.superior}, space_after=12)

    # -- I ------------------------------------------------------------------------------

    def _part_1(self) -> None:
        w, ind, campaign = self.w, self.ind, self.campaign
        cohort = ind.cohort
        w.heading(T.PART_1, 1)
        w.paragraph(
            T.INTRO
            % {
                "place": in_sentence(self.issuer_name),
                "campaign": campaign.name,
                "start": format_date_long(campaign.start_date),
                "end": self.end_text,
            }
        )
        required = [row.name for row in ind.criteria if row.exemplary]
        w.paragraph(
            T.TARGET_EXEMPLARY
            % {
                "target": format_number(ind.exemplary.target),
                "criteria": ", ".join(required),
            }
        )
        w.paragraph(
            T.TARGET_COHORT
            % {
                "end": self.end_text,
                "share": format_percent(cohort.target_share),
                "low": cohort.min_age,
                "high": cohort.max_age,
                "size": format_number(cohort.size),
                "needed": format_number(cohort.needed),
            }
        )
        pledged = [row.name for row in sorted(ind.units, key=lambda r: r.name) if row.pledged]
        if pledged:
            w.paragraph(T.PLEDGES % {"units": ", ".join(pledged)})
        else:
            w.paragraph(T.NO_PLEDGES)

    # -- II -----------------------------------------------------------------------------

    def _part_2(self) -> None:
        w = self.w
        w.heading(T.PART_2, 1)
        self._results()
        self._chart()
        self._criteria()
        self._areas()
        self._units()
        self._sessions()
        self._donations()
        self._data_quality()

    def _results(self) -> None:
        w, ind = self.w, self.ind
        exemplary, cohort = ind.exemplary, ind.cohort
        w.heading(T.RESULTS, 2)
        w.paragraph(
            T.RESULT_EXEMPLARY
            % {
                "count": format_number(exemplary.count),
                "target": format_number(exemplary.target),
                "share": format_percent(exemplary.share_of_target),
            }
        )
        w.paragraph(
            T.RESULT_COHORT
            % {
                "low": cohort.min_age,
                "high": cohort.max_age,
                "met": format_number(cohort.met),
                "size": format_number(cohort.size),
                "share": format_percent(cohort.share),
                "target": format_percent(cohort.target_share),
                "needed": format_number(cohort.needed),
            }
        )
        recent, whole = ind.projection, ind.projection_campaign
        text = T.PROJECTION % {
            "days": recent.basis_days,
            "per_week": format_number(recent.exemplary_per_day * 7, 1),
            "end": self.end_text,
            "at_end": format_number(recent.exemplary_at_end),
            "cohort_share": format_percent(recent.cohort_share_at_end),
        }
        target = format_number(exemplary.target)
        if recent.exemplary_target_date:
            date = format_date_long(recent.exemplary_target_date)
            done = exemplary.count >= exemplary.target
            text += (T.PROJECTION_DONE if done else T.PROJECTION_REACHED) % {
                "target": target,
                "date": date,
            }
        else:
            text += T.PROJECTION_NOT_REACHED % {"target": target}
        w.paragraph(text)
        w.paragraph(
            T.PROJECTION_CAMPAIGN
            % {
                "per_week": format_number(whole.exemplary_per_day * 7, 1),
                "at_end": format_number(whole.exemplary_at_end),
                "cohort_share": format_percent(whole.cohort_share_at_end),
            }
        )

    def _chart(self) -> None:
        ind, campaign = self.ind, self.campaign
        points = [
            ChartPoint(min(week.week_start + dt.timedelta(days=6), ind.date), week.exemplary)
            for week in ind.weekly
        ]
        png = progress_png(
            start=campaign.start_date,
            end=campaign.end_date,
            points=points,
            projected_at_end=ind.projection.exemplary_at_end,
            target=ind.exemplary.target,
            target_label=T.CHART_TARGET % {"target": format_number(ind.exemplary.target)},
            projection_label=T.CHART_PROJECTION
            % {"value": format_number(ind.projection.exemplary_at_end)},
        )
        self.w.picture(png)
        self.w.centred(T.CHART_CAPTION, italic=True, size=TABLE_PT, space_after=0)
        self.w.centred(T.CHART_LEGEND, italic=True, size=TABLE_PT)

    def _criteria(self) -> None:
        w, cohort = self.w, self.ind.cohort
        ages = {"low": cohort.min_age, "high": cohort.max_age}
        w.heading(T.CRITERIA, 2)
        w.grid(
            [head % ages for head in T.CRITERIA_HEAD],
            [
                [
                    str(number),
                    row.name + (" (*)" if row.exemplary else ""),
                    format_number(row.count),
                    format_percent(row.share),
                    format_number(row.count_all),
                ]
                for number, row in enumerate(self.ind.criteria, 1)
            ],
            numeric=(0, 2, 3, 4),
        )
        w.paragraph(T.CRITERIA_NOTE, italic=True, size=TABLE_PT, indent=False)

    def _areas(self) -> None:
        w, ind = self.w, self.ind
        cohort = ind.cohort
        communes = bool(ind.communes)
        w.heading(T.AREAS_COMMUNES if communes else T.AREAS_VILLAGES, 2)
        rows: Sequence[AreaRow] = ind.communes if communes else ind.villages
        if not rows:
            w.paragraph(T.NO_AREAS)
            return
        if communes:  # ranked: the best share first
            rows = sorted(rows, key=lambda r: (-r.share, -r.met, r.name))
        area = T.AREA_HEAD_COMMUNE if communes else T.AREA_HEAD_VILLAGE
        head = [
            h % {"area": area, "low": cohort.min_age, "high": cohort.max_age} for h in T.AREAS_HEAD
        ]
        if communes:
            head[0] = T.RANK
        total = [
            "",
            T.TOTAL,
            format_number(ind.data_quality.residents),
            format_number(cohort.size),
            format_number(cohort.met),
            format_percent(cohort.share),
            format_number(ind.exemplary.count),
            format_number(max(0, cohort.needed - cohort.met)),
        ]
        w.grid(
            head,
            [
                [
                    str(number),
                    row.name,
                    format_number(row.residents),
                    format_number(row.cohort),
                    format_number(row.met),
                    format_percent(row.share),
                    format_number(row.exemplary),
                    format_number(row.gap),
                ]
                for number, row in enumerate(rows, 1)
            ],
            numeric=(0, 2, 3, 4, 5, 6, 7),
            total=total,
        )

    def _units(self) -> None:
        w = self.w
        w.heading(T.UNITS, 2)
        if not self.ind.units:
            w.paragraph(T.NO_UNITS)
            return

        def of(done: int, pledged: int | None) -> str:
            return format_number(done) + (f" / {format_number(pledged)}" if pledged else "")

        w.grid(
            T.UNITS_HEAD,
            [
                [
                    str(number),
                    row.name + ("" if row.pledged else T.NO_PLEDGE),
                    of(row.sessions, row.target_sessions),
                    format_number(row.turns),
                    of(row.people, row.target_people),
                    of(row.achievements, row.target_achievements),
                ]
                for number, row in enumerate(self.ind.units, 1)
            ],
            numeric=(0, 2, 3, 4, 5),
        )
        w.paragraph(T.UNITS_NOTE, italic=True, size=TABLE_PT, indent=False)

    def _sessions(self) -> None:
        s = self.ind.sessions
        self.w.heading(T.SESSIONS, 2)
        self.w.paragraph(
            T.SESSIONS_TEXT
            % {
                "held": format_number(s.held),
                "planned": format_number(s.planned),
                "turns": format_number(s.turns),
                "anonymous": format_number(s.anonymous_turns),
                "people": format_number(s.people),
            }
        )

    def _donations(self) -> None:
        w, donations = self.w, self.ind.donations
        w.heading(T.DONATIONS, 2)
        if not donations:
            w.paragraph(T.NO_DONATIONS)
            return
        total = sum(d.value_vnd for d in donations)

        def content(item: str, description: str, site: str) -> str:
            text = T.DONATION_ITEMS.get(item, item)
            text += f": {description}" if description else ""
            return text + (f" ({site})" if site else "")

        w.grid(
            T.DONATIONS_HEAD,
            [
                [
                    str(number),
                    d.village,
                    content(d.item, d.description, d.site),
                    ", ".join(d.donors),
                    format_number(d.value_vnd),
                    format_date(d.given_on),
                ]
                for number, d in enumerate(donations, 1)
            ],
            numeric=(0, 4),
            total=["", T.TOTAL, "", "", format_number(total), ""],
        )
        w.paragraph(T.DONATIONS_TEXT % {"total": f"{format_number(total)} đồng"})

    def _data_quality(self) -> None:
        q = self.ind.data_quality
        self.w.heading(T.DATA, 2)
        self.w.paragraph(
            T.DATA_TEXT
            % {
                "residents": format_number(q.residents),
                "no_birth": format_number(q.without_birth_date),
                "issues": format_number(q.with_open_issues),
                "duplicates": format_number(q.possible_duplicates),
            }
        )
        self.w.paragraph(registry_line(self.ind))

    # -- III ----------------------------------------------------------------------------

    def _part_3(self, drafts: dict[str, str]) -> None:
        campaign, day = self.campaign, self.request.on
        total_days = (campaign.end_date - campaign.start_date).days + 1
        elapsed = min(1.0, ((day - campaign.start_date).days + 1) / total_days)
        weeks_left = math.ceil((campaign.end_date - day).days / 7)
        texts = report_drafts(
            self.ind,
            elapsed=elapsed,
            weeks_left=weeks_left,
            end_text=self.end_text,
            superior=("UBND " + self.superior) if self.superior else "",
        )
        texts.update(drafts)
        self.w.heading(T.PART_3, 1)
        for key, title in ((DIFFICULTIES, T.DIFFICULTIES), (PROPOSALS, T.PROPOSALS),
                           (NEXT_STEPS, T.NEXT_STEPS)):  # fmt: skip
            self.w.heading(title, 2)
            for line in texts[key].splitlines():
                if line.strip():
                    self.w.paragraph(line.strip())

    # -- Recipients and signature -------------------------------------------------------

    def _closing(self) -> None:
        w = self.w
        # The signature never starts a page alone: the last paragraph goes with it (keep with
        # next), and its one row never splits.
        w.document.paragraphs[-1].paragraph_format.keep_with_next = True
        table = w.borderless(1, (7.5, 9.0))
        table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        left, right = table.rows[0].cells
        left_align = WD_ALIGN_PARAGRAPH.LEFT
        w.paragraph(T.RECIPIENTS, container=left, bold=True, italic=True, size=RECIPIENTS_PT,
                    align=left_align, indent=False, space_after=0)  # fmt: skip
        recipients = [T.RECIPIENT_ABOVE, T.RECIPIENT_SUPERIOR % {"superior": self.superior}]
        for text in [*(recipients if self.superior else []), T.RECIPIENT_FILE]:
            w.paragraph(text, container=left, size=RECIPIENT_LIST_PT, align=left_align,
                        indent=False, space_after=0)  # fmt: skip
        w.centred(T.SIGN_FOR, container=right, bold=True, space_after=0)
        w.centred(T.SIGN_TITLE, container=right, bold=True, space_after=0)
        for _ in range(4):  # room for the signature and the seal
            w.centred("", container=right, space_after=0)
        w.centred(T.SIGN_NAME, container=right, bold=True, space_after=0)
