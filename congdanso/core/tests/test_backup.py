"""`congdanso backup` and `congdanso restore`, on the backend the suite runs on.

The round trip is checked the hard way: every table of the schema, every row, in a second
database restored from the backup. Tests that back up rows they wrote are transactional (pg_dump
and SQLite's backup API read what is committed); pytest-django flushes the database after them,
so the module puts the official places and the built-in criteria back when it ends.
"""

import copy
import datetime as dt
import hashlib
import io
import json
import os
import re
import sqlite3
import stat
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.db.utils import load_backend

from congdanso.campaigns.achievements import achievement_record
from congdanso.campaigns.catalog import BUILTIN
from congdanso.campaigns.models import Campaign, Criterion
from congdanso.conftest import reference_data_ensure
from congdanso.core import backup
from congdanso.core.backup import database, postgres, sqlite
from congdanso.core.backup import manifest as backup_manifest
from congdanso.core.errors import DomainError
from congdanso.core.models import AuditAction, AuditEvent
from congdanso.outreach.services import session_create, turn_record
from congdanso.people.models import Resident
from congdanso.people.tests.factories import ResidentFactory
from congdanso.places.models import Place, PlaceKind
from congdanso.vn.numbers import format_number

VENDOR = connections[DEFAULT_DB_ALIAS].vendor


@pytest.fixture(scope="module", autouse=True)
def _reference_data_restored_after_the_module(django_db_blocker: Any) -> Iterator[None]:
    yield
    with django_db_blocker.unblock():  # after the last flush of a transactional test here
        reference_data_ensure()


@pytest.fixture
def registry(reference_data: None, campaign: Campaign) -> Campaign:
    """A commune with residents, achievements, a session and its turns."""
    villages = list(campaign.place.children.order_by("pk"))
    vneid = Criterion.objects.get(code="vneid_level2")
    bank = Criterion.objects.get(code="bank_account")
    session = session_create(campaign=campaign, place=villages[0], date=dt.date(2023, 4, 12))
    for number in range(24):
        resident = ResidentFactory(
            village=villages[number % len(villages)],
            full_name=f"H'Nga Niê {number}" if number % 3 else f"Trần Thị Bình {number}",
            birth_date=dt.date(1960 + number, 1 + number % 12, 1 + number % 28),
        )
        achievement_record(resident=resident, criterion=vneid, achieved_on=dt.date(2023, 5, 4))
        if number % 2:
            achievement_record(resident=resident, criterion=bank, achieved_on=dt.date(2023, 6, 1))
        if number % 5 == 0:
            turn_record(session=session, resident=resident, criterion=vneid)
    return campaign


@pytest.fixture
def fresh_database(tmp_path: Path) -> Iterator[Any]:
    """Makes empty databases of the suite's backend, each with a connection of its own (created
    on the fly, as Django allows in tests), and removes them afterwards."""
    default = connections[DEFAULT_DB_ALIAS]
    made: list[str] = []

    def make(name: str) -> str:
        alias = f"backup_test_{name}"
        settings_dict = copy.deepcopy(default.settings_dict)
        if VENDOR == "sqlite":
            settings_dict["NAME"] = str(tmp_path / f"{name}.sqlite3")
        else:
            settings_dict["NAME"] = f"{default.settings_dict['NAME']}_{name}"
            with default._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{settings_dict["NAME"]}" WITH (FORCE)')
                cursor.execute(f'CREATE DATABASE "{settings_dict["NAME"]}"')
        connections[alias] = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(
            settings_dict, alias
        )
        made.append(alias)
        return alias

    yield make
    for alias in made:
        connection = connections[alias]
        connection.close()
        del connections[alias]
        if VENDOR == "postgresql":
            with default._nodb_cursor() as cursor:
                name = connection.settings_dict["NAME"]
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """Key files of our own, so that the tests never touch the keyring the app uses."""
    folder = tmp_path / "keys"
    folder.mkdir()
    locations = {"secret_key": folder / "secret_key", "keyring": folder / "keys.json"}
    locations["secret_key"].write_text("not-a-real-secret")
    locations["keyring"].write_text('{"active": 1, "keys": {"1": "AAAA"}}')
    for path in locations.values():
        path.chmod(0o600)
    monkeypatch.setattr(backup_manifest, "key_locations", lambda: dict(locations))
    for variable in backup_manifest.KEY_ENVIRONMENT:
        monkeypatch.delenv(variable, raising=False)
    return locations


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def _everything(alias: str) -> dict[str, Any]:
    """Every table of the schema with its rows sorted, plus what else a restore must bring
    back (the SQLite schema itself; PostgreSQL's sequences)."""
    connection = connections[alias]
    with connection.cursor() as cursor:
        if VENDOR == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        else:
            cursor.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
            )
        tables = sorted(row[0] for row in cursor.fetchall())
        found: dict[str, Any] = {}
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            found[table] = sorted(cursor.fetchall(), key=repr)
        if VENDOR == "sqlite":
            cursor.execute("SELECT type, name, tbl_name, sql FROM sqlite_master")
        else:
            cursor.execute(
                "SELECT sequencename, last_value FROM pg_sequences "
                "WHERE schemaname = current_schema()"
            )
        found[":schema"] = sorted(cursor.fetchall(), key=repr)
    return found


def _manifest(path: Path) -> dict[str, Any]:
    return json.loads(Path(f"{path}.json").read_text(encoding="utf-8"))


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# ---------------------------------------------------------------------------------------------
# The round trip


@pytest.mark.django_db(transaction=True)
def test_a_backup_restored_into_a_fresh_database_has_every_table_row_for_row(
    registry: Campaign, fresh_database: Any, tmp_path: Path
) -> None:
    before = _everything(DEFAULT_DB_ALIAS)
    out = tmp_path / f"backup{database.EXTENSIONS[VENDOR]}"

    printed = _run("backup", "--out", str(out))

    assert str(out) in printed
    assert hashlib.sha256(out.read_bytes()).hexdigest() in printed
    assert _mode(out) == 0o600
    assert _mode(Path(f"{out}.json")) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name, f"{out.name}.json"]
    manifest = _manifest(out)
    assert manifest["backend"] == VENDOR
    assert manifest["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert manifest["size"] == out.stat().st_size
    assert manifest["tables"]["people_resident"] == 24
    assert manifest["tables"] == {
        table: len(rows) for table, rows in before.items() if not table.startswith((":", "sqlite_"))
    }
    applied = MigrationRecorder(connections[DEFAULT_DB_ALIAS]).applied_migrations()
    assert manifest["migrations"]["campaigns"][-1] == max(
        name for app, name in applied if app == "campaigns"
    )
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, object_label=out.name).exists()

    restored = fresh_database("restored")
    printed = _run("restore", str(out), "--database", restored)

    assert _everything(restored) == before
    assert str(out) in printed
    rows = format_number(sum(manifest["tables"].values()))
    assert f"{len(manifest['tables'])} bảng đều khớp với tệp kê khai ({rows} dòng)" in printed


# ---------------------------------------------------------------------------------------------
# Restoring over data


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_that_is_not_empty_and_replaces_it_with_yes(
    registry: Campaign, keys: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "backup"
    _run("backup", "--out", str(out), "--include-keys")
    archive = Path(f"{out}.keys.tar")
    assert _mode(archive) == 0o600
    with tarfile.open(archive) as members:
        assert sorted(members.getnames()) == ["keys.json", "secret_key"]
    newcomer = ResidentFactory(village=registry.place.children.first(), full_name="Y Moan Êban")
    keys["keyring"].write_text('{"active": 2}')

    with pytest.raises(CommandError) as refused:
        _run("restore", str(out))

    assert refused.value.returncode == 2
    message = str(refused.value)
    assert "--yes" in message
    assert "không" in message.lower()  # Vietnamese first
    assert "residents: 25" in message  # what would be lost, largest tables first
    assert Resident.objects.filter(pk=newcomer.pk).exists()

    printed = _run("restore", str(out), "--yes")

    assert not Resident.objects.filter(pk=newcomer.pk).exists()
    assert Resident.objects.count() == 24
    assert str(keys["keyring"]) in printed
    assert str(archive) in printed
    assert str(keys["secret_key"]) not in printed  # unchanged, so not mentioned
    assert AuditEvent.objects.filter(action=AuditAction.IMPORT, object_label=out.name).exists()


# ---------------------------------------------------------------------------------------------
# Older backups


@pytest.mark.django_db(transaction=True)
def test_an_older_backup_is_migrated_forward_after_it_is_restored(
    fresh_database: Any, tmp_path: Path
) -> None:
    # Into the default database: the data migrations of this project write through the
    # default connection, so that is the one a restore migrates in practice.
    old = fresh_database("old")
    call_command("migrate", "places", database=old, verbosity=0)
    Place.objects.using(old).create(
        code="66", name="Tỉnh Đắk Lắk", name_key="dak lak", kind=PlaceKind.PROVINCE, path="/66/"
    )
    out = tmp_path / "old-backup"
    _run("backup", "--out", str(out), "--database", old)
    assert list(_manifest(out)["migrations"]) == ["places"]

    printed = _run("restore", str(out), "--yes")

    assert "campaigns.0004_builtin_criteria" in printed
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []
    assert list(Place.objects.values_list("code", "name")) == [("66", "Tỉnh Đắk Lắk")]
    assert Criterion.objects.filter(is_builtin=True).count() == len(BUILTIN)
    restored = AuditEvent.objects.get(action=AuditAction.IMPORT)
    assert "campaigns.0004_builtin_criteria" in restored.changes["migrated"]


# ---------------------------------------------------------------------------------------------
# Refusals: nothing is touched


def _fake_backup(folder: Path, **manifest: Any) -> Path:
    path = folder / "fake-backup"
    path.write_bytes(b"not really a database")
    applied: dict[str, list[str]] = {}
    for app, name in MigrationLoader(None, ignore_no_migrations=True).disk_migrations:
        applied.setdefault(app, []).append(name)
    data = {
        "backend": VENDOR,
        "file": path.name,
        "size": path.stat().st_size,
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "created_at": "2026-01-02T03:04:05+07:00",
        "version": "0.1.0",
        "migrations": applied,
        "tables": {},
        "key_files": {},
        "keys_archive": None,
        "format": 1,
        **manifest,
    }
    Path(f"{path}.json").write_text(json.dumps(data), encoding="utf-8")
    return path


OTHER = {"sqlite": "postgresql", "postgresql": "sqlite"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("manifest", "code", "words"),
    [
        ({"backend": OTHER[VENDOR]}, "restore_other_backend", OTHER[VENDOR]),
        ({"sha256": "0" * 64}, "restore_checksum", "SHA-256"),
        ({"migrations": {"campaigns": ["0099_from_the_future"]}}, "restore_newer", "0099"),
        ({"format": 99}, "manifest_invalid", "manifest"),
        ({"tables": {}}, "restore_not_empty", "--yes"),
        # Made with another keyring than the one at hand (or with none at hand).
        ({"key_fingerprints": {"data:1": "0" * 32}}, "restore_keys_missing", "--without-keys"),
    ],
)
def test_restore_refuses_with_a_clear_message_and_changes_nothing(
    ea_yong: Place, tmp_path: Path, manifest: dict[str, Any], code: str, words: str
) -> None:
    path = _fake_backup(tmp_path, **manifest)
    places = Place.objects.count()

    with pytest.raises(DomainError) as refused:
        backup.backup_restore(path=path)

    assert refused.value.code == code
    assert words in refused.value.message.render("en")
    assert refused.value.message.render("vi") != refused.value.message.render("en")
    assert Place.objects.count() == places
    assert path.read_bytes() == b"not really a database"


@pytest.mark.django_db
def test_an_older_backup_is_not_restored_while_its_keyring_file_is_missing(
    ea_yong: Place, tmp_path: Path, keys: dict[str, Path]
) -> None:
    keys["keyring"].unlink()
    path = _fake_backup(tmp_path, key_files={"keyring": "0" * 64})  # no key_fingerprints
    places = Place.objects.count()

    with pytest.raises(DomainError) as refused:
        backup.backup_restore(path=path, overwrite=True)

    assert refused.value.code == "restore_keys_missing"
    assert str(keys["keyring"]) in refused.value.message.render("vi")
    assert "--without-keys" in refused.value.message.render("en")
    assert Place.objects.count() == places
    assert not keys["keyring"].exists()


def test_restore_needs_the_manifest_beside_the_backup(tmp_path: Path) -> None:
    path = tmp_path / "lonely.sqlite3"
    path.write_bytes(b"x")

    with pytest.raises(DomainError) as refused:
        backup.backup_restore(path=path)

    assert refused.value.code == "manifest_missing"


# ---------------------------------------------------------------------------------------------
# Writing the backup


@pytest.mark.django_db
def test_a_failed_backup_leaves_no_file_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(*args: Any, **kwargs: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(backup, "_audit", disk_full)

    with pytest.raises(OSError, match="No space"):
        backup.backup_create(out=tmp_path, include_keys=True)

    assert list(tmp_path.iterdir()) == []


@pytest.mark.django_db
def test_backup_goes_to_the_data_dir_by_default_and_names_the_keys_it_does_not_hold(
    settings: Any, tmp_path: Path, keys: dict[str, Path]
) -> None:
    settings.DATA_DIR = tmp_path / "var"
    settings.DATA_DIR.mkdir()

    printed = _run("backup")

    folder = settings.DATA_DIR / "backups"
    (path,) = [p for p in folder.iterdir() if not p.name.endswith(".json")]
    assert re.fullmatch(rf"congdanso-\d{{8}}-\d{{6}}\{database.EXTENSIONS[VENDOR]}", path.name)
    assert _mode(folder) == 0o700
    assert str(keys["secret_key"]) in printed
    assert str(keys["keyring"]) in printed
    assert not Path(f"{path}.keys.tar").exists()
    assert _manifest(path)["key_files"] == {
        name: hashlib.sha256(key.read_bytes()).hexdigest() for name, key in keys.items()
    }

    with pytest.raises(CommandError) as refused:
        _run("backup", "--out", str(path))

    assert refused.value.returncode == 2
    assert str(path) in str(refused.value)


def test_key_locations_follow_the_data_dir_and_the_keyring_variable(
    settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.DATA_DIR = tmp_path
    monkeypatch.delenv("CONGDANSO_KEYS_FILE", raising=False)
    assert backup_manifest.key_locations() == {
        "secret_key": tmp_path / "secret_key",
        "keyring": tmp_path / "keys.json",
    }
    monkeypatch.setenv("CONGDANSO_KEYS_FILE", "/etc/congdanso/keys.json")
    assert backup_manifest.key_locations()["keyring"] == Path("/etc/congdanso/keys.json")


def test_sqlite_copy_of_a_live_database_holds_what_is_committed(tmp_path: Path) -> None:
    source = tmp_path / "live.sqlite3"
    setup = sqlite3.connect(source)
    setup.execute("PRAGMA journal_mode=WAL")
    setup.execute("CREATE TABLE turn (id INTEGER PRIMARY KEY, note TEXT)")
    setup.executemany("INSERT INTO turn (note) VALUES (?)", [("đã xong",)] * 500)
    setup.commit()
    writer = sqlite3.connect(source, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # the app is in the middle of writing
    writer.execute("INSERT INTO turn (note) VALUES ('chưa xong')")
    copy_path = tmp_path / "copy.sqlite3"

    sqlite.sqlite_copy(source, copy_path)

    writer.execute("COMMIT")
    copied = sqlite3.connect(copy_path)
    assert copied.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert copied.execute("SELECT COUNT(*), MIN(note), MAX(note) FROM turn").fetchone() == (
        500,
        "đã xong",
        "đã xong",
    )


def test_a_missing_postgresql_tool_is_named_with_the_package_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PATH", os.devnull)

    with pytest.raises(DomainError) as missing:
        postgres.pg_tool("pg_dump")

    assert missing.value.code == "pg_tool_missing"
    assert "pg_dump" in missing.value.message.render("en")
    assert "postgresql-client" in missing.value.message.render("vi")
