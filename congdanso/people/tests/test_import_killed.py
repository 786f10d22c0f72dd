"""An import killed with SIGKILL half-way leaves the database exactly as it was (it is one
transaction), whatever it had written before it died — and leaves no reader process behind;
an import whose reader dies fails clearly instead of waiting for it."""

import datetime as dt
import json
import os
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from congdanso.demo.synthetic.files import write_csv
from congdanso.demo.synthetic.rows import generate_rows
from congdanso.people.importing.cleaning import RowCleaner
from congdanso.people.importing.errors import ImportFailed
from congdanso.people.importing.parallel import batches_in_worker
from congdanso.people.importing.pipeline import open_with_header
from congdanso.people.importing.triage import Triage
from congdanso.people.tests.files import HEADER
from congdanso.people.tests.files import write_csv as write_table
from congdanso.people.tests.processes import (
    COMMUNE,
    Site,
    children_of,
    is_running,
    site_copy,
    site_template,
)

pytestmark = pytest.mark.slow

TABLES = ("people_resident", "people_dataissue", "people_importrun", "places_place")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Site:
    return site_template(tmp_path_factory.mktemp("import-template"))


def test_an_import_killed_half_way_leaves_the_database_as_before(
    template: Site, tmp_path: Path
) -> None:
    site = site_copy(template, tmp_path / "site")
    earlier = write_csv(tmp_path / "earlier.csv", generate_rows(300, seed=7))
    site.run("import-residents", str(tmp_path / "earlier.csv"), "--commune", COMMUNE)
    before = site.checksum(*TABLES)
    assert before["people_resident"][0] > 250 and earlier == 300
    big = tmp_path / "big.csv"
    rows = write_csv(big, generate_rows(15_000, seed=2023))

    done = site.run_until_paused_then_kill("import-residents", str(big), "--commune", COMMUNE)

    assert int(done) == 6000  # killed after its first batch was written, before the second
    assert site.checksum(*TABLES) == before
    # The same file, not killed this time, imports: the kill, not the file, stopped it.
    result = json.loads(
        site.run("import-residents", str(big), "--commune", COMMUNE, "--json").stdout
    )
    assert result["rows"] == rows and result["created"] > 14_000


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_the_reader_of_a_killed_import_does_not_outlive_it(template: Site, tmp_path: Path) -> None:
    site = site_copy(template, tmp_path / "site")
    big = tmp_path / "big.csv"
    write_csv(big, generate_rows(15_000, seed=2023))  # 3 batches: the reader waits on the queue
    readers: list[int] = []

    def note_the_reader(pid: int) -> None:
        readers.extend(children_of(pid))
        assert readers, "the import forked no reader"
        assert all(is_running(reader) for reader in readers)

    try:
        site.run_until_paused_then_kill(
            "import-residents",
            str(big),
            "--commune",
            COMMUNE,
            when_paused=note_the_reader,
            CONGDANSO_IMPORT_WORKER="on",
        )

        deadline = time.monotonic() + 10
        while any(map(is_running, readers)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [reader for reader in readers if is_running(reader)]
    finally:
        for reader in filter(is_running, readers):
            os.kill(reader, signal.SIGKILL)


@pytest.mark.django_db
def test_an_import_whose_reader_dies_without_a_word_fails_instead_of_waiting(
    tmp_path: Path,
) -> None:
    path = write_table(tmp_path / "ds.csv", [HEADER, ["1", "Nguyễn Thị Hoà"]])
    opened = open_with_header(path)
    cleaner = RowCleaner(opened.column_map, lookup_village=lambda text: None, today=dt.date.today())

    def rows() -> Iterator[tuple[int, list[Any]]]:
        os.kill(os.getpid(), signal.SIGKILL)  # runs in the forked reader only
        yield from ()

    started = time.monotonic()
    with pytest.raises(ImportFailed) as failed:
        list(batches_in_worker([rows()], cleaner, Triage(enabled=False)))

    assert failed.value.code == "worker_failed"
    assert "-9" in failed.value.message.render("en")
    assert time.monotonic() - started < 10
