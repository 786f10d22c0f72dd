import pytest
from hypothesis import given

from congdanso.vn.syllables import is_plausible_word, is_syllable
from congdanso.vn.tests.strategies import syllables

VALID = (
    "Nguyễn",
    "Thị",
    "Hoà",
    "Hòa",
    "Trần",
    "Văn",
    "Bình",
    "Buôn",
    "Đắk",
    "Lắk",
    "Yông",
    "Krông",
    "Pắc",
    "Hồ",
    "Chí",
    "Ngày",
    "sinh",
    "Họ",
    "và",
    "tên",
    "Số",
    "điện",
    "thoại",
    "Huỳnh",
    "Quách",
    "Khổng",
    "Âu",
    "Dương",
    "Thuỷ",
    "Thúy",
    "Khoẻ",
    "Khỏe",
    "Quý",
    "Giang",
    "Nguyệt",
    "Khuê",
    "Quỳnh",
    "Uyên",
    "Yến",
    "Oanh",
    "Hưng",
    "Phước",
    "Trường",
    "Hậu",
    "Triệu",
    "Kiều",
    "Lại",
    "Thái",
    "Sỹ",
    "Diệp",
    "giữa",
    "già",
    "gìn",
    "quá",
    "quốc",
    "Niê",
    "người",
    "khuya",
    "ngoài",
    "xoong",
    "São",
)
INVALID = (
    "Nguyeãn",
    "Traàn",
    "naùve",
    "Mỹller",
    "Cafộ",
    "Hoaø",
    "Caù",
    "Nguyeón",
    "ủieọn",
    "aú",
    "Ghamah",
    "Êban",
    "Bhiăo",
    "Voõ",
    "qoa",  # after q only u joins the initial (qua)
    "hioa",  # i joins only gi's initial
    "gôa",  # and after g, only an i does (gìn), not ô
)


@pytest.mark.parametrize("word", VALID)
def test_valid_syllables(word: str) -> None:
    assert is_syllable(word)
    assert is_syllable(word.upper())


@pytest.mark.parametrize("word", INVALID)
def test_invalid_syllables(word: str) -> None:
    assert not is_syllable(word)


@pytest.mark.parametrize(
    ("word", "plausible"),
    [("Êban", True), ("Bhiăo", True), ("Ksơr", True), ("naùve", False), ("Müller", False)],
)
def test_plausible_words(word: str, plausible: bool) -> None:
    assert is_plausible_word(word) is plausible


@given(syllables())
def test_generated_syllables_are_plausible_words(word: str) -> None:
    assert is_plausible_word(word)
