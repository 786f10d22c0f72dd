"""Column widths of the report's tables, from their content.

A fixed width per column broke "STT" as "ST / T", dates as "12/04/202 / 3" and wrapped short
headers over four lines while the names' column stayed half empty. The widths are now set as
a browser sets an automatic table's (CSS 2.1, 17.5.2.2), in levels per column:

1. its longest piece that must not break — a number, a date, "STT", "4.667 / 2.500" (a
   figure and its pledge: numeric cells never break), or a word of a text;
2. also its header in at most three lines;
3. also every cell below the header on one line (a village's or a unit's name);
4. also its header in at most two lines;
5. also its header on one line.

If every column gets level 5 within the page's text width, the space left goes to the
columns in proportion to their widths; otherwise each column gets the highest level all can
have together, and what remains is shared in proportion to what each still wants from the
next level.

Text is measured at the report's font and size with Liberation Serif (metric-compatible with
Times New Roman: the font LibreOffice lays the report out with, Debian's `fonts-liberation`)
or Times New Roman itself, through Pillow; without either, by a character-count estimate that
errs wide. Widths are rounded to 0.05 cm, so the same text gives the same document.
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from PIL import ImageFont

#: The tables' cell margins (0.1 cm each side, set by `docx_layout`: Word's default 0.19 cm
#: costs a table of 8 columns 1.4 cm of text), a border, and room for the differences between
#: layout engines (LibreOffice 7.4 set a header measured 1.70 cm on one line from a column
#: 2.25 cm wide with 0.19 cm margins: 0.17 cm more than the margins).
CELL_MARGIN_CM = 0.1
CELL_PADDING_CM = 2 * CELL_MARGIN_CM + 0.02 + 0.2
_STEP_CM = 0.05
_CM_PER_PT = 2.54 / 72
#: Metric-compatible fonts, by file name (Pillow searches the system's font folders).
_FONT_FILES = {
    False: ("LiberationSerif-Regular.ttf", "times.ttf", "Times New Roman.ttf"),
    True: ("LiberationSerif-Bold.ttf", "timesbd.ttf", "Times New Roman Bold.ttf"),
}
_MEASURE_SIZE = 100  # points: the font loaded large, widths scaled down (less rounding)


@lru_cache(maxsize=2)
def _font(bold: bool) -> ImageFont.FreeTypeFont | None:
    for name in _FONT_FILES[bold]:
        try:
            return ImageFont.truetype(name, _MEASURE_SIZE)
        except OSError:
            continue
    return None


def _estimate_em(text: str) -> float:
    """Times New Roman's widths, roughly and on the wide side: capitals ~0.72 em, spaces
    0.25 em, the rest (digits are 0.5 em exactly) 0.5 em."""
    return sum(0.72 if ch.isupper() else 0.25 if ch.isspace() else 0.5 for ch in text)


def text_width_cm(text: str, *, size_pt: float, bold: bool = False) -> float:
    """The width of `text` on one line, in cm."""
    font = _font(bold)
    if font is None:
        em = _estimate_em(text) * (1.06 if bold else 1.0)
        return em * size_pt * _CM_PER_PT
    return font.getlength(text) / _MEASURE_SIZE * size_pt * _CM_PER_PT


@dataclass(frozen=True)
class Cell:
    text: str
    bold: bool
    whole: bool  # never broken: a number, a date, a figure and its pledge


def _least(cell: Cell, size_pt: float) -> float:
    pieces = [cell.text] if cell.whole else cell.text.split()
    return max((text_width_cm(p, size_pt=size_pt, bold=cell.bold) for p in pieces), default=0)


def _in_lines(cell: Cell, lines: int, size_pt: float) -> float:
    """The least width that sets `cell` in at most `lines` lines, broken at spaces (the
    narrowest of the widths of its runs of words at which the greedy fill needs no more)."""
    words = cell.text.split()

    def width(text: str) -> float:
        return text_width_cm(text, size_pt=size_pt, bold=cell.bold)

    def fits(limit: float) -> bool:
        used, line = 1, ""
        for word in words:
            if width(word) > limit:
                return False
            candidate = f"{line} {word}" if line else word
            if line and width(candidate) > limit:
                used, line = used + 1, word
            else:
                line = candidate
        return used <= lines

    spans = sorted(
        {
            width(" ".join(words[i:j]))
            for i in range(len(words))
            for j in range(i + 1, len(words) + 1)
        }
    )
    return next((limit for limit in spans if fits(limit)), width(cell.text))


def _round_up(value: float) -> float:
    return math.ceil(round(value / _STEP_CM, 6)) * _STEP_CM


def _round_down(value: float) -> float:
    return math.floor(round(value / _STEP_CM, 6)) * _STEP_CM


def column_widths(
    head: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    numeric: Iterable[int],
    bold_rows: Iterable[int] = (),
    size_pt: float,
    available_cm: float,
) -> tuple[float, ...]:
    """The widths (cm) of a table's columns: `head` is its bold header row, `rows` the others
    (`bold_rows`: indexes into `rows` set in bold, like a total), `numeric` the columns whose
    cells are never broken."""
    numeric, bold_rows = set(numeric), set(bold_rows)
    columns = len(head)
    levels: list[list[float]] = [[0.0] * columns for _ in range(5)]
    for column in range(columns):
        header = Cell(head[column], bold=True, whole=False)
        body = [
            Cell(row[column], bold=index in bold_rows, whole=column in numeric)
            for index, row in enumerate(rows)
        ]
        one_line = [text_width_cm(c.text, size_pt=size_pt, bold=c.bold) for c in body]
        unbroken = max(_least(cell, size_pt) for cell in [header, *body])
        three = max(unbroken, _in_lines(header, 3, size_pt))
        whole_body = max([three, *one_line])
        two = max(whole_body, _in_lines(header, 2, size_pt))
        full = max(two, text_width_cm(header.text, size_pt=size_pt, bold=True))
        for level, width in enumerate((unbroken, three, whole_body, two, full)):
            levels[level][column] = width + CELL_PADDING_CM
    widths = _share(levels, available_cm)
    return tuple(round(w, 2) for w in _rounded(widths, levels[0], available_cm))


def _rounded(widths: list[float], least: list[float], available: float) -> list[float]:
    """The widths in steps of 0.05 cm summing to the text width (or, wider than the page, to
    the least): rounded down, never below the least, then a step added where the rounding
    took the most (largest remainder); if the least made them too wide, a step taken back
    where there is the most room above it."""
    floor = [max(_round_up(lo), _round_down(w)) for w, lo in zip(widths, least, strict=True)]
    target = max(available, sum(_round_up(lo) for lo in least))
    steps = round((target - sum(floor)) / _STEP_CM)
    columns = range(len(widths))
    if steps >= 0:
        for column in sorted(columns, key=lambda c: widths[c] - floor[c], reverse=True)[:steps]:
            floor[column] += _STEP_CM
    else:
        roomiest = sorted(columns, key=lambda c: floor[c] - least[c], reverse=True)
        for column in roomiest[:-steps]:
            floor[column] -= _STEP_CM
    return floor


def _share(levels: list[list[float]], available: float) -> list[float]:
    """The highest level that fits, the space left shared in proportion to what each column
    wants from the next level (above the last, in proportion to the widths)."""
    top = levels[-1]
    if sum(top) <= available:
        spare = available - sum(top)
        return [w + spare * w / sum(top) for w in top]
    for low, high in reversed(list(zip(levels, levels[1:], strict=False))):
        if sum(low) <= available:
            wanted = [h - lo for lo, h in zip(low, high, strict=True)]
            spare = available - sum(low)
            total = sum(wanted) or 1.0
            return [lo + spare * want / total for lo, want in zip(low, wanted, strict=True)]
    return list(levels[0])  # wider than the page: nothing may break, the table runs over
