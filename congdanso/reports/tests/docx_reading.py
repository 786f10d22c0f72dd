"""Reading a generated report again with python-docx, for the tests."""

import io
import json
from typing import Any

import docx
from docx.document import Document
from docx.table import Table
from docx.text.paragraph import Paragraph


def open_docx(data: bytes) -> Document:
    return docx.Document(io.BytesIO(data))


def blocks(document: Document) -> list[Paragraph | Table]:
    """The body's paragraphs and tables in order."""
    found: list[Paragraph | Table] = []
    for element in document.element.body.iterchildren():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "p":
            found.append(Paragraph(element, document))
        elif tag == "tbl":
            found.append(Table(element, document))
    return found


def cell_texts(table: Table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def table_after(document: Document, heading: str) -> list[list[str]]:
    """The first table after the paragraph whose text starts with `heading`."""
    seen = False
    for block in blocks(document):
        if isinstance(block, Paragraph) and block.text.startswith(heading):
            seen = True
        elif seen and isinstance(block, Table):
            return cell_texts(block)
    raise AssertionError(f"no table after {heading!r}")


def texts(document: Document) -> list[str]:
    return [block.text for block in blocks(document) if isinstance(block, Paragraph)]


def structure(document: Document) -> list[dict[str, Any]]:
    """The document's structure for the golden file: each paragraph's style, alignment,
    emphasis and text; each table's shape and its cells; each picture."""
    out: list[dict[str, Any]] = []
    for block in blocks(document):
        if isinstance(block, Table):
            rows = cell_texts(block)
            out.append({"table": [len(rows), len(rows[0]) if rows else 0], "cells": rows})
            continue
        entry: dict[str, Any] = {"style": block.style.name if block.style else None}
        if block.alignment is not None:
            entry["align"] = str(block.alignment).split(" ")[0].split(".")[-1]
        runs = [run for run in block.runs if run.text]
        if runs and all(run.bold for run in runs):
            entry["bold"] = True
        if runs and all(run.italic for run in runs):
            entry["italic"] = True
        if block._p.xpath(".//pic:pic"):
            entry["picture"] = True
        entry["text"] = block.text
        out.append(entry)
    return out


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"
