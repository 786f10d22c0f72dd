"""An import killed with SIGKILL half-way leaves the database exactly as it was (it is one
transaction), whatever it had written before it died."""

import json
from pathlib import Path

import pytest

from congdanso.demo.synthetic import generate_rows, write_csv
from congdanso.people.tests.processes import COMMUNE, Site, site_copy, site_template

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
