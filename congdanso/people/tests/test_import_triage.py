"""The triage and the keys in memory only make the import faster: lists imported with them
and without them (every row through the matching, its look-ups in the database) leave the
same residents, data issues, rejects and counts.

The lists are small and crowded on purpose: three names, two villages (and no village, and
an unknown one), birth dates of every precision, a handful of CCCDs and phones, so that rows
meet stored residents and earlier rows by every road the matching knows.
"""

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from congdanso.people.importing import import_residents
from congdanso.people.importing.parallel import BATCH_ROWS
from congdanso.people.importing.writing import ANALYZE_AFTER_ROWS, RECALL_SHARE
from congdanso.people.models import DataIssue, IssueCode, Resident
from congdanso.people.tests.files import HEADER, write_csv
from congdanso.places.models import Place

pytestmark = pytest.mark.django_db

TODAY = dt.date(2023, 4, 12)
NAMES = ["Nguyễn Văn An", "NGUYEN VAN AN", "Nguyễn Thị Hoà", "H'Nga Niê"]
VILLAGES = ["Thôn Tân Lập", "Buôn Ghamah", "", "Thôn Không Có"]
BIRTHS = ["", "1985", "05/03/1985", "06/03/1985", "1990", "12/04/1990", "31/02/1990"]
GENDERS = ["Nam", "Nữ", "", "x"]
CCCDS = ["", "", "066085000001", "066190012345", "066090000002", "12345"]
PHONES = ["", "0912345678", "0336123456", "09123"]

row_cells = st.tuples(
    st.sampled_from(NAMES),
    st.sampled_from(BIRTHS),
    st.sampled_from(GENDERS),
    st.sampled_from(CCCDS),
    st.sampled_from(PHONES),
    st.sampled_from(VILLAGES),
)
a_list = st.lists(row_cells, min_size=1, max_size=16)


class _Undo(Exception):
    pass


def _masked(text: str) -> str:
    # Resident ids depend on the order of inserts; a namesake not inserted yet is "?".
    return re.sub(r"(#|số )(\d+|\?)", r"\1…", text)


def _outcome(commune: Place, paths: list[Path], *, triage: bool, recall: bool) -> Any:
    """What importing `paths` in turn leaves behind; rolled back afterwards."""
    outcome = None
    try:
        with transaction.atomic():
            results = []
            for path in paths:
                result = import_residents(
                    path,
                    commune=commune,
                    today=TODAY,
                    reuse_previous=False,
                    triage=triage,
                    recall=recall,
                )
                results.append(
                    (
                        result.rows,
                        result.created,
                        result.updated,
                        result.unchanged,
                        result.rejected,
                        result.warnings_by_code,
                        [(r.row_number, _masked(str(r.reason))) for r in result.rejected_rows],
                    )
                )
            residents = {}
            for resident in Resident.objects.filter(commune=commune).select_related("village"):
                residents[resident.pk] = (
                    resident.full_name,
                    resident.name_key,
                    resident.village.name if resident.village else None,
                    resident.birth_date,
                    resident.birth_date_precision,
                    resident.gender,
                    resident.cccd,
                    resident.phone,
                    resident.status,
                )
            issues = sorted(
                (
                    (
                        residents[issue.resident_id],
                        issue.code,
                        issue.field,
                        "" if issue.code == IssueCode.POSSIBLE_DUPLICATE else issue.original_value,
                        # Which namesake a possible duplicate quotes depends on the order
                        # the matching meets them; that one is flagged is what counts.
                        "" if issue.code == IssueCode.POSSIBLE_DUPLICATE else _masked(issue.detail),
                        issue.resolved_at is None,
                    )
                    for issue in DataIssue.objects.filter(commune=commune)
                ),
                key=repr,
            )
            outcome = (results, sorted(residents.values(), key=repr), issues)
            raise _Undo
    except _Undo:
        pass
    return outcome


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(first=a_list, second=a_list)
def test_the_triage_and_the_keys_in_memory_leave_what_the_plain_matching_leaves(
    tmp_path: Path, ea_yong: Place, first: list[tuple[str, ...]], second: list[tuple[str, ...]]
) -> None:
    paths = []
    for number, rows in enumerate((first, second)):
        cells = [[i, *row] for i, row in enumerate(rows, start=1)]
        paths.append(write_csv(tmp_path / f"list-{number}.csv", [HEADER, *cells]))
    fast = _outcome(ea_yong, paths, triage=True, recall=True)
    assert fast == _outcome(ea_yong, paths, triage=False, recall=False)
    # The keys in memory alone (every row reaching the matching uses them).
    assert fast == _outcome(ea_yong, paths, triage=False, recall=True)


def test_a_list_of_new_people_goes_by_the_triage_and_its_later_rows_by_the_matching(
    tmp_path: Path, ea_yong: Place
) -> None:
    # The first An is certainly new; the second (same name, village and birth date) is the
    # same person told twice, which only the matching can see.
    rows = [
        [1, "Nguyễn Văn An", "05/03/1985", "Nam", "", "", "Thôn Tân Lập"],
        [2, "Trần Thị Bình", "1990", "Nữ", "066190012345", "", "Thôn Tân Lập"],
        [3, "Nguyễn Văn An", "05/03/1985", "Nam", "", "0912345678", "Thôn Tân Lập"],
    ]
    path = write_csv(tmp_path / "ds.csv", [HEADER, *rows])
    result = import_residents(path, commune=ea_yong, today=TODAY)
    assert (result.created, result.updated, result.rejected) == (2, 1, 0)
    an = Resident.objects.get(commune=ea_yong, name_key="nguyen van an")
    assert an.phone == "0912345678"


def test_rows_for_the_matching_wait_over_batches_and_find_the_earlier_rows(
    tmp_path: Path, ea_yong: Place, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each person twice, the second time with a phone and more than a batch later: the first
    # rows are certainly new, the second ones reach the matching gathered over batches.
    monkeypatch.setenv("CONGDANSO_IMPORT_WORKER", "on")
    people = BATCH_ROWS + 500
    first = [[i, f"Trần Văn Thử {i}", "1980", "Nam", "", "", "Thôn Tân Lập"] for i in range(people)]
    second = [
        [i, name, birth, gender, "", f"0912{i:06d}", village]
        for i, name, birth, gender, _c, _p, village in first
    ]
    path = write_csv(tmp_path / "twice.csv", [HEADER, *first, *second])
    result = import_residents(path, commune=ea_yong, today=TODAY)
    assert (result.created, result.updated, result.rejected) == (people, people, 0)
    stored = Resident.objects.filter(commune=ea_yong)
    assert stored.count() == people
    assert all(resident.phone for resident in stored)
    # A large insert leaves the planner statistics of the table (see writing.ANALYZE_AFTER_ROWS).
    assert people >= ANALYZE_AFTER_ROWS
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT COUNT(*) FROM pg_stats WHERE tablename = 'people_resident' "
                "AND attname = 'commune_id'"
            )
        else:
            cursor.execute("SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'people_resident'")
        assert cursor.fetchone()[0] > 0


@pytest.mark.parametrize(("repeated", "read_whole"), [(1, False), (3, True)])
def test_the_keys_in_memory_are_read_once_the_rows_to_match_are_many_enough(
    tmp_path: Path, ea_yong: Place, repeated: int, read_whole: bool
) -> None:
    # 40 people stored; a later list repeats some of them (with a phone now) and adds others.
    # One row to match is few beside 40 residents (1 × RECALL_SHARE < 40): the database
    # answers its look-ups; three are enough (3 × 16 ≥ 40) to read every resident's keys.
    assert RECALL_SHARE == 16
    stored = [
        [
            i,
            f"Lê Văn Số {i}",
            f"{1 + i % 28:02d}/03/1980",
            "Nam",
            f"0660800{i:05d}",
            "",
            "Thôn Tân Lập",
        ]
        for i in range(40)
    ]
    first = write_csv(tmp_path / "first.csv", [HEADER, *stored])
    later_rows = [[n, *row[1:5], f"0912{n:06d}", row[6]] for n, row in enumerate(stored[:repeated])]
    later_rows += [[100, "Phạm Thị Mới", "1999", "Nữ", "", "", "Buôn Ghamah"]]
    later = write_csv(tmp_path / "later.csv", [HEADER, *later_rows])
    plain = _outcome(ea_yong, [first, later], triage=False, recall=False)
    with CaptureQueriesContext(connection) as queries:
        fast = _outcome(ea_yong, [first, later], triage=True, recall=True)
    assert fast == plain
    assert fast[0][1][1:4] == (1, repeated, 0)  # created, updated, unchanged
    whole = [q for q in queries if "SELECT id, cccd_hmac, name_key" in q["sql"]]
    assert bool(whole) is read_whole
