"""CCCD and phone numbers at rest: encrypted, unique per commune by keyed hash, found whole or
by their last digits, masked when shown, and in clear in no column of any table."""

import copy
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.utils import load_backend

from congdanso.core.crypto import DecryptionError, Keyring, keyring
from congdanso.people import personal
from congdanso.people.importing import import_residents
from congdanso.people.models import DataIssue, ImportRun, Resident
from congdanso.people.selectors import resident_search
from congdanso.people.tests.factories import ResidentFactory
from congdanso.people.tests.files import HEADER, write_xlsx
from congdanso.places.models import Place
from congdanso.places.services import commune_get_or_create, village_get_or_create

pytestmark = pytest.mark.django_db
TODAY = dt.date(2023, 4, 12)


@pytest.fixture
def village(ea_yong: Place) -> Place:
    return ea_yong.children.order_by("pk").first()  # type: ignore[return-value]


def test_a_resident_reads_its_numbers_in_clear_and_masked(village: Place) -> None:
    hoa = ResidentFactory(village=village, cccd="066190012345", phone="0912345678")
    hoa = Resident.objects.get(pk=hoa.pk)

    assert (hoa.cccd, hoa.phone) == ("066190012345", "0912345678")
    assert (hoa.cccd_masked, hoa.phone_masked) == ("066******345", "09******78")
    assert hoa.key_version == keyring().active
    nobody = Resident.objects.get(pk=ResidentFactory(village=village).pk)
    assert (nobody.cccd, nobody.phone, nobody.cccd_masked, nobody.phone_masked) == (
        None,
        "",
        "",
        "",
    )
    assert nobody.key_version is None


def test_only_normalised_numbers_are_stored(village: Place) -> None:
    resident = ResidentFactory.build(village=village)
    with pytest.raises(ValueError, match="12 digits"):
        resident.cccd = "066 190 012 345"
    with pytest.raises(ValueError, match="10 digits"):
        resident.phone = "+84912345678"


def test_clearing_a_number_clears_its_token_and_look_up_keys(village: Place) -> None:
    hoa = ResidentFactory(village=village, cccd="066190012345", phone="0912345678")
    hoa.cccd = None
    hoa.phone = ""
    hoa.save()
    row = Resident.objects.filter(pk=hoa.pk).values().get()
    assert [row[f] for f in ("cccd_encrypted", "cccd_hmac", "cccd_last4_hmac")] == [None] * 3
    assert [row[f] for f in ("phone_encrypted", "phone_hmac", "phone_last4_hmac")] == [""] * 3
    assert row["key_version"] is None


def test_a_cccd_is_unique_within_a_commune(village: Place) -> None:
    ResidentFactory(village=village, cccd="066190012345")
    with pytest.raises(IntegrityError), transaction.atomic():
        ResidentFactory(village=village, cccd="066190012345")


def test_the_same_cccd_may_be_in_two_communes(village: Place, ea_yong: Place) -> None:
    other, _ = commune_get_or_create(parent=ea_yong.parent, name="Xã Ea Kênh", code="ea-kenh")
    elsewhere, _ = village_get_or_create(commune=other, name="Thôn 1")
    ResidentFactory(village=village, cccd="066190012345")
    ResidentFactory(village=elsewhere, cccd="066190012345")
    assert Resident.objects.with_cccd("066190012345").count() == 2


def test_a_token_swapped_into_another_column_fails_to_decrypt(village: Place) -> None:
    hoa = ResidentFactory(village=village, cccd="066190012345", phone="0912345678")
    Resident.objects.filter(pk=hoa.pk).update(cccd_encrypted=hoa.phone_encrypted)
    with pytest.raises(DecryptionError) as error:
        _ = Resident.objects.get(pk=hoa.pk).cccd
    assert "people.resident.cccd" in str(error.value)


@pytest.fixture
def people(village: Place) -> dict[str, Resident]:
    return {
        "hoa": ResidentFactory(
            village=village, full_name="Nguyễn Thị Hoà", cccd="066190012345", phone="0912345678"
        ),
        "binh": ResidentFactory(
            village=village, full_name="Trần Văn Bình", cccd="066085005678", phone="0336123456"
        ),
        "nga": ResidentFactory(village=village, full_name="H'Nga Niê", phone="0987612345"),
        "y": ResidentFactory(village=village, full_name="Y Bhiăo Ayun"),
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("066190012345", {"hoa"}),
        ("066.190.012.345", {"hoa"}),
        ("66190012345", {"hoa"}),  # the zero Excel dropped
        ("0912345678", {"hoa"}),
        ("+84 912 345 678", {"hoa"}),
        ("(+84) 912-345-678", {"hoa"}),
        ("912345678", {"hoa"}),
        ("5678", {"hoa", "binh"}),  # Hoà's phone, Bình's CCCD
        # More of a number's end than its last four digits finds nobody: an ending that
        # did would tell, a digit at a time, the digits that a masked number hides.
        ("45678", set()),
        ("005678", set()),
        ("12345", set()),
        ("012345", set()),
        ("612345", set()),
        ("2345", {"hoa", "nga"}),  # Hoà's CCCD, H'Nga's phone
        ("0336", set()),  # the start of a number
        ("190012", set()),  # its middle
        ("678", set()),  # too short
        ("nguyen hoa", {"hoa"}),
        ("HOÀ nguyễn", {"hoa"}),
        ("bhiao", {"y"}),
        ("tran nga", set()),
    ],
)
def test_search_by_name_fragments_or_a_whole_number_or_its_last_digits(
    people: dict[str, Resident], text: str, expected: set[str]
) -> None:
    found = set(resident_search(Resident.objects.all(), text))
    assert found == {people[name] for name in expected}


def test_search_stays_within_the_queryset_and_the_limit(people: dict[str, Resident]) -> None:
    assert list(resident_search(Resident.objects.exclude(pk=people["hoa"].pk), "0912345678")) == []
    assert len(resident_search(Resident.objects.all(), "nguyen", limit=None)) == 1
    assert len(resident_search(Resident.objects.all(), "5678", limit=1)) == 1
    assert list(resident_search(Resident.objects.all(), "  ")) == []


def test_the_last_four_digits_are_found_through_the_index(
    people: dict[str, Resident], django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(1):  # the residents, by the last-four keys alone
        found = set(resident_search(Resident.objects.all(), "2345"))
    assert found == {people["hoa"], people["nga"]}
    with django_assert_num_queries(1):  # a whole phone: by its key
        found = set(resident_search(Resident.objects.all(), "0912 345 678"))
    assert found == {people["hoa"]}


# -- nothing in clear ----------------------------------------------------------------------
NUMBERS = {
    "066190012345",  # valid CCCDs
    "066085000001",
    "066095000002",  # valid, but the row says another birth year: kept, with an issue
    "066193000777",
    "0912345678",  # phones as stored
    "0336123456",
    "0912000111",
    "0987000222",
    "336123456",  # a phone as the file wrote it
    "0111222333",  # an invalid phone, set aside
    "066A90123456",  # an invalid CCCD, set aside
}
ROWS = [
    [1, "Nguyễn Thị Hoà", "12/04/1990", "Nữ", "066190012345", "0912345678", "Tân Lập"],
    [2, "Trần Văn Bình", "05/03/1985", "Nam", "066085000001", "+84 336 123 456", "Tân Lập"],
    [3, "Phạm Thị Dung", "12/05/1994", "Nữ", "066095000002", "0111222333", "Tân Lập"],
    [4, "Lê Văn Cường", "01/01/1980", "Nam", "066A90123456", "0912000111", "Tân Lập"],
    # Another person with Hoà's CCCD (rejected), and one whose second row contradicts the first.
    [5, "Đỗ Minh Khoa", "01/01/1960", "Nam", "066190012345", "0987000222", "Tân Lập"],
    [6, "Vũ Thị Lan", "03/03/1993", "Nữ", "066193000777", "0912000111", "Tân Lập"],
    [7, "Vũ Thị Lan", "03/03/1993", "Nữ", "066193000777", "0987000222", "Tân Lập"],
]


def _raw_rows(table: str) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - the model's own table
        return cursor.fetchall()


def test_no_column_of_any_registry_table_holds_a_number_in_clear(
    tmp_path: Path, ea_yong: Place
) -> None:
    result = import_residents(
        write_xlsx(tmp_path / "ds.xlsx", [HEADER, *ROWS]), commune=ea_yong, today=TODAY
    )
    assert (result.created, result.rejected) == (5, 2)
    assert DataIssue.objects.filter(field__in=["cccd", "phone"]).count() == 3
    assert ImportRun.objects.get().rejected_rows  # the log keeps the rejected rows…
    hoa = Resident.objects.get(full_name="Nguyễn Thị Hoà")
    hoa.phone = "0912345678"  # …and a write through the model stores the same way
    hoa.save()

    for model in (Resident, DataIssue, ImportRun):
        text = repr(_raw_rows(model._meta.db_table))
        assert not {number for number in NUMBERS if number in text}, model.__name__
    # What the registry holds is still all there.
    assert {r.cccd for r in Resident.objects.all()} == {
        "066190012345",
        "066085000001",
        "066095000002",
        "066193000777",
        None,
    }
    originals = {i.original for i in DataIssue.objects.filter(field__in=["cccd", "phone"])}
    assert originals == {"066095000002", "0111222333", "066A90123456"}
    masked = {i.original_value for i in DataIssue.objects.filter(field__in=["cccd", "phone"])}
    assert masked == {"066******002", "01******33", "06********56"}
    cells = {c for row in ImportRun.objects.get().rejected_rows for c in row[1]}
    assert "066190012345" in cells


# -- the migration -------------------------------------------------------------------------
@pytest.fixture
def fresh_connection(tmp_path: Path) -> Iterator[Any]:
    """An empty database of the suite's backend, with a connection of its own."""
    default = connections[DEFAULT_DB_ALIAS]
    settings_dict = copy.deepcopy(default.settings_dict)
    vendor = default.vendor
    if vendor == "sqlite":
        settings_dict["NAME"] = str(tmp_path / "migration.sqlite3")
    else:
        settings_dict["NAME"] = f"{default.settings_dict['NAME']}_people_migration"
        with default._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{settings_dict["NAME"]}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{settings_dict["NAME"]}"')
    alias = "people_migration_test"
    connections[alias] = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias)
    yield connections[alias]
    connections[alias].close()
    del connections[alias]
    if vendor == "postgresql":
        with default._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{settings_dict["NAME"]}" WITH (FORCE)')


BEFORE = ("people", "0001_initial")
AFTER = ("people", "0002_encrypt_personal_numbers")


def test_the_migration_encrypts_what_was_stored_in_clear_and_back(fresh_connection: Any) -> None:
    executor = MigrationExecutor(fresh_connection)
    executor.migrate([BEFORE])
    old = executor.loader.project_state([BEFORE]).apps
    commune = (
        old.get_model("places", "Place")
        .objects.using(fresh_connection.alias)
        .create(
            code="ea-yong", name="Xã Ea Yông", name_key="xa ea yong", kind="commune", path="/x/"
        )
    )
    residents = old.get_model("people", "Resident").objects.using(fresh_connection.alias)
    common = {"commune_id": commune.pk, "status": "living"}
    hoa = residents.create(full_name="Hoà", cccd="066190012345", phone="0912345678", **common)
    typed = residents.create(full_name="Sửa tay", cccd="12 34", phone="abc", **common)
    none = residents.create(full_name="Không số", **common)
    old.get_model("people", "DataIssue").objects.using(fresh_connection.alias).create(
        commune_id=commune.pk,
        resident_id=hoa.pk,
        code="phone_invalid",
        field="phone",
        original_value="0111222333",
        detail="Số điện thoại sai: 0111222333",
    )
    old.get_model("people", "ImportRun").objects.using(fresh_connection.alias).create(
        commune_id=commune.pk,
        file_name="ds.xlsx",
        file_sha256="0" * 64,
        rejected_rows=[[3, ["Khoa", "066190012345"], "msg", {}]],
        data_version="x",
    )

    executor = MigrationExecutor(fresh_connection)
    executor.loader.build_graph()
    executor.migrate([AFTER])

    with fresh_connection.cursor() as cursor:
        for table in ("people_resident", "people_dataissue", "people_importrun"):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - fixed names
            text = repr(cursor.fetchall())
            assert "066190012345" not in text and "0111222333" not in text, table
        cursor.execute(
            "SELECT id, cccd_encrypted, cccd_hmac, phone_encrypted, key_version "
            "FROM people_resident ORDER BY id"
        )
        rows = {r[0]: r[1:] for r in cursor.fetchall()}
        cursor.execute(
            "SELECT resident_id, field, original_value, original_encrypted, detail "
            "FROM people_dataissue ORDER BY id"
        )
        issues = cursor.fetchall()
        cursor.execute("SELECT rejected_rows_encrypted FROM people_importrun")
        (run_token,) = cursor.fetchone()
    ring = keyring()
    cccd, index, phone, version = rows[hoa.pk]
    assert ring.decrypt(cccd, personal.CCCD) == "066190012345"
    assert index == personal.cccd_hmac("066190012345")
    assert ring.decrypt(phone, personal.PHONE) == "0912345678"
    assert version == ring.active
    assert rows[none.pk] == (None, None, "", None)
    assert rows[typed.pk] == (None, None, "", None)  # set aside, below
    by_resident = {(i[0], i[1]): i[2:] for i in issues}
    masked, token, detail = by_resident[hoa.pk, "phone"]
    assert (masked, ring.decrypt(token, personal.ISSUE_ORIGINAL)) == ("01******33", "0111222333")
    assert detail == "Số điện thoại sai: 01******33"
    assert ring.decrypt(by_resident[typed.pk, "cccd"][1], personal.ISSUE_ORIGINAL) == "12 34"
    assert ring.decrypt(by_resident[typed.pk, "phone"][1], personal.ISSUE_ORIGINAL) == "abc"
    assert "066190012345" in ring.decrypt(run_token, personal.RUN_REJECTED)

    executor = MigrationExecutor(fresh_connection)
    executor.loader.build_graph()
    executor.migrate([BEFORE])

    with fresh_connection.cursor() as cursor:
        cursor.execute("SELECT id, cccd, phone FROM people_resident ORDER BY id")
        assert {r[0]: r[1:] for r in cursor.fetchall()}[hoa.pk] == ("066190012345", "0912345678")


@pytest.mark.parametrize(
    ("keys", "number", "message"),
    [
        (personal.cccd_keys, "06619001234", "a CCCD is stored as its 12 digits"),
        (personal.cccd_keys, "0661900123456", "a CCCD is stored as its 12 digits"),
        (personal.cccd_keys, "06619001234a", "a CCCD is stored as its 12 digits"),
        (personal.cccd_keys, "０６６１９００１２３４５", "a CCCD is stored as its 12 digits"),
        (personal.phone_keys, "091234567", "a phone is stored as its 10 digits"),
        (personal.phone_keys, "09123456789", "a phone is stored as its 10 digits"),
        (personal.phone_keys, "091234567x", "a phone is stored as its 10 digits"),
        (personal.phone_keys, "０９１２３４５６７８", "a phone is stored as its 10 digits"),
    ],
)
def test_only_a_normalised_number_gets_look_up_keys(keys, number: str, message: str) -> None:  # type: ignore[no-untyped-def]
    # Full-width digits are digits to Python but never what the parsers give: refused too.
    with pytest.raises(ValueError, match=f"^{message}$"):
        keys(number)


def test_numbers_are_sealed_and_keyed_with_the_keyring_given() -> None:
    """The import seals with the keyring it was handed (in its reader processes): not the
    process's own, which a rotation may have changed meanwhile."""
    given = Keyring.generate()
    cccd, phone = "066190012345", "0912345678"

    sealed_cccd = personal.seal_cccd(cccd, given)
    sealed_phone = personal.seal_phone(phone, given)

    assert sealed_cccd[1:] == personal.cccd_keys(cccd, given)
    assert sealed_phone[1:] == personal.phone_keys(phone, given)
    assert personal.cccd_keys(cccd, given)[0] == given.index(cccd, personal.CCCD)
    assert personal.phone_keys(phone, given)[0] == given.index(phone, personal.PHONE)
    assert sealed_cccd[1] != personal.cccd_keys(cccd)[1]  # not the process's keyring
    assert sealed_phone[1] != personal.phone_keys(phone)[1]
    assert given.decrypt(sealed_cccd[0], personal.CCCD) == cccd
