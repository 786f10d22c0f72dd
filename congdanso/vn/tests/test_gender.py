import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from congdanso.vn import InvalidGender, parse_gender


@pytest.mark.parametrize(
    ("value", "gender"),
    [
        ("Nam", "M"),
        ("NAM", "M"),
        (" nam ", "M"),
        ("Nam giới", "M"),
        ("M", "M"),
        ("m", "M"),
        ("male", "M"),
        ("Male", "M"),
        ("Nữ", "F"),
        ("nữ", "F"),
        ("NỮ", "F"),
        ("Nu", "F"),
        ("nữ giới", "F"),
        ("Nữ.", "F"),
        ("F", "F"),
        ("female", "F"),
        ("N÷", "F"),  # TCVN3
        ("Nöõ", "F"),  # VNI
        ("", None),
        ("  ", None),
        (None, None),
        (float("nan"), None),
    ],
)
def test_parse_gender(value: object, gender: str | None) -> None:
    assert parse_gender(value) == gender


@pytest.mark.parametrize("value", ["x", "X", "1", "0", "Khác", "Nam/Nữ", "?"])
def test_unknown_gender(value: str) -> None:
    with pytest.raises(InvalidGender) as caught:
        parse_gender(value)
    assert caught.value.code == "gender_unknown"
    assert value.strip() in caught.value.message
    assert "Nam hoặc Nữ" in caught.value.message


@pytest.mark.parametrize("value", [1, 0, True, 2.5, ["Nam"]])
def test_gender_type(value: object) -> None:
    with pytest.raises(InvalidGender) as caught:
        parse_gender(value)
    assert caught.value.code == "gender_type"


@given(st.sampled_from(["nam", "nữ", "nu", "nam giới", "nữ giới"]), st.data())
def test_any_letter_case(word: str, data: st.DataObject) -> None:
    cased = "".join(
        ch.upper() if data.draw(st.booleans(), label=f"upper {i}") else ch
        for i, ch in enumerate(word)
    )
    assert parse_gender(cased) == ("M" if word.startswith("nam") else "F")


@given(st.text(max_size=12))
def test_never_raises_anything_but_invalid_gender(text: str) -> None:
    with contextlib.suppress(InvalidGender):
        assert parse_gender(text) in ("M", "F", None)


@pytest.mark.parametrize(
    ("value", "code", "message", "message_en"),
    [
        (
            3,
            "gender_type",
            "Giới tính phải là chữ (Nam hoặc Nữ), nhận được giá trị kiểu int: 3",
            "Gender must be text (Nam or Nữ), got a value of type int: 3",
        ),
        (
            "Bê đê",
            "gender_unknown",
            "Không hiểu giới tính: Bê đê; hãy nhập Nam hoặc Nữ",
            "Unknown gender: Bê đê; enter Nam (male) or Nữ (female)",
        ),
    ],
)
def test_each_refusal_says_why_in_both_languages_and_keeps_the_value(
    value: object, code: str, message: str, message_en: str
) -> None:
    with pytest.raises(InvalidGender) as caught:
        parse_gender(value)

    error = caught.value
    assert (error.code, error.message, error.message_en) == (code, message, message_en)
    assert error.value is value
