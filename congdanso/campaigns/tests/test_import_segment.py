"""Marking residents as students or public-sector staff from a school's or an office's list:
matched as the achievement import matches, counted by the targets narrowed to the group,
idempotent, nothing written on a fatal error."""

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from congdanso.campaigns.importing.segments import import_segment_list
from congdanso.campaigns.models import Campaign
from congdanso.campaigns.targets import target_add
from congdanso.core.errors import DomainError
from congdanso.core.models import AuditEvent
from congdanso.people.importing.errors import ImportFailed
from congdanso.people.models import Resident
from congdanso.people.tests.factories import ResidentFactory
from congdanso.people.tests.files import write_xlsx
from congdanso.places.models import Place
from congdanso.progress.indicators import campaign_indicators
from congdanso.progress.tallies import tally_check

pytestmark = pytest.mark.django_db

HEADER = ["STT", "Họ và tên", "Ngày sinh", "Lớp", "Số CCCD", "Ngày nhập học"]


@pytest.fixture
def pupils(campaign: Campaign, ea_yong: Place) -> dict[str, Resident]:
    village = ea_yong.children.get(name="Thôn Tân Lập")
    return {
        "an": ResidentFactory(
            village=village,
            full_name="Lê Văn An",
            birth_date=dt.date(2007, 9, 2),
            cccd="066207001234",
        ),
        "binh": ResidentFactory(
            village=village, full_name="Trần Thị Bình", birth_date=dt.date(2008, 1, 15)
        ),
        "other": ResidentFactory(
            village=village, full_name="Phạm Văn Cường", birth_date=dt.date(1980, 1, 1)
        ),
    }


def _list(tmp_path: Path) -> Path:
    return write_xlsx(
        tmp_path / "hoc-sinh-thpt.xlsx",
        [
            ["DANH SÁCH HỌC SINH TRƯỜNG THPT EA YÔNG"],
            HEADER,
            [1, "Lê Văn An", "02/09/2007", "12A1", "066207001234", "05/09/2022"],
            [2, "TRẦN THỊ BÌNH", "15/01/2008", "11A2", "", "05/09/2023"],
            [3, "Trần Thị Bình", "15/01/2008", "11A2", "", ""],  # named twice
            [4, "Nguyễn Văn Không Có", "01/01/2008", "11A3", "", ""],
        ],
    )


def test_a_school_s_list_marks_its_students_and_the_target_counts_them(
    campaign: Campaign, pupils: dict[str, Resident], tmp_path: Path
) -> None:
    target = target_add(
        campaign=campaign, name="100% học sinh", kind="share", value="100%", segment="student"
    )
    path = _list(tmp_path)

    result = import_segment_list(path, campaign=campaign, segment="student")

    assert (result.rows, result.updated, result.unchanged, result.rejected) == (4, 2, 1, 1)
    assert result.matched_by == {"cccd": 1, "name_birth_date": 2}
    assert "Nguyễn Văn Không Có" in [row.cells[1] for row in result.rejected_rows]
    marked = dict(Resident.objects.values_list("full_name", "segments"))
    assert marked == {"Lê Văn An": "student", "Trần Thị Bình": "student", "Phạm Văn Cường": ""}
    figures = campaign_indicators(campaign, on=dt.date(2023, 6, 1))
    mine = next(t for t in figures.targets if t.target_id == target.pk)
    assert mine.population == 2
    assert tally_check(campaign) == []

    again = import_segment_list(path, campaign=campaign, segment="student")

    assert (again.updated, again.unchanged) == (0, 3)
    assert AuditEvent.objects.filter(action="import", object_type="people.resident").count() == 2


def test_a_second_group_is_added_to_the_first(
    campaign: Campaign, pupils: dict[str, Resident], tmp_path: Path
) -> None:
    Resident.objects.filter(pk=pupils["an"].pk).update(segments="student")

    import_segment_list(_list(tmp_path), campaign=campaign, segment="public_sector")

    pupils["an"].refresh_from_db()
    assert pupils["an"].segments == "public_sector,student"


def test_a_dry_run_or_an_unknown_group_writes_nothing(
    campaign: Campaign, pupils: dict[str, Resident], tmp_path: Path
) -> None:
    path = _list(tmp_path)

    dry = import_segment_list(path, campaign=campaign, segment="student", dry_run=True)
    with pytest.raises(DomainError) as unknown:
        import_segment_list(path, campaign=campaign, segment="farmer")
    with pytest.raises(DomainError):
        import_segment_list(path, campaign=campaign, segment=" ")

    assert dry.updated == 2
    assert unknown.value.code == "segment_unknown"
    assert set(Resident.objects.values_list("segments", flat=True)) == {""}
    assert not AuditEvent.objects.filter(action="import").exists()


def test_a_file_without_a_name_or_number_column_is_refused(
    campaign: Campaign, pupils: dict[str, Resident], tmp_path: Path
) -> None:
    path = write_xlsx(tmp_path / "lop.xlsx", [["Lớp", "Sĩ số"], ["12A1", 40]])

    with pytest.raises(ImportFailed) as refused:
        import_segment_list(path, campaign=campaign, segment="student")

    assert refused.value.code == "no_header"
    assert set(Resident.objects.values_list("segments", flat=True)) == {""}


def test_the_command_marks_and_prints_json_and_says_what_is_wrong(
    campaign: Campaign, pupils: dict[str, Resident], tmp_path: Path
) -> None:
    out = io.StringIO()
    call_command(
        "import-segment",
        str(_list(tmp_path)),
        "--campaign",
        str(campaign.pk),
        "--segment",
        "student",
        "--json",
        stdout=out,
    )
    printed = json.loads(out.getvalue())
    assert (printed["segment"], printed["updated"], printed["rejected"]) == ("student", 2, 1)

    with pytest.raises(CommandError) as refused:
        call_command(
            "import-segment",
            str(_list(tmp_path)),
            "--campaign",
            str(campaign.pk),
            "--segment",
            "nong_dan",
        )
    assert "nong_dan" in str(refused.value)
