"""The keys at hand against the data: no keyring is ever made for a database holding sealed
values, a start with other keys is refused in one bilingual line (exit code 2), `keys status`
says which key is wrong, and a restore whose keys are not in place writes nothing unless told
to go on without them — in-process on the suite's database, and end to end through the console
script on a SQLite file of its own."""

import io
import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import call_command

from congdanso.core import crypto, keycheck, rotation, startup
from congdanso.core.crypto import Keyring, KeyringError
from congdanso.core.models import KeyFingerprint
from congdanso.demo.synthetic.files import write_csv
from congdanso.demo.synthetic.rows import generate_rows
from congdanso.people.models import Resident
from congdanso.people.tests.factories import ResidentFactory
from congdanso.people.tests.processes import COMMUNE, Site, site_copy, site_template
from congdanso.places.models import Place


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def own_keyring(settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:  # type: ignore[no-untyped-def]
    """A keyring file of the test's own, made on first use (the database holds nothing)."""
    monkeypatch.delenv(crypto.KEYS_ENV, raising=False)
    monkeypatch.delenv(crypto.KEYS_FILE_ENV, raising=False)
    monkeypatch.setenv("CONGDANSO_LANGUAGE", "en")
    settings.DATA_DIR = tmp_path
    crypto._loaded.clear()
    crypto.keyring()
    return tmp_path / crypto.KEYS_FILE_NAME


@pytest.fixture
def sealed(own_keyring: Path, ea_yong: Place) -> Resident:
    """A resident whose numbers are sealed with the test's keyring."""
    return ResidentFactory(
        village=ea_yong.children.first(), cccd="066190012345", phone="0912345678"
    )


def _put(path: Path, ring: Keyring) -> None:
    path.write_text(ring.to_json())
    path.chmod(0o600)
    crypto._loaded.clear()


# -- making a keyring ------------------------------------------------------------------------
@pytest.mark.django_db
def test_no_keyring_is_made_when_the_database_holds_sealed_values(
    sealed: Resident, own_keyring: Path
) -> None:
    own_keyring.unlink()
    crypto._loaded.clear()

    with pytest.raises(KeyringError) as refused:
        crypto.keyring()

    assert refused.value.code == "keyring_missing"
    # Where to unpack the backup's keys, and the other way to give them.
    assert refused.value.message.render("en") == (
        f"The keyring file {own_keyring} is missing; a new one would not open the values this "
        "database holds, so none was made. Put the keyring back (a backup made with "
        "--include-keys has it in FILE.keys.tar: tar -xpf FILE.keys.tar -C "
        f"{own_keyring.parent}) or give it in {crypto.KEYS_ENV}."
    )
    assert "keys.tar" in refused.value.message.render("vi")
    assert not own_keyring.exists()


@pytest.mark.django_db
def test_a_fresh_database_still_gets_a_new_keyring_and_starts(
    own_keyring: Path, ea_yong: Place
) -> None:
    own_keyring.unlink()
    crypto._loaded.clear()

    assert keycheck.keys_start_check() is None
    assert not own_keyring.exists()  # the start makes none either
    ResidentFactory(village=ea_yong.children.first(), cccd="066190012345")

    assert own_keyring.exists()
    assert keycheck.keys_start_check() is None


# -- the start check -------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_start_records_the_fingerprints_of_the_keys_that_open_the_data(
    sealed: Resident,
) -> None:
    assert not KeyFingerprint.objects.exists()

    assert keycheck.keys_start_check() is None

    ring = crypto.keyring()
    assert keycheck.fingerprints_stored() == keycheck.keyring_fingerprints(ring)
    assert set(KeyFingerprint.objects.values_list("kind", "version")) == {
        ("data", 1),
        ("index", 1),
    }
    fingerprints = "".join(KeyFingerprint.objects.values_list("fingerprint", flat=True))
    assert not any(key.hex()[:16] in fingerprints for key in [*ring.keys.values()])


def _another(ring: Keyring) -> Keyring:
    return Keyring.generate()


def _other_lookup_key(ring: Keyring) -> Keyring:
    return Keyring(ring.active, ring.keys, os.urandom(crypto.KEY_BYTES))


WRONG: dict[str, tuple[Callable[[Keyring], Keyring], dict[bool, str]]] = {
    # how the keyring at hand is wrong: (make it, words of the refusal by fingerprints recorded)
    "another keyring": (_another, {True: "Key 1 of the keyring", False: "cannot be decrypted"}),
    "another look-up key": (_other_lookup_key, {True: "look-up key", False: "look-up key"}),
}


@pytest.mark.django_db
@pytest.mark.parametrize("recorded", [True, False], ids=["fingerprints", "before-fingerprints"])
@pytest.mark.parametrize("wrong", list(WRONG))
def test_a_start_with_keys_that_do_not_open_the_data_is_refused(
    sealed: Resident, own_keyring: Path, wrong: str, recorded: bool
) -> None:
    if recorded:
        keycheck.keys_start_check()
    make, words = WRONG[wrong]
    _put(own_keyring, make(crypto.keyring()))

    refusal = keycheck.keys_start_check()

    assert refusal is not None
    assert words[recorded] in refusal.render("en")
    assert "keys status" in refusal.render("vi")
    assert KeyFingerprint.objects.count() == (2 if recorded else 0)  # nothing of the wrong keys


@pytest.mark.django_db
@pytest.mark.parametrize("recorded", [True, False], ids=["fingerprints", "before-fingerprints"])
def test_a_start_with_a_keyring_lacking_a_key_in_use_is_refused(
    sealed: Resident, own_keyring: Path, recorded: bool
) -> None:
    old = crypto.keyring()
    crypto.keyring_save(old.with_new_active_key())
    ResidentFactory(village=sealed.village, cccd="066190054321")  # under key 2
    if recorded:
        keycheck.keys_start_check()
    _put(own_keyring, old)

    refusal = keycheck.keys_start_check()

    assert refusal is not None
    assert "key 2" in refusal.render("en")


@pytest.mark.django_db
def test_a_refused_command_is_one_bilingual_line_and_exit_code_2(
    sealed: Resident, own_keyring: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    keycheck.keys_start_check()
    _put(own_keyring, Keyring.generate())

    with pytest.raises(SystemExit) as stopped:
        startup.command_start(["export-residents", "--commune", "x"])

    assert stopped.value.code == 2
    refusals = [line for line in capsys.readouterr().err.splitlines() if "keys status" in line]
    assert len(refusals) == 1
    vietnamese, english = refusals[0].split(" / ", 1)
    assert "khóa" in vietnamese and "keys" in english
    # What puts things right still runs.
    for allowed in (["keys", "status"], ["restore", "b.sqlite3"], ["migrate", "--help"], []):
        startup.command_start(allowed)


@pytest.mark.django_db
def test_keys_status_says_which_key_is_wrong_and_makes_no_keyring(
    sealed: Resident, own_keyring: Path
) -> None:
    keycheck.keys_start_check()
    good = own_keyring.read_text()
    own_keyring.unlink()

    missing = _run("keys", "status")

    assert "Key 1: MISSING from the keyring at hand" in missing
    assert "people.resident: key 1 — rows: 1" in missing
    assert str(own_keyring) in missing and "is missing" in missing
    assert not own_keyring.exists()

    _put(own_keyring, Keyring.generate())
    other = _run("keys", "status")

    assert "Key 1: the keyring's fingerprint DIFFERS from the database's; 0 of 2" in other
    assert "Look-up key: the keyring's fingerprint DIFFERS" in other

    own_keyring.write_text(good)
    assert "opens this database's encrypted data" in _run("keys", "status")


@pytest.mark.django_db
def test_rotate_records_the_new_key_before_using_it_and_retire_forgets_the_old(
    sealed: Resident,
) -> None:
    seen: list[set[tuple[str, int]]] = []

    rotation.keys_rotate(batch=1, after_batch=lambda table, done: seen.append(set(
        keycheck.fingerprints_stored())))  # fmt: skip

    assert seen and ("data", 2) in seen[0]
    assert keycheck.fingerprints_stored() == keycheck.keyring_fingerprints(crypto.keyring())
    _run("keys", "rotate", "--retire-old")
    assert set(keycheck.fingerprints_stored()) == {("data", 3), ("index", 1)}
    assert keycheck.keys_start_check() is None


@pytest.mark.django_db
def test_rotate_refuses_to_add_a_key_to_a_keyring_that_does_not_open_the_data(
    sealed: Resident, own_keyring: Path
) -> None:
    keycheck.keys_start_check()
    _put(own_keyring, Keyring.generate())

    with pytest.raises(KeyringError):
        rotation.keys_rotate()

    assert sorted(crypto.keyring_reload().keys) == [1]  # no key added
    assert set(keycheck.fingerprints_stored()) == {("data", 1), ("index", 1)}


# -- end to end: restore, start, put the keys back -------------------------------------------
@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Site:
    return site_template(tmp_path_factory.mktemp("keycheck-template"))


def _imported(site: Site, tmp_path: Path, rows: int, seed: int) -> None:
    people = tmp_path / f"people-{seed}.csv"
    write_csv(people, generate_rows(rows, seed=seed))
    site.command("import-residents", str(people), "--commune", COMMUNE)


TABLES = ("people_resident", "core_keyfingerprint")


@pytest.mark.slow
def test_a_restore_without_its_keys_is_refused_then_forced_then_no_start_until_they_are_back(
    template: Site, tmp_path: Path
) -> None:
    site = site_copy(template, tmp_path / "site")
    _imported(site, tmp_path, 30, seed=3)
    backup = tmp_path / "b.sqlite3"
    site.command("backup", "--out", str(backup), "--include-keys")
    manifest = json.loads(Path(f"{backup}.json").read_text(encoding="utf-8"))
    assert manifest["key_fingerprints"] == keycheck.fingerprints_to_json(
        keycheck.keyring_fingerprints(site.keyring())
    )
    _imported(site, tmp_path, 10, seed=4)  # after the backup: a restore would replace them
    keys = site.data_dir / crypto.KEYS_FILE_NAME
    keys.rename(tmp_path / "keys.json.elsewhere")
    before = site.checksum(*TABLES)

    refused = site.command("restore", str(backup), "--yes", returncode=2)

    assert f"tar -xpf {backup}.keys.tar -C {site.data_dir}" in refused.stderr
    assert "--without-keys" in refused.stderr
    assert site.checksum(*TABLES) == before
    assert not keys.exists()

    forced = site.command("restore", str(backup), "--yes", "--without-keys")

    assert "refuses to start" in forced.stdout
    assert site.checksum(*TABLES) != before
    assert not keys.exists()
    stopped = site.command("export-residents", "--commune", COMMUNE, returncode=2)
    assert stopped.stdout == ""
    (line,) = [line for line in stopped.stderr.splitlines() if str(keys) in line]
    assert " / " in line and "keys.tar" in line
    assert not keys.exists()  # no keyring was made meanwhile

    subprocess.run(  # noqa: S603 - tar with fixed arguments
        ["tar", "-xpf", f"{backup}.keys.tar", "-C", str(site.data_dir)],  # noqa: S607
        check=True,
    )
    exported = site.command("export-residents", "--commune", COMMUNE).stdout

    assert len(exported.splitlines()) == 1 + site.rows("SELECT count(*) FROM people_resident")[0][0]


@pytest.mark.slow
def test_an_older_backup_restored_under_other_keys_says_so_and_no_start_follows(
    template: Site, tmp_path: Path
) -> None:
    site = site_copy(template, tmp_path / "site")
    _imported(site, tmp_path, 20, seed=5)
    backup = tmp_path / "b.sqlite3"
    site.command("backup", "--out", str(backup))
    manifest = Path(f"{backup}.json")
    older = json.loads(manifest.read_text(encoding="utf-8"))
    del older["key_fingerprints"]  # as made before the fingerprints
    manifest.write_text(json.dumps(older), encoding="utf-8")
    _put(site.data_dir / crypto.KEYS_FILE_NAME, Keyring.generate())

    refused = site.command("restore", str(backup), "--yes", returncode=2)

    assert "restored, but the keys at hand do not open" in refused.stderr
    site.command("check", returncode=2)
