"""Reading the report's pages back from its PDF (poppler's `pdftotext`), for the tests and
for CI's look at the demo's report:

    python -m congdanso.reports.tests.pdf_reading bao-cao.pdf bao-cao.docx [--max-pages N]

prints each problem found on the pages and exits 1 if there is one.

What a clerk would otherwise fix by hand before signing: the national name on two lines, a
table cell breaking a number, a date or "STT", a page number on the first page (or none on
the others), "TM. BAN CHỈ ĐẠO" alone at the top of a page, too many pages.
"""

import argparse
import io
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET  # noqa: S405 - pdftotext's own output, not untrusted XML
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import docx

from congdanso.reports import docx_text as T

#: A cell that must never break: a number (1.234, 14,9%), a date, a figure and its pledge.
UNBREAKABLE = re.compile(r"^[\d.,%/ ]+$")
TOOLS = ("pdftotext", "pdffonts")
#: The seeded and the demo report take 5 pages; a layout fault (a table a column per line)
#: would take many more.
MAX_PAGES = 7


@dataclass(frozen=True)
class Word:
    page: int
    text: str
    x: float
    y: float


def tools_missing() -> list[str]:
    return [tool for tool in TOOLS if shutil.which(tool) is None]


def _run(*command: str) -> str:
    done = subprocess.run(command, capture_output=True, check=True)  # noqa: S603 - poppler
    return done.stdout.decode("utf-8")


def page_words(pdf: Path) -> list[Word]:
    """Every word of the PDF with its page (1-based) and its top-left corner (points)."""
    xhtml = _run("pdftotext", "-bbox", str(pdf), "-")
    root = ET.fromstring(xhtml)  # noqa: S314 - pdftotext's output
    words = []
    for number, page in enumerate(root.iter("{http://www.w3.org/1999/xhtml}page"), 1):
        for word in page.iter("{http://www.w3.org/1999/xhtml}word"):
            words.append(
                Word(
                    number, word.text or "", float(word.get("xMin", 0)), float(word.get("yMin", 0))
                )
            )
    return words


def layout_lines(pdf: Path) -> list[str]:
    return _run("pdftotext", "-layout", str(pdf), "-").splitlines()


def fonts_not_embedded(pdf: Path) -> list[str]:
    rows = _run("pdffonts", str(pdf)).splitlines()[2:]
    # The columns after the name and type: "emb sub uni object ID"; "emb" is 3rd from the end.
    return [row.split()[0] for row in rows if row.split()[-5] != "yes"]


def unbreakable_tokens(docx_bytes: bytes) -> Counter[str]:
    """The tokens of the report's tables that a line must never split: "STT" and each cell
    of figures or dates (its parts around " / ", a figure and its pledge)."""
    document = docx.Document(io.BytesIO(docx_bytes))
    tokens: Counter[str] = Counter()
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                text = cell.text.strip()
                if text == "STT" or (text and UNBREAKABLE.match(text)):
                    tokens.update(text.split())
    tokens.pop("/", None)
    return tokens


def problems(pdf: Path, docx_bytes: bytes, *, max_pages: int = MAX_PAGES) -> list[str]:
    """What is wrong with the printed report `pdf` made from `docx_bytes` (none: [])."""
    return problems_of(
        page_words(pdf), layout_lines(pdf), unbreakable_tokens(docx_bytes), max_pages=max_pages
    )


def problems_of(
    words: list[Word], lines: list[str], tokens: Counter[str], *, max_pages: int = MAX_PAGES
) -> list[str]:
    """`problems` on pages already read: their words, their lines, the docx's tokens."""
    found: list[str] = []
    pages = max((w.page for w in words), default=0)
    if pages > max_pages:
        found.append(f"{pages} pages, more than {max_pages}")
    if not any(T.NATIONAL_NAME in line for line in lines):
        found.append(f"{T.NATIONAL_NAME!r} is not on one line")
    seen = Counter(w.text for w in words)
    for token, count in sorted(tokens.items()):
        if seen[token] < count:
            found.append(f"{token!r} broken in a table cell ({seen[token]} of {count} whole)")
    for page in range(1, pages + 1):
        on_page = sorted((w for w in words if w.page == page), key=lambda w: (w.y, w.x))
        top = on_page[0].text if on_page else ""
        if page == 1 and top == "1":
            found.append("page 1 shows its number")
        if page > 1 and top != str(page):
            found.append(f"page {page} does not start with its number (it starts {top!r})")
        sign = next((w for w in on_page if w.text == T.SIGN_FOR.split()[0]), None)
        # The closing (recipients beside the signature) starts the page: nothing but the
        # page's number above "TM." (the recipients' first line sits level with it).
        if page > 1 and sign is not None:
            above = [w for w in on_page if w.y < sign.y - 2 and w.text != str(page)]
            if not above:
                found.append(f"page {page} starts with the signature block alone")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pdf", type=Path)
    parser.add_argument("docx", type=Path)
    parser.add_argument("--max-pages", type=int, default=MAX_PAGES)
    args = parser.parse_args(argv)
    found = problems(args.pdf, args.docx.read_bytes(), max_pages=args.max_pages)
    found += [f"font not embedded: {name}" for name in fonts_not_embedded(args.pdf)]
    for problem in found:
        print(f"{args.pdf}: {problem}")  # noqa: T201 - a command-line check
    if not found:
        pages = max(w.page for w in page_words(args.pdf))
        print(f"{args.pdf}: {pages} pages, the layout checks pass")  # noqa: T201
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
