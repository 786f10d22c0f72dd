"""Header detection and column matching: no database needed."""

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from congdanso.people.importing.header import SYNONYMS, find_header, match_column
from congdanso.vn import encode_legacy


def _rows(*rows: list[object]) -> list[tuple[int, list[object]]]:
    return [(number, list(cells)) for number, cells in enumerate(rows, start=1)]


def test_header_after_title_rows_and_a_numbering_row() -> None:
    rows = _rows(
        ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
        ["Độc lập - Tự do - Hạnh phúc"],
        ["DANH SÁCH NGƯỜI DÂN THÔN TÂN LẬP"],
        [],
        ["STT", "Họ và tên", "Ngày, tháng, năm sinh", "GT", "Số CCCD/CMND", "SĐT", "Địa chỉ"],
        ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)"],
        [1, "Nguyễn Văn A", "01/01/1990", "Nam", "", "", "Tân Lập"],
    )
    column_map, used = find_header(rows)  # type: ignore[misc]
    assert column_map.header_row == 5
    assert used == 6
    assert column_map.columns == {
        "full_name": 1,
        "birth_date": 2,
        "gender": 3,
        "cccd": 4,
        "phone": 5,
        "village": 6,
    }


def test_a_group_header_over_sub_columns_is_merged() -> None:
    rows = _rows(
        ["TT", "Họ và tên", "Thông tin liên hệ", None, "Thôn"],
        [None, None, "Số CCCD", "Điện thoại di động", None],
        [1, "Lê Văn B", "066090000001", "0912345678", "Tân Lập"],
    )
    column_map, used = find_header(rows)  # type: ignore[misc]
    assert used == 2
    assert column_map.columns == {"full_name": 1, "village": 4, "cccd": 2, "phone": 3}
    assert column_map.header_cells[2] == "Thông tin liên hệ / Số CCCD"


def test_split_name_columns_are_recognised() -> None:
    rows = _rows(["STT", "Họ và chữ đệm", "Tên", "Năm sinh"], [1, "Nguyễn Thị", "Hoà", 1990])
    column_map, _used = find_header(rows)  # type: ignore[misc]
    assert column_map.columns == {"family_name": 1, "full_name": 2, "birth_date": 3}


def test_legacy_encoded_header_is_recognised() -> None:
    rows = _rows([encode_legacy("Họ và tên", "tcvn3"), encode_legacy("Ngày sinh", "tcvn3")])
    column_map, _used = find_header(rows)  # type: ignore[misc]
    assert column_map.columns == {"full_name": 0, "birth_date": 1}


def test_no_name_column_means_no_header() -> None:
    assert find_header(_rows(["STT", "Ngày sinh", "Thôn"], [1, "01/01/1990", "A"])) is None


def test_a_longer_label_starting_with_a_known_name_matches() -> None:
    assert match_column("Số điện thoại (nếu có)") == "phone"
    assert match_column("Họ và tên (viết in hoa)") == "full_name"
    assert match_column("Ghi chú") is None


_SYNONYM_FIELDS = [(synonym, field) for field, names in SYNONYMS.items() for synonym in names]


@given(
    pair=st.sampled_from(_SYNONYM_FIELDS),
    upper=st.booleans(),
    nfd=st.booleans(),
    pad=st.sampled_from(["", " ", "  ", "\u00a0", ":", " *"]),
)
def test_every_synonym_matches_whatever_its_case_spacing_and_normal_form(
    pair: tuple[str, str], upper: bool, nfd: bool, pad: str
) -> None:
    synonym, field = pair
    label = synonym.upper() if upper else synonym
    label = unicodedata.normalize("NFD", label) if nfd else label
    assert match_column(pad + label.replace(" ", "  ") + pad) == field
