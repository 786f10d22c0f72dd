"""The digits of an identifier cell (`congdanso.vn._numbers`), behind parse_cccd and
normalize_phone: from a table of cases, at the edges each rule has."""

import pytest

from congdanso.vn._numbers import Scientific, number_digits, number_text, scientific_digits


@pytest.mark.parametrize(
    ("value", "digits"),
    [
        (0, "0"),
        (0.0, "0"),
        (66190012345, "66190012345"),
        (66190012345.0, "66190012345"),
        (-1, None),
        (-1.0, None),
        (1.5, None),
        (float("inf"), None),
        (True, None),
        ("1", None),
    ],
)
def test_number_digits(value: object, digits: str | None) -> None:
    assert number_digits(value) == digits


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        ("6.6190012345E+10", "66190012345"),
        ("6,6190012345E+10", "66190012345"),  # a decimal comma
        ("0E0", "0"),
        ("1.2E1", "12"),  # as many places as the exponent: nothing lost
        ("12345", None),  # not scientific
    ],
)
def test_scientific_digits(text: str, digits: str | None) -> None:
    assert scientific_digits(text) == digits


@pytest.mark.parametrize("text", ["6.61900E+10", "1.2E2", "-1E0"])
def test_scientific_notation_that_may_have_lost_digits_is_refused(text: str) -> None:
    # 1.2E2 is 120 only if the third digit was a zero: Excel may have rounded it away.
    with pytest.raises(Scientific) as caught:
        scientific_digits(text)
    assert str(caught.value) == text


@pytest.mark.parametrize(
    ("text", "cleaned"),
    [
        ("' 123.0", "123"),  # Excel's text marker, then a float's .0
        ("66190012345,0", "66190012345"),
        ("6.6190012345e+10", "66190012345"),  # a small e
        ("6.6190012345 E+10", "66190012345"),
        ("0661 900.123-45", "066190012345"),
        ("(+84) 912 345 678", "+84912345678"),
        ("+\u200b84912345678", "+84912345678"),  # a zero-width space pasted after the plus
        ("0912\u2013345\u2013678", "0912345678"),  # en dashes
    ],
)
def test_number_text(text: str, cleaned: str) -> None:
    assert number_text(text) == cleaned
