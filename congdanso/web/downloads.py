"""Files the site hands out: their `Content-Disposition` and the temporary file they are made
in.

A file's name is Vietnamese (`Danh sách người dân – Thôn Cao Bằng.xlsx`); the header carries
it as RFC 6266's `filename*=UTF-8''…`, which every current browser reads, and an ASCII twin in
`filename=` for the others (the name folded: `danh-sach-nguoi-dan-thon-cao-bang.xlsx`).
"""

import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.http import FileResponse

from congdanso.vn import fold

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"


def ascii_name(name: str) -> str:
    """The file name without accents or spaces: `danh-sach-nguoi-dan-…-30-09-2023.xlsx`."""
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    slug = re.sub(r"[^a-z0-9]+", "-", fold(stem)).strip("-") or "tep"
    return f"{slug}.{suffix}" if suffix else slug


def attachment(name: str) -> str:
    """The `Content-Disposition` of a download named `name`."""
    return f"attachment; filename=\"{ascii_name(name)}\"; filename*=UTF-8''{quote(name, safe='')}"


def file_download(write: Callable[[Path], Any], *, name: str, content_type: str) -> FileResponse:
    """The file `write(path)` makes, as a download named `name`, never cached (it may hold
    personal numbers). Made on disk, not in memory: a list may be large. The file is opened
    again for the response, then its name removed: the open handle keeps the bytes until the
    response is sent and closed (POSIX); `mkstemp` makes it 0600."""
    with tempfile.NamedTemporaryFile(prefix="congdanso-", suffix=Path(name).suffix) as temporary:
        write(Path(temporary.name))
        handle = Path(temporary.name).open("rb")  # noqa: SIM115 - closed by the response
    response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = attachment(name)
    response["Cache-Control"] = "no-store"
    return response
