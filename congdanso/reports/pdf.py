"""The official report as a PDF: the .docx converted by LibreOffice (`soffice --headless`).

A commune sends the report up as a PDF as often as on paper. No PDF library is added: the
.docx is the document, and LibreOffice lays it out as Word would (Debian's
`libreoffice-writer-nogui`; `fonts-liberation` gives Liberation Serif, metric-compatible with
the Times New Roman the report names, so lines break where they break in Word). LibreOffice
embeds the fonts it uses in the PDF (subsets), so the PDF reads the same everywhere.

Each conversion runs in its own temporary folder with its own LibreOffice profile
(`-env:UserInstallation`): two conversions sharing the default profile would block or fail
(its lock file). It has a time limit; a missing LibreOffice or a failed conversion is a
`PdfUnavailable` whose message says what to do, in one line.
"""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from congdanso.core.errors import DomainError, Message

#: The Debian packages that make the PDF (the README names them too).
PACKAGES = "libreoffice-writer-nogui fonts-liberation"
#: A 20,000-resident commune's report converts in ~3 s; a loaded machine may take longer.
TIMEOUT_SECONDS = 60
#: Where LibreOffice may be besides PATH (Debian's /usr/bin; the official build's /opt).
_CANDIDATES = ("soffice", "libreoffice", "/usr/lib/libreoffice/program/soffice")


class PdfUnavailable(DomainError):
    code = "pdf_unavailable"


def soffice_path() -> str | None:
    """LibreOffice's `soffice` (CONGDANSO_SOFFICE when set), or None when it is not there."""
    chosen = os.environ.get("CONGDANSO_SOFFICE", "").strip()
    if chosen:
        return shutil.which(chosen)
    for name in _CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def docx_to_pdf(docx: bytes, *, timeout: float = TIMEOUT_SECONDS) -> bytes:
    """The PDF of a .docx, laid out by LibreOffice. Raises `PdfUnavailable` when LibreOffice is
    missing, fails or takes longer than `timeout` seconds."""
    soffice = soffice_path()
    if soffice is None:
        raise PdfUnavailable(
            Message(
                _(
                    "Making a PDF needs LibreOffice, which is not installed: install the "
                    "Debian packages %(packages)s (apt-get install %(packages)s)."
                ),
                packages=PACKAGES,
            )
        )
    with tempfile.TemporaryDirectory(prefix="congdanso-pdf-") as folder:
        work = Path(folder)
        source = work / "bao-cao.docx"
        source.write_bytes(docx)
        command = [
            soffice,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--nologo",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            str(work),
            str(source),
        ]
        # HOME inside the folder too: LibreOffice writes there (fontconfig's cache, .config).
        env = {**os.environ, "HOME": str(work)}
        try:
            done = subprocess.run(  # noqa: S603 - LibreOffice found on PATH, arguments are ours
                command,
                capture_output=True,
                timeout=timeout,
                env=env,
                check=False,
                start_new_session=True,
            )
        except subprocess.TimeoutExpired as error:
            raise PdfUnavailable(
                Message(
                    _("LibreOffice took longer than %(seconds)s s to make the PDF; try again."),
                    seconds=int(timeout),
                )
            ) from error
        target = work / "bao-cao.pdf"
        if done.returncode != 0 or not target.exists():
            detail = (done.stderr or done.stdout).decode(errors="replace").strip()
            raise PdfUnavailable(
                Message(
                    _("LibreOffice could not make the PDF (exit code %(code)s): %(detail)s"),
                    code=done.returncode,
                    detail=detail.splitlines()[-1] if detail else "—",
                )
            )
        return target.read_bytes()
