"""The report downloads: who gets them, what they are, and what bad parameters give."""

import dataclasses
import datetime as dt
import io
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from PIL import Image

from congdanso.reports.card import report_card
from congdanso.reports.pdf import PdfUnavailable
from congdanso.reports.selectors import report_request
from congdanso.reports.tests import pdf_reading
from congdanso.reports.tests.docx_reading import open_docx, texts
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
def test_the_pdf_downloads_for_the_campaigns_users(  # type: ignore[no-untyped-def]
    world, who: str, libreoffice, tmp_path
) -> None:
    response = world.site(who).get(_url(world, "pdf", ngay="2023-06-30"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "2023-06-30.pdf" in response["Content-Disposition"]
    pdf = tmp_path / "bao-cao.pdf"
    pdf.write_bytes(b"".join(response.streaming_content))
    # The report the .docx link gives, laid out.
    text = " ".join(" ".join(pdf_reading.layout_lines(pdf)).split())
    assert "(Số liệu tính đến ngày 30 tháng 6 năm 2023)" in text


def test_without_libreoffice_the_pdf_page_says_how_to_install_it(
    world, monkeypatch, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CONGDANSO_SOFFICE", str(tmp_path / "no-soffice-here"))

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


def test_the_card_counts_what_the_dashboard_counts(world) -> None:  # type: ignore[no-untyped-def]
    """The dashboard's date, place and `chot` (only the residents in the list by then)."""
    village = world.resident.village
    day = dt.date(2023, 6, 30)
    site = world.site("manager_a")

    listed = site.get(_url(world, "card", ngay="2023-06-30", noi=village.code, chot="1"))
    whole = site.get(_url(world, "card", ngay="2023-06-30"))

    village_request = report_request(campaign_id=world.campaign.pk, place_code=village.code, on=day)
    assert listed.content == report_card(dataclasses.replace(village_request, registered_by=day))
    assert whole.content == report_card(report_request(campaign_id=world.campaign.pk, on=day))
    assert listed.content != whole.content


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
