import itertools
import random
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from congdanso.vn import fold, name_sort_key
from congdanso.vn.tests.strategies import names, vietnamese_texts

#: Names in the order of an official list: given name, then middle name(s), then surname;
#: Vietnamese letter order (a ă â … d đ … o ô ơ … u ư), tones second (a à ả ã á ạ).
OFFICIAL_ORDER = [
    "Nguyễn Văn An",
    "Trần Thị Án",  # same letters as An: the tone decides (sắc after unmarked)
    "Lê Thị Anh",  # "an" before "anh" whatever the tones
    "Trần Thị Ánh",
    "Vũ Thị Ân",  # ă, â after a
    "Lê Văn Bình",
    "Phạm Thị Chi",
    "Đinh Văn Chí",
    "Đào Thị Dung",  # same given and middle name: the surname, Đào (a) before Đặng (ă)
    "Đặng Thị Dung",
    "Lý Văn Dung",  # middle name Thị before Văn
    "Hồ Dũng",  # no middle name: before any middle name
    "Nguyễn Văn Dũng",
    "Phạm Minh Đức",  # đ after every d
    "Lê Thị Ma",
    "Lê Thị Mà",
    "Lê Thị Mả",
    "Lê Thị Mã",
    "Lê Thị Má",
    "Lê Thị Mạ",
    "Lê Thị Mai",
    "Bùi Thị Nga",
    "Bùi Thị Ngà",
    "Hà Văn Ngọc",
    "Tô Văn Ngôn",  # o before ô before ơ
    "Tô Văn Ngơn",
    "Nguyễn Hữu Thắng",
    "Nguyễn Văn Thắng",
    "Trần Thị Thu",
    "Trần Thị Thư",  # u before ư
    "Hoàng Thị Yến",
]


def test_names_sort_in_the_order_of_an_official_list() -> None:
    shuffled = OFFICIAL_ORDER[:]
    random.Random(16).shuffle(shuffled)
    assert sorted(shuffled, key=name_sort_key) == OFFICIAL_ORDER


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Đào Văn An", "Đặng Văn An"),
        ("Nguyễn Văn Dung", "Nguyễn Văn Đức"),
        ("Trần Văn Dung", "Nguyễn Văn Dũng"),  # the given name first, surname last
        ("Nguyễn An", "Nguyễn Văn An"),
        ("An", "Trần An"),  # a one-word name before the same given name with a surname
        ("Nguyễn Văn Hoa", "Nguyễn Văn Hòa"),
        ("Phan Tuấn Anh", "Phan Văn Anh"),
    ],
)
def test_pairs_in_order(first: str, second: str) -> None:
    assert name_sort_key(first) < name_sort_key(second)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Nguyễn Thị Hoà", "Nguyễn Thị Hòa"),  # old and new tone placement
        ("NGUYỄN THỊ HOÀ", "nguyễn thị hoà"),
        ("  Trần   Văn\u00a0Bình ", "Trần Văn Bình"),
        ("Lê\u200b Văn An", "Lê Văn An"),
        ("Ðặng Văn An", "Đặng Văn An"),  # eth typed for Đ
        (unicodedata.normalize("NFD", "Đặng Thị Ưng"), "Đặng Thị Ưng"),
    ],
)
def test_the_same_name_written_differently_has_the_same_key(one: str, other: str) -> None:
    assert name_sort_key(one) == name_sort_key(other)


def test_an_empty_name_sorts_first() -> None:
    assert name_sort_key("") == name_sort_key("   ")
    assert name_sort_key("") < name_sort_key("A")


@given(names())
def test_the_key_ignores_the_normal_form(name: str) -> None:
    assert name_sort_key(unicodedata.normalize("NFD", name)) == name_sort_key(name)
    assert name_sort_key(unicodedata.normalize("NFC", name)) == name_sort_key(name)


@given(st.one_of(names(), vietnamese_texts()))
def test_the_key_ignores_case(name: str) -> None:
    assert name_sort_key(name.upper()) == name_sort_key(name) == name_sort_key(name.lower())


@given(st.lists(st.one_of(names(), vietnamese_texts()), min_size=2, max_size=12))
def test_the_order_is_total(people: list[str]) -> None:
    keys = [name_sort_key(p) for p in people]
    for a in keys:
        for b in keys:
            assert (a < b) + (a == b) + (a > b) == 1  # comparable, exactly one holds
            for c in keys:
                if a <= b <= c:
                    assert a <= c  # transitive
    ordered = sorted(people, key=name_sort_key)
    assert all(name_sort_key(a) <= name_sort_key(b) for a, b in itertools.pairwise(ordered))


@given(names(), names())
def test_names_with_the_same_key_have_the_same_letters(one: str, other: str) -> None:
    if name_sort_key(one) == name_sort_key(other):
        assert fold(one) == fold(other)


@given(
    vietnamese_texts(min_words=1, max_words=1),
    vietnamese_texts(min_words=1, max_words=1),
    vietnamese_texts(min_words=1, max_words=1),
    vietnamese_texts(min_words=1, max_words=1),
)
def test_the_given_name_decides_before_the_surname(
    surname: str, other_surname: str, given_name: str, other_given_name: str
) -> None:
    one, other = f"{surname} Văn {given_name}", f"{other_surname} Văn {other_given_name}"
    if name_sort_key(given_name) != name_sort_key(other_given_name):
        assert (name_sort_key(one) < name_sort_key(other)) == (
            name_sort_key(given_name) < name_sort_key(other_given_name)
        )
