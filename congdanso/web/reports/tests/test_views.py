"""The report downloads: who gets them, what they are, and what bad parameters give."""

import datetime as dt
import io
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from PIL import Image

from congdanso.reports.pdf import PdfUnavailable, docx_to_pdf
from congdanso.reports.selectors import ReportRequest
from congdanso.reports.tests.docx_reading import open_docx, texts
from congdanso.web.reports import views
from congdanso.web.reports.views import DOCX_TYPE, XLSX_TYPE

pytestmark = pytest.mark.django_db


def _url(world, name: str, **query: str) -> str:  # type: ignore[no-untyped-def]
    base = reverse(f"reports:{name}", args=[world.campaign.pk])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.mark.parametrize("who", ["manager_a", "viewer_a", "admin"])
def test_the_report_downloads_for_the_campaigns_users(world, who: str) -> None:  # type: ignore[no-untyped-def]
    response = world.site(who).get(_url(world, "docx", ngay="2023-06-30"))

    assert response.status_code == 200
    assert response["Content-Type"] == DOCX_TYPE
    assert response["Content-Disposition"].startswith("attachment;")
    assert "2023-06-30.docx" in response["Content-Disposition"]
    lines = texts(open_docx(response.content))
    assert "(Số liệu tính đến ngày 30 tháng 6 năm 2023)" in lines


@pytest.mark.parametrize("who", ["manager_a", "viewer_a"])
def test_the_pdf_downloads_for_the_campaigns_users(world, who: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    converted: list[bytes] = []
    monkeypatch.setattr(views, "docx_to_pdf", lambda docx: converted.append(docx) or b"%PDF-")

    response = world.site(who).get(_url(world, "pdf", ngay="2023-06-30"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "2023-06-30.pdf" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == b"%PDF-"
    # What is converted is the report the .docx link gives.
    assert "(Số liệu tính đến ngày 30 tháng 6 năm 2023)" in texts(open_docx(converted[0]))


def test_without_libreoffice_the_pdf_page_says_how_to_install_it(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("congdanso.reports.pdf.soffice_path", lambda: None)
    monkeypatch.setattr(views, "docx_to_pdf", docx_to_pdf)

    response = world.site("manager_a").get(_url(world, "pdf", ngay="2023-06-30"))

    assert response.status_code == 503
    text = BeautifulSoup(response.content, "html.parser").get_text()
    assert "LibreOffice" in text and "libreoffice-writer-nogui fonts-liberation" in text
    assert PdfUnavailable.code == "pdf_unavailable"


@pytest.mark.parametrize("who", ["manager_a", "viewer_a"])
def test_the_workbook_downloads_for_the_campaigns_users(world, who: str) -> None:  # type: ignore[no-untyped-def]
    response = world.site(who).get(_url(world, "xlsx", ngay="2023-06-30"))

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_TYPE
    data = b"".join(response.streaming_content)
    assert data[:2] == b"PK"  # a zip: the workbook
    assert "2023-06-30.xlsx" in response["Content-Disposition"]


@pytest.mark.parametrize("who", ["manager_a", "viewer_a"])
def test_the_card_downloads_as_a_png_for_the_campaigns_users(world, who: str) -> None:  # type: ignore[no-untyped-def]
    response = world.site(who).get(_url(world, "card", ngay="2023-06-30"))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "2023-06-30.png" in response["Content-Disposition"]
    image = Image.open(io.BytesIO(response.content))
    assert (image.format, image.size) == ("PNG", (1080, 1080))


def test_the_card_counts_what_the_dashboard_counts(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The dashboard's date, place and `chot` (only the residents in the list by then)."""
    asked: list[ReportRequest] = []
    monkeypatch.setattr(views, "report_card", lambda request: asked.append(request) or b"")
    village = world.resident.village

    world.site("manager_a").get(_url(world, "card", ngay="2023-06-30", noi=village.code, chot="1"))
    world.site("manager_a").get(_url(world, "card", ngay="2023-06-30"))

    assert [(r.on, r.place, r.registered_by) for r in asked] == [
        (dt.date(2023, 6, 30), village, dt.date(2023, 6, 30)),
        (dt.date(2023, 6, 30), world.campaign.place, None),
    ]


@pytest.mark.parametrize("name", ["docx", "pdf", "xlsx", "card"])
def test_a_manager_of_another_commune_gets_404(world, name: str) -> None:  # type: ignore[no-untyped-def]
    response = world.site("manager_b").get(_url(world, name))
    assert response.status_code == 404


@pytest.mark.parametrize("name", ["docx", "pdf", "xlsx", "card"])
def test_anonymous_users_are_sent_to_log_in(world, name: str) -> None:  # type: ignore[no-untyped-def]
    response = world.site(None).get(_url(world, name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ({"ngay": "2023-01-01"}, 400, "01/01/2023"),
        ({"ngay": "hom-nay"}, 400, "hom-nay"),
        ({"noi": "ea-phe"}, 404, ""),  # another commune's place: it does not exist for them
        ({"noi": "khong-co"}, 404, ""),
    ],
)
@pytest.mark.parametrize("name", ["docx", "pdf", "xlsx", "card"])
def test_bad_parameters_give_the_error_page(  # type: ignore[no-untyped-def]
    world, name: str, query: dict[str, str], status: int, message: str
) -> None:
    response = world.site("manager_a").get(_url(world, name, **query))

    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    if message:
        assert message in BeautifulSoup(response.content, "html.parser").get_text()


def test_the_dashboard_links_to_every_report_with_its_date_and_place(world) -> None:  # type: ignore[no-untyped-def]
    village = world.resident.village
    dashboard = reverse("campaigns:dashboard", args=[world.campaign.pk])
    response = world.site("manager_a").get(dashboard, {"ngay": "2023-06-30", "noi": village.code})

    soup = BeautifulSoup(response.content, "html.parser")
    links = {urlsplit(a["href"]).path: a["href"] for a in soup.select(".report-downloads a")}
    assert set(links) == {
        _url(world, "docx"),
        _url(world, "pdf"),
        _url(world, "xlsx"),
        _url(world, "card"),
    }
    for href in links.values():
        assert parse_qs(urlsplit(href).query) == {"ngay": ["2023-06-30"], "noi": [village.code]}
        assert world.site("manager_a").get(href).status_code == 200
