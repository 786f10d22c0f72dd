import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from congdanso.core.crypto import decrypt, keyring
from congdanso.people import personal
from congdanso.people.importing import ImportFailed, import_residents, parallel, writing
from congdanso.people.importing.rejects import cell_text
from congdanso.people.models import DataIssue, Resident
from congdanso.people.tests.files import HEADER, TITLE, cp1258_spelling, write_csv, write_xlsx
from congdanso.places.models import Place
from congdanso.vn import encode_legacy

TODAY = dt.date(2023, 4, 12)
pytestmark = pytest.mark.django_db

ROWS = [
    [1, "Nguyễn Thị Hoà", dt.date(1990, 4, 12), "Nữ", "066190012345", "0912345678", "Thôn Tân Lập"],
    [2, "TRẦN VĂN BÌNH", "05/03/1985", "Nam", "066085000001", "+84 336 123 456", "Tân Lập"],
    [3, "H'Nga Niê", 1970, "nu", "", "", "Buôn Ghamah"],
    [4, "Y Bhiăo Ayun", "1988", "M", None, "01631234567", "ghamah"],
]


def _import(path: Path, commune: Place, **kwargs):  # type: ignore[no-untyped-def]
    # The whole pipeline every time: the import log's shortcut has tests of its own.
    kwargs.setdefault("reuse_previous", False)
    return import_residents(path, commune=commune, today=TODAY, **kwargs)


def test_a_commune_list_with_title_rows_and_footer_is_imported(
    tmp_path: Path, ea_yong: Place
) -> None:
    rows = [
        *TITLE,
        HEADER,
        [1, 2, 3, 4, 5, 6, 7],
        *ROWS,
        [],
        ["", "Tổng cộng: 4 người"],
        ["", "Người lập biểu"],
    ]
    result = _import(write_xlsx(tmp_path / "ds.xlsx", rows), ea_yong)

    assert (result.rows, result.created, result.rejected) == (6, 4, 2)
    assert result.header_row == 4
    assert result.rows == result.created + result.updated + result.unchanged + result.rejected
    binh = Resident.objects.with_cccd("066085000001").get(commune=ea_yong)
    assert binh.full_name == "Trần Văn Bình"
    assert binh.birth_date == dt.date(1985, 3, 5)
    assert binh.phone == "0336123456"
    assert binh.village.name == "Thôn Tân Lập"
    nga = Resident.objects.get(commune=ea_yong, name_key="h'nga nie")
    assert (nga.birth_date, nga.birth_date_precision, nga.gender) == (
        dt.date(1970, 1, 1),
        "year",
        "F",
    )
    assert nga.village.name == "Buôn Ghamah"
    y = Resident.objects.get(commune=ea_yong, full_name="Y Bhiăo Ayun")
    assert y.phone == "0331234567"
    assert [r.row_number for r in result.rejected_rows] == [11, 12]


def test_importing_the_same_file_again_changes_nothing(tmp_path: Path, ea_yong: Place) -> None:
    path = write_xlsx(tmp_path / "ds.xlsx", [*TITLE, HEADER, *ROWS])
    _import(path, ea_yong)
    before = list(Resident.objects.values().order_by("id"))

    again = _import(path, ea_yong)

    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert list(Resident.objects.values().order_by("id")) == before


def test_a_changed_field_updates_the_person_and_an_empty_cell_erases_nothing(
    tmp_path: Path, ea_yong: Place
) -> None:
    _import(write_xlsx(tmp_path / "a.xlsx", [HEADER, *ROWS]), ea_yong)
    changed = [list(r) for r in ROWS]
    changed[0][5] = "0987654321"
    changed[1][5] = ""
    result = _import(write_xlsx(tmp_path / "b.xlsx", [HEADER, *changed]), ea_yong)

    assert (result.created, result.updated, result.unchanged) == (0, 1, 3)
    assert Resident.objects.with_cccd("066190012345").get().phone == "0987654321"
    assert Resident.objects.with_cccd("066085000001").get().phone == "0336123456"


def test_a_wrong_field_is_set_aside_with_its_original_value(tmp_path: Path, ea_yong: Place) -> None:
    rows = [
        HEADER,
        [1, "Lê Văn Cường", "31/02/1990", "Nam", "12345", "0111222333", "Tân Lập"],
        [2, "Phạm Thị Dung", "12/05/1995", "Nữ", "066095000002", "0912000111", "Tân Lập"],
    ]
    result = _import(write_xlsx(tmp_path / "ds.xlsx", rows), ea_yong)

    assert (result.created, result.rejected) == (2, 0)
    assert result.warnings_by_code == {
        "birth_date_invalid": 1,
        "cccd_invalid": 1,
        "phone_invalid": 1,
        "cccd_mismatch": 1,
    }
    cuong = Resident.objects.get(full_name="Lê Văn Cường")
    assert (cuong.birth_date, cuong.cccd, cuong.phone) == (None, None, "")
    issues = {i.code: i for i in DataIssue.objects.filter(resident=cuong)}
    assert {code: i.original for code, i in issues.items()} == {
        "birth_date_invalid": "31/02/1990",
        "cccd_invalid": "12345",
        "phone_invalid": "0111222333",
    }
    # A CCCD's or phone's original value is stored masked (and encrypted).
    assert {code: i.original_value for code, i in issues.items()} == {
        "birth_date_invalid": "31/02/1990",
        "cccd_invalid": "12*45",
        "phone_invalid": "01******33",
    }
    assert "12345" not in issues["cccd_invalid"].detail
    assert "0111222333" not in issues["phone_invalid"].detail
    dung = Resident.objects.get(full_name="Phạm Thị Dung")
    assert dung.cccd == "066095000002"  # kept, but its gender digit says male
    assert DataIssue.objects.filter(resident=dung, code="cccd_mismatch").exists()


def test_rows_without_name_and_blank_rows(tmp_path: Path, ea_yong: Place) -> None:
    rows = [HEADER, ROWS[0], [None] * 7, ["", "", "01/01/1990", "Nam", "", "", "Tân Lập"], ROWS[1]]
    result = _import(write_xlsx(tmp_path / "ds.xlsx", rows), ea_yong)

    assert (result.rows, result.created, result.rejected) == (3, 2, 1)
    assert result.rejected_rows[0].row_number == 4
    assert result.rejected_rows[0].cells[2] == "01/01/1990"


def test_same_cccd_with_another_persons_data_is_rejected_but_an_exact_duplicate_is_unchanged(
    tmp_path: Path, ea_yong: Place
) -> None:
    other = [9, "Đỗ Minh Khoa", "01/01/1960", "Nam", ROWS[0][4], "", "Tân Lập"]
    rows = [HEADER, ROWS[0], ROWS[0], other]
    result = _import(write_xlsx(tmp_path / "ds.xlsx", rows), ea_yong)

    assert (result.created, result.unchanged, result.rejected) == (1, 1, 1)
    assert "Nguyễn Thị Hoà" in str(result.rejected_rows[0].reason)
    assert Resident.objects.filter(commune=ea_yong).count() == 1


def test_a_second_row_for_the_same_person_with_other_values_is_rejected_and_reimport_is_stable(
    tmp_path: Path, ea_yong: Place
) -> None:
    rows = [
        HEADER,
        [1, "Vũ Thị Lan", "03/03/1993", "Nữ", "", "0912000111", "Tân Lập"],
        [2, "Vũ Thị Lan", "03/03/1993", "Nữ", "066193000777", "0987000222", "Tân Lập"],
        [3, "Vũ Thị Lan", "03/03/1993", "Nữ", "066193000777", "", "Tân Lập"],
    ]
    path = write_xlsx(tmp_path / "ds.xlsx", rows)
    first = _import(path, ea_yong)

    assert (first.created, first.updated, first.rejected) == (1, 1, 1)
    reason = first.rejected_rows[0].reason.render("vi")
    assert "0912000111" in reason and "0987000222" in reason
    lan = Resident.objects.get(full_name="Vũ Thị Lan")
    assert (lan.phone, lan.cccd) == ("0912000111", "066193000777")

    again = _import(path, ea_yong)
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 2, 1)


def test_unknown_village_is_rejected_listing_the_known_ones_unless_created(
    tmp_path: Path, ea_yong: Place
) -> None:
    rows = [HEADER, [1, "Hồ Văn Em", "02/02/2002", "Nam", "", "", "Thôn Mới"]]
    path = write_xlsx(tmp_path / "ds.xlsx", rows)

    rejected = _import(path, ea_yong)
    assert rejected.rejected == 1
    reason = str(rejected.rejected_rows[0].reason)
    assert "Thôn Mới" in reason and "Buôn Ghamah" in reason

    created = _import(path, ea_yong, create_villages=True)
    assert created.created == 1
    assert created.villages_created == ("Thôn Mới",)
    assert Resident.objects.get(full_name="Hồ Văn Em").village.kind == "village"


def test_same_name_and_village_with_weak_evidence_is_flagged_possible_duplicate(
    tmp_path: Path, ea_yong: Place
) -> None:
    rows = [
        HEADER,
        [1, "Nguyễn Văn An", "01/01/1980", "Nam", "", "", "Tân Lập"],
        [2, "Nguyễn Văn An", "01/01/2001", "Nam", "", "", "Tân Lập"],  # other year: not flagged
        [3, "Nguyễn Văn An", "15/06/1980", "Nam", "", "", "Tân Lập"],  # same year: flagged
        [4, "Nguyễn Văn An", "", "Nam", "", "", "Tân Lập"],  # no birth date: flagged
        [5, "Nguyễn Văn An", "", "Nam", "", "", "Cao Bằng"],  # other village: not flagged
    ]
    result = _import(write_xlsx(tmp_path / "ds.xlsx", rows), ea_yong)

    assert result.created == 5
    flagged = DataIssue.objects.filter(code="possible_duplicate").select_related("resident")
    assert sorted((i.resident.birth_date or dt.date.min) for i in flagged) == [
        dt.date.min,
        dt.date(1980, 6, 15),
    ]


def test_a_later_list_adds_the_cccd_to_the_person_matched_by_name_birth_and_village(
    tmp_path: Path, ea_yong: Place
) -> None:
    first = [HEADER, [1, "Vũ Thị Lan", "03/03/1993", "Nữ", "", "", "Tân Lập"]]
    second = [HEADER, [1, "VŨ THỊ LAN", "03/03/1993", "Nữ", "066193000777", "", "Tân Lập"]]
    _import(write_xlsx(tmp_path / "a.xlsx", first), ea_yong)
    result = _import(write_xlsx(tmp_path / "b.xlsx", second), ea_yong)

    assert (result.created, result.updated) == (0, 1)
    assert Resident.objects.get(full_name="Vũ Thị Lan").cccd == "066193000777"


def test_two_level_header_with_the_birth_date_under_nam_or_nu(
    tmp_path: Path, ea_yong: Place
) -> None:
    rows = [
        ["TT", "Họ và tên", "Ngày sinh", None, "Thôn"],
        [None, None, "Nam", "Nữ", None],
        [1, "Lê Văn Hùng", "01/02/1970", None, "Tân Lập"],
        [2, "Lê Thị Mai", None, "03/04/1975", "Tân Lập"],
    ]
    result = _import(write_xlsx(tmp_path / "ds.xlsx", rows), ea_yong)

    assert result.created == 2
    assert Resident.objects.get(full_name="Lê Văn Hùng").gender == "M"
    mai = Resident.objects.get(full_name="Lê Thị Mai")
    assert (mai.gender, mai.birth_date) == ("F", dt.date(1975, 4, 3))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1258"])
def test_csv_in_every_encoding_communes_use(tmp_path: Path, ea_yong: Place, encoding: str) -> None:
    rows = [["Họ tên", "NS", "GT", "Thôn, buôn"], ["Đặng Thị Ánh", "1/2/1999", "Nữ", "Tân Lập"]]
    if encoding == "cp1258":
        rows = [[cp1258_spelling(c) for c in r] for r in rows]
    result = _import(write_csv(tmp_path / "ds.csv", rows, encoding=encoding), ea_yong)

    assert result.created == 1
    assert Resident.objects.get(commune=ea_yong).full_name == "Đặng Thị Ánh"


def test_legacy_tcvn3_and_vni_names_are_converted(tmp_path: Path, ea_yong: Place) -> None:
    rows = [
        HEADER,
        [1, encode_legacy("Nguyễn Thị Hoà", "tcvn3"), "01/01/1990", "Nữ", "", "", "Tân Lập"],
        [2, encode_legacy("Trần Văn Đức", "vni"), "01/01/1991", "Nam", "", "", "Tân Lập"],
    ]
    _import(write_xlsx(tmp_path / "ds.xlsx", rows), ea_yong)
    names = set(Resident.objects.values_list("full_name", flat=True))
    assert names == {"Nguyễn Thị Hoà", "Trần Văn Đức"}


def test_no_header_row_is_fatal_and_writes_nothing(tmp_path: Path, ea_yong: Place) -> None:
    path = write_xlsx(tmp_path / "ds.xlsx", [["a", "b"], ["c", "d"]])
    with pytest.raises(ImportFailed) as error:
        _import(path, ea_yong)
    assert error.value.code == "no_header"
    assert "Họ và tên" in error.value.message.render("vi")
    assert not Resident.objects.exists()


def test_a_file_that_breaks_halfway_writes_nothing(tmp_path: Path, ea_yong: Place) -> None:
    path = tmp_path / "ds.csv"
    good = "".join(f"Người Số {i},01/01/1990,Nam,Tân Lập\n" for i in range(60_000))
    path.write_bytes(("Họ tên,Ngày sinh,GT,Thôn\n" + good).encode() + b"\xff\xfe broken\n")
    with pytest.raises(ImportFailed) as error:
        _import(path, ea_yong)
    assert error.value.code == "file_encoding"
    assert not Resident.objects.filter(commune=ea_yong).exists()


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("ds.xlsx", b"not a spreadsheet", "file_unreadable"),
        ("ds.pdf", b"%PDF", "file_type"),
    ],
)
def test_unreadable_files_are_fatal(
    tmp_path: Path, ea_yong: Place, name: str, content: bytes, code: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ImportFailed) as error:
        _import(path, ea_yong)
    assert error.value.code == code


def test_dry_run_counts_everything_and_writes_nothing(tmp_path: Path, ea_yong: Place) -> None:
    result = _import(write_xlsx(tmp_path / "ds.xlsx", [HEADER, *ROWS]), ea_yong, dry_run=True)
    assert (result.created, result.dry_run) == (4, True)
    assert not Resident.objects.exists()
    assert not DataIssue.objects.exists()


def test_the_worker_process_gives_the_same_result_as_cleaning_in_process(
    tmp_path: Path, ea_yong: Place, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [*TITLE, HEADER, *ROWS, [5, "Lê Văn Cường", "31/02/1990", "Nam", "12345", "", "Xa Lạ"]]
    path = write_xlsx(tmp_path / "ds.xlsx", rows)
    monkeypatch.setenv("CONGDANSO_IMPORT_WORKER", "on")
    in_worker = _import(path, ea_yong, dry_run=True)
    monkeypatch.setenv("CONGDANSO_IMPORT_WORKER", "off")
    in_process = _import(path, ea_yong, dry_run=True)

    assert in_worker.as_json() | {"seconds": 0} == in_process.as_json() | {"seconds": 0}
    assert in_worker.rejected_rows == in_process.rejected_rows
    assert (in_worker.rows, in_worker.created, in_worker.rejected) == (5, 4, 1)


@pytest.mark.parametrize(
    ("setting", "size", "idle", "load", "wanted"),
    [
        ("auto", 3_000_000, None, 0.4, True),
        ("auto", 3_000_000, None, 1.0, True),
        ("auto", 3_000_000, None, 1.6, False),  # the other core is busy too: one process
        # What stood idle while the file opened decides over the trailing load average: a
        # process that just ended still weighs on the latter.
        ("auto", 3_000_000, 0.9, 1.6, True),
        ("auto", 3_000_000, 0.5, 1.6, True),
        ("auto", 3_000_000, 0.4, 0.0, False),
        ("auto", 1_000, 1.0, 0.0, False),  # a small file: a fork costs more than it saves
        ("on", 1_000, 0.0, 3.0, True),
        ("off", 3_000_000, 1.0, 0.0, False),
    ],
)
def test_the_worker_is_forked_for_a_big_file_when_a_core_is_free(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    setting: str,
    size: int,
    idle: float | None,
    load: float,
    wanted: bool,
) -> None:
    path = tmp_path / "ds.csv"
    path.write_bytes(b"x" * size)
    monkeypatch.setenv("CONGDANSO_IMPORT_WORKER", setting)
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(parallel.os, "getloadavg", lambda: (load, load, load))
    assert parallel.worker_wanted(path, idle=idle) is wanted


_PROC_STAT = (
    "cpu  195500 0 22015 25980 562 0 221 91 0 0\ncpu0 96842 0 11243 13742 194 0 35 43 0 0\n"
)


def test_the_idle_cores_are_read_from_proc_stat() -> None:
    assert parallel.cpu_times(_PROC_STAT) == (25980 + 562, 195500 + 22015 + 25980 + 562 + 221 + 91)
    assert parallel.cpu_times("intr 1 2 3\n") is None
    assert parallel.cpu_times("cpu 1 2 x 4 5\n") is None
    # one core busy of two for a second (100 ticks each): one idle
    assert parallel.idle_cores((1000, 5000), (1100, 5200), 2) == 1.0
    assert parallel.idle_cores((1000, 5000), (1000, 5200), 2) == 0.0
    assert parallel.idle_cores((1000, 5000), (1010, 5030), 2) is None  # too short to tell
    assert parallel.idle_cores(None, (1000, 5000), 2) is None
    assert parallel.cpu_times() is None or len(parallel.cpu_times() or ()) == 2


@given(st.lists(st.integers(min_value=0, max_value=10**12), min_size=4, max_size=10))
def test_cpu_times_add_up_what_proc_stat_says(ticks: list[int]) -> None:
    idle, total = parallel.cpu_times("cpu  " + " ".join(map(str, ticks)) + "\ncpu0 1 2 3 4\n")
    assert idle == ticks[3] + (ticks[4] if len(ticks) > 4 else 0)
    assert total == sum(ticks[:8]) and 0 <= idle <= total


def test_numbers_keyed_in_the_worker_decrypt_and_are_found_by_their_keys(
    tmp_path: Path, ea_yong: Place, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The worker computes the look-up keys of CCCDs and phones (and, on PostgreSQL, encrypts
    # new residents' numbers) for the writer: what is stored must read back, and be found by
    # the writer process's own keys.
    monkeypatch.setenv("CONGDANSO_IMPORT_WORKER", "on")
    _import(write_xlsx(tmp_path / "ds.xlsx", [HEADER, *ROWS]), ea_yong)
    hoa = Resident.objects.with_cccd("066190012345").get(commune=ea_yong)
    assert (hoa.cccd, hoa.phone) == ("066190012345", "0912345678")
    stored = Resident.objects.filter(pk=hoa.pk).values(
        "cccd_encrypted", "phone_encrypted", "phone_hmac", "key_version"
    )[0]
    assert decrypt(stored["cccd_encrypted"], personal.CCCD) == "066190012345"
    assert decrypt(stored["phone_encrypted"], personal.PHONE) == "0912345678"
    assert stored["phone_hmac"] == personal.phone_hmac("0912345678")
    assert stored["key_version"] == keyring().active


def test_a_failure_in_the_worker_is_fatal_and_writes_nothing(
    tmp_path: Path, ea_yong: Place, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONGDANSO_IMPORT_WORKER", "on")
    path = tmp_path / "ds.csv"
    good = "".join(f"Người Số {i},01/01/1990,Nam,Tân Lập\n" for i in range(5000))
    path.write_bytes(("Họ tên,Ngày sinh,GT,Thôn\n" + good).encode() + b"\xff\xfe broken\n")
    with pytest.raises(ImportFailed) as error:
        _import(path, ea_yong)
    assert error.value.code == "file_encoding"
    assert "UTF-8" in error.value.message.render("vi")
    assert error.value.message.render("en").startswith("The file cannot be read")
    assert not Resident.objects.filter(commune=ea_yong).exists()


def test_split_name_columns_are_joined(tmp_path: Path, ea_yong: Place) -> None:
    rows = [
        ["STT", "Họ và chữ đệm", "Tên", "Năm sinh", "Thôn"],
        [1, "NGUYỄN THỊ", "HOÀ", 1990, "Tân Lập"],
    ]
    _import(write_xlsx(tmp_path / "ds.xlsx", rows), ea_yong)
    hoa = Resident.objects.get(commune=ea_yong)
    assert (hoa.full_name, hoa.birth_date_precision) == ("Nguyễn Thị Hoà", "year")


def test_a_vni_file_decodes_even_names_that_look_like_unicode_alone(
    tmp_path: Path, ea_yong: Place
) -> None:
    names = ["Nguyễn Văn An", "Trần Thị Thu", "Phan Thị Hoa", "Y Sơn Ksơr"]
    rows = [HEADER] + [
        [i, encode_legacy(name, "vni"), f"01/01/19{60 + i}", "", "", "", "Tân Lập"]
        for i, name in enumerate(names, start=1)
    ]
    _import(write_xlsx(tmp_path / "ds.xlsx", rows), ea_yong)
    assert set(Resident.objects.values_list("full_name", flat=True)) == set(names)


def test_a_later_row_that_fixes_a_field_resolves_the_issue_for_good(
    tmp_path: Path, ea_yong: Place
) -> None:
    rows = [
        HEADER,
        [1, "Vũ Thị Lan", "03/03/1993", "Nữ", "066193000777", "034321697", "Tân Lập"],
        [2, "Vũ Thị Lan", "03/03/1993", "Nữ", "066193000777", "0912000111", "Tân Lập"],
    ]
    path = write_xlsx(tmp_path / "ds.xlsx", rows)
    first = _import(path, ea_yong)
    lan = Resident.objects.with_cccd("066193000777").get()
    assert (first.created, first.updated, lan.phone) == (1, 1, "0912000111")
    issue = DataIssue.objects.get(resident=lan)
    assert (issue.code, issue.original, issue.original_value) == (
        "phone_invalid",
        "034321697",
        "03*****97",
    )
    assert issue.resolved_at is not None

    again = _import(path, ea_yong)
    assert (again.updated, again.unchanged) == (0, 2)
    assert DataIssue.objects.filter(resident=lan).count() == 1


def test_namesakes_known_only_by_birth_year_stay_two_people_across_reimports(
    tmp_path: Path, ea_yong: Place
) -> None:
    rows = [
        HEADER,
        [1, "Nguyễn Thị Hương", 1960, "Nữ", "0401601X5304", "0912000111", "Tân Lập"],
        [2, "Nguyễn Thị Hương", 1960, "Nữ", "066160102804", "0987000222", "Tân Lập"],
    ]
    path = write_xlsx(tmp_path / "ds.xlsx", rows)
    first = _import(path, ea_yong)
    assert (first.created, first.rejected) == (2, 0)
    assert DataIssue.objects.filter(code="possible_duplicate").count() == 1

    again = _import(path, ea_yong)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    phones = {r.cccd: r.phone for r in Resident.objects.all()}
    assert phones == {None: "0912000111", "066160102804": "0987000222"}


def test_namesakes_born_the_same_year_on_different_days_are_two_people(
    tmp_path: Path, ea_yong: Place
) -> None:
    # A full birth date tells them apart: matching on the year alone would merge them.
    rows = [
        HEADER,
        [1, "Nguyễn Văn Nam", "03/02/1985", "Nam", "", "0912000111", "Tân Lập"],
        [2, "Nguyễn Văn Nam", "20/11/1985", "Nam", "", "0987000222", "Tân Lập"],
    ]
    path = write_xlsx(tmp_path / "ds.xlsx", rows)
    first = _import(path, ea_yong)
    assert (first.created, first.rejected) == (2, 0)

    again = _import(path, ea_yong)

    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    phones = {r.birth_date: r.phone for r in Resident.objects.all()}
    assert phones == {dt.date(1985, 2, 3): "0912000111", dt.date(1985, 11, 20): "0987000222"}


def test_a_namesake_born_another_day_of_the_same_year_does_not_update_the_resident(
    tmp_path: Path, ea_yong: Place
) -> None:
    known = [HEADER, [1, "Nguyễn Văn Nam", "03/02/1985", "Nam", "", "0912000111", "Tân Lập"]]
    _import(write_xlsx(tmp_path / "a.xlsx", known), ea_yong)
    newcomer = [HEADER, [1, "Nguyễn Văn Nam", "20/11/1985", "Nam", "", "0987000222", "Tân Lập"]]

    result = _import(write_xlsx(tmp_path / "b.xlsx", newcomer), ea_yong)

    assert (result.created, result.updated) == (1, 0)
    phones = {r.birth_date: r.phone for r in Resident.objects.all()}
    assert phones == {dt.date(1985, 2, 3): "0912000111", dt.date(1985, 11, 20): "0987000222"}
    newest = Resident.objects.get(birth_date=dt.date(1985, 11, 20))
    assert DataIssue.objects.filter(resident=newest, code="possible_duplicate").exists()


def test_unicode_names_stay_as_they_are_beside_a_pasted_legacy_name(
    tmp_path: Path, ea_yong: Place
) -> None:
    names = ["H'Mai Mlô", "Y Kông Mlô", "Nguyễn Văn An", "Trần Thị Thu"]
    rows = [HEADER] + [
        [i, n, f"01/01/19{50 + i}", "", "", "", "Tân Lập"] for i, n in enumerate(names)
    ]
    rows.append([9, encode_legacy("Lê Thị Hoà", "tcvn3"), "01/01/1990", "", "", "", "Tân Lập"])
    _import(write_xlsx(tmp_path / "ds.xlsx", rows), ea_yong)
    assert set(Resident.objects.values_list("full_name", flat=True)) == {*names, "Lê Thị Hoà"}


def test_an_unchanged_file_into_unchanged_data_is_answered_from_the_import_log(
    tmp_path: Path, ea_yong: Place
) -> None:
    rows = [HEADER, *ROWS, [5, "", "01/01/1990", "Nam", "", "", "Tân Lập"]]
    path = write_xlsx(tmp_path / "ds.xlsx", rows)
    first = _import(path, ea_yong, reuse_previous=True)
    full = _import(path, ea_yong, reuse_previous=False)

    again = _import(path, ea_yong, reuse_previous=True)

    assert again.same_as_run is not None
    assert (again.rows, again.created, again.updated) == (5, 0, 0)
    assert (again.unchanged, again.rejected) == (full.unchanged, full.rejected) == (4, 1)
    assert again.warnings_by_code == full.warnings_by_code

    def shown(result):  # type: ignore[no-untyped-def]
        return [
            (r.row_number, [cell_text(c) for c in r.cells], r.reason.render("vi"))
            for r in result.rejected_rows
        ]

    assert shown(again) == shown(full) == shown(first)
    assert again.rejected_rows[0].reason.render("en") == "The row has no full name."


def test_any_change_to_the_communes_data_sends_the_file_through_the_pipeline_again(
    tmp_path: Path, ea_yong: Place
) -> None:
    path = write_xlsx(tmp_path / "ds.xlsx", [HEADER, *ROWS])
    _import(path, ea_yong, reuse_previous=True)
    hoa = Resident.objects.with_cccd("066190012345").get()
    hoa.phone = "0987654321"
    hoa.save()

    again = _import(path, ea_yong, reuse_previous=True)

    assert again.same_as_run is None
    assert again.updated == 1
    assert Resident.objects.get(pk=hoa.pk).phone == "0912345678"


def test_an_import_writes_one_audit_event_with_its_counts(ea_yong, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from congdanso.core.models import AuditEvent

    path = write_xlsx(tmp_path / "ds.xlsx", [HEADER, *ROWS])
    result = import_residents(path, commune=ea_yong, today=TODAY)

    event = AuditEvent.objects.get(action="import", object_type="people.resident")
    assert event.commune_id == ea_yong.pk
    assert event.changes["created"] == result.created
    assert event.object_label == "ds.xlsx"


def test_a_database_error_midway_leaves_the_residents_as_they_were(
    tmp_path: Path, ea_yong: Place, refuse_updates: Callable[[str], None]
) -> None:
    first = [[1, "Nguyễn Văn An", "05/03/1985", "Nam", "", "", "Thôn Tân Lập"]]
    _import(write_csv(tmp_path / "first.csv", [HEADER, *first]), ea_yong)
    before = list(Resident.objects.values_list("id", "full_name", "phone_hmac"))
    later = [
        [1, "Trần Thị Bình", "1990", "Nữ", "", "", "Thôn Tân Lập"],  # inserted first…
        [2, "Nguyễn Văn An", "05/03/1985", "Nam", "", "0912345678", "Thôn Tân Lập"],  # … refused
    ]
    refuse_updates(Resident._meta.db_table)

    with pytest.raises(ImportFailed) as error:
        _import(write_csv(tmp_path / "later.csv", [HEADER, *later]), ea_yong)

    assert error.value.code == "database_error"
    assert "refused by the test" in str(error.value.message)
    assert list(Resident.objects.values_list("id", "full_name", "phone_hmac")) == before


@pytest.mark.parametrize(
    ("file_bytes", "kib"),
    [(0, writing.IMPORT_CACHE_KIB), (writing.LARGE_IMPORT_BYTES, writing.LARGE_IMPORT_CACHE_KIB)],
)
def test_an_import_sizes_sqlite_s_page_cache_by_the_file_and_gives_it_back(
    file_bytes: int, kib: int
) -> None:
    if connection.vendor != "sqlite":
        with writing.import_cache(file_bytes):  # nothing to size on PostgreSQL
            return

    def cache_size() -> int:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            return int(cursor.fetchone()[0])

    before = cache_size()
    with writing.import_cache(file_bytes):
        assert cache_size() == -kib
    assert cache_size() == before
    assert writing.LARGE_IMPORT_CACHE_KIB < writing.IMPORT_CACHE_KIB


def test_after_an_import_references_are_checked_at_commit_again(
    tmp_path: Path, ea_yong: Place
) -> None:
    # During the import PostgreSQL checks its references as it writes; after it, the rest of
    # the transaction keeps Django's deferred checks: a row that points nowhere for a moment
    # (removed before COMMIT) is accepted.
    rows = [[1, "Nguyễn Văn An", "05/03/1985", "Nam", "", "", "Thôn Tân Lập"]]
    _import(write_csv(tmp_path / "ds.csv", [HEADER, *rows]), ea_yong)
    table = DataIssue._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (commune_id, resident_id, code, field, original_value, "  # noqa: S608
            "original_encrypted, detail, source, created_at) "
            "VALUES (%s, 999999, 'x', 'x', '', '', '', '', %s) RETURNING id",
            [ea_yong.pk, dt.datetime(2023, 4, 12, tzinfo=dt.UTC)],
        )
        dangling = cursor.fetchone()[0]
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [dangling])  # noqa: S608
    assert not DataIssue.objects.filter(resident_id=999999).exists()


@pytest.mark.parametrize("recall", [True, False])
def test_a_row_placed_by_id_leaves_the_other_rows_their_namesakes(
    tmp_path: Path, ea_yong: Place, recall: bool
) -> None:
    # A resident without CCCD placed by the id column used to keep every row without CCCD of
    # the same chunk from its stored namesake: each became a new person (a duplicate).
    first = [
        HEADER,
        [1, "Vũ Thị Lan", "03/03/1993", "Nữ", "", "", "Tân Lập"],
        [2, "Lò Văn Páo", "1970", "Nam", "", "", "Tân Lập"],
    ]
    _import(write_xlsx(tmp_path / "a.xlsx", first), ea_yong)
    pao = Resident.objects.get(full_name="Lò Văn Páo")
    second = [
        [*HEADER, "Mã công dân"],
        [1, "Lò Văn Páo", "1970", "Nam", "", "0912000111", "Tân Lập", pao.pk],
        [2, "Vũ Thị Lan", "03/03/1993", "Nữ", "", "0912000222", "Tân Lập", ""],
    ]
    result = _import(write_xlsx(tmp_path / "b.xlsx", second), ea_yong, recall=recall)

    assert (result.created, result.updated, result.warnings_by_code) == (0, 2, {})
    assert Resident.objects.filter(commune=ea_yong).count() == 2
    assert Resident.objects.get(full_name="Vũ Thị Lan").phone == "0912000222"
