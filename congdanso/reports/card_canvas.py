"""The drawing layer of the shared progress card (`reports/card.py`): every text goes through
`Canvas.text`, which draws it with the shipped font and records what it drew, where and how
big. The card's tests read that record (the texts, that each fits inside the margins) instead
of reading pixels; the PNG is the same drawing.

The fonts are the DejaVu Sans subsets shipped in `reports/fonts/` (Latin and Vietnamese,
see the README there): a picture must look the same on every server, and nothing is fetched
at run time. Pillow's basic layout is used, not Raqm (present on some systems only): text is
NFC, so every Vietnamese letter is one precomposed glyph and needs no shaping.
"""

import io
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT_FILES = {False: "DejaVuSans-vi.ttf", True: "DejaVuSans-Bold-vi.ttf"}
ELLIPSIS = "…"

Colour = tuple[int, int, int]


@dataclass(frozen=True)
class DrawnText:
    """One text drawn on the card: its box in pixels (left, top, right, bottom) and font."""

    text: str
    left: float
    top: float
    right: float
    bottom: float
    size: int
    bold: bool


@lru_cache(maxsize=64)
def card_font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(
        str(FONT_DIR / FONT_FILES[bold]), size, layout_engine=ImageFont.Layout.BASIC
    )


def text_width(text: str, size: int, bold: bool = False) -> float:
    return card_font(size, bold).getlength(unicodedata.normalize("NFC", text))


def shorten(text: str, width: float, size: int, bold: bool = False) -> str:
    """The text, cut at a word (or, for one long word, a letter) and ended with '…' when
    it is wider than `width`."""
    text = unicodedata.normalize("NFC", text).strip()
    if text_width(text, size, bold) <= width:
        return text
    words = text.split()
    while len(words) > 1:
        words.pop()
        candidate = " ".join(words).rstrip(",;:–-") + ELLIPSIS
        if text_width(candidate, size, bold) <= width:
            return candidate
    letters = words[0] if words else ""
    while letters and text_width(letters + ELLIPSIS, size, bold) > width:
        letters = letters[:-1]
    return letters + ELLIPSIS


def wrap(text: str, width: float, size: int, bold: bool = False, lines: int = 2) -> list[str]:
    """The text in at most `lines` lines no wider than `width` (by words; the last line
    shortened with '…' when the text does not fit). Two lines that fit are balanced, so that
    a title does not leave one word alone on its second line."""
    words = unicodedata.normalize("NFC", text).split()
    if lines == 2 and len(words) > 1 and text_width(" ".join(words), size, bold) > width:
        splits = [(" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))]
        fitting = [
            (max(text_width(a, size, bold), text_width(b, size, bold)), [a, b])
            for a, b in splits
            if text_width(a, size, bold) <= width and text_width(b, size, bold) <= width
        ]
        if fitting:
            return min(fitting, key=lambda pair: pair[0])[1]
    result: list[str] = []
    while words and len(result) < lines - 1:
        line = words.pop(0)
        while words and text_width(f"{line} {words[0]}", size, bold) <= width:
            line = f"{line} {words.pop(0)}"
        if text_width(line, size, bold) > width:  # one word wider than the line
            words.insert(0, line)
            break
        result.append(line)
    if words:
        result.append(shorten(" ".join(words), width, size, bold))
    return result


def fitting_size(text: str, width: float, size: int, minimum: int, bold: bool = False) -> int:
    """The largest size from `size` down to `minimum` at which the text fits in `width`."""
    while size > minimum and text_width(text, size, bold) > width:
        size -= 2
    return max(size, minimum)


class Canvas:
    """An RGB image and the record of every text drawn on it."""

    def __init__(self, width: int, height: int, background: Colour) -> None:
        self.width, self.height = width, height
        self.image = Image.new("RGB", (width, height), background)
        self.draw = ImageDraw.Draw(self.image)
        self.drawn: list[DrawnText] = []

    def text(
        self,
        xy: tuple[float, float],
        text: str,
        *,
        size: int,
        fill: Colour,
        bold: bool = False,
        anchor: str = "ls",
    ) -> DrawnText:
        """Draw the text (`anchor` as Pillow's: "ls" left at the baseline, "rs" right…)."""
        text = unicodedata.normalize("NFC", text)
        font = card_font(size, bold)
        self.draw.text(xy, text, fill=fill, font=font, anchor=anchor)
        left, top, right, bottom = self.draw.textbbox(xy, text, font=font, anchor=anchor)
        drawn = DrawnText(text, left, top, right, bottom, size, bold)
        self.drawn.append(drawn)
        return drawn

    def box(self, box: tuple[float, float, float, float], fill: Colour, radius: float = 0) -> None:
        if radius:
            self.draw.rounded_rectangle(box, radius=radius, fill=fill)
        else:
            self.draw.rectangle(box, fill=fill)

    def png(self) -> bytes:
        out = io.BytesIO()
        # optimize=True would spend ~5× the time for ~3% fewer bytes.
        self.image.save(out, format="PNG")
        return out.getvalue()
