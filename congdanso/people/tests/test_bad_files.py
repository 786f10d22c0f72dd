"""Bad files given to the importers: a clear error, bounded memory and time, nothing written.

Each refusal is checked for its code, for nothing written, and for a message in Vietnamese.
A message whose msgid is not in the compiled Vietnamese catalog renders in English: the test
fails saying so (a missing translation is a defect, not an expected failure).
"""

import datetime as dt
import io
import os
import struct
import time
import tracemalloc
import unicodedata
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from congdanso.core.errors import DomainError
from congdanso.core.tests.test_uploads import ods_bytes, ole2_bytes, xlsx_bytes
from congdanso.people.importing import ImportFailed, import_residents, reading
from congdanso.people.models import ImportRun, Resident
from congdanso.people.tests.files import HEADER, write_xlsx
from congdanso.places.models import Place

pytestmark = pytest.mark.django_db

TODAY = dt.date(2023, 4, 12)
VALID_CSV = (
    ",".join(HEADER) + "\n1,Nguyễn Thị Hoà,01/02/1990,Nữ,066190012345,0912345678,Thôn Tân Lập\n"
).encode()
_VIETNAMESE = set("ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ")


def refused(path: Path, commune: Place) -> ImportFailed:
    """The error importing `path` raises, checking that nothing was written."""
    before = (Resident.objects.count(), ImportRun.objects.count())
    with pytest.raises(ImportFailed) as error:
        import_residents(path, commune=commune, today=TODAY, reuse_previous=False)
    assert (Resident.objects.count(), ImportRun.objects.count()) == before
    return error.value


def assert_vietnamese(error: ImportFailed) -> None:
    vietnamese, english = error.message.render("vi"), error.message.render("en")
    assert vietnamese != english, f"not in the Vietnamese catalog: {english!r}"
    assert unicodedata.is_normalized("NFC", vietnamese)
    assert _VIETNAMESE & set(vietnamese.lower())
    assert "%(" not in vietnamese


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# --- spreadsheets -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["ds.xlsx", "ds.ods", "ds.xls"])
def test_random_bytes_named_as_a_spreadsheet_are_refused_as_unreadable(
    tmp_path: Path, ea_yong: Place, name: str
) -> None:
    error = refused(write(tmp_path / name, os.urandom(4096)), ea_yong)

    assert error.code == "file_unreadable"
    assert_vietnamese(error)


@pytest.mark.parametrize("keep", [0.5, 0.9, 0.99])
def test_a_truncated_workbook_is_refused_as_cut_short(
    tmp_path: Path, ea_yong: Place, keep: float
) -> None:
    data = write_xlsx(tmp_path / "full.xlsx", [HEADER, ["1", "Nguyễn Thị Hoà"]]).read_bytes()

    error = refused(write(tmp_path / "ds.xlsx", data[: int(len(data) * keep)]), ea_yong)

    assert error.code == "file_truncated"
    assert_vietnamese(error)


def test_a_workbook_with_a_damaged_sheet_is_refused_as_corrupt(
    tmp_path: Path, ea_yong: Place
) -> None:
    data = bytearray(xlsx_bytes())
    member = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("xl/worksheets/sheet1.xml")
    name_length, extra_length = struct.unpack_from("<HH", data, member.header_offset + 26)
    start = member.header_offset + 30 + name_length + extra_length
    data[start : start + member.compress_size] = b"\xff" * member.compress_size  # bad deflate

    error = refused(write(tmp_path / "ds.xlsx", bytes(data)), ea_yong)

    assert error.code == "file_corrupt"
    assert_vietnamese(error)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        # What Excel writes for an .xlsx saved with a password: an OLE2 compound file.
        (
            "ds.xlsx",
            ole2_bytes({"EncryptionInfo": b"\x04\x00\x04\x00", "EncryptedPackage": b"\x00"}),
        ),
        ("ds.ods", ods_bytes(encrypted=True)),
    ],
    ids=["xlsx", "ods"],
)
def test_a_workbook_with_a_password_is_refused_saying_so(
    tmp_path: Path, ea_yong: Place, name: str, data: bytes
) -> None:
    error = refused(write(tmp_path / name, data), ea_yong)

    assert error.code == "file_encrypted"
    assert_vietnamese(error)
    assert "mật khẩu" in error.message.render("vi")


def test_an_encrypted_zip_member_is_refused_as_having_a_password(
    tmp_path: Path, ea_yong: Place
) -> None:
    data = bytearray(xlsx_bytes())
    central = data.find(b"PK\x01\x02")
    data[central + 8] |= 0x1  # general-purpose flag bit 0: encrypted

    assert refused(write(tmp_path / "ds.xlsx", bytes(data)), ea_yong).code == "file_encrypted"


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path: Path, ea_yong: Place) -> None:
    path = tmp_path / "ds.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            zeros = bytes(1 << 20)
            for _ in range(1024):  # 1 GB unpacked, a few MB on disk
                member.write(zeros)
    assert path.stat().st_size < 10 * 1024 * 1024
    tracemalloc.start()
    started = time.perf_counter()
    try:
        error = refused(path, ea_yong)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert error.code == "file_too_big_unpacked"
    assert time.perf_counter() - started < 5
    assert peak < 20 * 1024 * 1024
    assert_vietnamese(error)


def test_a_part_packed_more_than_the_ratio_is_refused(tmp_path: Path, ea_yong: Place) -> None:
    path = tmp_path / "ds.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("xl/sharedStrings.xml", bytes(20 * 1024 * 1024))

    error = refused(path, ea_yong)

    assert error.code == "file_too_big_unpacked"
    assert_vietnamese(error)


def test_a_sheet_wider_than_the_limit_is_refused(tmp_path: Path, ea_yong: Place) -> None:
    header = [*HEADER, *(f"Cột {i}" for i in range(reading.MAX_COLUMNS))]
    path = write_xlsx(tmp_path / "ds.xlsx", [header, ["1", "Nguyễn Thị Hoà"]])

    error = refused(path, ea_yong)

    assert error.code == "too_many_columns"
    assert_vietnamese(error)


# --- CSV ----------------------------------------------------------------------------------


def test_a_csv_with_ten_thousand_columns_is_refused(tmp_path: Path, ea_yong: Place) -> None:
    header = ",".join([*HEADER, *(f"c{i}" for i in range(10_000))])
    path = write(tmp_path / "ds.csv", f"{header}\n1,Nguyễn Thị Hoà\n".encode())

    error = refused(path, ea_yong)

    assert error.code == "too_many_columns"
    assert_vietnamese(error)


def test_a_csv_line_far_longer_than_the_limit_fails_fast_in_little_memory(
    tmp_path: Path, ea_yong: Place
) -> None:
    path = tmp_path / "ds.csv"
    with path.open("wb") as out:
        out.write(",".join(HEADER).encode() + b"\n")
        block = b"a" * (1 << 20)
        for _ in range(50):  # one 50 MB line, no line break
            out.write(block)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        error = refused(path, ea_yong)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert error.code == "line_too_long"
    assert time.perf_counter() - started < 5
    # The line is read up to the limit (1M characters, 4 bytes each at worst), not 50 MB.
    assert peak < 4 * reading.MAX_LINE_CHARS + 8 * 1024 * 1024
    assert_vietnamese(error)


def test_a_row_made_long_by_line_breaks_inside_quotes_is_refused(
    tmp_path: Path, ea_yong: Place, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reading, "MAX_LINE_CHARS", 10_000)
    quoted = '"' + "dòng\n" * 5000 + '"'
    path = write(tmp_path / "ds.csv", (",".join(HEADER) + f"\n1,{quoted}\n").encode())

    error = refused(path, ea_yong)

    assert error.code == "line_too_long"
    assert error.message.params["row"] == 2


@pytest.mark.parametrize("name", ["ds.csv", "ds.xlsx"])
def test_an_empty_file_is_refused(tmp_path: Path, ea_yong: Place, name: str) -> None:
    error = refused(write(tmp_path / name, b""), ea_yong)

    assert error.code == "file_empty"
    assert_vietnamese(error)


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_refused_not_read_as_garbage(
    tmp_path: Path, ea_yong: Place, encoding: str
) -> None:
    path = write(tmp_path / "ds.csv", VALID_CSV.decode().encode(encoding))

    error = refused(path, ea_yong)

    assert error.code == "file_encoding"
    assert_vietnamese(error)


def test_utf16_with_its_byte_order_mark_is_still_read(tmp_path: Path, ea_yong: Place) -> None:
    path = write(tmp_path / "ds.csv", VALID_CSV.decode().encode("utf-16"))

    result = import_residents(path, commune=ea_yong, today=TODAY, dry_run=True)

    assert (result.rows, result.created) == (1, 1)


# --- properties ---------------------------------------------------------------------------

_SETTINGS = settings(
    max_examples=50,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
_BASES = {".xlsx": xlsx_bytes(), ".csv": VALID_CSV, ".ods": ods_bytes()}


def _import_or_refuse(path: Path, commune: Place) -> None:
    """The only outcomes allowed: a result, or a DomainError with a code and a message."""
    before = Resident.objects.count()
    try:
        import_residents(path, commune=commune, today=TODAY, dry_run=True, reuse_previous=False)
    except DomainError as error:
        assert error.code
        assert error.message.render("vi")
    assert Resident.objects.count() == before


@_SETTINGS
@given(data=st.binary(max_size=2048), suffix=st.sampled_from([".xlsx", ".xls", ".ods", ".csv"]))
def test_random_bytes_either_import_or_raise_the_documented_error(
    tmp_path: Path, ea_yong: Place, data: bytes, suffix: str
) -> None:
    _import_or_refuse(write(tmp_path / f"random{suffix}", data), ea_yong)


@_SETTINGS
@given(
    suffix=st.sampled_from(sorted(_BASES)),
    changes=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), max_size=8),
    keep=st.floats(0, 1),
)
def test_mutated_files_either_import_or_raise_the_documented_error(
    tmp_path: Path,
    ea_yong: Place,
    suffix: str,
    changes: list[tuple[float, int]],
    keep: float,
) -> None:
    data = bytearray(_BASES[suffix])
    for where, byte in changes:
        data[int(where * len(data))] = byte
    _import_or_refuse(
        write(tmp_path / f"mutated{suffix}", bytes(data[: int(len(data) * keep)] or data)), ea_yong
    )
