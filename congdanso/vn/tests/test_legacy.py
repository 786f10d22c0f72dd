import unicodedata

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from congdanso.vn import (
    clean_name,
    decode_legacy,
    detect_legacy,
    detect_legacy_encoding,
    encode_legacy,
    fix_legacy,
)
from congdanso.vn._letters import TONED_TO_BASE, VN_LETTERS
from congdanso.vn.legacy import ENCODINGS, canonical_encoding
from congdanso.vn.syllables import is_syllable
from congdanso.vn.tests.strategies import (
    EDE_EXTRA,
    NON_LATIN1_LETTERS,
    any_vietnamese_letters,
    vietnamese_texts,
)

ROUND_TRIP = [
    "Nguyễn Thị Hoà",
    "Trần Văn Bình",
    "Buôn Ghamah",
    "Thôn Tân Lập",
    "Đắk Lắk",
    "Ea Yông",
    "Krông Pắc",
    "Hồ Chí Minh",
    "Ngày sinh",
    "Họ và tên",
    "Số điện thoại",
    "Ngày, tháng, năm sinh",
    "Giới tính",
    "Y Bhiăo Ayun",
    "H'Nga Niê",
    "Y Sơn Êban",
    "Đỗ Thị Ánh",
    "NGUYỄN THỊ Ý",
    "Lê Thị Hà",
    "Hồ Văn Tâm",
    "Huỳnh Quốc Việt",
    "Thuỷ",
    "Trường Tiểu học Chu Văn An",
]
#: Cells that read as well in another way, so fix_legacy keeps them without a hint: VNI writes
#: "Hồ" as "Hoà", itself a common name; TCVN3 "Thuû" (Thuỷ) is also VNI for "Thủ".
AMBIGUOUS = {("Hồ Chí Minh", "vni"), ("Thuỷ", "tcvn3")}


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("text", ROUND_TRIP)
def test_fix_legacy_round_trips_known_text(text: str, encoding: str) -> None:
    encoded = encode_legacy(text, encoding)
    assert encoded != text
    if (text, encoding) in AMBIGUOUS:
        assert fix_legacy(encoded) == encoded  # kept: the cell alone cannot tell
    else:
        assert fix_legacy(encoded) == text
        assert detect_legacy(encoded) == encoding
    assert fix_legacy(encoded, hint=encoding) == text
    assert decode_legacy(encoded, encoding) == text


@pytest.mark.parametrize(
    ("legacy", "encoding", "text"),
    [
        # TCVN3 bytes as Excel shows them (cp1252), from the VN3 table
        ("NguyÔn ThÞ Hoµ", "tcvn3", "Nguyễn Thị Hoà"),
        ("TrÇn V¨n B×nh", "tcvn3", "Trần Văn Bình"),
        ("Hä vµ tªn", "tcvn3", "Họ và tên"),
        ("Ngµy sinh", "tcvn3", "Ngày sinh"),
        ("Sè ®iÖn tho¹i", "tcvn3", "Số điện thoại"),
        ("§¾k L¾k", "tcvn3", "Đắk Lắk"),
        ("Bu«n Ghamah", "tcvn3", "Buôn Ghamah"),
        ("Th«n T©n LËp", "tcvn3", "Thôn Tân Lập"),
        ("Giíi tÝnh", "tcvn3", "Giới tính"),
        ("N÷", "tcvn3", "Nữ"),
        ("Kr«ng P¾c", "tcvn3", "Krông Pắc"),
        ("Ng\xadêi", "tcvn3", "Người"),  # 0xAD (soft hyphen) is ư
        # VNI: base letter + mark character
        ("Nguyeãn Thò Hoaø", "vni", "Nguyễn Thị Hoà"),
        ("Traàn Vaên Bình", "vni", "Trần Văn Bình"),
        ("Hoï vaø teân", "vni", "Họ và tên"),
        ("Soá ñieän thoaïi", "vni", "Số điện thoại"),
        ("Ñaék Laék", "vni", "Đắk Lắk"),
        ("Buoân Ghamah", "vni", "Buôn Ghamah"),
        ("Ea Yoâng", "vni", "Ea Yông"),
        ("Ngöôøi", "vni", "Người"),
        ("NGUYEÃN THÒ HOAØ", "vni", "NGUYỄN THỊ HOÀ"),
    ],
)
def test_hand_written_vectors(legacy: str, encoding: str, text: str) -> None:
    assert decode_legacy(legacy, encoding) == text
    assert fix_legacy(legacy) == text
    assert encode_legacy(text, encoding) == legacy


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Nguyen Van A",
        "123/45 - abc",
        "Café",
        "naïve",
        "São Paulo",
        "Müller",
        "Jürgen Müller",
        "Crème brûlée",
        "Zürich",
        "Genève",
        "Bjørn",
        "Straße",
        "façade",
        "Noël",
        "Hôtel",
        "Señor",
        "Köln",
        "Ñandú",
        "Nguyễn Thị Hoà",
        "NGUYỄN THỊ HOÀ",
        unicodedata.normalize("NFD", "Nguyễn Thị Hoà"),
        "Võ Thành Tâm",
        "Hoà",
        "Lê",
        "Tô Hà",
        "Êban",
        "Y Kông Êban",
        "H'Nga Niê",
        "Y Bhiăo Ayun",
        "Kư\u0306 Niê",
        "Giá: 5 £",
        "© 2024",
    ],
)
def test_fix_legacy_keeps_genuine_text(text: str) -> None:
    assert fix_legacy(text) == text
    assert detect_legacy(text) is None


def test_decode_legacy_options() -> None:
    assert decode_legacy("nguyÔn thÞ hoµ", "tcvn3", uppercase=True) == "NGUYỄN THỊ HOÀ"
    assert decode_legacy(b"Ho\xb5", "TCVN3") == "Hoà"  # raw bytes read as Latin-1
    assert decode_legacy("Hoaø", "VNI-Windows") == "Hoà"
    assert decode_legacy("Hoµ", "ABC") == "Hoà"
    with pytest.raises(ValueError, match="unknown legacy encoding"):
        decode_legacy("x", "utf-8")
    with pytest.raises(ValueError, match="unknown legacy encoding"):
        encode_legacy("x", "cp1258")
    with pytest.raises(ValueError, match="unknown legacy encoding"):
        fix_legacy("Hoµ", hint="viqr")
    assert canonical_encoding("vni_win") == "vni"


@pytest.mark.parametrize(
    ("legacy", "text"),
    [
        ("§ç ThÞ ¸nh", "Đỗ Thị Ánh"),  # Title Case: the initial Á was typed as á
        ("NGUYÔN THÞ ¸NH", "NGUYỄN THỊ ÁNH"),  # .VnTimeH-style capitals
        ("¸NH µ", "ÁNH À"),
        ("nguyÔn thÞ ¸nh", "nguyễn thị ánh"),  # lower case stays lower case
        ("Hä vµ tªn", "Họ và tên"),  # a sentence is not Title Case
    ],
)
def test_tcvn3_capital_toned_vowels_are_repaired(legacy: str, text: str) -> None:
    assert decode_legacy(legacy, "tcvn3") == text


def test_encode_legacy_strict_and_lenient() -> None:
    assert encode_legacy("Ánh", "tcvn3") == "¸nh"  # TCVN3 has no capital toned vowels
    with pytest.raises(ValueError, match="no code"):
        encode_legacy("Ánh", "tcvn3", strict=True)
    assert encode_legacy("Ánh", "vni", strict=True) == "AÙnh"
    assert encode_legacy("Kŭ", "vni") == "Kŭ"  # Ede ŭ has no code: kept
    with pytest.raises(ValueError, match="no code"):
        encode_legacy("Kŭ", "vni", strict=True)
    with pytest.raises(ValueError) as caught:
        encode_legacy("Kŭ Mŏ", "vni", strict=True)
    assert str(caught.value) == "vni has no code for 'ŏŭ' in 'Kŭ Mŏ'"
    assert encode_legacy(unicodedata.normalize("NFD", "Hoà"), "tcvn3") == "Hoµ"


def test_detect_legacy_encoding_of_a_column() -> None:
    names = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Hoà", "Phạm Văn Cường"]
    vni = [encode_legacy(n, "vni") for n in names] + ["", "Nguyen Van B"]
    tcvn3 = [encode_legacy(n, "tcvn3") for n in names] + [None, 3]
    assert detect_legacy_encoding(vni) == "vni"
    assert detect_legacy_encoding(tcvn3) == "tcvn3"
    assert detect_legacy_encoding(names) is None
    assert detect_legacy_encoding(vni[:2] + tcvn3[:2]) is None  # no clear majority
    # With the column's encoding known, the ambiguous VNI cell is decoded too.
    assert fix_legacy(encode_legacy("Lê Hoà", "vni")) == "Lê Hoà"
    assert fix_legacy("Hoà Chí Minh", hint="vni") == "Hồ Chí Minh"
    # A hint never touches real Unicode text.
    assert fix_legacy("Nguyễn Thị Hoà", hint="vni") == "Nguyễn Thị Hoà"


# ------------------------------------------------------------------------------ properties


@given(any_vietnamese_letters())
def test_vni_tables_round_trip_any_vietnamese_text(text: str) -> None:
    assert decode_legacy(encode_legacy(text, "vni", strict=True), "vni") == text


@given(any_vietnamese_letters())
def test_tcvn3_tables_round_trip_lowercase_text(text: str) -> None:
    # TCVN3 has no capital toned vowels, so the exact round trip holds for lower case text.
    text = text.lower()
    assert decode_legacy(encode_legacy(text, "tcvn3", strict=True), "tcvn3") == text


@settings(max_examples=300)
@given(vietnamese_texts(), st.sampled_from(ENCODINGS))
def test_fix_legacy_decodes_or_keeps_but_never_garbles(text: str, encoding: str) -> None:
    # The one known collision: TCVN3 "oõ" (the rare loan-word nucleus of "xoong") is written
    # "oâ", VNI's strong evidence for "ô"; the far likelier VNI reading wins.
    assume(not (encoding == "tcvn3" and "oõ" in text.lower()))
    encoded = encode_legacy(text, encoding)
    decoded = decode_legacy(encoded, encoding)
    # Without a hint the cell is decoded with the right encoding or (if it also reads as
    # genuine Vietnamese) kept; never decoded with the wrong one.
    assert fix_legacy(encoded) in (decoded, encoded)
    # With the column's encoding as a hint it is always decoded.
    assert fix_legacy(encoded, hint=encoding) == decoded
    # Names are compared after clean_name, which TCVN3's lost capitals cannot change.
    assert clean_name(decoded) == clean_name(text)
    if encoding == "vni":
        assert decoded == text


@settings(max_examples=300)
@given(vietnamese_texts())
def test_fix_legacy_is_identity_on_genuine_vietnamese(text: str) -> None:
    assert fix_legacy(text) == text


@given(any_vietnamese_letters(), st.sampled_from([*NON_LATIN1_LETTERS, *EDE_EXTRA]))
def test_fix_legacy_never_touches_text_with_unicode_only_letters(text: str, letter: str) -> None:
    text = unicodedata.normalize("NFC", text + letter)
    assert fix_legacy(text) == text
    assert fix_legacy(text, hint="vni") == text


@given(st.text())
def test_fix_legacy_accepts_any_text(text: str) -> None:
    fixed = fix_legacy(text)
    assert isinstance(fixed, str)
    assert fix_legacy(text, hint="tcvn3") is not None


def test_a_unicode_column_with_a_few_legacy_names_is_not_a_legacy_column() -> None:
    from congdanso.vn import detect_legacy_encoding, encode_legacy

    names = ["H'Mai Mlô", "Y Kông Mlô", "Nguyễn Văn An", "Trần Thị Thu"] * 10
    assert detect_legacy_encoding([*names, encode_legacy("Nguyễn Thị Hoà", "tcvn3")]) is None
    legacy = [encode_legacy(n, "tcvn3") for n in names]
    assert detect_legacy_encoding(legacy) == "tcvn3"


@pytest.mark.parametrize(
    ("legacy", "text"),
    [("BÝch", "Bích"), ("CÈm", "Cẩm"), ("TuÊn", "Tuấn"), ("YÕn", "Yến"), ("NhiÔu", "Nhiễu")],
)
def test_a_single_word_with_an_accented_capital_inside_is_tcvn3(legacy: str, text: str) -> None:
    # Each reads as Unicode Vietnamese letter by letter, but no word switches to an accented
    # capital after its first letter: TCVN3 bytes read as Windows-1252 do (issue 18).
    assert encode_legacy(text, "tcvn3") == legacy
    assert fix_legacy(legacy) == text
    assert detect_legacy(legacy) == "tcvn3"


def test_every_syllable_whose_tcvn3_bytes_switch_case_inside_is_repaired() -> None:
    # Every toned vowel between common initials and finals, written as a name is ("Yến").
    repaired = 0
    for initial in ("", "B", "C", "D", "H", "K", "L", "Ng", "Nh", "Th", "Tr", "Y"):
        for vowel in sorted(VN_LETTERS):
            for final in ("", "c", "ch", "m", "n", "ng", "nh", "t"):
                text = initial + vowel + final
                text = text[:1].upper() + text[1:].lower()
                if not (initial and vowel.islower() and is_syllable(text)):
                    continue
                encoded = encode_legacy(text, "tcvn3")
                inside = encoded[1:]
                if any(c.isupper() and not c.isascii() for c in inside) and any(
                    map(str.islower, inside)
                ):
                    assert fix_legacy(encoded) == text, encoded
                    repaired += 1
    assert repaired > 100


def _sure(letter: str) -> bool:
    """A letter whose case TCVN3 keeps: anything but a toned vowel (stored in lower case)."""
    return letter.lower() not in TONED_TO_BASE


@settings(max_examples=300)
@given(vietnamese_texts(min_words=1), st.sampled_from(["upper", "title", "sentence"]))
def test_tcvn3_capitals_come_back_where_the_text_shows_them(text: str, style: str) -> None:
    """TCVN3 stores Á as á; decoding restores it where the rest of the text shows the case: an
    ALL-CAPS text with a word of more than a toned vowel and capitals, a Title Case text with a
    word that starts with a letter of known case, a sentence whose first letter and some other
    word's are of known case."""
    words = text.lower().split(" ")
    if style == "upper":
        text = text.upper()
        assume(any(any(map(_sure, word[1:])) for word in words))
    elif style == "title":
        text = " ".join(word[:1].upper() + word[1:] for word in words)
        assume(any(_sure(word[0]) for word in words))
    else:
        text = " ".join([words[0][:1].upper() + words[0][1:], *words[1:]])
        assume(_sure(words[0][0]) and any(_sure(word[0]) for word in words[1:]))

    assert decode_legacy(encode_legacy(text, "tcvn3"), "tcvn3") == text


@pytest.mark.parametrize(
    ("legacy", "text"),
    [
        ("Hä vµ ¸nh", "Họ và ánh"),  # a sentence: the word after it keeps its small á
        ("¸NH", "ÁNH"),  # one word, capitals after its first letter
        ("µ T¤N", "À TÔN"),  # an ALL-CAPS word makes the whole text capitals
        ("µ B¸", "À Bá"),  # no capital after B: Title Case, not ALL-CAPS
        ("µ Bµ b", "à Bà b"),  # a small letter of known case: not ALL-CAPS
        ("T¤N ¸nh b", "TÔN ánh b"),  # mixed, not Title Case: the capital word only
        ("T¤N ¸nh", "TÔN Ánh"),  # every word starts with a capital or may: Title Case
        ("Hä ¸ Bµ", "Họ Á Bà"),  # Title Case, the one-letter word too
        ("x ¸nh B", "x ánh B"),  # a word starting small: not Title Case
        ("b NGUYÔN", "b NGUYỄN"),  # a small first letter: the capital word only, all of it
        ("b µ T¤N", "b à TÔN"),
        # two-letter words: their second letter tells the case
        ("T¤N ¸y", "TÔN Áy"),  # y is small: not an ALL-CAPS text, Title Case
        ("µN b", "ÀN b"),  # N is a capital: an ALL-CAPS word
    ],
)
def test_tcvn3_case_repair_by_example(legacy: str, text: str) -> None:
    assert decode_legacy(legacy, "tcvn3") == text


_TCVN3_NAMES = [
    encode_legacy(name, "tcvn3")
    for name in ("Nguyễn Văn An", "Trần Thị Bình", "Phạm Văn Cường", "Đỗ Thị Ánh")
]
_VNI_NAME = encode_legacy("Nguyễn Văn An", "vni")


@pytest.mark.parametrize(
    ("column", "encoding"),
    [
        # half the non-ASCII cells are legacy: enough (column_share=0.5, "at least")
        ([_TCVN3_NAMES[0], "Lê Thị Hà", "Nguyen Van B"], "tcvn3"),
        ([_TCVN3_NAMES[0], "Lê Thị Hà", "Lê Văn Tâm"], None),  # a third: not enough
        # four votes in five agree: enough (share=0.8, "at least"); three in four do not
        ([*_TCVN3_NAMES, _VNI_NAME], "tcvn3"),
        ([*_TCVN3_NAMES[:3], _VNI_NAME], None),
    ],
)
def test_a_column_is_legacy_from_half_its_non_ascii_cells_when_four_in_five_agree(
    column: list[str], encoding: str | None
) -> None:
    assert detect_legacy_encoding(column) == encoding


def test_a_cell_with_unicode_only_letters_is_never_legacy() -> None:
    # "NguyÔn" alone reads as TCVN3, but "Thị" cannot come from 8-bit bytes: a real Unicode cell
    assert detect_legacy("NguyÔn Thị") is None
    assert fix_legacy("NguyÔn Thị") == "NguyÔn Thị"


@pytest.mark.parametrize(
    ("legacy", "text"),
    [
        # "Thuû" reads as TCVN3 Thuỷ and VNI Thủ (1 point each); "YÕn" is TCVN3 Yến by strong
        # evidence (2) or VNI Ỹn (1): TCVN3 wins 3 to 2, whatever the order of the words.
        ("Thuû YÕn", "Thuỷ Yến"),
        ("YÕn Thuû", "Yến Thuỷ"),
        # "Coâng" is VNI Công by a shape pair (2) or TCVN3 Coõng (1): VNI wins 3 to 2.
        ("Coâng Thuû", "Công Thủ"),
    ],
)
def test_when_both_encodings_read_a_cell_the_stronger_evidence_wins(legacy: str, text: str) -> None:
    assert fix_legacy(legacy) == text
