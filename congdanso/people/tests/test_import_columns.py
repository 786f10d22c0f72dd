"""The column override of the import pipelines (the import page's column choice)."""

import datetime as dt
from pathlib import Path

import pytest

from congdanso.campaigns.importing import import_achievements
from congdanso.campaigns.models import Achievement, Campaign
from congdanso.people.importing import ImportFailed, import_residents
from congdanso.people.importing.header import find_header, override_columns
from congdanso.people.importing.pipeline import RESIDENT_FIELDS
from congdanso.people.importing.runs import run_options
from congdanso.people.models import Resident
from congdanso.people.tests.factories import ResidentFactory
from congdanso.people.tests.files import write_csv
from congdanso.places.models import Place

TODAY = dt.date(2023, 4, 12)
ROWS = [
    ["Họ và tên", "Ngày sinh", "SĐT", "Liên lạc", "Thôn"],
    ["Nguyễn Thị Hoà", "12/04/1990", "", "0912345678", "Thôn Tân Lập"],
]


def _map(rows: list[list[object]]):  # type: ignore[no-untyped-def]
    found = find_header(list(enumerate(rows, start=1)))
    assert found is not None
    return found[0]


def test_an_override_replaces_the_named_fields_and_keeps_the_others() -> None:
    detected = _map(ROWS)

    chosen = override_columns(
        detected, {"phone": 3, "village": None}, fields=RESIDENT_FIELDS, required=("full_name",)
    )

    assert detected.columns == {"full_name": 0, "birth_date": 1, "phone": 2, "village": 4}
    assert chosen.columns == {"full_name": 0, "birth_date": 1, "phone": 3}
    assert chosen.header_row == detected.header_row


@pytest.mark.parametrize(
    ("columns", "wrong"),
    [
        ({"phone": 0}, "chosen for both"),
        ({"full_name": None}, "Choose the column"),
        ({"shoe_size": 2}, "Unknown field"),
        ({"phone": -1}, "no column"),
    ],
)
def test_a_bad_override_is_refused(columns: dict[str, int | None], wrong: str) -> None:
    with pytest.raises(ImportFailed) as refused:
        override_columns(_map(ROWS), columns, fields=RESIDENT_FIELDS, required=("full_name",))
    assert refused.value.code == "bad_columns"
    assert wrong in refused.value.message.render("en")


def test_a_split_birth_date_header_gives_way_to_a_chosen_birth_date_column() -> None:
    rows = [
        ["Họ và tên", "Ngày sinh", "", "Năm sinh khác"],
        ["", "Nam", "Nữ", ""],
        ["Nguyễn Thị Hoà", "", "1990", "1991"],
    ]
    detected = _map(rows)
    assert detected.birth_by_gender == {1: "M", 2: "F"}

    chosen = override_columns(
        detected, {"birth_date": 3}, fields=RESIDENT_FIELDS, required=("full_name",)
    )

    assert chosen.birth_by_gender == {}
    assert chosen.columns["birth_date"] == 3


@pytest.mark.django_db
def test_the_resident_import_reads_the_chosen_columns(tmp_path: Path, ea_yong: Place) -> None:
    path = write_csv(tmp_path / "ds.csv", ROWS)

    result = import_residents(path, commune=ea_yong, today=TODAY, columns={"phone": 3})

    hoa = Resident.objects.get(commune=ea_yong)
    assert hoa.phone == "0912345678"
    assert result.columns["phone"] == "Liên lạc"
    # The same file with another choice is another import: not answered from the log.
    again = import_residents(path, commune=ea_yong, today=TODAY, columns={"phone": None})
    assert again.same_as_run is None
    assert import_residents(path, commune=ea_yong, today=TODAY).same_as_run is None


def test_without_an_override_the_logged_options_are_as_before() -> None:
    options = run_options(sheet=None, create_villages=False, today=TODAY)
    assert "columns" not in options
    chosen = run_options(sheet=None, create_villages=False, today=TODAY, columns={"phone": 3})
    assert chosen["columns"] == {"phone": 3}


@pytest.mark.django_db
def test_the_achievement_import_reads_the_chosen_columns(
    tmp_path: Path, campaign: Campaign, ea_yong: Place
) -> None:
    village = Place.objects.get(parent=ea_yong, name="Thôn Cao Bằng")
    hoa = ResidentFactory(village=village, full_name="Nguyễn Thị Hoà", cccd="066190012345")
    rows = [["Tên", "Mã khách", "Ghi chú"], ["Nguyễn Thị Hoà", "066190012345", "04/05/2023"]]
    path = write_csv(tmp_path / "bank.csv", rows)
    criterion = campaign.rules.get(criterion__code="bank_account").criterion

    result = import_achievements(
        path,
        campaign=campaign,
        criterion=criterion,
        columns={"cccd": 1, "achieved_on": 2},
        today=dt.date(2023, 6, 1),
    )

    assert (result.created, result.rejected) == (1, 0)
    achieved = Achievement.objects.get(resident=hoa, criterion=criterion).achieved_on
    assert achieved == dt.date(2023, 5, 4)
