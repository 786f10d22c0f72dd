"""How a refused value is put into a message (`show`, `show_other_chars`), and an error into a
log."""

from datetime import date

import pytest

from congdanso.vn import InvalidDate, parse_birth_date
from congdanso.vn.errors import show, show_other_chars


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("  abc ", "abc"),
        (1990.5, "1990.5"),
        ("x" * 60, "x" * 60),  # the longest shown whole
        (" " + "x" * 60 + " ", "x" * 60),  # measured after stripping
        ("x" * 61, "x" * 59 + "…"),  # cut to 60 characters with the ellipsis
        ("y" * 500, "y" * 59 + "…"),
    ],
)
def test_show_strips_and_cuts_at_sixty_characters(value: object, shown: str) -> None:
    assert show(value) == shown


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("0661 9001-2345", "' ', '-'"),
        ("abcde", "'a', 'b', 'c', 'd', 'e'"),  # five: all of them
        ("fedcba", "'a', 'b', 'c', 'd', 'e', …"),  # six: the first five, sorted, then …
        ("aab0bc", "'a', 'b', 'c'"),  # each once
    ],
)
def test_show_other_chars_names_the_first_five_non_digits(text: str, shown: str) -> None:
    assert show_other_chars(text) == shown


def test_an_error_shows_its_class_code_and_english_message_in_logs() -> None:
    with pytest.raises(InvalidDate) as caught:
        parse_birth_date("", today=date(2025, 6, 15))

    assert repr(caught.value) == "InvalidDate('date_empty', 'The birth date is empty')"
    assert str(caught.value) == "Ngày sinh đang để trống"
