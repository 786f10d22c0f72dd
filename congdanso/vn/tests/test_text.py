import unicodedata

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from congdanso.vn import clean_name, clean_text, fold, title_case
from congdanso.vn.tests.strategies import (
    NOISY_SPACE,
    VN_ALPHABET,
    any_vietnamese_letters,
    names,
)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Nguyễn Thị Hoà", "nguyen thi hoa"),
        ("NGUYEN THI HOA", "nguyen thi hoa"),
        ("Nguyễn Thị Hòa", "nguyen thi hoa"),
        (unicodedata.normalize("NFD", "Nguyễn Thị Hoà"), "nguyen thi hoa"),
        ("Y Bhiăo Ayun", "y bhiao ayun"),
        ("H'Nga Niê", "h'nga nie"),
        ("H\u2019Nga Niê", "h'nga nie"),
        ("H\u2018Nga", "h'nga"),
        ("H`Nga", "h'nga"),
        ("Đắk\u00a0Lắk\t\n", "dak lak"),
        ("  Trần   Văn\u2003Bình  ", "tran van binh"),
        ("ĐÀO ĐỨC", "dao duc"),
        ("Ðinh", "dinh"),  # eth typed for Đ
        ("Kư\u0306 Niê", "ku nie"),
        ("Bô\u0306 Ŏk Mŏ Kŭ Nĕ Bĭ", "bo ok mo ku ne bi"),
        ("Lê\u200bVăn\ufeff", "levan"),
        ("Trần-Lê", "tran-le"),
        ("", ""),
        ("   ", ""),
        ("123 Abc", "123 abc"),
    ],
)
def test_fold(text: str, key: str) -> None:
    assert fold(text) == key


@given(st.text())
def test_fold_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)


@given(st.text())
def test_fold_ignores_normalisation_form(text: str) -> None:
    nfc, nfd = unicodedata.normalize("NFC", text), unicodedata.normalize("NFD", text)
    assert fold(nfc) == fold(nfd) == fold(text)


@given(any_vietnamese_letters())
def test_fold_of_vietnamese_is_ascii_lowercase_and_case_blind(text: str) -> None:
    key = fold(text)
    assert key.isascii()
    assert key == key.lower()
    assert fold(text.upper()) == fold(text.lower()) == key


@given(st.text())
def test_fold_has_single_spaces_only(text: str) -> None:
    key = fold(text)
    assert key == key.strip()
    assert "  " not in key
    assert not any(ch.isspace() and ch != " " for ch in key)


@pytest.mark.parametrize(
    ("text", "cleaned"),
    [
        ("TRẦN THỊ BÌNH", "Trần Thị Bình"),
        ("nguyễn văn an", "Nguyễn Văn An"),
        ("H'NGA NIÊ", "H'Nga Niê"),
        ("h'nga niê", "H'Nga Niê"),
        ("H\u2019NGA NIÊ", "H\u2019Nga Niê"),
        ("Y'SƠN", "Y'Sơn"),
        ("Y BHIĂO AYUN", "Y Bhiăo Ayun"),
        ("Nguyễn Thị Hoà", "Nguyễn Thị Hoà"),
        ("Nguyễn Thị Hòa", "Nguyễn Thị Hòa"),
        ("NGUYỄN THỊ HOÀ", "Nguyễn Thị Hoà"),
        ("nGUYỄN", "nGUYỄN"),  # mixed case: kept as typed
        ("  Lê\u00a0\u00a0Văn\t An\u200b ", "Lê Văn An"),
        ("\ufeffĐỗ Thị Ánh", "Đỗ Thị Ánh"),
        ("TRẦN-LÊ THỊ MAI", "Trần-Lê Thị Mai"),
        ("BÔ\u0306 KSƠR", "Bô\u0306 Ksơr"),
        ("ê\u0306a", "Ê\u0306a"),
        ("KĔ ĂN", "Kĕ Ăn"),
        ("ÐINH VĂN AN", "Đinh Văn An"),
        (unicodedata.normalize("NFD", "TRẦN THỊ BÌNH"), "Trần Thị Bình"),
        ("", ""),
        ("   ", ""),
        ("A", "A"),
        ("y", "Y"),
    ],
)
def test_clean_name(text: str, cleaned: str) -> None:
    assert clean_name(text) == cleaned
    assert unicodedata.is_normalized("NFC", clean_name(text))


def test_clean_name_keeps_the_breve_on_its_letter() -> None:
    cleaned = clean_name("kư\u0306 niê")
    assert cleaned == "Kư\u0306 Niê"
    assert cleaned[1:3] == "ư\u0306"


@given(names())
def test_clean_name_is_idempotent(name: str) -> None:
    assert clean_name(clean_name(name)) == clean_name(name)


@given(names(), NOISY_SPACE, NOISY_SPACE)
def test_clean_name_trims_and_keeps_the_fold_key(name: str, before: str, after: str) -> None:
    cleaned = clean_name(before + name + after)
    assert cleaned == clean_name(name)
    assert cleaned == cleaned.strip()
    assert "  " not in cleaned
    assert fold(cleaned) == fold(name)


@given(names())
def test_clean_name_titles_all_caps_and_lowercase_alike(name: str) -> None:
    assert clean_name(name.upper()) == clean_name(name.lower())


def test_clean_text_keeps_case() -> None:
    assert clean_text("  THÔN \u00a0TÂN\u200b LẬP ") == "THÔN TÂN LẬP"


def test_title_case() -> None:
    assert title_case("đỗ thị ánh") == "Đỗ Thị Ánh"
    assert title_case("H'BIA") == "H'Bia"


def _title_part(part: str) -> str:
    part = part[:1].upper() + part[1:]
    if len(part) > 2 and part[0].isalpha() and part[1] in "'\u2019\u02bc" and part[2].isalpha():
        part = part[:2] + part[2].upper() + part[3:]  # H'Nga, Y'Sơn
    return part


def _title_word_by_word(text: str) -> str:
    return " ".join(
        "-".join(_title_part(part) for part in word.split("-")) for word in text.lower().split(" ")
    )


@given(st.text(alphabet=VN_ALPHABET + " -", max_size=30))
def test_title_case_fast_path_equals_word_by_word(text: str) -> None:
    assert title_case(text) == _title_word_by_word(text)


@given(st.text(alphabet=VN_ALPHABET + "ı -'\u2019\u02bc\u02bb`\u0306\u0323019", max_size=30))
@example("h'bia  ksơr")  # two spaces kept
@example("y'sơn-h\u2019nga 2")
@example("H\u02bcBIA\tNIÊ")  # a tab is not a word break
@example("kư\u0306 niê-ê\u0306a")
@example("yıldız")  # dotless ı stays ı: no round trip through upper case
@example("aaʼa")  # a modifier-letter apostrophe after two letters: no capital after it
def test_title_case_equals_word_by_word(text: str) -> None:
    """Any text, fast path or not: each word and each hyphen part capitalised, the letter after
    a one-letter initial and an apostrophe too, nothing else changed but to lower case."""
    assert title_case(text) == _title_word_by_word(text)


def test_a_backtick_folds_to_an_apostrophe_beside_a_mark() -> None:
    # Found by the idempotence property: "`á" folded to "`a", which folds again to "'a".
    assert fold("`á") == fold("`a") == "'a"
