"""The progress card: one square PNG (1080 × 1080) to post in the commune's Zalo group.

What it shows, for the report request (campaign, place, date, and which list of residents):
the campaign, the place and the date; the campaign's two targets with their progress — the
exemplary citizens against the target count, the share of the age group meeting every
exemplary criterion against the target share — each with its change over the week (the same
figure 7 days before, for the same list of residents; from the campaign's start when it began
less than a week before); the leading villages (by the share of their age group met; the
communes for a place above a commune) and the most active units (by people helped).

It holds aggregates only: no resident's name, number or date is read. Every figure is the
indicators' (`progress.indicators.campaign_indicators`), so the card equals the dashboard.
Its text is Vietnamese whatever the language of the user making it — it is posted for the
commune's residents, as the .docx is sent in Vietnamese — and comes from the catalog
(English msgids). Phone-sized: the big figures are 80 px high on 1080 (about 28 px on a
phone's screen), body text 26–34 px (a long name may go down to 22 px before it is shortened
with "…"), dark on white or white on dark blue.

The layout is `card_content` (the words and figures, tested as data) then `card_draw` (the
drawing, through `card_canvas.Canvas`, which records every text it draws).
"""

import datetime as dt
from dataclasses import dataclass, replace

from django.utils import translation
from django.utils.translation import gettext as _

from congdanso.places.models import LOCAL_KINDS
from congdanso.progress.figures import AreaRow, Indicators
from congdanso.reports.card_canvas import (
    Canvas,
    Colour,
    fitting_size,
    shorten,
    text_width,
    wrap,
)
from congdanso.reports.selectors import ReportRequest
from congdanso.vn.numbers import format_date, format_number, format_percent

#: The card's size in pixels (a square: Zalo and Facebook show it whole in a feed).
SIZE = 1080
MARGIN = 64
#: How many leading villages and units are named.
LEADERS = 3
#: Days back for the change shown under each target.
WEEK = 7

NAVY: Colour = (13, 59, 102)
PALE: Colour = (214, 228, 245)  # secondary text on the navy band
INK: Colour = (26, 26, 26)
MUTED: Colour = (74, 74, 74)
GREEN: Colour = (21, 115, 52)
TRACK: Colour = (222, 227, 233)
WHITE: Colour = (255, 255, 255)
RULE: Colour = (200, 206, 214)


@dataclass(frozen=True)
class Target:
    label: str
    figure: str  # the big figure: "983 / 1.000", "15,1% / 50%"
    aside: str  # beside it, right-aligned: "đạt 98,3% mục tiêu", "908 / 6.020 người"
    progress: float  # towards the target, 0–1 (the bar)
    change: str  # "Tuần qua: +45 người"; "" on the campaign's first day
    change_up: bool


@dataclass(frozen=True)
class Leader:
    name: str
    value: str


@dataclass(frozen=True)
class Ranking:
    title: str
    leaders: tuple[Leader, ...]


@dataclass(frozen=True)
class CardContent:
    campaign: str
    place: str
    date_line: str
    targets: tuple[Target, Target]
    rankings: tuple[Ranking, ...]
    footer: str  # which list of residents, when it is a past one; else ""


@dataclass(frozen=True)
class RenderedCard:
    png: bytes
    canvas: Canvas


def report_card(request: ReportRequest) -> bytes:
    """The card as PNG bytes."""
    return card_render(request).png


def card_render(request: ReportRequest) -> RenderedCard:
    """The card and the canvas it was drawn on (its record of texts, for the tests)."""
    with translation.override("vi"):
        canvas = card_draw(card_content(request))
    return RenderedCard(png=canvas.png(), canvas=canvas)


def card_content(request: ReportRequest) -> CardContent:
    now = request.indicators()
    before_day = max(now.date - dt.timedelta(days=WEEK), request.campaign.start_date)
    before = None
    if before_day < now.date:
        # The same request a week earlier, counting the same residents: the change is what
        # they achieved in the week.
        before = replace(request, on=before_day, figures=None).indicators()
    return CardContent(
        campaign=request.campaign.name,
        place=_place_line(request),
        date_line=_("Figures as of %(date)s") % {"date": format_date(now.date)},
        targets=(_exemplary_target(now, before), _cohort_target(now, before)),
        rankings=tuple(r for r in (_area_ranking(now), _unit_ranking(now)) if r is not None),
        footer=(
            _("Counting only the residents in the list by %(date)s.")
            % {"date": format_date(now.registered_by)}
            if now.registered_by
            else ""
        ),
    )


def _place_line(request: ReportRequest) -> str:
    """The place and the place it belongs to ("Xã Ea Yông, Huyện Krông Pắc")."""
    place = request.place
    parent = place.commune if place.kind in LOCAL_KINDS and place.commune_id else place.parent
    return f"{place.name}, {parent.name}" if parent is not None else place.name


def _week_text(
    now: Indicators, before: Indicators | None, count_now: int, count_then: int
) -> tuple[str, bool]:
    """("Tuần qua: +45 người", up?), or from the start ("Từ 12/04/2023: +45 người") in the
    campaign's first week; ("", False) on its first day."""
    if before is None:
        return "", False
    difference = count_now - count_then
    if difference > 0:
        amount = _("+%(count)s people") % {"count": format_number(difference)}
    elif difference < 0:
        amount = _("−%(count)s people") % {"count": format_number(-difference)}
    else:
        amount = _("no change")
    if (now.date - before.date).days == WEEK:
        return _("Past week: %(change)s") % {"change": amount}, difference > 0
    values = {"change": amount, "date": format_date(before.date)}
    return _("Since %(date)s: %(change)s") % values, difference > 0


def _exemplary_target(now: Indicators, before: Indicators | None) -> Target:
    figure = now.exemplary
    change, up = _week_text(now, before, figure.count, before.exemplary.count if before else 0)
    return Target(
        label=_("Exemplary digital citizens"),
        figure=f"{format_number(figure.count)} / {format_number(figure.target)}",
        aside=_("%(share)s of the target") % {"share": format_percent(figure.share_of_target)},
        progress=min(figure.share_of_target, 1.0),
        change=change,
        change_up=up,
    )


def _cohort_target(now: Indicators, before: Indicators | None) -> Target:
    cohort = now.cohort
    change, up = _week_text(now, before, cohort.met, before.cohort.met if before else 0)
    return Target(
        label=_("Aged %(min_age)s–%(max_age)s meeting every criterion")
        % {"min_age": cohort.min_age, "max_age": cohort.max_age},
        figure=f"{format_percent(cohort.share)} / {format_percent(cohort.target_share)}",
        aside=_("%(met)s / %(size)s people")
        % {"met": format_number(cohort.met), "size": format_number(cohort.size)},
        progress=min(cohort.share_of_target, 1.0),
        change=change,
        change_up=up,
    )


def _area_ranking(now: Indicators) -> Ranking | None:
    """The villages (or, above a commune, the communes) with the largest share of their age
    group met (none yet: no leader); no ranking when the place has fewer than two to compare
    (a village's card)."""
    communes = bool(now.communes)
    rows: tuple[AreaRow, ...] = now.communes if communes else now.villages
    compared = [row for row in rows if row.place_id is not None and row.cohort]
    if len(compared) < 2:
        return None
    ranked = sorted(
        (row for row in compared if row.met), key=lambda row: (-row.share, -row.met, row.name)
    )
    return Ranking(
        title=_("Leading communes") if communes else _("Leading villages"),
        leaders=tuple(
            Leader(
                name=row.name,
                value=_("%(share)s met (%(met)s / %(size)s people)")
                % {
                    "share": format_percent(row.share),
                    "met": format_number(row.met),
                    "size": format_number(row.cohort),
                },
            )
            for row in ranked[:LEADERS]
        ),
    )


def _unit_ranking(now: Indicators) -> Ranking:
    ranked = sorted(
        (unit for unit in now.units if unit.people), key=lambda u: (-u.people, -u.turns, u.name)
    )
    return Ranking(
        title=_("Most active units"),
        leaders=tuple(
            Leader(
                name=unit.name,
                value=_("%(people)s people helped") % {"people": format_number(unit.people)},
            )
            for unit in ranked[:LEADERS]
        ),
    )


# -- Drawing ----------------------------------------------------------------------------
# Baselines in pixels from the top: the band, then each target (its label and week's change,
# the big figure, the bar), then the rankings (a title, then per leader its name and value).

HEADER = 262  # the navy band
INNER = SIZE - 2 * MARGIN
TARGET_TOP = (HEADER + 4, HEADER + 200)
RANKINGS_TOP = HEADER + 420
ROW = 90  # one leader: name and value
GUTTER = 40  # between the rankings' columns
INDENT = 44  # of a leader's name after its rank ("1. ")
ASIDE = INNER * 0.6  # the widest a target's aside or change may be (its figure shrinks)


def card_draw(content: CardContent) -> Canvas:
    canvas = Canvas(SIZE, SIZE, WHITE)
    _draw_header(canvas, content)
    for target, top in zip(content.targets, TARGET_TOP, strict=True):
        _draw_target(canvas, target, top)
    _draw_rankings(canvas, content.rankings, RANKINGS_TOP)
    if content.footer:
        canvas.text((MARGIN, SIZE - 24), shorten(content.footer, INNER, 26), size=26, fill=MUTED)
    return canvas


def _draw_header(canvas: Canvas, content: CardContent) -> None:
    canvas.box((0, 0, SIZE, HEADER), NAVY)
    name = wrap(content.campaign, INNER, 46, bold=True, lines=2)
    lines = [(line, 46, True, WHITE) for line in name]
    lines.append((shorten(content.place, INNER, 34), 34, False, WHITE))
    lines.append((shorten(content.date_line, INNER, 32), 32, False, PALE))
    pitch = {46: 56, 34: 48, 32: 46}  # baseline to baseline
    height = sum(pitch[size] for _, size, _, _ in lines)
    y = (HEADER - height) / 2 + 44  # centred in the band, one name line or two
    for text, size, bold, fill in lines:
        canvas.text((MARGIN, y), text, size=size, bold=bold, fill=fill)
        y += pitch[size]


def _draw_target(canvas: Canvas, target: Target, top: float) -> None:
    """The label; the big figure with, on its right, the aside above the week's change;
    the bar."""
    label_line = top + 58
    canvas.text(
        (MARGIN, label_line), shorten(target.label, INNER, 32, True), size=32, bold=True, fill=MUTED
    )
    figure_line = label_line + 90
    right = SIZE - MARGIN
    aside = canvas.text(
        (right, figure_line - (40 if target.change else 0)),
        shorten(target.aside, ASIDE, 32),
        size=32,
        fill=INK,
        anchor="rs",
    )
    left_edge = aside.left
    if target.change:
        change = canvas.text(
            (right, figure_line),
            shorten(target.change, ASIDE, 30, True),
            size=30,
            bold=True,
            fill=GREEN if target.change_up else MUTED,
            anchor="rs",
        )
        left_edge = min(left_edge, change.left)
    room = left_edge - MARGIN - 24
    size = fitting_size(target.figure, room, 80, 40, bold=True)
    canvas.text(
        (MARGIN, figure_line),
        shorten(target.figure, room, size, True),
        size=size,
        bold=True,
        fill=INK,
    )
    bar = figure_line + 20
    canvas.box((MARGIN, bar, SIZE - MARGIN, bar + 24), TRACK, radius=12)
    if target.progress > 0:
        filled = MARGIN + max(24, INNER * target.progress)
        canvas.box((MARGIN, bar, filled, bar + 24), GREEN, radius=12)


def _draw_rankings(canvas: Canvas, rankings: tuple[Ranking, ...], top: float) -> None:
    canvas.box((MARGIN, top, SIZE - MARGIN, top + 2), RULE)
    left: float = MARGIN
    for ranking, width in zip(rankings, _column_widths(rankings), strict=True):
        y = top + 56
        canvas.text(
            (left, y), shorten(ranking.title, width, 32, True), size=32, bold=True, fill=NAVY
        )
        if not ranking.leaders:
            canvas.text((left, y + 56), shorten(_("None yet"), width, 30), size=30, fill=MUTED)
        for rank, leader in enumerate(ranking.leaders):
            name_line = y + 56 + rank * ROW
            canvas.text((left, name_line), f"{rank + 1}.", size=30, bold=True, fill=INK)
            room = width - INDENT
            # A long name (a unit's, often) in a smaller size before it is shortened.
            size = fitting_size(leader.name, room, 30, 24, bold=True)
            canvas.text(
                (left + INDENT, name_line),
                shorten(leader.name, room, size, True),
                size=size,
                bold=True,
                fill=INK,
            )
            value_size = fitting_size(leader.value, room, 26, 22)
            canvas.text(
                (left + INDENT, name_line + 36),
                shorten(leader.value, room, value_size),
                size=value_size,
                fill=MUTED,
            )
        left += width + GUTTER


def _column_widths(rankings: tuple[Ranking, ...]) -> list[float]:
    """Each ranking's column, wide as its widest line needs (units' names are longer than
    villages'), sharing what is left or short in proportion, and never below a third."""
    if not rankings:
        return []
    room = INNER - GUTTER * (len(rankings) - 1)
    needs = [
        max(
            [
                text_width(r.title, 32, True),
                *(INDENT + text_width(leader.name, 30, True) for leader in r.leaders),
                *(INDENT + text_width(leader.value, 26) for leader in r.leaders),
            ]
        )
        for r in rankings
    ]
    if sum(needs) <= room:
        spare = (room - sum(needs)) / len(needs)
        return [need + spare for need in needs]
    floor = room / 3
    widths = [max(floor, room * need / sum(needs)) for need in needs]
    return [width * room / sum(widths) for width in widths]
