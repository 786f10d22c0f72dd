"""How a refused value is put into a message: `show` and `show_other_chars`."""

import pytest

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
