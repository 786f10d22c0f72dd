import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import given
from hypothesis import strategies as st

from congdanso.campaigns.achievements import achievement_record
from congdanso.campaigns.importing import (
    DateUnreadable,
    ImportFailed,
    campaign_unit_get,
    import_achievements,
    parse_achievement_date,
)
from congdanso.campaigns.models import Achievement, AchievementSource, Campaign, Criterion
from congdanso.campaigns.services import campaign_criteria_set, criterion_create
from congdanso.core.errors import DomainError
from congdanso.partners.services import unit_get_or_create
from congdanso.people.models import Resident, ResidentStatus
from congdanso.people.tests.factories import ResidentFactory
from congdanso.people.tests.files import write_csv, write_xlsx
from congdanso.places.models import Place
from congdanso.places.services import commune_get_or_create, village_get_or_create

pytestmark = pytest.mark.django_db

TODAY = dt.date(2023, 12, 1)


def _village(commune: Place, name: str) -> Place:
    return commune.children.get(name=name)


@pytest.fixture
def vneid() -> Criterion:
    return Criterion.objects.get(code="vneid_level2")


@pytest.fixture
def people(ea_yong: Place) -> dict[str, Resident]:
    """Residents of Ea Yông with the keys a partner's list may give."""
    tan_lap = _village(ea_yong, "Thôn Tân Lập")
    ghamah = _village(ea_yong, "Buôn Ghamah")
    cao_bang = _village(ea_yong, "Thôn Cao Bằng")
    year = {"birth_date_precision": "year"}
    return {
        "hoa": ResidentFactory(
            village=tan_lap,
            full_name="Nguyễn Thị Hoà",
            birth_date=dt.date(1990, 4, 12),
            cccd="066190012345",
            phone="0912345678",
        ),
        "binh": ResidentFactory(
            village=tan_lap,
            full_name="Trần Văn Bình",
            birth_date=dt.date(1985, 1, 1),
            phone="0336123456",
            **year,
        ),
        "nga": ResidentFactory(
            village=ghamah, full_name="H'Nga Niê", birth_date=dt.date(1970, 1, 1), **year
        ),
        # Namesakes born the same year, in two villages.
        "y_ghamah": ResidentFactory(
            village=ghamah, full_name="Y Bhiăo Ayun", birth_date=dt.date(1988, 1, 1), **year
        ),
        "y_cao_bang": ResidentFactory(
            village=cao_bang, full_name="Y Bhiăo Ayun", birth_date=dt.date(1988, 3, 2)
        ),
        # A family phone.
        "cuong": ResidentFactory(
            village=cao_bang,
            full_name="Lê Văn Cường",
            birth_date=dt.date(1960, 7, 1),
            phone="0987654321",
        ),
        "dung": ResidentFactory(
            village=cao_bang,
            full_name="Lê Văn Dũng",
            birth_date=dt.date(1995, 2, 3),
            phone="0987654321",
        ),
        "old": ResidentFactory(
            village=cao_bang,
            full_name="Đinh Văn Lão",
            birth_date=dt.date(1930, 1, 1),
            cccd="066030000001",
            status=ResidentStatus.DECEASED,
        ),
    }


def _import(path: Path, campaign: Campaign, criterion: Criterion, **kwargs: Any):  # type: ignore[no-untyped-def]
    kwargs.setdefault("today", TODAY)
    return import_achievements(path, campaign=campaign, criterion=criterion, **kwargs)


def _list(tmp_path: Path, header: list[Any], *rows: list[Any], name: str = "ds.xlsx") -> Path:
    return write_xlsx(tmp_path / name, [["DANH SÁCH KÍCH HOẠT VNEID MỨC 2"], [], header, *rows])


def _achieved(resident: Resident, criterion: Criterion) -> dt.date | None:
    found = Achievement.objects.filter(
        resident=resident, criterion=criterion, withdrawn_at__isnull=True
    ).first()
    return found.achieved_on if found else None


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


# -- matching ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "row", "who", "key", "warning"),
    [
        (
            ["STT", "Họ và tên", "Số CCCD", "Ngày kích hoạt"],
            [1, "NGUYEN THI HOA", "066190012345", "15/05/2023"],
            "hoa",
            "cccd",
            None,
        ),
        (
            ["Số định danh cá nhân", "Thời gian"],
            ["066190012345", "15/05/2023"],
            "hoa",
            "cccd",
            None,
        ),
        (
            ["Tên khách hàng", "Số điện thoại", "Ngày mở tài khoản"],
            ["Trần Văn Bình", "+84 336 123 456", dt.date(2023, 5, 15)],
            "binh",
            "phone",
            None,
        ),
        (
            ["Họ và tên", "Năm sinh", "Ngày"],
            ["H'NGA NIÊ", 1970, "2023-05-15 08:30:00"],
            "nga",
            "name_birth_date",
            None,
        ),
        # A day of birth in the list, only the year in the register.
        (
            ["Họ và tên", "Ngày sinh", "Ngày"],
            ["Trần Văn Bình", "05/03/1985", "15/05/2023"],
            "binh",
            "name_birth_date",
            None,
        ),
        # A CCCD nobody has: the phone is tried next.
        (
            ["Họ và tên", "CCCD", "SĐT", "Ngày"],
            ["Trần Văn Bình", "066085000009", "0336123456", "15/05/2023"],
            "binh",
            "phone",
            None,
        ),
        # A bad CCCD is set aside: the phone finds her, with a warning.
        (
            ["Họ và tên", "CCCD", "SĐT", "Ngày"],
            ["Nguyễn Thị Hoà", "12345", "0912345678", "15/05/2023"],
            "hoa",
            "phone",
            "cccd_invalid",
        ),
        # A family phone with a name: the named one.
        (
            ["Họ và tên", "SĐT", "Ngày"],
            ["Lê Văn Dũng", "0987654321", "15/05/2023"],
            "dung",
            "phone",
            None,
        ),
        # Namesakes born the same year: the village tells them apart.
        (
            ["Họ và tên", "Năm sinh", "Thôn/Buôn", "Ngày"],
            ["Y Bhiăo Ayun", "1988", "Ghamah", "15/05/2023"],
            "y_ghamah",
            "name_birth_date",
            None,
        ),
        # Recorded, with a warning: the register says he died.
        (["CCCD", "Ngày"], ["066030000001", "15/05/2023"], "old", "cccd", "resident_not_living"),
    ],
)
def test_a_row_is_matched_by_each_key(  # type: ignore[no-untyped-def]
    tmp_path, campaign, vneid, people, header, row, who, key, warning
) -> None:
    result = _import(_list(tmp_path, header, row), campaign, vneid)

    assert (result.rows, result.created, result.rejected) == (1, 1, 0), result.rejected_rows
    assert result.matched_by == {key: 1}
    assert _achieved(people[who], vneid) == dt.date(2023, 5, 15)
    assert result.warnings_by_code == ({warning: 1} if warning else {})
    achievement = Achievement.objects.get(resident=people[who])
    assert achievement.source == AchievementSource.IMPORT
    assert achievement.commune_id == people[who].commune_id
    assert "ds.xlsx" in achievement.note


@pytest.mark.parametrize(
    ("header", "row", "reason"),
    [
        (
            ["Họ và tên", "Năm sinh", "Ngày"],
            ["Y Bhiăo Ayun", "1988", "15/05/2023"],
            "Several residents are named Y Bhiăo Ayun and born 1988",
        ),
        # A full birth date does not tell them apart: one is known only by the year.
        (
            ["Họ và tên", "Ngày sinh", "Ngày"],
            ["Y Bhiăo Ayun", "02/03/1988", "15/05/2023"],
            "Several residents are named Y Bhiăo Ayun and born 1988-03-02: Y Bhiăo Ayun (1988, "
            "Buôn Ghamah), Y Bhiăo Ayun (1988-03-02, Thôn Cao Bằng).",
        ),
        (
            ["SĐT", "Ngày"],
            ["0987654321", "15/05/2023"],
            "Several residents share the phone 0987654321: Lê Văn Cường (1960-07-01, Thôn Cao "
            "Bằng), Lê Văn Dũng (1995-02-03, Thôn Cao Bằng)",
        ),
        (
            ["Họ và tên", "SĐT", "Ngày"],
            ["Phạm Thị Lan", "0912345678", "15/05/2023"],
            "The phone 0912345678 belongs to Nguyễn Thị Hoà (1990-04-12, Thôn Tân Lập), not to "
            "Phạm Thị Lan.",
        ),
        (
            ["Họ và tên", "CCCD", "SĐT", "Ngày"],
            ["Phạm Thị Lan", "066190012345", "0336123456", "15/05/2023"],
            "The CCCD 066190012345 belongs to Nguyễn Thị Hoà (1990-04-12, Thôn Tân Lập), not to "
            "Phạm Thị Lan.",
        ),
        (
            ["Họ và tên", "CCCD", "Ngày"],
            ["Phạm Thị Lan", "066190099999", "15/05/2023"],
            "No resident of Xã Ea Yông matches this row by CCCD, phone, or name and birth date.",
        ),
        (
            ["Họ và tên", "CCCD", "Ngày"],
            ["Phạm Thị Lan", "0661900", "15/05/2023"],
            "The CCCD is not valid: A CCCD number has exactly 12 digits, got 7: 0661900",
        ),
        (
            ["Họ và tên", "SĐT", "Ngày"],
            ["Phạm Thị Lan", "0212345", "15/05/2023"],
            "The phone is not valid:",
        ),
        (
            ["Họ và tên", "Ngày"],
            ["Nguyễn Thị Hoà", "15/05/2023"],
            "a name without a birth date cannot identify the resident: Nguyễn Thị Hoà.",
        ),
        (
            ["Họ và tên", "Năm sinh", "CCCD", "Ngày"],
            ["Nguyễn Thị Hoà", "1990", "066190077777", "15/05/2023"],
            "A resident with this name and birth date has another CCCD: Nguyễn Thị Hoà "
            "(1990-04-12, Thôn Tân Lập).",
        ),
        (
            ["CCCD", "Ngày"],
            ["066190012345", "15/12/2023"],
            "The date 15/12/2023 is in the future (today is 01/12/2023).",
        ),
        (
            ["CCCD", "Ngày"],
            ["066190012345", "15/05/1989"],
            "The date 15/05/1989 is before Nguyễn Thị Hoà was born.",
        ),
        (
            ["CCCD", "Ngày"],
            ["066190012345", "05/2023"],
            "Cannot read the date 05/2023: write it as day/month/year (dd/mm/yyyy).",
        ),
        (["CCCD", "Ngày"], ["066190012345", "31/02/2023"], "The date 31/02/2023 does not exist."),
        (["CCCD", "Ngày"], ["066190012345", " "], "The row has no date."),
        (
            ["Họ và tên", "Ngày"],
            ["Người lập biểu", "15/05/2023"],
            "a name without a birth date cannot identify the resident",
        ),
    ],
)
def test_a_row_that_cannot_be_recorded_is_rejected_with_the_reason(  # type: ignore[no-untyped-def]
    tmp_path, campaign, vneid, people, header, row, reason
) -> None:
    result = _import(_list(tmp_path, header, row), campaign, vneid)

    assert (result.rows, result.created, result.rejected) == (1, 0, 1)
    rejected = result.rejected_rows[0]
    assert rejected.row_number == 4
    assert reason in rejected.reason.render("en")
    assert not Achievement.objects.exists()


def test_a_bad_value_is_explained_in_the_language_of_the_reader(  # type: ignore[no-untyped-def]
    tmp_path, campaign, vneid, people
) -> None:
    path = _list(tmp_path, ["Họ và tên", "CCCD", "Ngày"], ["Lan", "0661900", "15/05/2023"])
    reason = _import(path, campaign, vneid).rejected_rows[0].reason

    assert "Số CCCD phải có đúng 12 chữ số" in reason.render("vi")
    assert "A CCCD number has exactly 12 digits" not in reason.render("vi")
    assert "A CCCD number has exactly 12 digits" in reason.render("en")


def test_residents_outside_the_campaign_communes_are_not_matched(  # type: ignore[no-untyped-def]
    tmp_path, campaign, vneid, ea_yong
) -> None:
    other, _created = commune_get_or_create(parent=ea_yong.parent, name="Xã Ea Kly", code="ea-kly")
    stranger = ResidentFactory(
        village=village_get_or_create(commune=other, name="Thôn 1")[0], cccd="066190012345"
    )
    result = _import(
        _list(tmp_path, ["CCCD", "Ngày"], ["066190012345", "15/05/2023"]), campaign, vneid
    )

    assert result.rejected == 1
    assert _achieved(stranger, vneid) is None


def test_a_date_column_is_not_confused_with_the_cccd_issue_date(  # type: ignore[no-untyped-def]
    tmp_path, campaign, vneid, people
) -> None:
    header = ["Số CCCD", "Ngày cấp CCCD", "Ngày kích hoạt mức 2"]
    result = _import(
        _list(tmp_path, header, ["066190012345", "01/01/2021", "15/05/2023"]), campaign, vneid
    )

    assert result.columns == {"cccd": "Số CCCD", "achieved_on": "Ngày kích hoạt mức 2"}
    assert _achieved(people["hoa"], vneid) == dt.date(2023, 5, 15)


def test_a_csv_list_is_read_like_a_workbook(tmp_path, campaign, vneid, people) -> None:  # type: ignore[no-untyped-def]
    path = write_csv(
        tmp_path / "bidv.csv",
        [["Họ tên khách hàng", "SĐT", "Ngày mở TK"], ["Trần Văn Bình", "336123456", "20/06/2023"]],
    )
    result = _import(path, campaign, vneid)

    assert (result.created, result.encoding) == (1, "utf-8")
    assert _achieved(people["binh"], vneid) == dt.date(2023, 6, 20)


# -- writing ----------------------------------------------------------------------------------


def test_importing_the_same_list_again_changes_nothing(tmp_path, campaign, vneid, people) -> None:  # type: ignore[no-untyped-def]
    path = _list(
        tmp_path,
        ["CCCD", "SĐT", "Họ và tên", "Năm sinh", "Ngày"],
        ["066190012345", "", "", "", "15/05/2023"],
        ["", "0336123456", "", "", "16/05/2023"],
        ["", "", "H'Nga Niê", "1970", "17/05/2023"],
        ["", "", "Ai Đó", "", "17/05/2023"],
    )
    first = _import(path, campaign, vneid)
    stored = list(Achievement.objects.values_list("id", "achieved_on", "recorded_at"))
    again = _import(path, campaign, vneid)

    assert (first.created, first.updated, first.unchanged, first.rejected) == (3, 0, 0, 1)
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 3, 1)
    assert list(Achievement.objects.values_list("id", "achieved_on", "recorded_at")) == stored


def test_an_earlier_date_replaces_a_later_one_and_a_later_date_changes_nothing(  # type: ignore[no-untyped-def]
    tmp_path, campaign, vneid, people
) -> None:
    hoa, binh = people["hoa"], people["binh"]
    achievement_record(resident=hoa, criterion=vneid, achieved_on=dt.date(2023, 9, 1))
    kept = achievement_record(resident=binh, criterion=vneid, achieved_on=dt.date(2023, 3, 1))
    unit, _created = unit_get_or_create(place=campaign.place, name="Công an xã", kind="police")
    path = _list(
        tmp_path,
        ["CCCD", "SĐT", "Ngày"],
        ["066190012345", "", "15/05/2023"],
        ["", "0336123456", "15/05/2023"],
    )
    result = _import(path, campaign, vneid, unit=unit)

    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    moved = Achievement.objects.get(resident=hoa)
    assert (moved.achieved_on, moved.source, moved.unit) == (
        dt.date(2023, 5, 15),
        AchievementSource.IMPORT,
        unit,
    )
    assert Achievement.objects.get(resident=binh).achieved_on == kept.achievement.achieved_on
    assert Achievement.objects.get(resident=binh).source == AchievementSource.FIELD


def test_the_same_resident_twice_in_a_list_counts_the_earliest_date(  # type: ignore[no-untyped-def]
    tmp_path, campaign, vneid, people
) -> None:
    path = _list(
        tmp_path,
        ["CCCD", "SĐT", "Ngày"],
        ["066190012345", "", "20/05/2023"],
        ["", "0912345678", "15/05/2023"],
        ["066190012345", "", "25/05/2023"],
    )
    result = _import(path, campaign, vneid)

    assert (result.rows, result.created, result.unchanged, result.rejected) == (3, 1, 2, 0)
    assert result.warnings_by_code == {"repeated_in_file": 2}
    assert _achieved(people["hoa"], vneid) == dt.date(2023, 5, 15)


def test_a_dry_run_counts_the_same_and_writes_nothing(tmp_path, campaign, vneid, people) -> None:  # type: ignore[no-untyped-def]
    achievement_record(resident=people["hoa"], criterion=vneid, achieved_on=dt.date(2023, 9, 1))
    path = _list(
        tmp_path,
        ["CCCD", "SĐT", "Ngày"],
        ["066190012345", "", "15/05/2023"],
        ["", "0336123456", "15/05/2023"],
        ["", "0999999999", "15/05/2023"],
    )
    before = list(Achievement.objects.values_list("id", "achieved_on"))
    dry = _import(path, campaign, vneid, dry_run=True)
    assert list(Achievement.objects.values_list("id", "achieved_on")) == before
    real = _import(path, campaign, vneid)

    assert dry.dry_run and not real.dry_run
    summary = {k: v for k, v in dry.as_json().items() if k not in ("seconds", "dry_run")}
    assert summary == {k: v for k, v in real.as_json().items() if k not in ("seconds", "dry_run")}
    assert (real.created, real.updated, real.rejected) == (1, 1, 1)


def test_a_list_without_a_date_takes_the_date_given(tmp_path, campaign, vneid, people) -> None:  # type: ignore[no-untyped-def]
    path = _list(tmp_path, ["CCCD"], ["066190012345"])
    result = _import(path, campaign, vneid, default_date=dt.date(2023, 4, 12))

    assert result.created == 1
    assert _achieved(people["hoa"], vneid) == dt.date(2023, 4, 12)


@pytest.mark.parametrize(
    ("header", "rows", "kwargs", "code"),
    [
        (["CCCD"], [["066190012345"]], {}, "date_missing"),
        (["Ghi chú", "Ngày"], [["x", "15/05/2023"]], {}, "no_header"),
        (["CCCD"], [["066190012345"]], {"default_date": dt.date(2024, 1, 1)}, "date_in_future"),
    ],
)
def test_a_list_that_cannot_be_imported_fails_before_writing(  # type: ignore[no-untyped-def]
    tmp_path, campaign, vneid, people, header, rows, kwargs, code
) -> None:
    with pytest.raises(ImportFailed) as error:
        _import(_list(tmp_path, header, *rows), campaign, vneid, **kwargs)

    assert error.value.code == code
    assert not Achievement.objects.exists()


def test_a_criterion_the_campaign_does_not_track_is_refused(tmp_path, campaign, people) -> None:  # type: ignore[no-untyped-def]
    other = criterion_create(code="hoc_ky_nang_so", name="Học kỹ năng số")
    path = _list(tmp_path, ["CCCD", "Ngày"], ["066190012345", "15/05/2023"])

    with pytest.raises(ImportFailed) as error:
        _import(path, campaign, other)

    assert error.value.code == "criterion_not_tracked"
    assert "vneid_level2" in str(error.value)
    assert not Achievement.objects.exists()


def test_a_database_error_midway_leaves_everything_as_it_was(  # type: ignore[no-untyped-def]
    tmp_path, campaign, vneid, people, refuse_updates
) -> None:
    achievement_record(resident=people["hoa"], criterion=vneid, achieved_on=dt.date(2023, 9, 1))
    before = list(Achievement.objects.values_list("id", "resident_id", "achieved_on"))
    path = _list(
        tmp_path,
        ["CCCD", "SĐT", "Ngày"],
        ["", "0336123456", "15/05/2023"],  # created first…
        ["066190012345", "", "15/05/2023"],  # … then moved earlier, which the database refuses
    )
    refuse_updates(Achievement._meta.db_table)

    with pytest.raises(ImportFailed) as error:
        _import(path, campaign, vneid)

    assert error.value.code == "database_error"
    assert list(Achievement.objects.values_list("id", "resident_id", "achieved_on")) == before


@pytest.mark.parametrize("size", [30, 300])
def test_queries_do_not_grow_with_the_rows(  # type: ignore[no-untyped-def]
    tmp_path, campaign, vneid, ea_yong, django_assert_max_num_queries, size
) -> None:
    village = _village(ea_yong, "Thôn Tân Tiến")
    residents = [
        ResidentFactory(
            village=village,
            full_name=f"Người Số {n}",
            cccd=f"06609{n:07d}",
            phone=f"09{n:08d}",
            birth_date=dt.date(1990, 1, 1),
        )
        for n in range(size)
    ]
    third = size // 3
    rows = [[r.cccd, "", "", "", "15/05/2023"] for r in residents[:third]]
    rows += [["", r.phone, "", "", "15/05/2023"] for r in residents[third : 2 * third]]
    rows += [["", "", r.full_name, "1990", "15/05/2023"] for r in residents[2 * third :]]
    path = _list(tmp_path, ["CCCD", "SĐT", "Họ và tên", "Năm sinh", "Ngày"], *rows)

    # The campaign's criteria, its villages, residents by CCCD, by phone, by name, their
    # achievements, one INSERT for all rows, the audit event and the savepoint around it all;
    # the tallies: the residents' communes, the campaigns around them, the residents'
    # contributions before and after, one upsert, and their savepoint.
    with django_assert_max_num_queries(17):
        result = _import(path, campaign, vneid)

    assert result.created == size
    assert result.matched_by == {"cccd": third, "phone": third, "name_birth_date": third}


# -- units ------------------------------------------------------------------------------------


def test_a_unit_is_found_by_its_folded_name_among_the_campaign_places(  # type: ignore[no-untyped-def]
    campaign, ea_yong
) -> None:
    police, _created = unit_get_or_create(place=ea_yong, name="Công an xã Ea Yông", kind="police")
    party, _created = unit_get_or_create(
        place=ea_yong.parent, name="Huyện ủy Krông Pắc", kind="party_office"
    )
    elsewhere = Place.objects.get(code="66").children.exclude(pk=ea_yong.parent_id).first()
    unit_get_or_create(place=elsewhere, name="Ngân hàng BIDV", kind="bank")

    assert campaign_unit_get(campaign=campaign, name="cong an xa ea yong") == police
    assert campaign_unit_get(campaign=campaign, name="HUYỆN ỦY KRÔNG PẮC") == party
    with pytest.raises(ImportFailed) as error:
        campaign_unit_get(campaign=campaign, name="Ngân hàng BIDV")
    assert error.value.code == "unit_unknown"
    assert "Công an xã Ea Yông" in str(error.value)


# -- the command ------------------------------------------------------------------------------


def test_the_command_prints_the_contract_keys(tmp_path, campaign, vneid, people) -> None:  # type: ignore[no-untyped-def]
    path = _list(tmp_path, ["CCCD", "Ngày"], ["066190012345", "15/05/2023"], ["x", "15/05/2023"])
    out = _run(
        "import-achievements", str(path), "--campaign", str(campaign.pk),
        "--criterion", "vneid_level2", "--json",
    )  # fmt: skip

    result = json.loads(out)
    for key in (
        "rows",
        "created",
        "updated",
        "unchanged",
        "rejected",
        "warnings",
        "seconds",
        "header_row",
        "columns",
        "sheet",
        "dry_run",
    ):
        assert key in result
    assert (result["rows"], result["created"], result["rejected"]) == (2, 1, 1)
    assert result["rows"] == (
        result["created"] + result["updated"] + result["unchanged"] + result["rejected"]
    )
    assert result["matched_by"] == {"cccd": 1}


def test_the_command_records_the_unit_and_the_date_given(tmp_path, campaign, vneid, people) -> None:  # type: ignore[no-untyped-def]
    unit, _created = unit_get_or_create(place=campaign.place, name="BIDV Krông Pắc", kind="bank")
    path = _list(tmp_path, ["SĐT"], ["0336123456"])
    out = _run(
        "import-achievements", str(path), "--campaign", str(campaign.pk),
        "--criterion", "bank_account", "--unit", "bidv krong pac", "--date", "2023-06-01",
    )  # fmt: skip

    achievement = Achievement.objects.get(resident=people["binh"])
    assert (achievement.criterion.code, achievement.unit, achievement.achieved_on) == (
        "bank_account",
        unit,
        dt.date(2023, 6, 1),
    )
    assert "1 rows" in out or "1 dòng" in out


def test_the_rejects_file_keeps_row_number_cells_and_vietnamese_reason(  # type: ignore[no-untyped-def]
    tmp_path, campaign, vneid, people
) -> None:
    header = ["Họ và tên", "Số CCCD", "Ngày kích hoạt"]
    path = _list(
        tmp_path,
        header,
        ["Nguyễn Thị Hoà", "066190012345", dt.date(2023, 5, 15)],
        ["Phạm Thị Lan", "0661900", dt.date(2023, 5, 15)],
    )
    rejects = tmp_path / "rejects.csv"
    _run(
        "import-achievements", str(path), "--campaign", str(campaign.pk),
        "--criterion", "vneid_level2", "--rejects", str(rejects),
    )  # fmt: skip

    raw = rejects.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert table[0] == ["Dòng", *header, "Lý do"]
    assert table[1][:4] == ["5", "Phạm Thị Lan", "0661900", "15/05/2023"]
    assert "Số CCCD phải có đúng 12 chữ số" in table[1][-1]
    assert len(table) == 2


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["--campaign", "999999"], "999999"),
        (["--criterion", "khong_co"], "vneid_level2"),
        (["--unit", "Ngân hàng Ma"], "Công an xã"),
        (["--date", "32/13/2023"], "32/13/2023"),
        (["--no-date"], "--date"),
        (["--missing-file"], "missing.xlsx"),
    ],
)
def test_the_command_exits_2_with_one_bilingual_line_for_bad_input(  # type: ignore[no-untyped-def]
    tmp_path, campaign, people, arguments, expected
) -> None:
    unit_get_or_create(place=campaign.place, name="Công an xã", kind="police")
    path = _list(tmp_path, ["CCCD", "Ngày"], ["066190012345", "15/05/2023"])
    options = {"--campaign": str(campaign.pk), "--criterion": "vneid_level2"}
    if arguments == ["--no-date"]:
        path = _list(tmp_path, ["CCCD"], ["066190012345"], name="no-date.xlsx")
    elif arguments == ["--missing-file"]:
        path = tmp_path / "missing.xlsx"
    else:
        options[arguments[0]] = arguments[1]

    with pytest.raises(CommandError) as error:
        _run("import-achievements", str(path), *[x for pair in options.items() for x in pair])

    assert error.value.returncode == 2
    message = str(error.value)
    assert "\n" not in message
    cause = error.value.__cause__
    assert isinstance(cause, DomainError)
    assert message == cause.message.bilingual()  # Vietnamese, then English when it differs
    assert expected in cause.message.render("en")
    assert not Achievement.objects.exists()


# -- the date parser --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("12/04/2023", dt.date(2023, 4, 12)),
        ("12-4-2023", dt.date(2023, 4, 12)),
        ("12.04.2023 08:15:00", dt.date(2023, 4, 12)),
        ("08:15 12/04/2023", dt.date(2023, 4, 12)),
        ("12/04/2023 8:15 PM", dt.date(2023, 4, 12)),
        ("'12/04/2023", dt.date(2023, 4, 12)),
        ("2023-04-12", dt.date(2023, 4, 12)),
        ("2023-04-12T08:15:00", dt.date(2023, 4, 12)),
        ("2023-04-11T20:00:00Z", dt.date(2023, 4, 12)),  # 03:00 on the 12th in Vietnam
        ("12042023", dt.date(2023, 4, 12)),
        ("20230412", dt.date(2023, 4, 12)),
        ("ngày 12 tháng 4 năm 2023", dt.date(2023, 4, 12)),
        (45028, dt.date(2023, 4, 12)),
        (45028.75, dt.date(2023, 4, 12)),
        ("45028", dt.date(2023, 4, 12)),
        (dt.datetime(2023, 4, 12, 23, 59), dt.date(2023, 4, 12)),
        (dt.date(2023, 4, 12), dt.date(2023, 4, 12)),
    ],
)
def test_dates_are_read_day_first_from_text_serials_and_dates(cell: Any, expected: dt.date) -> None:
    assert parse_achievement_date(cell) == expected


@pytest.mark.parametrize(
    ("cell", "impossible"),
    [
        ("04/2023", False),
        ("2023", False),
        (2023, False),
        ("12/04/23", False),
        ("", False),
        (None, False),
        (True, False),
        ("hôm qua", False),
        ("31/02/2023", True),
        ("12/13/2023", True),
    ],
)
def test_what_is_not_a_day_is_refused(cell: Any, impossible: bool) -> None:
    with pytest.raises(DateUnreadable) as error:
        parse_achievement_date(cell)
    assert error.value.impossible is impossible


@given(st.dates(min_value=dt.date(1928, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_every_way_of_writing_a_day_reads_back_to_it(day: dt.date) -> None:
    serial = (day - dt.date(1899, 12, 30)).days
    for cell in (
        day,
        dt.datetime.combine(day, dt.time(13, 5)),
        day.strftime("%d/%m/%Y"),
        f"{day.day}/{day.month}/{day.year}",
        day.strftime("%d-%m-%Y %H:%M:%S"),
        day.isoformat(),
        f"{day.isoformat()}T10:00:00+07:00",
        day.strftime("%d%m%Y"),
        f"ngày {day.day} tháng {day.month} năm {day.year}",
        serial,
        float(serial) + 0.5,
    ):
        assert parse_achievement_date(cell) == day, cell


@given(st.one_of(st.text(max_size=40), st.integers(), st.floats(), st.none(), st.booleans()))
def test_any_cell_is_a_day_or_refused_as_not_a_day(cell: Any) -> None:
    try:
        parsed = parse_achievement_date(cell)
    except DateUnreadable:
        return
    assert isinstance(parsed, dt.date)


# -- the "Bình dân học vụ số" criterion ---------------------------------------------------------


def test_the_digital_skills_list_is_imported_once_the_campaign_tracks_it(  # type: ignore[no-untyped-def]
    tmp_path, campaign, people
) -> None:
    certified = Criterion.objects.get(code="digital_skills_certified")
    assert (certified.name, certified.is_builtin) == (
        "Đạt phổ cập kỹ năng số (Bình dân học vụ số)",
        True,
    )
    campaign_criteria_set(
        campaign=campaign,
        criteria=[*campaign.rules.values_list("criterion__code", flat=True), certified.code],
        exemplary=list(
            campaign.rules.filter(is_exemplary=True).values_list("criterion__code", flat=True)
        ),
    )
    path = _list(
        tmp_path,
        ["STT", "Họ và tên", "Số định danh cá nhân", "Ngày cấp chứng nhận"],
        [1, "Nguyễn Thị Hoà", "066190012345", "02/10/2023"],
    )

    result = _import(path, campaign, certified)

    assert (result.created, result.rejected) == (1, 0)
    assert _achieved(people["hoa"], certified) == dt.date(2023, 10, 2)
