import contextlib
import dataclasses
import pickle
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from congdanso.vn import Cccd, InvalidCccd, VnValueError, parse_cccd, province_name
from congdanso.vn._data import province_names
from congdanso.vn.tests.strategies import TODAY, noisy_digits, valid_cccd


def parse(value: object) -> Cccd:
    return parse_cccd(value, today=TODAY)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "number"),
    [
        ("066190012345", "066190012345"),
        ("066 190 012 345", "066190012345"),
        ("066.190.012.345", "066190012345"),
        ("066-190-012-345", "066190012345"),
        ("'066190012345", "066190012345"),  # Excel's text marker
        ("  066190012345\u00a0", "066190012345"),
        (66190012345, "066190012345"),  # int: Excel dropped the leading zero
        (66190012345.0, "066190012345"),
        ("66190012345", "066190012345"),
        ("66190012345.0", "066190012345"),
        ("6.61900123450E+10", "066190012345"),  # scientific, no digit lost
        (1190012345, "001190012345"),  # Hà Nội 001 loses two zeros
        ("1190012345", "001190012345"),
        ("999190012345", "999190012345"),  # code outside the list: fine
        ("001.190.012.000", "001190012000"),  # a group of zeros is not a float's ".0"
        ("’066190012345", "066190012345"),
    ],
)
def test_accepted_forms(value: object, number: str) -> None:
    assert parse(value).number == number


def test_fields() -> None:
    cccd = parse("066190012345")
    assert cccd == Cccd("066190012345")
    assert (cccd.province_code, cccd.province_name, cccd.gender) == ("066", "Đắk Lắk", "F")
    assert (cccd.birth_century, cccd.birth_year_2d, cccd.birth_year) == (1900, 90, 1990)
    assert cccd.masked() == "066******345"
    assert str(cccd) == "066190012345"
    assert "190012" not in repr(cccd)  # personal data stays out of logs
    with pytest.raises(dataclasses.FrozenInstanceError):
        cccd.number = "x"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("digit", "gender", "century"),
    [("0", "M", 1900), ("1", "F", 1900), ("2", "M", 2000), ("3", "F", 2000)],
)
def test_gender_and_century_digit(digit: str, gender: str, century: int) -> None:
    cccd = parse(f"001{digit}05123456")
    assert (cccd.gender, cccd.birth_century, cccd.birth_year) == (gender, century, century + 5)
    assert cccd.province_name == "Hà Nội"


@pytest.mark.parametrize(
    ("value", "code", "shown"),
    [
        ("", "cccd_empty", ""),
        ("   ", "cccd_empty", ""),
        (None, "cccd_empty", ""),
        ("0661234567", "cccd_length", "nhận được 10 chữ số: 0661234567"),
        ("06619001234", "cccd_length", "nhận được 11 chữ số"),  # 0+"06" is not a province
        ("0661900123456", "cccd_length", "13 chữ số"),
        ("123456789", "cccd_old_cmnd", "CMND"),
        ("06619001234O", "cccd_not_digits", "'O'"),
        ("066l90012345", "cccd_not_digits", "'l'"),
        ("6.61235E+10", "cccd_scientific", "6.61235E+10"),
        (True, "cccd_type", "bool"),
        (66190012345.5, "cccd_type", "float"),
        (-66190012345, "cccd_type", "int"),
        ("066390012345", "cccd_future_birth_year", "năm sinh 2090"),
        ("066490012345", "cccd_future_birth_year", "năm sinh 2190"),
        ("066926012345", "cccd_future_birth_year", "2326"),
    ],
)
def test_refused(value: object, code: str, shown: str) -> None:
    with pytest.raises(InvalidCccd) as caught:
        parse(value)
    error = caught.value
    assert error.code == code
    assert isinstance(error, VnValueError)
    assert isinstance(error, ValueError)
    assert shown in error.message
    assert str(error) == error.message
    assert error.message_en


def test_spec_message() -> None:
    with pytest.raises(InvalidCccd) as caught:
        parse("0661234567")
    assert str(caught.value) == "Số CCCD phải có đúng 12 chữ số, nhận được 10 chữ số: 0661234567"


def test_future_birth_year_depends_on_today() -> None:
    assert parse_cccd("066225012345", today=date(2025, 1, 1)).birth_year == 2025
    with pytest.raises(InvalidCccd, match="2025"):
        parse_cccd("066225012345", today=date(2024, 12, 31))
    assert parse_cccd("066200012345").birth_year == 2000  # default today: Vietnam's date


def test_agrees_with() -> None:
    cccd = parse("066190012345")  # female, 1990
    assert cccd.agrees_with()
    assert cccd.agrees_with(birth_year=1990, gender="F")
    assert cccd.agrees_with(gender="Nữ")
    assert not cccd.agrees_with(birth_year=1991)
    assert not cccd.agrees_with(gender="M")
    assert not cccd.agrees_with(birth_year=1990, gender="Nam")
    assert cccd.agrees_with(birth_year=None, gender=None)


def test_province_list() -> None:
    names = province_names()
    assert len(names) == 63
    assert names["066"] == "Đắk Lắk"
    assert names["096"] == "Cà Mau"
    assert province_name("001") == "Hà Nội"
    assert province_name("003") is None


def test_error_pickles() -> None:
    with pytest.raises(InvalidCccd) as caught:
        parse("123")
    copy = pickle.loads(pickle.dumps(caught.value))  # noqa: S301 - our own object
    assert (type(copy), copy.code, str(copy)) == (InvalidCccd, "cccd_length", str(caught.value))


@given(valid_cccd(), st.data())
def test_any_valid_number_with_noise_is_accepted(number: str, data: st.DataObject) -> None:
    noisy = data.draw(noisy_digits(number))
    prefix = data.draw(st.sampled_from(["", "'"]))
    cccd = parse(prefix + noisy.lstrip() if prefix else noisy)
    assert cccd.number == number
    assert cccd.province_code == number[:3]
    assert cccd.birth_year <= TODAY.year
    assert cccd.gender in ("M", "F")
    assert cccd.masked() == number[:3] + "******" + number[-3:]


@given(valid_cccd())
def test_numbers_that_lost_leading_zeros_are_restored(number: str) -> None:
    if number[:3] in province_names():
        assert parse(int(number)).number == number
        assert parse(float(int(number))).number == number


@given(st.text(alphabet="0123456789", min_size=1, max_size=20))
def test_wrong_lengths_are_refused(digits: str) -> None:
    restorable = (
        len(digits) in (10, 11) and digits[0] != "0" and digits.zfill(12)[:3] in province_names()
    )
    if len(digits) == 12 or restorable:
        return
    with pytest.raises(InvalidCccd) as caught:
        parse(digits)
    assert caught.value.code == ("cccd_old_cmnd" if len(digits) == 9 else "cccd_length")
    assert str(len(digits)) in caught.value.message


@given(st.text(min_size=1, max_size=20))
def test_never_raises_anything_but_invalid_cccd(text: str) -> None:
    with contextlib.suppress(InvalidCccd):
        parse(text)


@pytest.mark.parametrize(
    ("value", "code", "message", "message_en"),
    [
        ("  ", "cccd_empty", "Số CCCD đang để trống", "The CCCD number is empty"),
        (
            "0661900O2345",
            "cccd_not_digits",
            "Số CCCD chỉ được gồm chữ số, nhưng có ký tự khác ('O'): 0661900O2345",
            "A CCCD number may only hold digits, but it has 'O': 0661900O2345",
        ),
        (
            "6.61900E+10",
            "cccd_scientific",
            "Số CCCD bị Excel ghi ở dạng số mũ và đã mất chữ số: 6.61900E+10; hãy định dạng cột "
            "là Văn bản (Text) rồi nhập lại số",
            "The CCCD number is in scientific notation and lost digits: 6.61900E+10; format the "
            "column as Text and type the number again",
        ),
        (
            " 0661 9001 234 ",
            "cccd_length",
            "Số CCCD phải có đúng 12 chữ số, nhận được 11 chữ số: 06619001234",
            "A CCCD number has exactly 12 digits, got 11: 06619001234",
        ),
        (
            "241234567",
            "cccd_old_cmnd",
            "Số CCCD phải có đúng 12 chữ số, nhận được 9 chữ số (có thể là số CMND cũ): 241234567",
            "A CCCD number has exactly 12 digits, got 9 (perhaps an old CMND number): 241234567",
        ),
        (
            "066390012345",
            "cccd_future_birth_year",
            "Số CCCD cho năm sinh 2090 (chữ số thứ 4 là 3, chữ số thứ 5–6 là 90), là năm chưa tới "
            "(năm nay là 2025): 066390012345",
            "The CCCD number gives birth year 2090 (4th digit 3, 5th–6th 90), which is after "
            "2025: 066390012345",
        ),
        (
            [1],
            "cccd_type",
            "Số CCCD phải là một dãy chữ số, nhận được giá trị kiểu list: [1]",
            "A CCCD number must be a string of digits, got a value of type list: [1]",
        ),
    ],
)
def test_each_refusal_says_why_in_both_languages_and_keeps_the_value(
    value: object, code: str, message: str, message_en: str
) -> None:
    with pytest.raises(InvalidCccd) as caught:
        parse_cccd(value, today=TODAY)

    error = caught.value
    assert (error.code, error.message, error.message_en) == (code, message, message_en)
    assert error.value is value
