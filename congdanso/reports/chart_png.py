"""The report's progress chart as a PNG (a .docx embeds PNG or JPEG, not the dashboard's SVG).

The same chart as the dashboard's (web/dashboard/charts.py: weekly cumulative counts, the
projection from the last week to the end date, the target), drawn with Pillow. It must read
on a black-and-white print-out, so it is greyscale and the series differ by their pattern:
the actual line solid with round markers, the projection dotted ending in a square, the target
dashed. It is drawn at twice its size and scaled down, which smooths the lines.

Labels need a font with Vietnamese glyphs; none is shipped (a font's licence would travel with
the package). A common system font is used when found (DejaVu Sans on Debian, Arial on
Windows…); without one, Pillow's built-in font and labels without diacritics.
"""

import datetime as dt
import io
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeAlias

from PIL import Image, ImageDraw, ImageFont

from congdanso.reports.axes import month_ticks, months_after, nice_step
from congdanso.vn.numbers import format_number

#: Size of the PNG in pixels (about 16 × 8.5 cm at 190 dpi).
WIDTH, HEIGHT = 1200, 640
SCALE = 2  # drawn at twice the size, then scaled down
LEFT, RIGHT, TOP, BOTTOM = 110, 40, 30, 70
FONT_SIZE = 22
#: System fonts with Vietnamese glyphs, by file name (Pillow looks in the system font folders).
FONTS = (
    "DejaVuSans.ttf",
    "LiberationSans-Regular.ttf",
    "NotoSans-Regular.ttf",
    "arial.ttf",
    "Arial.ttf",
    "Arial Unicode.ttf",
)

BLACK, DARK, GREY, LIGHT, WHITE = 0, 60, 110, 215, 255

Font: TypeAlias = ImageFont.FreeTypeFont | ImageFont.ImageFont


@dataclass(frozen=True)
class ChartPoint:
    day: dt.date
    value: int


@lru_cache(maxsize=4)
def _font(size: int) -> tuple[Font, bool]:
    """(a font, whether it has Vietnamese glyphs)."""
    for name in FONTS:
        try:
            return ImageFont.truetype(name, size), True
        except OSError:
            continue
    return ImageFont.load_default(), False


def _label(text: str, unicode_font: bool) -> str:
    if unicode_font:
        return unicodedata.normalize("NFC", text)
    # Pillow's own bitmap font has ASCII only: "Mục tiêu" → "Muc tieu".
    stripped = "".join(
        c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)
    )
    return stripped.replace("đ", "d").replace("Đ", "D").encode("ascii", "replace").decode()


def _dashed(
    draw: ImageDraw.ImageDraw,
    start: tuple[float, float],
    end: tuple[float, float],
    *,
    dash: float,
    gap: float,
    width: int,
    fill: int,
) -> None:
    (x0, y0), (x1, y1) = start, end
    length = math.hypot(x1 - x0, y1 - y0)
    if not length:
        return
    ux, uy = (x1 - x0) / length, (y1 - y0) / length
    position = 0.0
    while position < length:
        stop = min(position + dash, length)
        draw.line(
            [(x0 + ux * position, y0 + uy * position), (x0 + ux * stop, y0 + uy * stop)],
            fill=fill,
            width=width,
        )
        position += dash + gap


def _dotted(
    draw: ImageDraw.ImageDraw,
    start: tuple[float, float],
    end: tuple[float, float],
    *,
    spacing: float,
    radius: float,
    fill: int,
) -> None:
    (x0, y0), (x1, y1) = start, end
    length = math.hypot(x1 - x0, y1 - y0)
    count = max(1, int(length // spacing))
    for i in range(count + 1):
        x, y = x0 + (x1 - x0) * i / count, y0 + (y1 - y0) * i / count
        draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=fill)


def progress_png(
    *,
    start: dt.date,
    end: dt.date,
    points: Sequence[ChartPoint],
    projected_at_end: int,
    target: int,
    target_label: str,
    projection_label: str,
) -> bytes:
    """The PNG of the cumulative counts, the projection to the end date and the target."""
    s = SCALE
    font, unicode_font = _font(FONT_SIZE * s)
    image = Image.new("L", (WIDTH * s, HEIGHT * s), WHITE)
    draw = ImageDraw.Draw(image)
    left, right, top, bottom = LEFT * s, (WIDTH - RIGHT) * s, TOP * s, (HEIGHT - BOTTOM) * s
    days = max((end - start).days, 1)
    top_value = max([target, projected_at_end, *(p.value for p in points), 1])
    step = nice_step(top_value * 1.1)
    y_max = step * math.ceil(top_value * 1.1 / step)

    def x(day: dt.date) -> float:
        return left + (right - left) * min(max((day - start).days, 0), days) / days

    def y(value: float) -> float:
        return bottom - (bottom - top) * value / y_max

    def text(xy: tuple[float, float], label: str, anchor: str, fill: int = BLACK) -> None:
        shown = _label(label, unicode_font)
        if unicode_font:  # on a white ground, so that a line under it does not cross it
            box = draw.textbbox(xy, shown, font=font, anchor=anchor)
            pad = 3 * s
            draw.rectangle([box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad], fill=WHITE)
        draw.text(xy, shown, fill=fill, font=font, anchor=anchor)

    for value in range(0, y_max + 1, step):  # horizontal grid and the value axis
        draw.line([(left, y(value)), (right, y(value))], fill=LIGHT, width=s)
        text((left - 10 * s, y(value)), format_number(value), "rm")
    for month in months_after(start, end):  # the months
        draw.line([(x(month), bottom), (x(month), bottom + 8 * s)], fill=BLACK, width=s)

    def label_width(label: str) -> float:
        return draw.textlength(_label(label, unicode_font), font=font) + 6 * s  # with the pad

    for month, label in month_ticks(start, end, width=right - left, label_width=label_width):
        text((x(month), bottom + 14 * s), label, "mt")
    draw.line([(left, top), (left, bottom), (right, bottom)], fill=BLACK, width=2 * s)

    target_y = y(target)
    _dashed(
        draw, (left, target_y), (right, target_y), dash=18 * s, gap=10 * s, width=3 * s, fill=DARK
    )
    text((right, target_y - 8 * s), target_label, "rb", DARK)

    if points and points[-1].day < end:
        last = points[-1]
        end_xy = (x(end), y(projected_at_end))
        _dotted(
            draw, (x(last.day), y(last.value)), end_xy, spacing=11 * s, radius=2.5 * s, fill=GREY
        )
        half = 7 * s
        draw.rectangle(
            [end_xy[0] - half, end_xy[1] - half, end_xy[0] + half, end_xy[1] + half], fill=GREY
        )
        # Above the square, or below it when the target's label is there.
        below = abs(end_xy[1] - target_y) < 40 * s and end_xy[1] >= target_y
        anchor, offset = ("rt", half + 8 * s) if below else ("rb", -half - 8 * s)
        text((end_xy[0] - half, end_xy[1] + offset), projection_label, anchor, GREY)

    line = [(x(p.day), y(p.value)) for p in points]
    if len(line) > 1:
        draw.line(line, fill=BLACK, width=4 * s, joint="curve")
    radius = 5 * s
    for px, py in line:
        draw.ellipse([px - radius, py - radius, px + radius, py + radius], fill=BLACK)

    image = image.resize((WIDTH, HEIGHT), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
