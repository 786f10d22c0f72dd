"""Uploaded files: size, kind by content, zip bombs, passwords, storage."""

import codecs
import io
import os
import random
import re
import stat
import struct
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from hypothesis import HealthCheck, assume, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from congdanso.core.errors import DomainError
from congdanso.core.uploads import (
    KINDS,
    UploadSizeLimitHandler,
    _create_private,
    _text_encoding,
    upload_check,
    upload_refused,
    upload_store,
)
from congdanso.people.importing.reading import detect_encoding

ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"

# --- sample files, made here ------------------------------------------------------------


def xlsx_bytes() -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet()
    for row, cells in enumerate([["Họ và tên", "Ngày sinh"], ["Nguyễn Thị Hoà", "01/02/1990"]]):
        sheet.write_row(row, 0, cells)
    book.close()
    return out.getvalue()


def zip_bytes(members: dict[str, bytes], *, stored_first: str | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        if stored_first:
            archive.writestr(stored_first, members[stored_first], zipfile.ZIP_STORED)
        for name, data in members.items():
            if name != stored_first:
                archive.writestr(name, data)
    return out.getvalue()


def ods_bytes(*, encrypted: bool = False) -> bytes:
    manifest = (
        b'<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        b'<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml">'
        + (b"<manifest:encryption-data/>" if encrypted else b"")
        + b"</manifest:file-entry></manifest:manifest>"
    )
    return zip_bytes(
        {
            "mimetype": ODS_MIMETYPE,
            "META-INF/manifest.xml": manifest,
            "content.xml": b"<office:document-content/>",
        },
        stored_first="mimetype",
    )


def ole2_bytes(streams: dict[str, bytes]) -> bytes:
    """A small but well-formed compound file (CFB v3, 512-byte sectors): sector 0 holds the
    FAT, sector 1 the directory, then each stream in its own run of sectors."""
    sector = 512
    end, free, fat_sector, no_stream = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    fat = [fat_sector, end]
    data = b""
    entries = []
    for name, content in streams.items():
        content = content.ljust(4096, b"\0")  # at the mini-stream cut-off: in normal sectors
        first = len(fat)
        count = -(-len(content) // sector)
        fat += [*range(first + 1, first + count), end]
        data += content.ljust(count * sector, b"\0")
        entries.append((name, 2, first, len(content)))
    assert len(fat) <= sector // 4

    def entry(name: str, kind: int, start: int, size: int, left: int, right: int, child: int):  # type: ignore[no-untyped-def]
        encoded = (name + "\0").encode("utf-16-le")
        return (
            encoded.ljust(64, b"\0")
            + struct.pack("<HBB3I", len(encoded), kind, 1, left, right, child)
            + bytes(16 + 4 + 8 + 8)
            + struct.pack("<IQ", start, size)
        )

    directory = entry("Root Entry", 5, end, 0, no_stream, no_stream, 1 if entries else no_stream)
    for index, (name, kind, start, size) in enumerate(entries, start=1):
        right = index + 1 if index < len(entries) else no_stream
        directory += entry(name, kind, start, size, no_stream, right, no_stream)
    directory = directory.ljust(sector, b"\0")
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + bytes(16)
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + bytes(6)
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
        + struct.pack("<109I", 0, *([free] * 108))
    )
    assert len(header) == sector
    fat_bytes = struct.pack(f"<{len(fat)}I", *fat).ljust(sector, b"\xff")
    return header + fat_bytes + directory + data


XLS = ole2_bytes({"Workbook": b"\x09\x08\x10\x00\x00\x06\x05\x00"})
CSV_ROWS = "STT,Họ và tên,Ngày sinh,Thôn\n1,Nguyễn Thị Hoà,01/02/1990,Thôn Cao Bằng\n"


def check(data: bytes, **options) -> str:  # type: ignore[no-untyped-def]
    return upload_check(io.BytesIO(data), **options)


def refusal(data: bytes, **options) -> DomainError:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as refused:
        check(data, **options)
    return refused.value


# --- kinds by content ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (xlsx_bytes(), "xlsx"),
        (ods_bytes(), "ods"),
        (XLS, "xls"),
        (ole2_bytes({"Book": b"\x09\x08"}), "xls"),  # BIFF5, Excel 95
        (CSV_ROWS.encode("utf-8"), "csv"),
        (CSV_ROWS.encode("utf-8-sig"), "csv"),
        (CSV_ROWS.encode("utf-16"), "csv"),
        (codecs.BOM_UTF16_BE + CSV_ROWS.encode("utf-16-be"), "csv"),
        ("STT;Ho va ten\r\n1;Tran Van Binh\r\n".encode("ascii"), "csv"),
        ("Họ tên\tThôn\nTrần Văn Bình\tBuôn Ghamah\n".encode("cp1258", "replace"), "csv"),
    ],
)
def test_accepted_kinds_are_recognised_by_their_content(data: bytes, kind: str) -> None:
    assert check(data) == kind


def test_the_name_of_the_file_does_not_count() -> None:
    renamed = SimpleUploadedFile("danh-sach.csv", xlsx_bytes(), content_type="text/csv")

    assert upload_check(renamed) == "xlsx"


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(200), id="exe"),
        pytest.param(b"MZ this program cannot be run in DOS mode", id="exe-text-only"),
        pytest.param(b"\x7fELF\x02\x01\x01" + bytes(100), id="elf"),
        pytest.param(b"%PDF-1.4\n1 0 obj<<>>endobj\n", id="pdf"),
        pytest.param(b"#!/bin/sh\nrm -rf /\n", id="script"),
        pytest.param(b"<!DOCTYPE html><html><body>Danh s\xc3\xa1ch</body></html>", id="html"),
        pytest.param(b"  \n<html><script>alert(1)</script></html>", id="html-indented"),
        pytest.param(b"<?xml version='1.0'?><svg onload='alert(1)'/>", id="svg"),
        pytest.param("Họ tên\n<script>alert(1)</script>\n".encode(), id="csv-with-script"),
        pytest.param(b"\x89PNG\r\n\x1a\n" + bytes(50), id="png"),
        pytest.param(b"Ho ten\x00\x01\x02\nabc", id="binary"),
        pytest.param("Họ tên,Thôn\n".encode("utf-16-le"), id="utf16-without-bom"),
        pytest.param(
            zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"}),
            id="docx",
        ),
        pytest.param(zip_bytes({"a.txt": b"hello"}), id="zip"),
        pytest.param(zip_bytes({"mimetype": b"application/vnd.oasis.opendocument.text"}), id="odt"),
        pytest.param(ole2_bytes({"WordDocument": b"\xec\xa5"}), id="doc"),
    ],
)
def test_other_files_are_refused(data: bytes) -> None:
    error = refusal(data)

    assert error.code == "upload_wrong_type"
    assert "xlsx, xls, ods, csv" in error.message.render("en")


def test_only_the_allowed_kinds_are_accepted() -> None:
    error = refusal(xlsx_bytes(), allowed=("csv",))

    assert error.code == "upload_wrong_type"
    assert "(csv)" in error.message.render("en")
    assert check(CSV_ROWS.encode(), allowed=("csv",)) == "csv"


def test_a_csv_mixing_encodings_after_the_first_megabyte_is_refused_with_the_place() -> None:
    data = ("Nguyễn Thị Hoà,Thôn Cao Bằng\n" * 40_000).encode() + b"\xff\xfe bad\n"

    error = refusal(data)

    assert error.code == "upload_bad_text"
    assert f"(byte {len(data) - 6})" in error.message.render("en")  # the \xff, from 1


def test_a_bad_byte_after_the_second_megabyte_is_named_by_its_place_in_the_file() -> None:
    line = "Nguyễn Thị Hoà,Thôn Cao Bằng\n".encode()
    data = line * (2 * (1 << 20) // len(line) + 1000) + b"\xff bad\n"

    error = refusal(data)

    assert error.code == "upload_bad_text"
    assert f"(byte {len(data) - 5})" in error.message.render("en")  # the \xff, from 1


@given(head=st.binary(max_size=40))
@example(head=b"a\xe9bcd")  # the first byte that is not UTF-8 four bytes before the end
@example(head=b"a\xe9bcde")  # five bytes before it
@example(head=b"a\xe9bc")  # three bytes before it: maybe a character cut by the sample
@hypothesis_settings(max_examples=300, deadline=None)
def test_text_is_judged_in_the_encoding_the_importer_will_read_it_with(head: bytes) -> None:
    """A file the check accepts as text is one the importer can read, and a file it refuses
    is one the importer would fail on: both pick UTF-8 or Windows-1258 by the same rule."""
    assume(b"\0" not in head)  # refused as binary before the encoding is chosen

    assert _text_encoding(head) == detect_encoding(head)


# --- size ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "outcome"),
    [
        # Markup first, after blank space: a web page saved as .csv, not a table.
        (b" \t\r\n<x>,a\n", "upload_wrong_type"),
        (b"X<x>,a\n", "csv"),  # a "<" later in the first cell is text
        (b"a,b\n\x01c,d\n", "upload_wrong_type"),  # a control character: not a table
        # UTF-16 broken in the first megabyte (a lone surrogate): not text at all.
        (codecs.BOM_UTF16_LE + b"\x00\xd8a\x00,\x00b\x00", "upload_wrong_type"),
    ],
)
def test_what_text_is_decided_from_its_start(data: bytes, outcome: str) -> None:
    try:
        got = check(data)
    except DomainError as error:
        got = error.code
    assert got == outcome


def test_a_text_file_cut_inside_its_last_character_is_refused_with_the_place() -> None:
    data = codecs.BOM_UTF16_LE + "a,b\n".encode("utf-16-le") + b"a"  # one byte of two

    error = refusal(data)

    assert error.code == "upload_bad_text"
    assert error.message.render("en") == (
        f"The text file is not valid UTF-8, UTF-16 or Windows-1258 text (byte {len(data)})."
    )


def test_a_file_of_exactly_the_limit_is_accepted_and_left_at_its_start() -> None:
    data = io.BytesIO(b"a,b\n" * 250)

    assert upload_check(data, max_bytes=1000) == "csv"
    assert data.tell() == 0


@pytest.mark.parametrize(
    ("data", "english"),
    [
        (b"", "The file is empty."),
        (b"PK\x03\x04" + bytes(60), "The file is damaged and cannot be read."),
        (
            b"MZ\x90\x00" + bytes(100),
            "This file is not one of the accepted kinds (xlsx, xls, ods, csv). Its content "
            "was checked, not its name: save it again as one of those kinds.",
        ),
    ],
)
def test_each_refusal_says_why_in_english_and_in_vietnamese(data: bytes, english: str) -> None:
    error = refusal(data)

    assert error.message.render("en") == english
    vietnamese = error.message.render("vi")
    assert vietnamese != english  # the msgid is in the catalog
    assert any(ch in vietnamese for ch in "ệịạảếữờấ")


def test_a_file_over_the_limit_is_refused(settings) -> None:  # type: ignore[no-untyped-def]
    settings.UPLOAD_MAX_BYTES = 1000

    error = refusal(b"a,b\n" * 300)

    assert error.code == "upload_too_large"
    assert error.message.render("en").replace("\xa0", " ") == (
        "The file is 1.2 KB; the limit is 1000 bytes."
    )
    assert error.message.render("vi").replace("\xa0", " ") == (
        "Tệp có dung lượng 1,2 KB; giới hạn là 1000 byte."
    )


def test_the_default_limit_is_50_mb(settings) -> None:  # type: ignore[no-untyped-def]
    assert settings.UPLOAD_MAX_BYTES == 50 * 1024 * 1024


def test_an_empty_file_is_refused() -> None:
    assert refusal(b"").code == "upload_empty"


def test_the_upload_handler_drops_a_file_over_the_limit(settings) -> None:  # type: ignore[no-untyped-def]
    settings.UPLOAD_MAX_BYTES = 1000
    request = RequestFactory().post(
        "/",
        {
            "big": SimpleUploadedFile("big.csv", b"x" * 5000),
            "small": SimpleUploadedFile("small.csv", b"a,b\n"),
        },
    )
    request.upload_handlers = [
        UploadSizeLimitHandler(request),
        *request.upload_handlers[1:],
    ]

    assert set(request.FILES) == {"small"}
    refused = upload_refused(request, "big")
    assert refused is not None
    assert refused.code == "upload_too_large"
    assert upload_refused(request, "small") is None


def _posted(files: dict[str, bytes]):  # type: ignore[no-untyped-def]
    request = RequestFactory().post(
        "/", {name: SimpleUploadedFile(f"{name}.csv", data) for name, data in files.items()}
    )
    request.upload_handlers = [UploadSizeLimitHandler(request), *request.upload_handlers[1:]]
    return request


def test_the_upload_handler_keeps_a_file_of_exactly_the_limit_and_names_each_dropped_one(
    settings,
) -> None:  # type: ignore[no-untyped-def]
    settings.UPLOAD_MAX_BYTES = 1000
    request = _posted({"exact": b"x" * 1000, "big": b"x" * 5000, "bigger": b"x" * 6000})

    assert set(request.FILES) == {"exact"}
    messages = {
        name: refused.message.render("en").replace("\xa0", " ")
        for name in ("big", "bigger")
        if (refused := upload_refused(request, name)) is not None
    }
    assert messages == {
        "big": "The file is more than 4.9 KB; the limit is 1000 bytes.",
        "bigger": "The file is more than 5.9 KB; the limit is 1000 bytes.",
    }


def test_nothing_is_refused_when_no_file_was_dropped() -> None:
    assert upload_refused(RequestFactory().post("/", {}), "file") is None


def test_the_upload_handler_is_the_first_one(settings) -> None:  # type: ignore[no-untyped-def]
    assert settings.FILE_UPLOAD_HANDLERS[0] == "congdanso.core.uploads.UploadSizeLimitHandler"


# --- zip bombs and damaged archives -------------------------------------------------------


def test_an_archive_that_unpacks_past_the_limit_is_refused() -> None:
    bomb = zip_bytes(
        {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b" " * 300_000}
    )  # 20 × the 10 kB limit is 200 kB

    error = refusal(bomb, max_bytes=10_000)

    assert error.code == "upload_zip_bomb"


def test_a_member_packed_more_than_100_to_1_is_refused() -> None:
    bomb = zip_bytes({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": bytes(4 << 20)})

    error = refusal(bomb)

    assert error.code == "upload_zip_bomb"
    assert "100 to 1" in error.message.render("en")


def _member_packed_about(ratio: int) -> bytes:
    """2 MB (over the 1 MB floor below which no ratio counts) that deflate packs to about
    `ratio` to 1: random bytes do not compress, the zeros after them almost vanish."""
    size = 2 << 20
    incompressible = {70: 26_600, 150: 10_600}[ratio]
    return random.Random(ratio).randbytes(incompressible) + bytes(size - incompressible)


def _ratio_of(data: bytes, name: str) -> float:
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(name)
    return info.file_size / info.compress_size


def test_a_member_packed_about_70_to_1_is_accepted() -> None:
    # Below the limit of 100 to 1, as a large real workbook of repetitive cells can be.
    data = zip_bytes(
        {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": _member_packed_about(70)}
    )
    assert 65 < _ratio_of(data, "xl/workbook.xml") < 75

    assert check(data) == "xlsx"


def test_a_member_packed_about_150_to_1_is_refused_as_a_bomb() -> None:
    # Over the limit, yet far below the ~1,000 to 1 of a member of zeros: a limit set ten
    # times too high would let it through.
    data = zip_bytes(
        {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": _member_packed_about(150)}
    )
    assert 140 < _ratio_of(data, "xl/workbook.xml") < 160

    error = refusal(data)

    assert error.code == "upload_zip_bomb"


def test_an_archive_of_exactly_the_unpacked_limit_is_accepted_one_byte_more_is_not() -> None:
    # 20 × the 10 kB limit: 200,000 bytes unpacked, the most it may unpack to.
    types = b"<Types/>"
    exact = zip_bytes({"[Content_Types].xml": types, "xl/workbook.xml": b" " * 199_992})
    over = zip_bytes({"[Content_Types].xml": types, "xl/workbook.xml": b" " * 199_993})

    assert check(exact, max_bytes=10_000) == "xlsx"
    error = refusal(over, max_bytes=10_000)
    assert error.code == "upload_zip_bomb"
    assert error.message.render("en").replace("\xa0", " ") == (
        "The file cannot be accepted: unpacked, it would be more than 195.3 KB."
    )


def _workbook_with_members(count: int) -> bytes:
    members = {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}
    members |= {f"xl/media/{n}.bin": b"" for n in range(count - len(members))}
    return zip_bytes(members)


def test_an_archive_of_10000_members_is_accepted_one_more_is_a_bomb() -> None:
    assert check(_workbook_with_members(10_000)) == "xlsx"

    error = refusal(_workbook_with_members(10_001))

    assert error.code == "upload_zip_bomb"
    assert error.message.render("en") == (
        "The file cannot be accepted: it holds more than 10000 files inside."
    )


def test_a_member_of_exactly_one_megabyte_is_not_judged_by_its_ratio() -> None:
    # ~1,000 to 1, but no bigger than the floor below which no ratio makes a bomb.
    data = zip_bytes({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": bytes(1 << 20)})
    assert _ratio_of(data, "xl/workbook.xml") > 500

    assert check(data) == "xlsx"


def test_a_member_packed_exactly_100_to_1_is_accepted() -> None:
    """The limit is "more than 100 to 1": the size of a member that packs to exactly a
    hundredth of it is found by a few rounds (the packed size hardly moves with the zeros)."""
    incompressible = random.Random(100).randbytes(17_800)
    size = 2_000_000
    for _ in range(10):
        data = zip_bytes(
            {
                "[Content_Types].xml": b"<Types/>",
                "xl/workbook.xml": incompressible + bytes(size - len(incompressible)),
            }
        )
        info = zipfile.ZipFile(io.BytesIO(data)).getinfo("xl/workbook.xml")
        if info.file_size == 100 * info.compress_size:
            break
        size = 100 * info.compress_size
    assert info.file_size == 100 * info.compress_size

    assert check(data) == "xlsx"


def test_an_ods_mimetype_of_200_bytes_or_more_is_not_read() -> None:
    # A real one is 46 bytes: a long "mimetype" member is not an OpenDocument file.
    padded = ODS_MIMETYPE + b" " * (200 - len(ODS_MIMETYPE))
    data = zip_bytes(
        {"mimetype": padded, "content.xml": b"<office:document-content/>"},
        stored_first="mimetype",
    )

    assert refusal(data).code == "upload_wrong_type"


def test_an_ods_manifest_of_a_megabyte_or_more_is_not_read() -> None:
    # A real one is a few kilobytes: a bigger one is not read into memory to look for a
    # password, so an ODS file is judged by its mimetype alone then.
    def ods(manifest_size: int) -> bytes:
        manifest = b"<manifest:encryption-data/>".ljust(manifest_size, b" ")
        return zip_bytes(
            {"mimetype": ODS_MIMETYPE, "META-INF/manifest.xml": manifest, "content.xml": b"<x/>"},
            stored_first="mimetype",
        )

    assert refusal(ods((1 << 20) - 1)).code == "upload_encrypted"
    assert check(ods(1 << 20)) == "ods"


WORKBOOK_NAME = "Workbook\0".encode("utf-16-le")


@pytest.mark.parametrize(
    "data",
    [
        # The name at the start of a sector (so on a 128-byte boundary) but with no length
        # after it: data, not a directory entry.
        pytest.param(ole2_bytes({"Data": WORKBOOK_NAME}), id="aligned-without-length"),
        # The name followed 64 bytes on by its length, but off the 128-byte grid.
        pytest.param(
            ole2_bytes({"Data": b"x" + WORKBOOK_NAME.ljust(64, b"\0") + struct.pack("<H", 18)}),
            id="length-off-the-grid",
        ),
        # Inside another stream's name ("OldWorkbook"), then quoted in its data.
        pytest.param(
            ole2_bytes({"OldWorkbook": b"x" + WORKBOOK_NAME + bytes(600)}), id="inside-a-name"
        ),
    ],
)
def test_a_stream_name_off_a_directory_entry_does_not_make_an_xls(data: bytes) -> None:
    assert refusal(data).code == "upload_wrong_type"


def test_a_workbook_entry_after_a_name_that_contains_it_is_found() -> None:
    # "OldWorkbook" holds the name first (off the grid), the Workbook entry comes next and
    # its data quotes the name last: the search goes on past the first and stops at the second.
    quoted = b"x" + WORKBOOK_NAME + bytes(600)
    assert check(ole2_bytes({"OldWorkbook": b"\x01", "Workbook": quoted})) == "xls"


def test_a_workbook_whose_data_quotes_a_stream_name_is_still_an_xls() -> None:
    # The name in UTF-16 also inside the stream, not on a directory entry's boundary: the
    # directory entry before it is the one that counts.
    quoted = b"x" + "Workbook\0".encode("utf-16-le") + bytes(600)
    assert check(ole2_bytes({"Workbook": quoted})) == "xls"


def test_an_archive_lying_about_its_sizes_is_refused_as_damaged() -> None:
    honest = zip_bytes({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"A" * 5000})
    # Claim 50 bytes instead of 5000 in both the local header and the central directory.
    lying = honest.replace(struct.pack("<I", 5000), struct.pack("<I", 50))
    assert lying != honest

    error = refusal(lying)

    assert error.code == "upload_damaged"


@pytest.mark.parametrize("cut", [30, 200, -30])
def test_a_truncated_workbook_is_refused_as_damaged(cut: int) -> None:
    data = xlsx_bytes()

    error = refusal(data[:cut])

    assert error.code in {"upload_damaged", "upload_wrong_type"}


# --- passwords ----------------------------------------------------------------------------


def test_a_password_protected_workbook_is_refused_saying_so() -> None:
    # What Excel writes for an .xlsx saved with a password.
    encrypted = ole2_bytes({"EncryptionInfo": b"\x04\x00\x04\x00", "EncryptedPackage": b"\x00"})

    error = refusal(encrypted)

    assert error.code == "upload_encrypted"
    assert error.message.render("vi").startswith("Tệp có mật khẩu.")


def test_an_encrypted_zip_member_is_refused_as_protected_by_a_password() -> None:
    data = bytearray(xlsx_bytes())
    central = data.find(b"PK\x01\x02")
    data[central + 8] |= 0x1  # general-purpose flag bit 0: encrypted

    assert refusal(bytes(data)).code == "upload_encrypted"


def test_an_ods_with_a_password_is_refused() -> None:
    assert refusal(ods_bytes(encrypted=True)).code == "upload_encrypted"


# --- storage ------------------------------------------------------------------------------


def test_a_stored_upload_gets_a_random_name_mode_0600_outside_static_and_media(
    settings, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    settings.UPLOAD_ROOT = tmp_path / "data" / "uploads"  # made with its parents
    upload = SimpleUploadedFile("../../etc/danh sách.xls", XLS)

    first = upload_store(upload)
    assert upload.tell() == 0  # left at its start, for whoever reads it next
    second = upload_store(upload)

    assert first.parent == settings.UPLOAD_ROOT
    assert re.fullmatch(r"[0-9a-f]{32}\.xls", first.name)  # 128 random bits
    assert first != second
    assert "danh" not in first.name
    assert first.read_bytes() == XLS
    assert stat.S_IMODE(first.stat().st_mode) == 0o600
    assert stat.S_IMODE(settings.UPLOAD_ROOT.stat().st_mode) == 0o700


@pytest.mark.parametrize("there", ["file", "symlink"])
def test_an_upload_never_writes_over_or_through_what_is_at_its_path(
    tmp_path: Path, there: str
) -> None:
    """The random name makes a clash unlikely; this makes it harmless: a file or a link placed
    at the path first (by another process of the same user) is never opened."""
    victim = tmp_path / "settings.py"
    victim.write_bytes(b"SECRET_KEY = 1\n")
    path = tmp_path / "0123456789abcdef0123456789abcdef.xls"
    if there == "file":
        path.write_bytes(b"an earlier upload")
    else:
        path.symlink_to(victim)

    with pytest.raises(FileExistsError):
        _create_private(path)

    assert victim.read_bytes() == b"SECRET_KEY = 1\n"
    assert there == "symlink" or path.read_bytes() == b"an earlier upload"


def test_uploads_live_under_the_data_dir_and_nowhere_served(settings) -> None:  # type: ignore[no-untyped-def]
    uploads = Path(settings.UPLOAD_ROOT)

    assert uploads == Path(settings.DATA_DIR) / "uploads"
    for served in (settings.STATIC_ROOT, settings.MEDIA_ROOT):
        assert not uploads.is_relative_to(served)
        assert not Path(served).is_relative_to(uploads)


def test_a_refused_file_is_not_stored(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.UPLOAD_ROOT = tmp_path / "uploads"

    with pytest.raises(DomainError):
        upload_store(io.BytesIO(b"MZ\x90\x00" + bytes(100)))

    assert not settings.UPLOAD_ROOT.exists() or os.listdir(settings.UPLOAD_ROOT) == []


def test_storing_applies_the_allowed_kinds_and_the_size_limit(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.UPLOAD_ROOT = tmp_path / "uploads"

    with pytest.raises(DomainError) as wrong:
        upload_store(io.BytesIO(XLS), allowed=("xlsx", "csv"))
    with pytest.raises(DomainError) as large:
        upload_store(io.BytesIO(XLS), max_bytes=len(XLS) - 1)

    assert (wrong.value.code, large.value.code) == ("upload_wrong_type", "upload_too_large")
    assert not settings.UPLOAD_ROOT.exists() or os.listdir(settings.UPLOAD_ROOT) == []


# --- anything at all ----------------------------------------------------------------------

_MAGIC = st.sampled_from(
    [
        b"",
        b"PK\x03\x04",
        b"PK\x05\x06",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        b"\xef\xbb\xbf",
        b"\xff\xfe",
        b"\xfe\xff",
        b"<",
        b"MZ",
    ]
)


def _outcome(data: bytes) -> str:
    try:
        kind = check(data)
    except DomainError as error:
        assert error.code.startswith("upload_")
        assert error.message.render("en")
        return error.code
    assert kind in KINDS
    return kind


@given(prefix=_MAGIC, body=st.binary(max_size=4096))
@hypothesis_settings(max_examples=300, deadline=None)
def test_random_bytes_give_a_kind_or_a_domain_error(prefix: bytes, body: bytes) -> None:
    _outcome(prefix + body)


_SAMPLES = [xlsx_bytes(), ods_bytes(), XLS]


@given(
    sample=st.sampled_from(_SAMPLES),
    changes=st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), max_size=8),
    cut=st.none() | st.integers(min_value=1),
)
@hypothesis_settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_damaged_workbooks_give_a_kind_or_a_domain_error(
    sample: bytes, changes: list[tuple[int, int]], cut: int | None
) -> None:
    data = bytearray(sample)
    for position, value in changes:
        data[position % len(data)] = value
    if cut is not None:
        data = data[: cut % len(data) + 1]

    _outcome(bytes(data))


@pytest.mark.parametrize(
    ("head", "encoding"),
    [
        (b"a\xe9bcd", "cp1258"),  # a Windows-1258 "é" four bytes before the end
        (b"Nguy\xeanx", "cp1258"),  # "ê" before the last letter: not a cut character
        ("Hoà".encode()[:-1], "utf-8"),  # "à" cut by the sample: UTF-8 still
        ("Nguyễn".encode()[:-2], "utf-8"),  # "ễ" (three bytes) cut after its first one
        # a four-byte character (an emoji in a note) cut after its third byte: the cut
        # starts three bytes before the end, the farthest a cut can
        ("Gọi lại 📞".encode()[:-1], "utf-8"),
        ("Hoà".encode(), "utf-8"),
        (codecs.BOM_UTF8 + b"a", "utf-8-sig"),
    ],
)
def test_only_a_character_cut_by_the_sample_is_forgiven(head: bytes, encoding: str) -> None:
    from congdanso.core.uploads import sample_encoding

    assert sample_encoding(head) == encoding == detect_encoding(head)
