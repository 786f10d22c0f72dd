"""The permission-test world (two communes, a campaign, users of every role) for the site's
page tests, and a stand-in for LibreOffice.

The PDF download converts the .docx with LibreOffice (seconds a request, and not installed
everywhere); the real conversion is tested in reports/tests/test_pdf.py. The site's tests
check who gets the page and what links to it, so they get a stand-in PDF."""

from collections.abc import Iterator

import pytest

from congdanso.core.tests.world import World, world

__all__ = ["World", "world"]

FAKE_PDF = b"%PDF-1.4\n% a stand-in for the tests of the site\n%%EOF\n"


@pytest.fixture(autouse=True)
def _pdf_stand_in(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from congdanso.web.reports import views

    monkeypatch.setattr(views, "docx_to_pdf", lambda docx: FAKE_PDF)
    yield
