"""The import's writer alone (people/importing/writing.py): what it reads for a chunk's
matching, when it reads the commune's keys into memory, and what it stores, column by column.
Rows are built by hand (people/tests/rows.py) and written into the test commune."""

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from congdanso.core.crypto import decrypt, keyring
from congdanso.people import personal
from congdanso.people.importing import writing
from congdanso.people.importing.cleaning import CleanRow, Issue
from congdanso.people.importing.triage import Triage
from congdanso.people.importing.writing import RECALL_SHARE, ChunkWriter
from congdanso.people.models import DataIssue, IssueCode, Resident
from congdanso.people.tests.factories import ResidentFactory
from congdanso.people.tests.rows import AN, BORN, CCCD, OTHER_CCCD, PHONE, clean_row
from congdanso.places.models import Place

pytestmark = pytest.mark.django_db

KEYS_READ = "SELECT id, cccd_hmac, name_key"  # recall.ResidentKeys.load's statement


@pytest.fixture
def village(ea_yong: Place) -> Place:
    return Place.objects.get(parent=ea_yong, name="Thôn Tân Lập")


def _writer(commune: Place, **kwargs) -> ChunkWriter:  # type: ignore[no-untyped-def]
    return ChunkWriter(commune_id=commune.pk, source="danh-sach.xlsx", **kwargs)


def _stored(village: Place, count: int) -> list[Resident]:
    return ResidentFactory.create_batch(count, village=village)


def _new_values(rows: list[CleanRow]) -> list[tuple]:  # type: ignore[type-arg]
    """The rows as the triage hands certainly new ones to the writer."""
    triage = Triage()
    values = [triage.route(row) for row in rows]
    assert None not in values
    return values  # type: ignore[return-value]


@contextmanager
def _sequence_past(value: int) -> Iterator[None]:
    """PostgreSQL's id sequence moved past `value` for the block, then back (a sequence is not
    rolled back with the test's transaction). SQLite takes the next id from the table."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence('people_resident', 'id')")
        sequence = cursor.fetchone()[0]
        cursor.execute(f"SELECT last_value FROM {sequence}")  # noqa: S608 - the table's own
        before = cursor.fetchone()[0]
        cursor.execute("SELECT setval(%s::regclass, %s)", [sequence, value])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT setval(%s::regclass, %s)", [sequence, before])


# -- when the commune's keys are read into memory ------------------------------------------


def test_the_keys_are_read_once_the_rows_matched_reach_a_sixteenth_of_the_residents(
    ea_yong: Place, village: Place
) -> None:
    assert RECALL_SHARE == 16
    _stored(village, 32)
    writer = _writer(ea_yong)

    assert writer._keys(1) is None  # 16 rows' worth < 32 residents
    with CaptureQueriesContext(connection) as queries:
        keys = writer._keys(1)  # 2 × 16 = 32: the rows add up, and reaching it is enough
    assert keys is not None
    assert sum(KEYS_READ in q["sql"] for q in queries) == 1
    with CaptureQueriesContext(connection) as queries:
        assert writer._keys(500) is keys  # read once, then kept
    assert len(queries) == 0


def test_residents_the_triage_inserted_count_among_the_commune_s(
    ea_yong: Place, village: Place
) -> None:
    _stored(village, 32)
    writer = _writer(ea_yong)
    new = [clean_row(f"Người Mới {i}", village=village.pk, birth=None) for i in range(8)]
    writer.write_new(_new_values(new), [])

    assert writer._keys(2) is None  # 2 × 16 < 32 + 8
    assert writer._keys(1) is not None  # 3 × 16 ≥ 40
    assert writer._stored == 32


def test_without_recall_the_database_answers_every_chunk(ea_yong: Place, village: Place) -> None:
    _stored(village, 2)
    writer = _writer(ea_yong, recall=False)

    assert writer._keys(10_000) is None
    assert writer._keys(10_000) is None


def test_the_statistics_are_fresh_before_the_keys_are_read_after_a_large_insert(
    ea_yong: Place, village: Place, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(writing, "ANALYZE_AFTER_ROWS", 4)
    writer = _writer(ea_yong)
    new = [clean_row(f"Người Mới {i}", village=village.pk, birth=None) for i in range(5)]
    writer.write_new(_new_values(new), [])
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cursor.fetchone():
                cursor.execute("DELETE FROM sqlite_stat1")

    assert writer._keys(1) is not None

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'people_resident'")
            assert cursor.fetchone()[0] > 0


def test_ids_past_32_bits_send_the_look_ups_back_to_the_database(
    ea_yong: Place, village: Place
) -> None:
    # The keys in memory hold 32-bit ids: past them, the database answers from then on.
    big = ResidentFactory(village=village, full_name="Lò Văn Páo", birth_date=BORN)
    Resident.objects.filter(pk=big.pk).update(id=2**32 + 5)
    writer = _writer(ea_yong)

    writer.write([clean_row("Lò Văn Páo", village=village.pk, phone=PHONE)])

    assert writer._recall is None
    assert writer.counts.updated == 1
    assert Resident.objects.get(pk=2**32 + 5).phone == PHONE


def test_new_ids_past_32_bits_after_the_keys_were_read_leave_them_for_the_database(
    ea_yong: Place, village: Place
) -> None:
    ResidentFactory(village=village)  # the commune's one stored resident
    other_commune = Place.objects.filter(kind=ea_yong.kind).exclude(pk=ea_yong.pk).first()
    elsewhere = ResidentFactory(village=None, commune=other_commune)
    Resident.objects.filter(pk=elsewhere.pk).update(id=2**32 + 5)  # new ids come after it
    writer = _writer(ea_yong)

    with _sequence_past(2**32 + 5):
        writer.write([clean_row("Vũ Thị Lan", village=village.pk, cccd=CCCD)])  # keys read,
        assert writer._recall is None  # then the new resident's id overflowed them
        writer.write([clean_row("Vũ Thị Lan", number=3, village=village.pk, cccd=CCCD)])

    assert (writer.counts.created, writer.counts.unchanged) == (1, 1)
    assert Resident.objects.filter(commune=ea_yong, full_name="Vũ Thị Lan").count() == 1


def test_a_resident_written_after_the_keys_were_read_is_found_by_a_later_chunk(
    ea_yong: Place, village: Place
) -> None:
    _stored(village, 2)
    writer = _writer(ea_yong)
    writer.write([clean_row("Vũ Thị Lan", village=village.pk, cccd=CCCD)])
    assert writer._recall_loaded
    new = [clean_row("Đinh Văn Nam", village=village.pk, cccd=OTHER_CCCD)]
    writer.write_new(_new_values(new), [])

    writer.write(
        [
            clean_row("Vũ Thị Lan", number=9, village=village.pk, cccd=CCCD),
            clean_row("Đinh Văn Nam", number=10, village=village.pk, cccd=OTHER_CCCD),
        ]
    )

    assert (writer.counts.created, writer.counts.unchanged) == (2, 2)
    assert Resident.objects.filter(commune=ea_yong).count() == 4


# -- what a chunk reads ----------------------------------------------------------------------


def test_look_ups_go_500_values_at_a_time(ea_yong: Place) -> None:
    writer = _writer(ea_yong)

    with CaptureQueriesContext(connection) as queries:
        assert writer._fetch_ids(set(range(1, 1002))) == []
    assert len(queries) == 3


def test_namesakes_are_read_for_the_years_wanted_only(ea_yong: Place, village: Place) -> None:
    other = Place.objects.get(parent=ea_yong, name="Buôn Ghamah")
    for birth in (dt.date(1985, 1, 1), dt.date(1990, 1, 1), None):
        ResidentFactory(village=village, full_name=AN, birth_date=birth)
    ResidentFactory(village=other, full_name=AN, birth_date=dt.date(1985, 1, 1))
    no_village = ResidentFactory(village=None, commune=ea_yong, full_name=AN, birth_date=None)
    writer = _writer(ea_yong)

    found = writer._fetch_named({("nguyen van an", village.pk): {"1985"}})
    assert sorted(str(k.birth_date) for k in found) == ["1985-01-01", "None"]
    assert {k.village_id for k in found} == {village.pk}

    found = writer._fetch_named({("nguyen van an", village.pk): None})
    assert len(found) == 3

    found = writer._fetch_named({("nguyen van an", 0): {"1985"}})
    assert [k.id for k in found] == [no_village.pk]


def test_through_the_keys_a_chunk_reads_the_residents_its_rows_may_be(
    ea_yong: Place, village: Place
) -> None:
    by_cccd = ResidentFactory(village=village, full_name="Vũ Thị Lan", cccd=CCCD)
    same_year = ResidentFactory(village=village, full_name=AN, birth_date=dt.date(1985, 7, 1))
    other_year = ResidentFactory(
        village=village, full_name=AN, birth_date=dt.date(1990, 1, 1), cccd=OTHER_CCCD
    )
    unknown_year = ResidentFactory(village=village, full_name=AN, birth_date=None)
    writer = _writer(ea_yong)
    keys = writer._keys(100)
    assert keys is not None
    rows = [
        clean_row("Vũ Thị Lan", village=village.pk, cccd=CCCD),
        clean_row(AN, village=village.pk),
    ]

    by_id, to_read = writer._recalled(keys, rows, set(), {rows[0].cccd_hmac})

    assert set(by_id) == {by_cccd.pk, same_year.pk, unknown_year.pk}
    assert other_year.pk not in by_id
    assert to_read == {}


# -- what is stored ----------------------------------------------------------------------------


def test_an_update_keeps_the_numbers_look_up_keys_and_key_version(
    ea_yong: Place, village: Place
) -> None:
    stored = ResidentFactory(village=village, full_name=AN, birth_date=BORN, cccd=CCCD)
    phone_only = ResidentFactory(
        village=village, full_name="Vũ Thị Lan", birth_date=BORN, phone=PHONE
    )
    writer = _writer(ea_yong)

    writer.write(
        [
            clean_row(AN, village=village.pk, status="moved_away"),
            clean_row("Vũ Thị Lan", village=village.pk, status="moved_away"),
        ]
    )

    assert writer.counts.updated == 2
    stored.refresh_from_db()
    phone_only.refresh_from_db()
    assert stored.status == phone_only.status == "moved_away"
    assert (stored.cccd_hmac, stored.cccd_last4_hmac) == personal.cccd_keys(CCCD)
    assert stored.cccd == CCCD
    assert (phone_only.phone_hmac, phone_only.phone_last4_hmac) == personal.phone_keys(PHONE)
    assert stored.key_version == phone_only.key_version == keyring().active


def test_a_new_person_with_a_phone_only_has_the_key_version_of_its_phone(
    ea_yong: Place, village: Place
) -> None:
    writer = _writer(ea_yong)

    writer.write(
        [clean_row(village=village.pk, phone=PHONE), clean_row("Vũ Thị Lan", village=village.pk)]
    )

    assert Resident.objects.get(full_name=AN).key_version == keyring().active
    assert Resident.objects.get(full_name="Vũ Thị Lan").key_version is None


def test_issues_of_personal_numbers_are_stored_masked_and_sealed(
    ea_yong: Place, village: Place
) -> None:
    mismatch = Issue(IssueCode.CCCD_MISMATCH, "cccd", CCCD, f"CCCD {CCCD} says 1986")
    bad_phone = Issue(IssueCode.PHONE_INVALID, "phone", "0912 34", "too short: 0912 34")
    bad_date = Issue(IssueCode.BIRTH_DATE_INVALID, "birth_date", "x" * 600, "y" * 600)
    writer = _writer(ea_yong)

    writer.write([clean_row(village=village.pk, issues=(mismatch, bad_phone, bad_date))])

    stored = {i.code: i for i in DataIssue.objects.filter(resident__commune=ea_yong)}
    cccd = stored[IssueCode.CCCD_MISMATCH]
    assert cccd.original_value == "066******123"
    assert decrypt(cccd.original_encrypted, personal.ISSUE_ORIGINAL) == CCCD
    assert cccd.key_version == keyring().active
    assert cccd.detail == "CCCD 06********23 says 1986"
    assert stored[IssueCode.PHONE_INVALID].original_value == "09***34"
    date = stored[IssueCode.BIRTH_DATE_INVALID]
    assert (date.original_value, date.original_encrypted, date.key_version) == ("x" * 500, "", None)
    assert date.detail == "y" * 500
    assert {i.source for i in stored.values()} == {"danh-sach.xlsx"}


def test_long_personal_originals_are_cut_to_the_column(ea_yong: Place, village: Place) -> None:
    long = Issue(IssueCode.PHONE_INVALID, "phone", "9" * 600, "8" * 600)
    writer = _writer(ea_yong)

    writer.write([clean_row(village=village.pk, issues=(long,))])

    stored = DataIssue.objects.get(resident__commune=ea_yong)
    assert len(stored.original_value) == 500
    assert len(stored.detail) == 500
    assert decrypt(stored.original_encrypted, personal.ISSUE_ORIGINAL) == "9" * 600


def test_the_triage_s_residents_are_stored_with_their_numbers_sealed(
    ea_yong: Place, village: Place
) -> None:
    writer = _writer(ea_yong)
    rows = [
        clean_row("Có Cả Hai", village=village.pk, cccd=CCCD, phone=PHONE),
        clean_row("Chỉ Số Điện Thoại", village=village.pk, phone=PHONE),
        clean_row("Chỉ Căn Cước", village=village.pk, cccd=OTHER_CCCD),
        clean_row("Không Có Số", village=village.pk, birth=None, gender=""),
    ]

    writer.write_new(_new_values(rows), [(3, Issue(IssueCode.GENDER_INVALID, "gender", "?", ""))])

    stored = {r.full_name: r for r in Resident.objects.filter(commune=ea_yong)}
    both = stored["Có Cả Hai"]
    assert (both.cccd, both.phone, both.village_id, both.birth_date) == (
        CCCD,
        PHONE,
        village.pk,
        BORN,
    )
    assert (both.cccd_hmac, both.cccd_last4_hmac) == personal.cccd_keys(CCCD)
    assert (both.phone_hmac, both.phone_last4_hmac) == personal.phone_keys(PHONE)
    assert stored["Chỉ Số Điện Thoại"].key_version == keyring().active
    assert stored["Chỉ Căn Cước"].key_version == keyring().active
    nothing = stored["Không Có Số"]
    assert (nothing.key_version, nothing.phone_encrypted, nothing.cccd_encrypted) == (
        None,
        "",
        None,
    )
    assert list(nothing.issues.values_list("code", flat=True)) == [IssueCode.GENDER_INVALID]
    assert writer.counts.created == 4
    assert writer.counts.warnings == {IssueCode.GENDER_INVALID: 1}


def _triage_inserts_after_the_keys_were_read(commune: Place, new: CleanRow) -> ChunkWriter:
    """A writer whose first chunk read the commune's keys, then the triage inserted `new`."""
    village = Place.objects.get(pk=new.village_id)
    _stored(village, 2)
    writer = _writer(commune)
    writer.write([clean_row("Vũ Thị Lan", village=village.pk)])
    assert writer._recall_loaded
    writer.write_new(_new_values([new]), [])
    return writer


def test_a_resident_the_triage_inserted_after_the_keys_were_read_is_found_by_name(
    ea_yong: Place, village: Place
) -> None:
    writer = _triage_inserts_after_the_keys_were_read(
        ea_yong, clean_row("Đinh Văn Nam", village=village.pk)
    )

    writer.write([clean_row("Đinh Văn Nam", number=3, village=village.pk, phone=PHONE)])

    assert (writer.counts.created, writer.counts.updated) == (2, 1)
    assert Resident.objects.get(full_name="Đinh Văn Nam").phone == PHONE


def test_a_cccd_a_chunk_added_to_a_resident_is_found_by_a_later_chunk(
    ea_yong: Place, village: Place
) -> None:
    _stored(village, 2)
    lan = ResidentFactory(village=village, full_name="Vũ Thị Lan", birth_date=BORN)
    writer = _writer(ea_yong)
    writer.write([clean_row("Vũ Thị Lan", village=village.pk, cccd=CCCD)])  # keys read
    assert writer._recall_loaded

    writer.write([clean_row("Vũ Thị Lành", number=3, village=village.pk, cccd=CCCD)])

    assert writer.rejected == []
    # the same person told twice in the file: the second row only fills what is empty
    assert (writer.counts.created, writer.counts.updated, writer.counts.unchanged) == (0, 1, 1)
    lan.refresh_from_db()
    assert (lan.full_name, lan.cccd) == ("Vũ Thị Lan", CCCD)


def test_new_ids_follow_the_largest_ever_given(ea_yong: Place, village: Place) -> None:
    gone = ResidentFactory(village=village)
    gone_id = gone.pk
    Resident.objects.filter(pk=gone_id).delete()  # its id is not given again
    writer = _writer(ea_yong)

    writer.write([clean_row(village=village.pk), clean_row("Vũ Thị Lan", village=village.pk)])
    writer.write([clean_row("Đinh Văn Nam", village=village.pk)])

    ids = sorted(Resident.objects.filter(commune=ea_yong).values_list("id", flat=True))
    assert ids[0] > gone_id
    if connection.vendor == "sqlite":  # a PostgreSQL sequence may have given others since
        assert ids == [gone_id + 1, gone_id + 2, gone_id + 3]


def test_the_first_resident_of_an_empty_table_gets_the_first_id(
    ea_yong: Place, village: Place
) -> None:
    Resident.objects.all().delete()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:  # as if no resident had ever been stored
            cursor.execute("DELETE FROM sqlite_sequence WHERE name = 'people_resident'")
    writer = _writer(ea_yong)

    writer.write([clean_row(village=village.pk), clean_row("Vũ Thị Lan", village=village.pk)])

    ids = list(Resident.objects.order_by("id").values_list("id", flat=True))
    if connection.vendor == "sqlite":
        assert ids == [1, 2]
    else:  # the sequence's next values (other tests took earlier ones)
        assert ids[1] == ids[0] + 1


def test_statistics_are_refreshed_after_a_large_insert_and_again_once_doubled(
    ea_yong: Place, village: Place, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(writing, "ANALYZE_AFTER_ROWS", 4)
    writer = _writer(ea_yong)

    def analyzed(rows: int, *, first: int = 0) -> int:
        new = [clean_row(f"Người {first + i}", village=village.pk) for i in range(rows)]
        with CaptureQueriesContext(connection) as queries:
            if rows:
                writer.write(new)
            writer.finish()
        return sum(q["sql"].startswith("ANALYZE people_resident") for q in queries)

    # 3 < 4: a small insert leaves the statistics alone (PostgreSQL takes them once before
    # the first look-ups: the table may have just been filled by another import)
    assert analyzed(3) == (1 if connection.vendor == "postgresql" else 0)
    assert analyzed(1, first=3) == 1  # 4 inserted, exactly the threshold
    assert analyzed(3, first=4) == 0  # 7 < twice 4
    assert analyzed(1, first=7) == 1  # 8: the table has doubled since


def test_statistics_before_the_look_ups_are_taken_on_postgresql_only(
    ea_yong: Place, village: Place, monkeypatch: pytest.MonkeyPatch
) -> None:
    # PostgreSQL plans the look-ups from them; SQLite plans look-ups by key well without.
    monkeypatch.setattr(writing, "ANALYZE_AFTER_ROWS", 1)
    writer = _writer(ea_yong, recall=False)
    writer.write_new(_new_values([clean_row("Người Mới", village=village.pk)]), [])

    with CaptureQueriesContext(connection) as queries:
        writer.write([clean_row(village=village.pk)])

    analyzed = [q["sql"] for q in queries if q["sql"].startswith("ANALYZE")]
    if connection.vendor == "postgresql":
        assert analyzed == [
            "ANALYZE people_resident (id, commune_id, village_id, name_key, cccd_hmac, birth_date)",
            "ANALYZE people_dataissue (resident_id)",
        ]
    else:
        assert analyzed == []


def test_the_source_is_cut_to_its_column(ea_yong: Place, village: Place) -> None:
    writer = ChunkWriter(commune_id=ea_yong.pk, source="d" * 300)
    issue = Issue(IssueCode.GENDER_INVALID, "gender", "?", "")

    writer.write([clean_row(village=village.pk, issues=(issue,))])

    assert DataIssue.objects.get(resident__commune=ea_yong).source == "d" * 255


def test_through_the_keys_a_row_s_id_finds_its_resident_whatever_else_it_says(
    ea_yong: Place, village: Place
) -> None:
    _stored(village, 2)
    stored = ResidentFactory(village=village, full_name="Lò Văn Páo", birth_date=None)
    writer = _writer(ea_yong)
    assert writer._keys(100) is not None

    writer.write([clean_row("Lò Văn Pảo", village=village.pk, resident_id=stored.pk)])

    assert (writer.counts.created, writer.counts.updated) == (0, 1)
    stored.refresh_from_db()
    assert (stored.full_name, stored.birth_date) == ("Lò Văn Pảo", BORN)


def test_a_resident_the_keys_name_wrongly_is_dropped_by_its_stored_values(
    ea_yong: Place, village: Place
) -> None:
    # The keys in memory are digests: two residents can share one. Those read for a row are
    # kept only when their stored CCCD or birth year is what the row asks for.
    other_year = ResidentFactory(
        village=village, full_name=AN, birth_date=dt.date(1990, 1, 1), cccd=OTHER_CCCD
    )
    writer = _writer(ea_yong)
    keys = writer._keys(100)
    assert keys is not None
    row = clean_row(AN, village=village.pk, cccd=CCCD)
    # as if a digest of this row's CCCD and of its name in 1985 were also the other's
    keys.add([(other_year.pk, row.cccd_hmac, "nguyen van an", village.pk, "1985-03-05")])

    by_id, to_read = writer._recalled(keys, [row], set(), {row.cccd_hmac})

    assert by_id == {}
    assert to_read == {}


def test_a_cccd_the_triage_inserted_after_the_keys_were_read_is_found_by_a_later_chunk(
    ea_yong: Place, village: Place
) -> None:
    writer = _triage_inserts_after_the_keys_were_read(
        ea_yong, clean_row("Đinh Văn Nam", village=village.pk, cccd=CCCD)
    )

    # another spelling, no village, no birth date: only the CCCD can find the person
    writer.write([clean_row("Đinh Văn Năm", number=3, village=None, birth=None, cccd=CCCD)])

    assert writer.rejected == []
    assert (writer.counts.created, writer.counts.updated) == (2, 0)
    assert writer.counts.unchanged == 1
