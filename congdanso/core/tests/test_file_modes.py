"""Only the service account reads what congdanso writes: the data folder 0700, the database and
every file 0600 — through the real console script, and for each writer whatever the umask."""

import io
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command

from congdanso.core.errors import DomainError
from congdanso.core.files import open_private, write_private
from congdanso.demo.synthetic.files import write_csv
from congdanso.demo.synthetic.rows import generate_rows
from congdanso.people.models import Resident
from congdanso.people.tests.factories import ResidentFactory
from congdanso.people.tests.files import HEADER, write_xlsx
from congdanso.people.tests.processes import COMMUNE, Site
from congdanso.places.models import Place


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    """The usual 022 of a shell, in this process and the processes it starts."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


@pytest.mark.slow
@pytest.mark.usefixtures("permissive_umask")
def test_the_console_script_keeps_the_database_and_its_files_to_its_own_user(
    tmp_path: Path,
) -> None:
    site = Site(tmp_path / "var")  # not created yet: the first command makes it

    site.command("check")

    assert _mode(site.data_dir) == 0o700
    assert _mode(site.data_dir / "static") == 0o700  # a plain mkdir: the umask's doing
    assert _mode(site.data_dir / "secret_key") == 0o600
    site.command("migrate", "--noinput", "-v0")
    assert _mode(site.database) == 0o600
    site.command("demo", "--residents", "0")
    people = tmp_path / "people.csv"
    write_csv(people, generate_rows(30, seed=5, messy_share=0.3))
    rejects, export, subject = tmp_path / "rejects.csv", tmp_path / "x.csv", tmp_path / "p.json"
    site.command("import-residents", str(people), "--commune", COMMUNE, "--rejects", str(rejects))
    site.command("export-residents", "--commune", COMMUNE, "--out", str(export))
    (resident,) = site.rows("SELECT id FROM people_resident WHERE cccd_encrypted IS NOT NULL")[:1]
    site.command("subject", "export", str(resident[0]), "--out", str(subject))

    assert _mode(site.data_dir) == 0o700
    written = [site.database, site.data_dir / "keys.json", rejects, export, subject]
    # A WAL database keeps its -wal and -shm while a connection is open: those that are left.
    written += list(site.data_dir.glob("congdanso.sqlite3-*"))
    assert {path.name: _mode(path) for path in written} == {path.name: 0o600 for path in written}
    assert "066" in export.read_text(encoding="utf-8-sig")  # numbers in clear: hence 0600


@pytest.mark.slow
@pytest.mark.usefixtures("permissive_umask")
def test_a_database_others_may_read_is_named_at_start_and_made_private_by_migrate(
    tmp_path: Path,
) -> None:
    site = Site(tmp_path / "var")
    site.command("migrate", "--noinput", "-v0")
    site.data_dir.chmod(0o755)
    site.database.chmod(0o644)

    done = site.command("migrate", "--noinput")

    warning = [line for line in done.stderr.splitlines() if str(site.database) in line]
    assert len(warning) == 1 and "(644)" in warning[0] and "migrate" in warning[0]
    assert f"{site.data_dir} (755)" in warning[0]
    assert "Made private to this user" in done.stdout and str(site.database) in done.stdout
    # SQLite gives the -wal and -shm it creates the database file's mode: those too.
    assert f"{site.database}-wal" in done.stdout
    assert _mode(site.data_dir) == 0o700
    assert _mode(site.database) == 0o600
    assert str(site.database) not in site.command("check").stderr  # no warning any more


# -- every writer, whatever the umask ------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.usefixtures("permissive_umask")
@pytest.mark.parametrize(
    "args",
    [
        ("export-residents", "--commune", "{commune}", "--out", "{out}.csv"),
        ("export-residents", "--commune", "{commune}", "--out", "{out}.xlsx"),
        ("subject", "export", "{resident}", "--out", "{out}.json"),
        ("subject", "export", "{resident}", "--out", "{out}.docx"),
        ("import-residents", "{list}", "--commune", "{commune}", "--rejects", "{out}.csv"),
    ],
    ids=["export-csv", "export-xlsx", "subject-json", "subject-docx", "import-rejects"],
)
def test_files_holding_numbers_in_clear_are_written_0600(
    args: tuple[str, ...], tmp_path: Path, ea_yong: Place
) -> None:
    resident = ResidentFactory(village=ea_yong.children.first(), cccd="066190012345")
    listing = write_xlsx(tmp_path / "ds.xlsx", [HEADER, ["1", "A", "01/01/1990", "Nam", "12"]])
    values = {
        "commune": ea_yong.code,
        "resident": str(resident.pk),
        "out": str(tmp_path / "out"),
        "list": str(listing),
    }

    call_command(*(arg.format(**values) for arg in args), stdout=io.StringIO())

    (written,) = [p for p in tmp_path.iterdir() if p.name.startswith("out")]
    assert _mode(written) == 0o600
    assert Resident.objects.filter(pk=resident.pk).exists()


@pytest.mark.usefixtures("permissive_umask")
def test_a_private_file_replaces_the_old_one_whole_or_not_at_all(tmp_path: Path) -> None:
    target = tmp_path / "x.csv"
    target.write_text("old")
    target.chmod(0o644)

    with pytest.raises(ZeroDivisionError), open_private(target, "w") as handle:
        handle.write("half")
        raise ZeroDivisionError

    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.csv"]  # no partial file left
    assert write_private(target, lambda path: path.write_text("new")) == 3
    assert target.read_text() == "new"
    assert _mode(target) == 0o600


@pytest.mark.parametrize(
    ("target", "words"),
    [("missing/x.csv", "does not exist"), (".", "is a folder"), ("/dev/null", "regular file")],
)
def test_a_path_that_cannot_hold_a_private_file_is_refused_clearly(
    tmp_path: Path, target: str, words: str
) -> None:
    with pytest.raises(DomainError) as refused:
        write_private(tmp_path / target, lambda path: path.write_text("x"))

    assert words in refused.value.message.render("en")
    assert refused.value.message.render("vi") != refused.value.message.render("en")
