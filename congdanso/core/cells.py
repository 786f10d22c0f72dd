"""Text cells in files a spreadsheet program opens: kept from being read as formulas.

A CSV cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage return before one) is a
formula to Excel and LibreOffice: a name such as `=HYPERLINK("http://…","Nguyễn Văn A")` from
a partner's list would become a link, or `+cmd|' /C calc'!A0` a command, in an officer's
spreadsheet. Such a cell is written with a leading apostrophe, which spreadsheet programs
show as text (OWASP's advice for CSV injection); our importers take that apostrophe off again,
so a file exported and imported back is unchanged. XLSX files are written with
xlsxwriter's `write_string` or `strings_to_formulas=False`, where a string is never a formula.
"""

#: What makes a spreadsheet program read a text cell as a formula.
FORMULA_STARTS = frozenset("=+-@\t\r")


def cell_safe(text: str) -> str:
    """`text` as a CSV cell: an apostrophe before it when it could be read as a formula."""
    return "'" + text if text[:1] in FORMULA_STARTS else text


def cell_unescaped(text: str) -> str:
    """A cell read from a file: the apostrophe `cell_safe` put before a formula-like text
    taken off (an apostrophe before anything else is the cell's own)."""
    return text[1:] if text[:1] == "'" and text[1:2] in FORMULA_STARTS else text
