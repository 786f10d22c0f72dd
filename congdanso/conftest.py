"""Fixtures shared by every app's tests."""

import datetime as dt
import fcntl
import hashlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

import pytest
from django.core.cache import cache
from django.db import connection

from congdanso.campaigns.models import Campaign
from congdanso.campaigns.services import campaign_create, criteria_builtin_ensure
from congdanso.places.models import Place, PlaceKind
from congdanso.places.services import (
    commune_get_or_create,
    district_get_or_create,
    places_load_official,
    village_get_or_create,
)

#: Why a test that needs LibreOffice was skipped (CI, with CI=true, fails on the skip).
LIBREOFFICE_MISSING = (
    "LibreOffice or poppler not found: install the Debian packages libreoffice-writer-nogui "
    "fonts-liberation poppler-utils to check the report's pages and its PDF download"
)


@pytest.fixture
def libreoffice() -> None:
    """Skips the test where LibreOffice (soffice) or poppler (pdftotext) is missing."""
    from congdanso.reports.pdf import soffice_path
    from congdanso.reports.tests.pdf_reading import tools_missing

    if soffice_path() is None or tools_missing():
        pytest.skip(LIBREOFFICE_MISSING)


#: Set by `make mutate` (mutation/run.py): several test processes run at once, each mutant's
#: tests in a fresh fork, and each must have a test database of its own.
MUTATION_RUN = "CONGDANSO_MUTATION_RUN"
_BASE_TEST_NAMES: dict[str, str] = {}


@pytest.fixture(scope="session")
def django_db_modify_db_settings(  # type: ignore[no-untyped-def]
    django_db_modify_db_settings_parallel_suffix,
) -> Iterator[None]:
    """Under `make mutate`, each test process takes the first free numbered slot (a lock
    file held for the session) and the test database of that slot. With `--reuse-db` a slot's
    database is created once and then kept, so a mutant's tests do not wait for the
    migrations, and two mutants tested at once never share (or destroy) one database."""
    if not os.environ.get(MUTATION_RUN):
        yield
        return
    from django.conf import settings

    slot, lock = _free_slot(Path(settings.DATA_DIR))
    # A server's databases are shared by every data directory (module) run at once: named
    # after the directory too. SQLite's file is in the directory already.
    where = hashlib.sha256(str(settings.DATA_DIR).encode()).hexdigest()[:8]
    try:
        for alias, db_settings in settings.DATABASES.items():
            test = db_settings.setdefault("TEST", {})
            base = _BASE_TEST_NAMES.setdefault(
                alias, test.get("NAME") or f"test_{db_settings['NAME']}"
            )
            sqlite = db_settings["ENGINE"].endswith("sqlite3")
            test["NAME"] = f"{base}_slot{slot}" if sqlite else f"{base}_{where}_{slot}"
        yield
    finally:
        lock.close()


def _free_slot(where: Path) -> tuple[int, BinaryIO]:
    """The first slot no other process holds, and its lock (closing it frees the slot)."""
    where.mkdir(parents=True, exist_ok=True)
    slot = 0
    while True:
        lock = open(where / f"test-db-slot-{slot}.lock", "wb", buffering=0)  # noqa: SIM115
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            slot += 1
            continue
        return slot, lock


EA_YONG_VILLAGES = ("Thôn Cao Bằng", "Thôn Tân Lập", "Buôn Ghamah", "Thôn Tân Tiến")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """The official place list is loaded once per test database, not once per test."""
    with django_db_blocker.unblock():
        places_load_official()


def reference_data_ensure() -> None:
    """What the session fixture and the migrations put in the test database: the place list
    and the built-in criteria, which a transactional test's flush removes."""
    if not Place.objects.filter(kind=PlaceKind.PROVINCE).exists():
        places_load_official()
    criteria_builtin_ensure()


@pytest.fixture
def reference_data(transactional_db: None) -> None:
    """For a transactional test: an earlier one (here or elsewhere) flushed them."""
    reference_data_ensure()


@pytest.fixture(autouse=True)
def _static_files_without_manifest(settings):  # type: ignore[no-untyped-def]
    """Pages render in tests without `collectstatic` having built the manifest."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):  # type: ignore[no-untyped-def]
    """Argon2 costs ~0.2 s a hash by design: tests hash with MD5 first, the real list after it
    (a test about hashing uses PASSWORD_HASHERS[1:])."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        *settings.PASSWORD_HASHERS,
    ]


@pytest.fixture(autouse=True)
def _fresh_rate_counts() -> None:
    """Rate counts live in the cache (a file cache shared by every process of a machine):
    each test starts with none, whatever the tests before it searched."""
    cache.clear()


@pytest.fixture
def ea_yong(db: None) -> Place:
    province = Place.objects.get(code="66", kind=PlaceKind.PROVINCE)
    district, _ = district_get_or_create(province=province, name="Huyện Krông Pắc")
    commune, _ = commune_get_or_create(parent=district, name="Xã Ea Yông", code="ea-yong")
    for name in EA_YONG_VILLAGES:
        village_get_or_create(commune=commune, name=name)
    return commune


EXEMPLARY_2023 = (
    "vneid_level2",
    "public_service_account",
    "ehealth_book",
    "bank_account",
    "cashless_payment",
)


@pytest.fixture
def campaign(ea_yong: Place) -> Campaign:
    """The 2023 campaign of the reference case on the test commune (five exemplary criteria
    plus sim_standardized tracked, 1,000 exemplary, 50% of ages 16–50 by 31/12/2023)."""
    return campaign_create(
        place=ea_yong,
        name="1.000 công dân số tiêu biểu",
        start_date=dt.date(2023, 4, 12),
        end_date=dt.date(2023, 12, 31),
        criteria=[*EXEMPLARY_2023, "sim_standardized"],
        exemplary=EXEMPLARY_2023,
        target_exemplary=1000,
        cohort_ages=(16, 50),
        cohort_target="0.5",
    )


@pytest.fixture
def refuse_updates(db: None) -> Callable[[str], None]:
    """`refuse_updates(table)`: from now on the database refuses any UPDATE of the table ("refused
    by the test"), as a failing disk or a broken constraint would midway through a write. A
    trigger the test's transaction rolls back."""

    def refuse(table: str) -> None:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute(
                    f"CREATE TRIGGER refuse_update BEFORE UPDATE ON {table} "
                    "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
                )
            else:
                cursor.execute(
                    "CREATE FUNCTION refuse_update() RETURNS trigger LANGUAGE plpgsql AS "
                    "$$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$"
                )
                cursor.execute(
                    f"CREATE TRIGGER refuse_update BEFORE UPDATE ON {table} "
                    "FOR EACH ROW EXECUTE FUNCTION refuse_update()"
                )

    return refuse
