"""The page and paragraph layout of the official report (Decree 30/2020/NĐ-CP, Appendix I):
A4, the margins, Times New Roman everywhere (theme fonts removed, since they win over a named
font), justified paragraphs indented 1 cm, bordered tables with a bold header row repeated on
each page, the short solid lines under the header blocks and the title, and the names of
places as an administrative document writes them."""

import io
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from docx import Document
from docx.document import Document as DocumentType
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor
from docx.styles.style import ParagraphStyle
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from congdanso.places.models import PlaceKind
from congdanso.reports import docx_text as T
from congdanso.reports.docx_widths import CELL_MARGIN_CM, column_widths

FONT = "Times New Roman"
BODY_PT, HEADER_PT, TABLE_PT, RECIPIENTS_PT, RECIPIENT_LIST_PT = 14, 13, 12, 12, 11
PAGE_NUMBER_PT = 13
PAGE_W, PAGE_H = Mm(210), Mm(297)  # A4
MARGINS = {"top": Mm(20), "bottom": Mm(20), "left": Mm(30), "right": Mm(15)}
TEXT_W_CM = 16.5  # 210 − 30 − 15 mm
FIRST_LINE = Cm(1)  # Decree 30: paragraphs indented 1–1,27 cm
CHART_W = Cm(16)
#: The header's two columns (issuing body; national motto) and the lines under them (cm).
HEADER_COLUMNS = (6.5, 10.0)
BODY_RULE, MOTTO_RULE, SUMMARY_RULE = 2.2, 6.0, 5.0

HEADINGS = {"Heading 1": BODY_PT, "Heading 2": BODY_PT}
_KIND_PREFIX = {
    PlaceKind.PROVINCE: "Tỉnh",
    PlaceKind.DISTRICT: "Huyện",
    PlaceKind.COMMUNE: "Xã",
    PlaceKind.WARD: "Phường",
    PlaceKind.SPECIAL_ZONE: "Đặc khu",
}


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def admin_name(name: str, kind: str) -> str:
    """The place's name with its administrative prefix ("Đắk Lắk" → "Tỉnh Đắk Lắk")."""
    if any(name.startswith(prefix + " ") for prefix in T.ADMIN_PREFIXES):
        return name
    prefix = _KIND_PREFIX.get(kind)  # type: ignore[call-overload]
    return f"{prefix} {name}" if prefix else name


def bare_name(name: str) -> str:
    """Without its administrative prefix: "Xã Ea Yông" → "Ea Yông" (the place-and-date line)."""
    for prefix in T.ADMIN_PREFIXES:
        if name.startswith(prefix + " "):
            return name[len(prefix) + 1 :]
    return name


def in_sentence(name: str) -> str:
    """The prefix in lower case, as written inside a sentence: "huyện Krông Pắc"."""
    for prefix in T.ADMIN_PREFIXES:
        if name.startswith(prefix + " "):
            return prefix.lower() + name[len(prefix) :]
    return name


def _fonts(r_pr: Any) -> None:
    """Times New Roman for every script of a run-properties element (the theme fonts, which
    would win over it, removed)."""
    fonts = r_pr.get_or_add_rFonts()
    for attribute in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{attribute}"), None)
    for attribute in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{attribute}"), FONT)


#: The elements a paragraph's properties put after its borders (the schema's order).
_AFTER_BORDERS = (
    "w:shd",
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:kinsoku",
    "w:wordWrap",
    "w:overflowPunct",
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)


def _rule(paragraph: Paragraph) -> None:
    """A solid line under the paragraph (its width set by the paragraph's indents)."""
    p_pr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "6"), ("space", "1"), ("color", "000000")):
        bottom.set(qn(f"w:{key}"), value)
    borders.append(bottom)
    p_pr.insert_element_before(borders, *_AFTER_BORDERS)


def _page_number(paragraph: Paragraph, size_pt: int) -> None:
    """The PAGE field (its cached value "1", replaced by the page's number when laid out)."""
    parts: list[tuple[str, str]] = [
        ("w:fldChar", "begin"),
        ("w:instrText", " PAGE "),
        ("w:fldChar", "separate"),
        ("w:t", "1"),
        ("w:fldChar", "end"),
    ]
    for tag, value in parts:
        run = paragraph.add_run()
        run.font.size = Pt(size_pt)
        element = OxmlElement(tag)
        if tag == "w:fldChar":
            element.set(qn("w:fldCharType"), value)
        else:
            element.set(qn("xml:space"), "preserve")
            element.text = value
        run._r.append(element)


def _cell_margins(table: Table, margin_cm: float) -> None:
    """The left and right margins of every cell of `table` (the columns were measured with
    them: docx_widths)."""
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:w"), str(round(Cm(margin_cm).twips)))
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    table._tbl.tblPr.insert_element_before(margins, "w:tblLook", "w:tblCaption", "w:tblDescription")


def _merge_label(row: Any, values: Sequence[str], numeric: set[int]) -> None:
    """The total row's label ("Tổng cộng") merged with the empty text cells after it, so it
    keeps one line in a narrow column."""
    start = next((i for i, value in enumerate(values) if value and i not in numeric), None)
    if start is None:
        return
    end = start
    while end + 1 < len(values) and not values[end + 1] and end + 1 not in numeric:
        end += 1
    if end > start:
        cells = row.cells
        for cell in cells[start + 1 : end + 1]:  # their empty paragraphs would follow the label
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run._r.getparent().remove(run._r)
        cells[start].merge(cells[end])
        merged = row.cells[start]
        for extra in merged.paragraphs[1:]:
            extra._p.getparent().remove(extra._p)


class Writer:
    def __init__(self) -> None:
        self.document: DocumentType = Document()
        self._page()
        self._styles()

    def _page(self) -> None:
        section = self.document.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = PAGE_W, PAGE_H
        section.top_margin, section.bottom_margin = MARGINS["top"], MARGINS["bottom"]
        section.left_margin, section.right_margin = MARGINS["left"], MARGINS["right"]
        # Decree 30, Appendix I: pages numbered in Arabic figures, 13–14 pt upright, centred
        # in the top margin, the first page's number not shown.
        section.different_first_page_header_footer = True
        paragraph = section.header.paragraphs[0]
        paragraph.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _page_number(paragraph, PAGE_NUMBER_PT)

    def _styles(self) -> None:
        styles = self.document.styles
        # The document defaults: Times New Roman, the body size, Vietnamese.
        defaults = styles.element.find(qn("w:docDefaults"))
        r_pr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))  # type: ignore[union-attr]
        _fonts(r_pr)
        for tag in ("w:sz", "w:szCs"):
            r_pr.find(qn(tag)).set(qn("w:val"), str(BODY_PT * 2))
        lang = r_pr.find(qn("w:lang"))
        lang.set(qn("w:val"), "vi-VN")
        lang.set(qn("w:eastAsia"), "vi-VN")
        normal = styles["Normal"]
        assert isinstance(normal, ParagraphStyle)  # noqa: S101 - the template's own style
        normal.font.name = FONT
        normal.font.size = Pt(BODY_PT)
        fmt = normal.paragraph_format
        fmt.space_before, fmt.space_after, fmt.line_spacing = Pt(0), Pt(6), 1.15
        for name, size in HEADINGS.items():
            style = styles[name]
            assert isinstance(style, ParagraphStyle)  # noqa: S101
            style.font.name, style.font.size, style.font.bold = FONT, Pt(size), True
            style.font.italic = False
            style.font.color.rgb = RGBColor(0, 0, 0)
            _fonts(style.element.get_or_add_rPr())
            style.paragraph_format.space_before = Pt(6)
            style.paragraph_format.space_after = Pt(6)
            style.paragraph_format.first_line_indent = FIRST_LINE
            style.paragraph_format.keep_with_next = True

    def paragraph(
        self,
        text: str = "",
        *,
        container: DocumentType | _Cell | None = None,
        bold: bool = False,
        italic: bool = False,
        size: int | None = None,
        align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.JUSTIFY,
        indent: bool = True,
        space_after: int | None = None,
        style: str | None = None,
    ) -> Paragraph:
        where = container if container is not None else self.document
        pristine = where.paragraphs[0] if isinstance(where, _Cell) else None
        if pristine is not None and (len(where.paragraphs) > 1 or len(pristine._p) > 0):
            pristine = None
        # A new cell holds one empty paragraph (no properties, no runs): use it.
        paragraph = pristine or where.add_paragraph(style=style)
        fmt = paragraph.paragraph_format
        fmt.alignment = align
        fmt.first_line_indent = FIRST_LINE if indent and style is None else None
        if space_after is not None:
            fmt.space_after = Pt(space_after)
        if text:
            run = paragraph.add_run(nfc(text))
            run.bold, run.italic = bold or None, italic or None
            if size is not None:
                run.font.size = Pt(size)
        return paragraph

    def centred(self, text: str, **kwargs: object) -> Paragraph:
        return self.paragraph(text, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, **kwargs)  # type: ignore[arg-type]

    def rule(self, width_cm: float, column_cm: float, container: _Cell | None = None) -> None:
        """A centred line `width_cm` long in a column `column_cm` wide."""
        paragraph = self.paragraph(
            container=container, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, space_after=6
        )
        margin = Cm(max(0.0, (column_cm - width_cm) / 2))
        paragraph.paragraph_format.left_indent = paragraph.paragraph_format.right_indent = margin
        paragraph.paragraph_format.line_spacing = Pt(2)
        _rule(paragraph)

    def heading(self, text: str, level: int) -> None:
        self.paragraph(text, style=f"Heading {level}", align=WD_ALIGN_PARAGRAPH.LEFT)

    def grid(
        self,
        head: Sequence[str],
        rows: Sequence[Sequence[str]],
        *,
        numeric: Iterable[int],
        total: Sequence[str] | None = None,
    ) -> Table:
        """A bordered table: header row bold and repeated on each page, numbers on the right,
        its columns as wide as their content asks (`docx_widths`), no row split over two
        pages."""
        numeric = set(numeric)
        lines = [*rows, *([total] if total else [])]
        widths = column_widths(
            head,
            lines,
            numeric=numeric,
            bold_rows=[len(lines) - 1] if total else [],
            size_pt=TABLE_PT,
            available_cm=TEXT_W_CM,
        )
        table = self.document.add_table(rows=1 + len(lines), cols=len(head))
        table.style = self.document.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        for column, width in zip(table.columns, widths, strict=True):
            column.width = Cm(width)
        header_row = table.rows[0]
        header_row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
        _cell_margins(table, CELL_MARGIN_CM)
        for index, row in enumerate(table.rows):
            row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
            values = head if index == 0 else lines[index - 1]
            bold = index == 0 or (total is not None and index == len(lines))
            for column, (cell, value) in enumerate(zip(row.cells, values, strict=True)):
                cell.width = Cm(widths[column])
                paragraph = cell.paragraphs[0]
                fmt = paragraph.paragraph_format
                fmt.first_line_indent, fmt.space_after, fmt.line_spacing = None, Pt(0), 1.0
                if index == 0:
                    fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
                elif column in numeric:
                    fmt.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                else:
                    fmt.alignment = WD_ALIGN_PARAGRAPH.LEFT
                run = paragraph.add_run(nfc(value))
                run.bold = bold or None
                run.font.size = Pt(TABLE_PT)
        if total:
            _merge_label(table.rows[-1], total, numeric)
        self.paragraph(space_after=0)  # a table is followed by a paragraph, not glued to one
        return table

    def borderless(self, rows: int, widths: Sequence[float]) -> Table:
        table = self.document.add_table(rows=rows, cols=len(widths))
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        for column, width in zip(table.columns, widths, strict=True):
            column.width = Cm(width)
        for row in table.rows:
            for cell, width in zip(row.cells, widths, strict=True):
                cell.width = Cm(width)
        return table

    def picture(self, png: bytes) -> None:
        paragraph = self.paragraph(align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, space_after=0)
        paragraph.add_run().add_picture(io.BytesIO(png), width=CHART_W)
