import pytest
from hypothesis import given
from hypothesis import strategies as st

from congdanso.vn import InvalidPhone, mask_phone, normalize_phone, phone_carrier
from congdanso.vn._data import mobile_prefixes, retired_prefixes
from congdanso.vn.tests.strategies import noisy_digits, valid_mobile


@pytest.mark.parametrize(
    ("value", "number"),
    [
        ("0912345678", "0912345678"),
        ("0912 345 678", "0912345678"),
        ("0912.345.678", "0912345678"),
        ("0912-345-678", "0912345678"),
        ("(091) 234-5678", "0912345678"),
        ("+84912345678", "0912345678"),
        ("+84 912 345 678", "0912345678"),
        ("(+84) 912 345 678", "0912345678"),
        ("(+84)912345678", "0912345678"),
        ("+84 (0) 912 345 678", "0912345678"),
        ("84912345678", "0912345678"),
        ("840912345678", "0912345678"),
        ("0084912345678", "0912345678"),
        ("8401234567890", "0834567890"),  # 84, then an old 11-digit number (0123 → 083)
        ("00 84 912 345 678", "0912345678"),
        ("912345678", "0912345678"),  # leading zero lost
        (912345678, "0912345678"),
        (912345678.0, "0912345678"),
        ("912345678.0", "0912345678"),
        ("'0912345678", "0912345678"),
        ("\u00a00912345678 ", "0912345678"),
        ("9.12345678E+8", "0912345678"),
        # retired 11-digit numbers (2018 conversion)
        ("01621234567", "0321234567"),
        ("0169 123 4567", "0391234567"),
        ("1621234567", "0321234567"),  # and the leading zero lost
        (1691234567, "0391234567"),
        ("+84 162 123 4567", "0321234567"),
        ("01201234567", "0701234567"),
        ("01211234567", "0791234567"),
        ("01221234567", "0771234567"),
        ("01261234567", "0761234567"),
        ("01281234567", "0781234567"),
        ("01231234567", "0831234567"),
        ("01241234567", "0841234567"),
        ("01251234567", "0851234567"),
        ("01271234567", "0811234567"),
        ("01291234567", "0821234567"),
        ("01861234567", "0561234567"),
        ("01881234567", "0581234567"),
        ("01991234567", "0591234567"),
    ],
)
def test_accepted_forms(value: object, number: str) -> None:
    assert normalize_phone(value) == number  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "code", "shown"),
    [
        ("", "phone_empty", ""),
        ("  ", "phone_empty", ""),
        (None, "phone_empty", ""),
        ("091234567", "phone_length", "nhận được 9 chữ số"),
        ("09123456789", "phone_length", "11 chữ số"),
        ("0951234567", "phone_prefix_unknown", "Đầu số 095"),
        ("0111234567", "phone_prefix_unknown", "011"),
        ("01301234567", "phone_prefix_unknown", "Đầu số cũ 0130"),
        ("0912abc678", "phone_not_digits", "'a'"),
        ("ĐT: 0912345678", "phone_not_digits", "0912345678"),
        ("0912345678 / 0987654321", "phone_multiple", "0987654321"),
        ("0912345678; 0987654321", "phone_multiple", ""),
        ("0912345678 hoặc 0987654321", "phone_multiple", ""),
        ("912345678 / 987654321", "phone_multiple", ""),  # nine digits each: two numbers
        ("+0084912345678", "phone_foreign", ""),  # after a +, 00 is no exit code
        ("12345678", "phone_length", "nhận được 8 chữ số"),  # no zero put back: 8 digits
        ("+1 555 123 4567", "phone_foreign", "+1 555"),
        ("0033 1 23 45 67 89", "phone_foreign", ""),
        ("02623852123", "phone_not_mobile", "cố định"),
        ("+84 262 3852 123", "phone_not_mobile", "02623852123"),
        ("2623852123", "phone_not_mobile", "02623852123"),
        ("1900 1234", "phone_not_mobile", "1800/1900"),
        ("18001091", "phone_not_mobile", ""),
        ("9.12346E+8", "phone_scientific", "9.12346E+8"),
        (True, "phone_type", "bool"),
        (912345678.5, "phone_type", "float"),
        (["0912345678"], "phone_type", "list"),
    ],
)
def test_refused(value: object, code: str, shown: str) -> None:
    with pytest.raises(InvalidPhone) as caught:
        normalize_phone(value)  # type: ignore[arg-type]
    assert caught.value.code == code
    assert shown in caught.value.message
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    ("number", "carrier"),
    [
        ("0321234567", "Viettel"),
        ("0981234567", "Viettel"),
        ("0912345678", "VinaPhone"),
        ("0881234567", "VinaPhone"),
        ("0901234567", "MobiFone"),
        ("0701234567", "MobiFone"),
        ("0921234567", "Vietnamobile"),
        ("0591234567", "Gmobile"),
        ("0871234567", "Itelecom"),
        ("0551234567", "Reddi"),
        ("0951234567", None),
        ("+84 98 123 4567", "Viettel"),
        ("01621234567", "Viettel"),
        ("not a phone", None),
    ],
)
def test_phone_carrier(number: str, carrier: str | None) -> None:
    assert phone_carrier(number) == carrier


def test_carrier_brands_are_short_names() -> None:
    assert set(mobile_prefixes().values()) == {
        "Viettel",
        "VinaPhone",
        "MobiFone",
        "Vietnamobile",
        "Gmobile",
        "Itelecom",
        "Reddi",
    }


def test_every_retired_prefix_converts_to_an_assigned_one() -> None:
    retired = retired_prefixes()
    assert len(retired) == 21
    for old, new in retired.items():
        assert normalize_phone(old + "1234567") == new + "1234567"
        assert phone_carrier(new + "1234567") is not None


def test_mask_phone() -> None:
    assert mask_phone("0912345678") == "09******78"
    assert mask_phone("123") == "***"
    assert mask_phone("") == ""


@given(valid_mobile(), st.data())
def test_any_formatting_noise_around_a_valid_number(number: str, data: st.DataObject) -> None:
    national = data.draw(noisy_digits(number))
    international = data.draw(noisy_digits(number[1:]))
    country = data.draw(st.sampled_from(["+84", "+84 ", "(+84) ", "0084", "84", "+84 (0)"]))
    assert normalize_phone(national) == number
    assert normalize_phone(country + international.strip()) == number
    assert normalize_phone(int(number)) == number  # the leading zero lost to Excel
    assert normalize_phone(float(number)) == number


@given(valid_mobile())
def test_normalize_phone_is_idempotent(number: str) -> None:
    once = normalize_phone(number)
    assert normalize_phone(once) == once
    assert phone_carrier(once) is not None
    assert mask_phone(once) == once[:2] + "******" + once[-2:]


@given(st.text(max_size=25))
def test_never_raises_anything_but_invalid_phone(text: str) -> None:
    try:
        result = normalize_phone(text)
    except InvalidPhone:
        return
    assert len(result) == 10
    assert result.isdigit()


@pytest.mark.parametrize(
    ("value", "code", "message", "message_en"),
    [
        ("  ", "phone_empty", "Số điện thoại đang để trống", "The phone number is empty"),
        (
            True,
            "phone_type",
            "Số điện thoại phải là một dãy chữ số, nhận được giá trị kiểu bool: True",
            "A phone number must be a string of digits, got a value of type bool: True",
        ),
        (
            "0912345678 / 0987654321",
            "phone_multiple",
            "Ô này có nhiều số điện thoại, chỉ được ghi một số: 0912345678 / 0987654321",
            "The cell holds several phone numbers, only one is allowed: 0912345678 / 0987654321",
        ),
        (
            "9.12346E+8",
            "phone_scientific",
            "Số điện thoại bị Excel ghi ở dạng số mũ và đã mất chữ số: 9.12346E+8; hãy định "
            "dạng cột là Văn bản (Text) rồi nhập lại số",
            "The phone number is in scientific notation and lost digits: 9.12346E+8; format "
            "the column as Text and type the number again",
        ),
        (
            "0912abc678",
            "phone_not_digits",
            "Số điện thoại chỉ được gồm chữ số (có thể kèm +84, dấu cách, chấm, gạch ngang), "
            "nhưng có ký tự khác ('a', 'b', 'c'): 0912abc678",
            "A phone number may only hold digits (with +84, spaces, dots, dashes), but it has "
            "'a', 'b', 'c': 0912abc678",
        ),
        (
            "+1 555 123 4567",
            "phone_foreign",
            "Số điện thoại có mã quốc gia khác Việt Nam (+84): +1 555 123 4567",
            "The phone number has a country code other than Viet Nam's (+84): +1 555 123 4567",
        ),
        (
            "02623852123",
            "phone_not_mobile",
            "Số 02623852123 là số cố định (bắt đầu bằng 02), chỉ nhận số di động: 02623852123",
            "02623852123 is a landline number (starts with 02); only mobile numbers are "
            "accepted: 02623852123",
        ),
        (
            "1900 1234",
            "phone_not_mobile",
            "Số 19001234 là số tổng đài dịch vụ (1800/1900), không phải số di động",
            "19001234 is a service number (1800/1900), not a mobile number",
        ),
        (
            "091234567",
            "phone_length",
            "Số điện thoại di động phải có 10 chữ số (dạng 0xxxxxxxxx), nhận được 9 chữ số: "
            "091234567",
            "A mobile number has 10 digits (0xxxxxxxxx), got 9: 091234567",
        ),
        (
            "0951234567",
            "phone_prefix_unknown",
            "Đầu số 095 không phải đầu số di động đã cấp ở Việt Nam: 0951234567",
            "095 is not an assigned Vietnamese mobile prefix: 0951234567",
        ),
        (
            "01301234567",
            "phone_prefix_unknown",
            "Đầu số cũ 0130 (số 11 chữ số) không có trong bảng chuyển đổi đầu số năm 2018: "
            "01301234567",
            "The old 11-digit prefix 0130 is not in the 2018 conversion table: 01301234567",
        ),
    ],
)
def test_each_refusal_says_why_in_both_languages_and_keeps_the_value(
    value: object, code: str, message: str, message_en: str
) -> None:
    with pytest.raises(InvalidPhone) as caught:
        normalize_phone(value)  # type: ignore[arg-type]

    error = caught.value
    assert (error.code, error.message, error.message_en) == (code, message, message_en)
    assert error.value is value


@pytest.mark.parametrize(
    ("number", "masked"),
    [("1234", "****"), ("12345", "12*45"), ("012345678901", "01********01")],
)
def test_mask_phone_shows_two_digits_each_side_of_five_or_more(number: str, masked: str) -> None:
    assert mask_phone(number) == masked
