"""`congdanso keys status | rotate | generate`: in-process on the suite's database, and as a
process killed half-way through a rotation (SIGKILL) on a SQLite file of its own."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from congdanso.core import crypto
from congdanso.core.models import AuditEvent
from congdanso.demo.synthetic.files import write_csv
from congdanso.demo.synthetic.rows import generate_rows
from congdanso.people import personal
from congdanso.people.models import DataIssue, Resident
from congdanso.people.tests.factories import ResidentFactory
from congdanso.people.tests.processes import COMMUNE, Site, site_copy, site_template
from congdanso.places.models import Place


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("keys", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def own_keyring(settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:  # type: ignore[no-untyped-def]
    """A keyring file of the test's own (rotations must not touch the suite's)."""
    monkeypatch.delenv(crypto.KEYS_ENV, raising=False)
    monkeypatch.delenv(crypto.KEYS_FILE_ENV, raising=False)
    monkeypatch.setenv("CONGDANSO_LANGUAGE", "en")
    settings.DATA_DIR = tmp_path
    crypto.keyring()
    return tmp_path / crypto.KEYS_FILE_NAME


@pytest.fixture
def registry(own_keyring: Path, ea_yong: Place) -> list[Resident]:
    village = ea_yong.children.first()
    people = [
        ResidentFactory(village=village, cccd=f"0661900{n:05d}", phone=f"09123{n:05d}")
        for n in range(7)
    ]
    people.append(ResidentFactory(village=village))  # no number: nothing to rotate
    issue = DataIssue(commune=ea_yong, resident=people[0], code="phone_invalid", field="phone")
    issue.original = "0111222333"
    issue.save()
    return people


def _numbers() -> dict[int, tuple[str | None, str, str]]:
    issues = {i.resident_id: i.original for i in DataIssue.objects.all()}
    return {r.pk: (r.cccd, r.phone, issues.get(r.pk, "")) for r in Resident.objects.all()}


@pytest.mark.django_db
def test_rotate_makes_a_new_key_active_and_re_encrypts_everything(registry: list[Resident]) -> None:
    before = _numbers()
    tokens = set(Resident.objects.exclude(cccd_encrypted=None).values_list("cccd_encrypted"))

    out = _run("rotate", "--batch", "3")

    ring = crypto.keyring()
    assert (ring.active, sorted(ring.keys)) == (2, [1, 2])
    assert "Key 2 is now the active key" in out
    assert _numbers() == before
    assert set(Resident.objects.values_list("key_version", flat=True)) == {2, None}
    assert DataIssue.objects.get().key_version == 2
    assert not tokens & set(Resident.objects.values_list("cccd_encrypted"))
    assert all(
        crypto.token_version(t) == 2
        for t in Resident.objects.exclude(phone_encrypted="").values_list(
            "phone_encrypted", flat=True
        )
    )
    # Look-up keys do not change: the index key is not rotated.
    assert Resident.objects.with_cccd("066190000003").get() == registry[3]
    event = AuditEvent.objects.get(object_type="core.keyring")
    assert event.changes["active_key"] == [1, 2]
    assert event.changes["rewritten"]["people.resident"] == 7


@pytest.mark.django_db
def test_status_counts_rows_per_key_and_retire_old_drops_unused_keys(
    registry: list[Resident],
) -> None:
    assert "people.resident: key 1 — rows: 7" in _run("status")
    _run("rotate")
    changed = Resident.objects.get(pk=registry[0].pk)
    changed.phone = "0987654321"  # written under key 2
    changed.save()

    out = _run("rotate", "--retire-old")

    ring = crypto.keyring()
    assert (ring.active, sorted(ring.keys)) == (3, [3])
    assert "Old keys removed from the keyring: 1, 2." in out
    assert "people.resident: key 3 — rows: 7" in _run("status")
    assert Resident.objects.get(pk=registry[0].pk).phone == "0987654321"


@pytest.mark.django_db
def test_rows_left_under_an_old_key_are_finished_without_a_new_key(
    registry: list[Resident],
) -> None:
    # A writer that still held key 1 after a rotation (or a rotation that died).
    old = crypto.keyring()
    crypto.keyring_save(old.with_new_active_key())
    assert "Rows still under an old key: 8." in _run("status")  # 7 residents, 1 issue

    out = _run("rotate")

    assert "An interrupted rotation to key 2 was finished." in out
    assert sorted(crypto.keyring().keys) == [1, 2]
    assert set(Resident.objects.values_list("key_version", flat=True)) == {2, None}


@pytest.mark.django_db
def test_a_keyring_from_the_environment_is_not_changed_by_the_command(
    registry: list[Resident], own_keyring: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(crypto.KEYS_ENV, own_keyring.read_text())
    with pytest.raises(CommandError) as error:
        _run("rotate")
    assert error.value.returncode == 2
    assert "keys generate --add-key" in str(error.value)

    added = json.loads(_run("generate", "--add-key"))
    assert added["active"] == 2 and set(added["keys"]) == {"1", "2"}
    monkeypatch.setenv(crypto.KEYS_ENV, json.dumps(added))
    before = _numbers()
    assert "An interrupted rotation to key 2 was finished." in _run("rotate")
    assert _numbers() == before
    fresh = json.loads(_run("generate"))
    assert fresh["active"] == 1 and fresh["keys"]["1"] != added["keys"]["1"]


@pytest.mark.django_db
def test_a_wrong_keyring_stops_the_rotation_with_one_line(
    registry: list[Resident], own_keyring: Path
) -> None:
    own_keyring.write_text(crypto.Keyring.generate().with_new_active_key().to_json())
    crypto.keyring_reload()
    with pytest.raises(CommandError) as error:
        _run("rotate")
    assert error.value.returncode == 2
    assert "cannot be decrypted" in str(error.value)


# -- killed half-way -----------------------------------------------------------------------
@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Site:
    return site_template(tmp_path_factory.mktemp("keys-template"))


def _decrypt_all(site: Site) -> dict[str, list[tuple[object, ...]]]:
    """Every encrypted value in clear, by table and id, read with the keyring on disk."""
    ring = site.keyring()
    out: dict[str, list[tuple[object, ...]]] = {}
    for table, columns in (
        ("people_resident", {"cccd_encrypted": personal.CCCD, "phone_encrypted": personal.PHONE}),
        ("people_dataissue", {"original_encrypted": personal.ISSUE_ORIGINAL}),
        ("people_importrun", {"rejected_rows_encrypted": personal.RUN_REJECTED}),
    ):
        names = ", ".join(columns)
        out[table] = [
            (
                row[0],
                *(
                    ring.decrypt(t, c) if t else t
                    for t, c in zip(row[1:], columns.values(), strict=True)
                ),
            )
            for row in site.rows(f"SELECT id, {names} FROM {table} ORDER BY id")  # noqa: S608
        ]
    return out


def _versions(site: Site) -> dict[int | None, int]:
    return dict(
        site.rows("SELECT key_version, count(*) FROM people_resident GROUP BY key_version")  # type: ignore[arg-type]
    )


@pytest.mark.slow
def test_a_rotation_killed_half_way_leaves_every_row_readable_and_resumes(
    template: Site, tmp_path: Path
) -> None:
    site = site_copy(template, tmp_path / "site")
    write_csv(tmp_path / "people.csv", generate_rows(200, seed=11, messy_share=0.2))
    site.run("import-residents", str(tmp_path / "people.csv"), "--commune", COMMUNE)
    clear = _decrypt_all(site)
    encrypted = _versions(site)
    assert encrypted[1] > 150 and clear["people_dataissue"]

    done = site.run_until_paused_then_kill("keys", "rotate", "--batch", "25")

    assert done == "25"
    ring = site.keyring()
    assert (ring.active, sorted(ring.keys)) == (2, [1, 2])  # saved before the first batch
    assert _versions(site) == {**encrypted, 1: encrypted[1] - 25, 2: 25}
    assert _decrypt_all(site) == clear  # every row reads, under key 1 or key 2

    out = site.run("keys", "rotate", "--batch", "25").stdout

    assert "An interrupted rotation to key 2 was finished." in out
    assert sorted(site.keyring().keys) == [1, 2]  # no third key
    assert set(_versions(site)) <= {2, None}
    assert (
        site.rows("SELECT count(*) FROM people_dataissue WHERE key_version = 1")[0][0]
        == site.rows("SELECT count(*) FROM people_importrun WHERE key_version = 1")[0][0]
        == 0
    )
    assert _decrypt_all(site) == clear
