"""The official report (.docx): opened again with python-docx, its figures must be the
indicators' for the same request, its layout Decree 30's, its structure the golden file's."""

import datetime as dt
import io
import os
import unicodedata
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

from congdanso.campaigns.services import campaign_create
from congdanso.conftest import EXEMPLARY_2023
from congdanso.people.tests.factories import ResidentFactory
from congdanso.places.models import Place
from congdanso.places.services import commune_get_or_create, village_get_or_create
from congdanso.progress.indicators import campaign_indicators
from congdanso.reports.docx import report_docx
from congdanso.reports.selectors import report_request
from congdanso.reports.tests.docx_reading import (
    blocks,
    dumps,
    open_docx,
    structure,
    table_after,
    texts,
)
from congdanso.reports.tests.seed import AS_OF, seeded
from congdanso.vn.numbers import format_date_long, format_number, format_percent

__all__ = ["seeded"]  # the fixture, used by name

pytestmark = pytest.mark.django_db

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
GOLDEN = Path(__file__).parent / "golden" / "report_docx.json"


@pytest.fixture
def report(seeded):  # type: ignore[no-untyped-def]
    request = report_request(campaign_id=seeded.pk, on=AS_OF)
    return request, open_docx(report_docx(request))


def test_figures_are_the_indicators_of_the_same_request(report) -> None:  # type: ignore[no-untyped-def]
    request, document = report
    ind = campaign_indicators(request.campaign, place=request.place, on=request.on)
    assert ind.exemplary.count > 0 and ind.villages_at_risk  # the seed has something to show
    body = "\n".join(texts(document))

    assert (
        f"Số công dân số tiêu biểu: {format_number(ind.exemplary.count)}/"
        f"{format_number(ind.exemplary.target)} người" in body
    )
    assert (
        f"{format_number(ind.cohort.met)}/{format_number(ind.cohort.size)} người, "
        f"tỷ lệ {format_percent(ind.cohort.share)}" in body
    )
    assert f"ước đạt {format_number(ind.projection.exemplary_at_end)}" in body

    criteria = table_after(document, "2. Kết quả theo từng tiêu chí")
    assert [row[2:] for row in criteria[1:]] == [
        [format_number(c.count), format_percent(c.share), format_number(c.count_all)]
        for c in ind.criteria
    ]
    assert [row[1].removesuffix(" (*)") for row in criteria[1:]] == [c.name for c in ind.criteria]

    villages = table_after(document, "3. Kết quả theo thôn, buôn")
    assert villages[1:-1] == [
        [
            str(number),
            v.name,
            format_number(v.residents),
            format_number(v.cohort),
            format_number(v.met),
            format_percent(v.share),
            format_number(v.exemplary),
            format_number(v.gap),
        ]
        for number, v in enumerate(ind.villages, 1)
    ]
    assert villages[-1][1:5] == [
        "Tổng cộng",
        format_number(ind.data_quality.residents),
        format_number(ind.cohort.size),
        format_number(ind.cohort.met),
    ]

    units = table_after(document, "4. Kết quả của các đơn vị")
    assert len(units) == 1 + len(ind.units)
    for row, unit in zip(units[1:], ind.units, strict=True):
        assert row[1].startswith(unit.name)
        assert row[3] == format_number(unit.turns)
        assert row[4].split(" / ")[0] == format_number(unit.people)
        assert row[5].split(" / ")[0] == format_number(unit.achievements)
        assert row[2].split(" / ")[0] == format_number(unit.sessions)
        if unit.target_people:
            assert row[4] == f"{format_number(unit.people)} / {format_number(unit.target_people)}"

    s = ind.sessions
    assert f"Đã tổ chức {format_number(s.held)} buổi hỗ trợ" in body
    assert f"với {format_number(s.turns)} lượt hỗ trợ" in body

    donations = table_after(document, "6. Ủng hộ, tặng quà")
    assert [row[4] for row in donations[1:]] == ["4.000.000", "2.500.000", "6.500.000"]
    assert "Tổng giá trị các công trình, phần quà: 6.500.000 đồng." in body


def test_header_blocks_title_and_date_line(report) -> None:  # type: ignore[no-untyped-def]
    _, document = report
    header = blocks(document)[0]
    assert isinstance(header, Table)
    (body, motto), (number, place_date) = (list(r.cells) for r in header.rows)
    assert [p.text for p in body.paragraphs if p.text] == [
        "UBND XÃ EA YÔNG",
        "BAN CHỈ ĐẠO ĐỀ ÁN 06",
    ]
    assert body.paragraphs[1].runs[0].bold and not body.paragraphs[0].runs[0].bold
    assert [p.text for p in motto.paragraphs if p.text] == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
    ]
    assert all(p.runs[0].bold for p in motto.paragraphs if p.text)
    assert number.text == "Số: …/BC-BCĐ"
    assert place_date.text == "Ea Yông, ngày 30 tháng 6 năm 2023"
    assert place_date.paragraphs[0].runs[0].italic
    # The header is borderless: no table style, no borders of its own.
    assert header._tbl.tblPr.find("{*}tblBorders") is None and header.style.name == "Normal Table"

    body_texts = texts(document)
    title = body_texts.index("BÁO CÁO")
    assert body_texts[title + 1] == "Kết quả thực hiện mô hình “1.000 công dân số tiêu biểu”"
    assert "(Số liệu tính đến ngày 30 tháng 6 năm 2023)" in body_texts
    paragraphs = [b for b in blocks(document) if isinstance(b, Paragraph)]
    assert paragraphs[title].alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert paragraphs[title].runs[0].bold

    closing = [b for b in blocks(document) if isinstance(b, Table)][-1]
    recipients, signature = closing.rows[0].cells
    assert [p.text for p in recipients.paragraphs] == [
        "Nơi nhận:",
        "- Như trên;",
        "- UBND huyện Krông Pắc;",
        "- Lưu: VT.",
    ]
    first = recipients.paragraphs[0].runs[0]
    assert first.bold and first.italic
    assert [p.text for p in signature.paragraphs if p.text][:2] == ["TM. BAN CHỈ ĐẠO", "TRƯỞNG BAN"]


def test_page_is_a4_with_the_decree_margins_and_times_new_roman(report) -> None:  # type: ignore[no-untyped-def]
    _, document = report
    section = document.sections[0]
    # Stored in twentieths of a point: A4 to within a twip.
    assert abs(section.page_width - Mm(210)) < Mm(0.1)
    assert abs(section.page_height - Mm(297)) < Mm(0.1)
    slack = Mm(0.05)  # a twip's rounding
    assert Mm(20) - slack <= section.top_margin <= Mm(25) + slack
    assert Mm(20) - slack <= section.bottom_margin <= Mm(25) + slack
    assert Mm(30) - slack <= section.left_margin <= Mm(35) + slack
    assert Mm(15) - slack <= section.right_margin <= Mm(20) + slack
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman"
    assert Pt(13) <= normal.font.size <= Pt(14)
    for name in ("Heading 1", "Heading 2"):
        fonts = document.styles[name].element.rPr.rFonts
        assert fonts.get(f"{W}ascii") == "Times New Roman"
        assert not any(key.endswith("Theme") for key in fonts.attrib)
    # The document defaults too (tables), and no run sets another font.
    defaults = document.styles.element.find(f"{W}docDefaults").find(f"{W}rPrDefault")
    assert defaults.find(f"{W}rPr").find(f"{W}rFonts").get(f"{W}ascii") == "Times New Roman"
    assert {f.get(f"{W}ascii") for f in document.element.body.iter(f"{W}rFonts")} <= {
        "Times New Roman"
    }


def test_pages_are_numbered_from_the_second_and_the_signature_keeps_its_last_paragraph(  # type: ignore[no-untyped-def]
    report,
) -> None:
    """Decree 30: the number centred in the top margin, none on the first page. The closing
    (recipients and signature) never starts a page alone, and no table row splits."""
    _, document = report
    section = document.sections[0]
    assert section.different_first_page_header_footer
    assert section.first_page_header.is_linked_to_previous  # nothing of its own: no number
    header = section.header.paragraphs[0]
    assert header.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert [t.text for t in header._p.iter(f"{W}instrText")] == [" PAGE "]
    assert {r.font.size for r in header.runs} == {Pt(13)}

    found = blocks(document)
    closing = found[-1]
    assert isinstance(closing, Table)
    assert found[-2].paragraph_format.keep_with_next  # the last paragraph goes with it
    assert closing.rows[0]._tr.trPr.find(f"{W}cantSplit") is not None
    for table in document.tables[1:-1]:
        assert all(row._tr.trPr.find(f"{W}cantSplit") is not None for row in table.rows)


def test_text_is_nfc_and_numbers_are_right_aligned(report) -> None:  # type: ignore[no-untyped-def]
    _, document = report
    for text in texts(document):
        assert unicodedata.is_normalized("NFC", text)
    criteria = next(b for b in blocks(document)[1:] if isinstance(b, Table))
    header, first = criteria.rows[0], criteria.rows[1]
    assert all(run.bold for cell in header.cells for run in cell.paragraphs[0].runs)
    assert first.cells[2].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert first.cells[1].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.LEFT
    assert criteria.style.name == "Table Grid"  # real borders


def test_one_chart_is_embedded_as_png(report) -> None:  # type: ignore[no-untyped-def]
    _, document = report
    pictures = document.inline_shapes
    assert len(pictures) == 1
    image = document.part.related_parts[
        pictures[0]._inline.graphic.graphicData.pic.blipFill.blip.embed
    ].image
    assert image.content_type == "image/png"
    assert image.px_width >= 1000


def test_the_same_data_give_the_same_bytes_dated_the_as_of_day(seeded) -> None:  # type: ignore[no-untyped-def]
    request = report_request(campaign_id=seeded.pk, on=AS_OF)
    first, second = report_docx(request), report_docx(request)
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {info.date_time[:3] for info in archive.infolist()} == {(2023, 6, 30)}
    properties = open_docx(first).core_properties
    assert properties.created.date() == properties.modified.date() == AS_OF


def test_drafts_name_the_villages_at_risk_and_can_be_replaced(seeded) -> None:  # type: ignore[no-untyped-def]
    request = report_request(campaign_id=seeded.pk, on=AS_OF)
    ind = request.indicators()
    worst = ind.villages_at_risk[0]
    body = "\n".join(texts(open_docx(report_docx(request))))
    assert f"{worst.name} (đạt {format_percent(worst.share)}, còn thiếu {worst.gap} người)" in body
    assert "Đề nghị UBND huyện Krông Pắc" in body

    replaced = open_docx(
        report_docx(request, drafts={"difficulties": "- Mưa lũ kéo dài.\n- Thiếu thiết bị."})
    )
    lines = texts(replaced)
    start = lines.index("1. Khó khăn, vướng mắc")
    assert lines[start + 1 : start + 4] == [
        "- Mưa lũ kéo dài.",
        "- Thiếu thiết bị.",
        "2. Đề xuất, kiến nghị",
    ]


def test_an_unknown_draft_is_refused(seeded) -> None:  # type: ignore[no-untyped-def]
    request = report_request(campaign_id=seeded.pk, on=AS_OF)
    with pytest.raises(ValueError, match="kho_khan"):
        report_docx(request, drafts={"kho_khan": "…"})


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (dt.date(2023, 4, 5), "ngày 05 tháng 4 năm 2023"),
        (dt.date(2024, 2, 3), "ngày 03 tháng 02 năm 2024"),
        (dt.date(2023, 1, 12), "ngày 12 tháng 01 năm 2023"),
        (dt.date(2023, 12, 31), "ngày 31 tháng 12 năm 2023"),
    ],
)
def test_dates_follow_decree_30(day: dt.date, text: str) -> None:
    assert format_date_long(day) == text


def test_the_place_date_line_on_an_early_day(seeded) -> None:  # type: ignore[no-untyped-def]
    request = report_request(campaign_id=seeded.pk, on=dt.date(2023, 5, 5))
    header = blocks(open_docx(report_docx(request)))[0]
    assert header.rows[1].cells[1].text == "Ea Yông, ngày 05 tháng 5 năm 2023"


def test_a_village_report_says_whose_figures(seeded) -> None:  # type: ignore[no-untyped-def]
    village = Place.objects.get(name="Buôn Ghamah")
    request = report_request(campaign_id=seeded.pk, place_code=village.code, on=AS_OF)
    lines = texts(open_docx(report_docx(request)))
    assert "(Số liệu của Buôn Ghamah tính đến ngày 30 tháng 6 năm 2023)" in lines


def test_a_district_campaign_ranks_its_communes(seeded, ea_yong) -> None:  # type: ignore[no-untyped-def]
    district = ea_yong.parent
    other = commune_get_or_create(parent=district, name="Xã Ea Phê", code="ea-phe")[0]
    village, _ = village_get_or_create(commune=other, name="Thôn 1")
    ResidentFactory(village=village, full_name="Người Ea Phê")
    campaign = campaign_create(
        place=district,
        name="Công dân số huyện Krông Pắc",
        start_date=dt.date(2023, 4, 12),
        end_date=dt.date(2023, 12, 31),
        criteria=list(EXEMPLARY_2023),
        target_exemplary=5000,
    )
    request = report_request(campaign_id=campaign.pk, on=AS_OF)
    ind = request.indicators()
    document = open_docx(report_docx(request))
    table = table_after(document, "3. Kết quả theo xã, phường")
    assert table[0][0] == "Hạng"
    ranked = sorted(ind.communes, key=lambda r: (-r.share, -r.met, r.name))
    assert [row[1] for row in table[1:-1]] == [r.name for r in ranked]
    assert table[1][1] == "Xã Ea Yông"  # it has exemplary citizens, Ea Phê none
    header = blocks(document)[0]
    assert header.rows[0].cells[0].paragraphs[0].text == "UBND HUYỆN KRÔNG PẮC"
    assert header.rows[1].cells[1].text.startswith("Krông Pắc, ngày ")


def test_golden_structure(report) -> None:  # type: ignore[no-untyped-def]
    """The document's structure; after an intended change: UPDATE_GOLDEN=1 and review the
    diff of the JSON file."""
    _, document = report
    actual = dumps(structure(document))
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(actual, encoding="utf-8")
    assert GOLDEN.exists(), f"{GOLDEN} is missing: run the test with UPDATE_GOLDEN=1"
    assert actual == GOLDEN.read_text(encoding="utf-8")


# -- The command ---------------------------------------------------------------------------


def test_the_command_writes_the_report(seeded, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "bao-cao.docx"
    call_command("report", "docx", "--campaign", str(seeded.pk), "--date", "2023-06-30",
                 "--out", str(out))  # fmt: skip
    request = report_request(campaign_id=seeded.pk, on=AS_OF)
    assert out.read_bytes() == report_docx(request)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--campaign", "999999"], "999999"),
        (["--date", "2023-01-01"], "01/01/2023"),
        (["--date", "30/02/2023"], "30/02/2023"),
        (["--place", "ea-phe"], "Ea Phê"),
    ],
)
def test_bad_input_is_exit_code_2_and_no_file(  # type: ignore[no-untyped-def]
    seeded, ea_yong, tmp_path: Path, arguments: list[str], message: str
) -> None:
    commune_get_or_create(parent=ea_yong.parent, name="Xã Ea Phê", code="ea-phe")
    out = tmp_path / "bao-cao.docx"
    if "--campaign" not in arguments:
        arguments = ["--campaign", str(seeded.pk), *arguments]
    with pytest.raises(CommandError) as error:
        call_command("report", "docx", *arguments, "--out", str(out))
    assert error.value.returncode == 2
    assert message in str(error.value)
    assert list(tmp_path.iterdir()) == []


# -- The chart ------------------------------------------------------------------------------


def test_the_chart_draws_without_a_system_font(monkeypatch: pytest.MonkeyPatch) -> None:
    from congdanso.reports import chart_png

    monkeypatch.setattr(chart_png, "FONTS", ("no-such-font.ttf",))
    chart_png._font.cache_clear()
    try:
        png = chart_png.progress_png(
            start=dt.date(2023, 4, 12),
            end=dt.date(2023, 12, 31),
            points=[chart_png.ChartPoint(dt.date(2023, 4, 16), 3)],
            projected_at_end=900,
            target=1000,
            target_label="Mục tiêu: 1.000",
            projection_label="Dự báo: 900",
        )
    finally:
        chart_png._font.cache_clear()
    assert png.startswith(b"\x89PNG")
    assert chart_png._label("Mục tiêu: 1.000 đồng", unicode_font=False) == "Muc tieu: 1.000 dong"
