"""The QR code of a CCCD / Căn cước card: `parse_cccd_qr` from a table of cases and by
properties (what a card says comes back; any other text is refused with `InvalidQr`, whose
message never quotes the text)."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from congdanso.vn import CccdQr, InvalidQr, clean_name, looks_like_cccd_qr, parse_cccd_qr
from congdanso.vn.cccd import parse_cccd
from congdanso.vn.errors import ERROR_CODES
from congdanso.vn.tests.strategies import TODAY, names

HOA = "066190012345|241234567|Nguyễn Thị Hoà|12041990|Nữ|Thôn Cao Bằng, Ea Yông, Krông Pắc|01072021"


def test_a_card_reads_back() -> None:
    qr = parse_cccd_qr(HOA, today=TODAY)

    assert qr == CccdQr(
        cccd="066190012345",
        old_id="241234567",
        full_name="Nguyễn Thị Hoà",
        birth_date=dt.date(1990, 4, 12),
        birth_date_precision="day",
        gender="F",
        address="Thôn Cao Bằng, Ea Yông, Krông Pắc",
        issued_on=dt.date(2021, 7, 1),
    )
    assert qr.last4 == "2345"
    assert repr(qr) == "CccdQr(066******345)"  # no name, no address in a log


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # no old CMND (most cards issued after 2021)
        ("066190012345||Nguyễn Thị Hoà|12041990|Nữ|Ea Yông|01072021", {"old_id": ""}),
        # a newer card appends fields, empty or not
        (HOA + "||", {"cccd": "066190012345"}),
        (HOA + "|extra|more", {"cccd": "066190012345"}),
        # only the month, or only the year, of the birth is known
        (
            "066190012345||Nguyễn Thị Hoà|041990|Nữ|Ea Yông|01072021",
            {"birth_date": dt.date(1990, 4, 1), "birth_date_precision": "month"},
        ),
        (
            "066190012345||Nguyễn Thị Hoà|1990|Nữ|Ea Yông|01072021",
            {"birth_date": dt.date(1990, 1, 1), "birth_date_precision": "year"},
        ),
        # a name in capitals is cleaned as the import cleans it; NFD becomes NFC
        ("066190012345||NGUYỄN THỊ HOÀ|12041990|Nữ|x|01072021", {"full_name": "Nguyễn Thị Hoà"}),
        (
            "066190012345||Nguye\u0302\u0303n Thi\u0323 Hoa\u0300|12041990|Nu\u031b\u0303|x|"
            "01072021",
            {"full_name": "Nguyễn Thị Hoà", "gender": "F"},
        ),
        # a man born in 2005 (4th digit 2), a BOM and spaces around
        ("\ufeff 066205012345||Y Bhiăo Ayun|03032005|Nam|Buôn Ghamah|10102022 ", {"gender": "M"}),
        # the issue date may be missing
        ("066190012345||Nguyễn Thị Hoà|12041990|Nữ|Ea Yông|", {"issued_on": None}),
    ],
)
def test_what_cards_write_is_read(text: str, expected: dict[str, object]) -> None:
    qr = parse_cccd_qr(text, today=TODAY)
    assert {key: getattr(qr, key) for key in expected} == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "qr_empty"),
        ("   ", "qr_empty"),
        ("https://dichvucong.gov.vn/p/home/dvc-trang-chu.html", "qr_not_cccd"),
        # a bank's VietQR (EMVCo): not a card
        (
            "00020101021138570010A000000727012700069704360113001123456789002"
            "08QRIBFTTA53037045802VN6304ABCD",
            "qr_not_cccd",
        ),  # fmt: skip
        ("066190012345|241234567|Nguyễn Thị Hoà|12041990", "qr_not_cccd"),  # cut short
        ("Nguyễn Thị Hoà|066190012345|x|12041990|Nữ|x|01072021", "qr_not_cccd"),
        ("066190012345" + "|x" * 2000, "qr_not_cccd"),  # far longer than a card's
        ("066199012345||Nguyễn Thị Hoà|12041990|Nữ|x|01072021", "qr_mismatch"),  # born 1999
        ("066090012345||Nguyễn Thị Hoà|12041990|Nữ|x|01072021", "qr_mismatch"),  # a man's
        ("066390012345||Nguyễn Thị Hoà|12042090|Nữ|x|01072021", "qr_cccd"),  # born 2090
        ("066190012345|12345|Nguyễn Thị Hoà|12041990|Nữ|x|01072021", "qr_old_id"),
        ("066190012345||  |12041990|Nữ|x|01072021", "qr_name"),
        ("066190012345||Nguyễn Thị Hoà|31021990|Nữ|x|01072021", "qr_birth_date"),
        ("066190012345||Nguyễn Thị Hoà|12041990|Bê đê|x|01072021", "qr_gender"),
        ("066190012345||Nguyễn Thị Hoà|12041990||x|01072021", "qr_gender"),
        ("066190012345||Nguyễn Thị Hoà|12041990|Nữ|x|32132021", "qr_issue_date"),
        ("066190012345||Nguyễn Thị Hoà|12041990|Nữ|x|01011980", "qr_issue_date"),  # before birth
        ("066190012345||Nguyễn Thị Hoà|12041990|Nữ|x|01012099", "qr_issue_date"),  # future
    ],
)
def test_anything_else_is_refused_with_its_own_code(text: str, code: str) -> None:
    with pytest.raises(InvalidQr) as refused:
        parse_cccd_qr(text, today=TODAY)
    assert refused.value.code == code
    assert refused.value.code in ERROR_CODES["InvalidQr"]
    assert refused.value.value is None  # the text is not kept on the error either


def test_a_non_text_is_refused() -> None:
    with pytest.raises(InvalidQr) as refused:
        parse_cccd_qr(66190012345)
    assert refused.value.code == "qr_type"


@st.composite
def cards(draw: st.DrawFn) -> tuple[str, dict[str, object]]:
    """A card's QR text, and what it says."""
    precision = draw(st.sampled_from(["day", "month", "year"]))
    born = draw(st.dates(dt.date(1920, 1, 1), TODAY - dt.timedelta(days=1)))
    gender = draw(st.sampled_from(["M", "F"]))
    digit = (born.year - 1900) // 100 * 2 + (gender == "F")
    code = draw(st.sampled_from(["001", "048", "066", "079", "096"]))
    number = f"{code}{digit}{born.year % 100:02d}{draw(st.integers(0, 999_999)):06d}"
    name = draw(names().filter(lambda n: any(ch.isalpha() for ch in clean_name(n))))
    address = draw(st.text(alphabet="abcđêôơư ,.-0123456789ÀÁẢ", max_size=80))
    issued = draw(st.dates(born, TODAY))
    old_id = draw(st.sampled_from(["", "241234567", "012345678"]))
    written = {
        "day": f"{born:%d%m%Y}",
        "month": f"{born:%m%Y}",
        "year": f"{born:%Y}",
    }[precision]
    start = {"day": born, "month": born.replace(day=1), "year": born.replace(month=1, day=1)}
    extra = draw(st.lists(st.text(alphabet="abc0123456789 ", max_size=5), max_size=3))
    sex = {"M": draw(st.sampled_from(["Nam", "NAM", "nam"])), "F": "Nữ"}[gender]
    text = "|".join([number, old_id, name, written, sex, address, f"{issued:%d%m%Y}", *extra])
    return text, {
        "cccd": number,
        "old_id": old_id,
        "full_name": clean_name(name),
        "birth_date": start[precision],
        "birth_date_precision": precision,
        "gender": gender,
        "issued_on": issued,
    }


@given(cards())
def test_every_card_reads_back_what_it_says(card: tuple[str, dict[str, object]]) -> None:
    text, says = card
    assert looks_like_cccd_qr(text)
    qr = parse_cccd_qr(text, today=TODAY)
    assert {key: getattr(qr, key) for key in says} == says
    assert parse_cccd(qr.cccd, today=TODAY).agrees_with(
        birth_year=qr.birth_date.year if qr.birth_date else None, gender=qr.gender
    )


@given(st.text(max_size=300))
def test_any_text_is_a_card_or_refused_without_being_quoted(text: str) -> None:
    try:
        qr = parse_cccd_qr(text, today=TODAY)
    except InvalidQr as refused:
        address = text.split("|")[5] if text.count("|") >= 6 else ""
        if len(address.strip()) > 3:
            assert address.strip() not in refused.message
            assert address.strip() not in refused.message_en
    else:
        assert looks_like_cccd_qr(text)
        assert len(qr.cccd) == 12


@given(cards(), st.sampled_from(["name", "number", "text"]))
def test_a_name_or_a_number_is_never_taken_for_a_card(card, other: str) -> None:  # type: ignore[no-untyped-def]
    text, says = card
    assert not looks_like_cccd_qr(
        {"name": says["full_name"], "number": says["cccd"]}.get(other, text[:20])
    )
