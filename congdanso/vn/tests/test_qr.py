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
        ("X066190012345||Nguyễn Thị Hoà|12041990|Nữ|x|01072021", "qr_not_cccd"),  # only a BOM goes
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


_NOT_A_CARD = (
    "Đây không phải mã QR của thẻ căn cước (CCCD): mã trên thẻ bắt đầu bằng 12 chữ số và có ít "
    "nhất 7 mục ngăn bởi dấu |. Hãy quét lại mã ở mặt trước của thẻ.",
    "This is not the QR code of a citizen identity card: a card's code starts with 12 digits "
    "and has at least 7 fields separated by |. Scan the code on the card's front.",
)


@pytest.mark.parametrize(
    ("text", "code", "message", "message_en"),
    [
        (66190012345, "qr_type", "Mã QR phải là văn bản.", "A QR code's content must be text."),
        ("", "qr_empty", "Mã QR trống.", "The QR code is empty."),
        ("https://dichvucong.gov.vn", "qr_not_cccd", *_NOT_A_CARD),
        (
            "066390012345||Nguyễn Thị Hoà|12042090|Nữ|x|01072021",
            "qr_cccd",
            "Số CCCD trong mã QR không hợp lệ: Số CCCD cho năm sinh 2090 (chữ số thứ 4 là 3, chữ "
            "số thứ 5–6 là 90), là năm chưa tới (năm nay là 2025): 066390012345",
            "The CCCD number in the QR code is not valid: The CCCD number gives birth year 2090 "
            "(4th digit 3, 5th–6th 90), which is after 2025: 066390012345",
        ),
        (
            "066190012345|12345|Nguyễn Thị Hoà|12041990|Nữ|x|01072021",
            "qr_old_id",
            "Số CMND cũ trong mã QR không phải 9 chữ số.",
            "The old CMND number in the QR code is not 9 digits.",
        ),
        (
            "066190012345||  |12041990|Nữ|x|01072021",
            "qr_name",
            "Mã QR không có họ và tên.",
            "The QR code holds no full name.",
        ),
        (
            "066190012345||Nguyễn Thị Hoà|31021990|Nữ|x|01072021",
            "qr_birth_date",
            "Ngày sinh trong mã QR không hợp lệ: Ngày sinh không có thật: tháng 2 năm 1990 không "
            "có ngày 31: 31021990",
            "The birth date in the QR code is not valid: The birth date does not exist: 1990-02 "
            "has no day 31: 31021990",
        ),
        (
            "066190012345||Nguyễn Thị Hoà|12041990|Bê đê|x|01072021",
            "qr_gender",
            "Giới tính trong mã QR không đọc được (Bê đê): cần Nam hoặc Nữ.",
            "The sex in the QR code cannot be read (Bê đê): it should be Nam or Nữ.",
        ),
        (
            "066190012345||Nguyễn Thị Hoà|12041990||x|01072021",
            "qr_gender",
            "Mã QR không ghi giới tính (Nam hoặc Nữ).",
            "The QR code holds no sex (Nam or Nữ).",
        ),
        (
            "066199012345||Nguyễn Thị Hoà|12041990|Nữ|x|01072021",
            "qr_mismatch",
            "Số CCCD trong mã QR (066******345) không khớp với năm sinh và giới tính ghi trên thẻ: "
            "mã QR bị đọc sai hoặc không phải của thẻ này.",
            "The CCCD in the QR code (066******345) does not match the birth year and sex on the "
            "card: the code was misread or is not this card's.",
        ),
        (  # seven digits: a digit lost, not a date in the year 202
            "066190012345||Nguyễn Thị Hoà|12041990|Nữ|x|0107202",
            "qr_issue_date",
            "Mã QR có ngày cấp không đọc được (0107202): cần dạng ngàythángnăm, ví dụ 01072021.",
            "The QR code's issue date cannot be read (0107202): it should be ddmmyyyy.",
        ),
        (
            "066190012345||Nguyễn Thị Hoà|12041990|Nữ|x|01011980",
            "qr_issue_date",
            "Ngày cấp trong mã QR (01/01/1980) không thể đúng.",
            "The issue date in the QR code (01/01/1980) cannot be right.",
        ),
    ],
)
def test_each_refusal_says_why_in_both_languages(
    text: object, code: str, message: str, message_en: str
) -> None:
    with pytest.raises(InvalidQr) as refused:
        parse_cccd_qr(text, today=TODAY)

    error = refused.value
    assert (error.code, error.message, error.message_en, error.value) == (
        code,
        message,
        message_en,
        None,
    )


def test_a_card_without_a_birth_date_is_checked_on_its_sex_alone() -> None:
    qr = parse_cccd_qr("066190012345||Nguyễn Thị Hoà||Nữ|Ea Yông|01072021", today=TODAY)

    assert (qr.birth_date, qr.birth_date_precision, qr.gender) == (None, None, "F")
    with pytest.raises(InvalidQr) as refused:  # a man's number on a woman's card
        parse_cccd_qr("066090012345||Nguyễn Thị Hoà||Nữ|Ea Yông|01072021", today=TODAY)
    assert refused.value.code == "qr_mismatch"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        # a number that says born in 2026, a year after the `today` given
        ("066326012345||Nguyễn Thị Hoà||Nữ|x|", "qr_cccd"),
        # born the day after `today` (the number's year, 2025, has begun)
        ("066325012345||Nguyễn Thị Hoà|16062025|Nữ|x|", "qr_birth_date"),
        # issued the day after `today`
        ("066190012345||Nguyễn Thị Hoà|12041990|Nữ|x|16062025", "qr_issue_date"),
    ],
)
def test_the_future_is_after_the_today_given_not_after_the_clock(text: str, code: str) -> None:
    with pytest.raises(InvalidQr) as refused:
        parse_cccd_qr(text, today=TODAY)
    assert refused.value.code == code


def test_a_card_may_be_issued_on_the_birth_day_or_today() -> None:
    born = "066325012345||Nguyễn Thị Hoà|15062025|Nữ|x|15062025"
    assert parse_cccd_qr(born, today=TODAY).issued_on == TODAY
    old = "066190012345||Nguyễn Thị Hoà|12041990|Nữ|x|12041990"
    assert parse_cccd_qr(old, today=TODAY).issued_on == dt.date(1990, 4, 12)


def test_an_issue_date_in_other_digits_than_ascii_is_not_read() -> None:
    arabic_indic = "\u0660\u0661\u0660\u0667\u0662\u0660\u0662\u0661"  # ٠١٠٧٢٠٢١, 01072021
    with pytest.raises(InvalidQr) as refused:
        parse_cccd_qr(f"066190012345||Nguyễn Thị Hoà|12041990|Nữ|x|{arabic_indic}", today=TODAY)
    assert refused.value.code == "qr_issue_date"


def test_a_text_of_up_to_a_thousand_characters_is_read_after_its_byte_order_mark() -> None:
    card = "066190012345||Nguyễn Thị Hoà|12041990|Nữ|{}|01072021"
    address = "Thôn Cao Bằng " * 80
    longest = card.format(address[: 1000 - len(card.format(""))])
    assert len(longest) == 1000

    assert parse_cccd_qr("\ufeff" + longest + " ", today=TODAY).cccd == "066190012345"
    with pytest.raises(InvalidQr) as refused:
        parse_cccd_qr(longest + "x", today=TODAY)
    assert refused.value.code == "qr_not_cccd"


@pytest.mark.parametrize(
    ("text", "looks"),
    [
        (HOA, True),
        ("\ufeff" + HOA, True),  # a scanner's byte-order mark
        (" " + HOA + "\n", True),
        ("X" + HOA, False),
        (HOA.rsplit("|", 1)[0], False),  # six fields: the issue date cut off
        ("0" + HOA, False),  # thirteen digits
        (HOA[1:], False),  # eleven
        ("241234567" + HOA[12:], False),  # the old nine-digit CMND first
        ("０６６１９００１２３４５" + HOA[12:], False),  # full-width digits
    ],
)
def test_a_search_text_looks_like_a_card_only_if_it_starts_with_twelve_ascii_digits(
    text: str, looks: bool
) -> None:
    assert looks_like_cccd_qr(text) is looks
