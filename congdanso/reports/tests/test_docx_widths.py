"""Column widths from the content (docx_widths), without a database: nothing that must not
break is narrower than its text, the table spans the text width, and the header's national
name fits its column on one line (Decree 30)."""

import pytest

from congdanso.reports import docx_text as T
from congdanso.reports import docx_widths
from congdanso.reports.docx_layout import HEADER_COLUMNS, HEADER_PT, TABLE_PT, TEXT_W_CM
from congdanso.reports.docx_widths import CELL_PADDING_CM, column_widths, text_width_cm

VILLAGES_HEAD = [h % {"area": "Thôn, buôn", "low": 16, "high": 50} for h in T.AREAS_HEAD]
VILLAGES = [
    ["1", "Thôn Cao Bằng", "927", "449", "81", "18%", "85", "144"],
    ["12", "Buôn Ea Yông A", "1.183", "618", "115", "18,6%", "121", "194"],
]
VILLAGES_TOTAL = ["", "Tổng cộng", "12.000", "6.020", "898", "14,9%", "984", "2.112"]
DONATIONS = [
    [
        "1",
        "Thôn Cao Bằng",
        "Đường truyền Internet: Lắp đặt đường truyền Internet cáp quang tại nhà văn hóa",
        "Văn phòng Huyện ủy Krông Pắc, Thôn Tân Lập",
        "4.000.000",
        "12/04/2023",
    ]
]


@pytest.fixture(params=["font", "estimate"])
def measured(request, monkeypatch):  # type: ignore[no-untyped-def]
    """With Liberation Serif when installed, and with the character estimate."""
    if request.param == "estimate":
        monkeypatch.setattr(docx_widths, "_font", lambda bold: None)
    elif docx_widths._font(False) is None:
        pytest.skip("Liberation Serif is not installed (Debian: fonts-liberation)")
    return request.param


def _fits(text: str, width: float, *, bold: bool = False, rounding: float = 0.0) -> bool:
    """`rounding`: a width above the least may lose up to a step (0.05 cm) to the rounding,
    within the padding's slack."""
    needed = text_width_cm(text, size_pt=TABLE_PT, bold=bold) + CELL_PADDING_CM
    return needed <= width + rounding + 1e-9


def test_stt_numbers_and_names_fit_and_the_table_spans_the_text_width(measured) -> None:  # type: ignore[no-untyped-def]
    numeric = (0, 2, 3, 4, 5, 6, 7)
    widths = column_widths(
        VILLAGES_HEAD,
        [*VILLAGES, VILLAGES_TOTAL],
        numeric=numeric,
        bold_rows=[2],
        size_pt=TABLE_PT,
        available_cm=TEXT_W_CM,
    )
    assert sum(widths) == pytest.approx(TEXT_W_CM)
    assert _fits("STT", widths[0], bold=True)
    for row in [*VILLAGES, VILLAGES_TOTAL]:
        for column in numeric:
            assert _fits(row[column], widths[column], bold=row is VILLAGES_TOTAL)
    if measured == "font":  # the estimate errs wide: its names may take two lines
        assert _fits("Buôn Ea Yông A", widths[1], rounding=0.05)  # the names on one line
        assert _fits("Tổng cộng", widths[1], bold=True, rounding=0.05)
    for column, head in enumerate(VILLAGES_HEAD):  # no header word broken
        assert all(_fits(word, widths[column], bold=True) for word in head.split())


def test_a_date_and_an_amount_never_break_in_the_donations_table(measured) -> None:  # type: ignore[no-untyped-def]
    widths = column_widths(
        T.DONATIONS_HEAD, DONATIONS, numeric=(0, 4), size_pt=TABLE_PT, available_cm=TEXT_W_CM
    )
    assert sum(widths) == pytest.approx(TEXT_W_CM)
    assert _fits("12/04/2023", widths[5]) and _fits("4.000.000", widths[4])
    # The long text columns take the room left, the longest the most.
    assert widths[2] == max(widths)


def test_the_same_text_gives_the_same_widths_in_steps_of_half_a_millimetre() -> None:
    first = column_widths(VILLAGES_HEAD, VILLAGES, numeric=(0, 2), size_pt=12, available_cm=16.5)
    again = column_widths(VILLAGES_HEAD, VILLAGES, numeric=(0, 2), size_pt=12, available_cm=16.5)
    assert first == again
    assert all(round(w * 20, 6) == round(w * 20) for w in first[:-1])


def test_a_table_wider_than_the_page_keeps_its_numbers_whole() -> None:
    head = ["STT", *(f"Cột {n}" for n in range(12))]
    row = ["1", *("1.234.567.890" for _ in range(12))]
    widths = column_widths(head, [row], numeric=range(13), size_pt=TABLE_PT, available_cm=TEXT_W_CM)
    assert sum(widths) > TEXT_W_CM
    assert all(_fits("1.234.567.890", w) for w in widths[1:])


def test_the_estimate_errs_wide() -> None:
    if docx_widths._font(True) is None:
        pytest.skip("Liberation Serif is not installed (Debian: fonts-liberation)")
    for text in ("STT", "12/04/2023", "Buôn Ea Yông A", T.NATIONAL_NAME):
        measured = text_width_cm(text, size_pt=12, bold=True)
        assert docx_widths._estimate_em(text) * 1.06 * 12 * 2.54 / 72 >= measured


def test_the_national_name_has_one_line_in_the_wider_right_column() -> None:
    """Decree 30, Appendix I: the issuing body on the left, the narrower column; the national
    name in 12–13 pt bold on one line on the right (measured: the estimate is too wide for a
    line of capitals)."""
    if docx_widths._font(True) is None:
        pytest.skip("Liberation Serif is not installed (Debian: fonts-liberation)")
    issuer, motto = HEADER_COLUMNS
    assert issuer < motto and sum(HEADER_COLUMNS) == pytest.approx(TEXT_W_CM)
    assert 12 <= HEADER_PT <= 13
    width = text_width_cm(T.NATIONAL_NAME, size_pt=HEADER_PT, bold=True)
    assert width + 2 * 0.19 + 0.2 <= motto  # the header keeps Word's 0.19 cm cell margins
