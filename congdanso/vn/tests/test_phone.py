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
