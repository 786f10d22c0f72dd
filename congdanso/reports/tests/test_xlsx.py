"""The workbook read back with an independent reader (python-calamine): every figure equals
the indicators' for the same request, cells are numbers and dates, personal numbers masked,
a viewer gets no residents, a district campaign ranks its communes; the command refuses bad
input without writing anything."""

import datetime as dt
import random
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from python_calamine import CalamineWorkbook

from congdanso.accounts.models import Role
from congdanso.campaigns.achievements import achievement_record, achievement_withdraw
from congdanso.campaigns.cohort import cohort_birth_range
from congdanso.campaigns.models import Achievement, Campaign, Criterion
from congdanso.campaigns.selectors import campaign_rules
from congdanso.campaigns.services import campaign_create
from congdanso.conftest import EXEMPLARY_2023
from congdanso.core.models import AuditEvent
from congdanso.outreach.models import SessionStatus
from congdanso.outreach.services import (
    session_anonymous_turns_add,
    session_create,
    session_status_set,
    turn_record,
)
from congdanso.partners.models import DonationItem, UnitKind
from congdanso.partners.services import donation_create, pledge_upsert, unit_get_or_create
from congdanso.people.models import Resident
from congdanso.people.tests.factories import ResidentFactory
from congdanso.places.models import Place
from congdanso.places.services import commune_get_or_create, village_get_or_create
from congdanso.progress.indicators import campaign_indicators
from congdanso.reports import xlsx_text as T
from congdanso.reports.selectors import ReportRequest, report_request
from congdanso.reports.xlsx import commune_ranking, report_xlsx
from congdanso.reports.xlsx_rows import resident_lines
from congdanso.scope.access import Access, Grant

pytestmark = pytest.mark.django_db

DAY = dt.date(2023, 9, 30)
CCCD = "066190012345"
PHONE = "0912345678"


def _read(path: Path) -> dict[str, list[list[Any]]]:
    book = CalamineWorkbook.from_path(str(path))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def _summary(sheets: dict[str, list[list[Any]]]) -> dict[str, Any]:
    labels = {label: key for key, label in T.SUMMARY_LABELS.items()}
    return {labels[row[0]]: row[1] for row in sheets[T.SHEET_SUMMARY][1:]}


def _record(resident: Resident, codes: tuple[str, ...], on: dt.date) -> None:
    for code in codes:
        achievement_record(
            resident=resident, criterion=Criterion.objects.get(code=code), achieved_on=on
        )


@pytest.fixture
def world(campaign: Campaign, ea_yong: Place) -> dict[str, Any]:
    villages = list(Place.objects.filter(parent=ea_yong).order_by("path"))
    first = ResidentFactory(
        village=villages[0], full_name="Nguyễn Thị Hoa", birth_date=dt.date(2000, 3, 8)
    )
    first.cccd, first.phone = CCCD, PHONE
    first.save()
    people = [first]
    for n in range(11):
        people.append(
            ResidentFactory(
                village=villages[n % len(villages)],
                birth_date=None if n == 3 else dt.date(1950 + 5 * n, 1 + n, 1),
                birth_date_precision="" if n == 3 else ("month" if n == 2 else "day"),
                gender="F" if n % 2 else "M",
            )
        )
    ResidentFactory(village=villages[1], status="moved_away")  # counts nowhere
    ResidentFactory(commune=ea_yong)  # filed under no village
    _record(first, EXEMPLARY_2023, dt.date(2023, 5, 4))
    _record(people[1], EXEMPLARY_2023, dt.date(2023, 6, 9))
    _record(people[2], EXEMPLARY_2023[:3], dt.date(2023, 7, 1))
    _record(people[3], ("sim_standardized",), dt.date(2023, 10, 20))  # after DAY
    _record(people[4], EXEMPLARY_2023, dt.date(2023, 8, 1))
    achievement_withdraw(
        achievement=people[4].achievements.get(criterion__code="bank_account"), reason="Nhầm"
    )
    police, _ = unit_get_or_create(place=ea_yong, name="Công an xã", kind=UnitKind.POLICE)
    youth, _ = unit_get_or_create(place=ea_yong, name="Đoàn Thanh niên", kind=UnitKind.YOUTH_UNION)
    pledge_upsert(unit=police, campaign=campaign, target_people=300, target_sessions=20)
    session = session_create(
        campaign=campaign, place=villages[0], date=dt.date(2023, 5, 4), units=[police, youth]
    )
    vneid = Criterion.objects.get(code="vneid_level2")
    for person in people[5:8]:
        turn_record(session=session, resident=person, criterion=vneid, unit=police)
    session_anonymous_turns_add(session=session, count=7)
    session_status_set(session=session, status=SessionStatus.HELD)
    session_create(campaign=campaign, place=villages[1], date=dt.date(2023, 10, 5))
    donation_create(
        village=villages[0],
        item=DonationItem.INTERNET_LINE,
        value_vnd=4_000_000,
        given_on=dt.date(2023, 4, 12),
        donor_units=[police],
        campaign=campaign,
    )
    donation_create(
        village=villages[2],
        item=DonationItem.INTERNET_LINE,
        value_vnd=2_500_000,
        given_on=dt.date(2023, 4, 12),
        donor_villages=[villages[1]],
        campaign=campaign,
    )
    return {"villages": villages, "people": people}


def _write(tmp_path: Path, request: ReportRequest, name: str = "book.xlsx") -> Path:
    path = tmp_path / name
    report_xlsx(request, path)
    return path


def test_every_figure_equals_the_indicators(
    world: dict[str, Any], campaign: Campaign, tmp_path: Path
) -> None:
    request = report_request(campaign_id=campaign.pk, on=DAY)
    ind = campaign_indicators(campaign, on=DAY)

    sheets = _read(_write(tmp_path, request))

    assert list(sheets) == [
        T.SHEET_SUMMARY,
        T.SHEET_CRITERIA,
        T.SHEET_VILLAGES,
        T.SHEET_UNITS,
        T.SHEET_SESSIONS,
        T.SHEET_DONATIONS,
        T.SHEET_WEEKLY,
        T.SHEET_RESIDENTS,
    ]
    summary = _summary(sheets)
    assert summary["campaign"] == campaign.name
    assert summary["date"] == DAY
    assert summary["exemplary_count"] == ind.exemplary.count == 2
    assert summary["exemplary_target"] == 1000
    assert summary["exemplary_share_of_target"] == pytest.approx(ind.exemplary.share_of_target)
    assert (summary["cohort_size"], summary["cohort_met"]) == (ind.cohort.size, ind.cohort.met)
    assert summary["cohort_share"] == pytest.approx(ind.cohort.share)
    assert summary["cohort_target_share"] == pytest.approx(0.5)
    assert summary["cohort_needed"] == ind.cohort.needed
    assert summary["recent_exemplary_at_end"] == ind.projection.exemplary_at_end
    assert summary["turns"] == ind.sessions.turns == 10
    assert summary["sessions_held"] == ind.sessions.held == 1
    assert summary["donations_value"] == 6_500_000
    assert summary["residents"] == ind.data_quality.residents

    criteria = sheets[T.SHEET_CRITERIA]
    assert criteria[0] == list(T.CRITERIA_HEADERS)
    assert [(r[0], r[3], r[5]) for r in criteria[1:]] == [
        (c.code, c.count, c.count_all) for c in ind.criteria
    ]
    assert [r[4] for r in criteria[1:]] == pytest.approx([c.share for c in ind.criteria])

    villages = sheets[T.SHEET_VILLAGES][1:]
    assert [(r[1], r[3], r[4], r[5], r[7], r[8]) for r in villages] == [
        (v.name, v.residents, v.cohort, v.met, v.exemplary, v.gap) for v in ind.villages
    ]

    units = {r[0]: r for r in sheets[T.SHEET_UNITS][1:]}
    for u in ind.units:
        row = units[u.name]
        assert (row[3], row[5], row[6], row[8]) == (u.sessions, u.turns, u.people, u.achievements)
        assert row[7] == (u.target_people if u.target_people is not None else "")
    assert units["Công an xã"][2] == T.YES

    sessions = sheets[T.SHEET_SESSIONS][1:]
    held = [r for r in sessions if r[4] == "Đã tổ chức"]
    assert len(held) == ind.sessions.held
    assert sum(r[8] for r in held) == ind.sessions.turns
    assert len(sessions) - len(held) == ind.sessions.planned
    assert held[0][0] == dt.date(2023, 5, 4)
    assert held[0][5] == "Công an xã, Đoàn Thanh niên"

    donations = sheets[T.SHEET_DONATIONS][1:]
    assert [r[6] for r in donations] == [d.value_vnd for d in ind.donations]
    assert all(isinstance(r[6], int | float) and isinstance(r[0], dt.date) for r in donations)

    weekly = sheets[T.SHEET_WEEKLY][1:]
    assert len(weekly) == len(ind.weekly)
    assert [(r[0], r[2], r[3]) for r in weekly] == [
        (w.week_start, w.exemplary, w.cohort_met) for w in ind.weekly
    ]

    residents = sheets[T.SHEET_RESIDENTS]
    assert len(residents) - 1 == ind.data_quality.residents == 13
    exemplary_column = residents[0].index(T.RESIDENT_HEADERS_AFTER[0])
    assert sum(r[exemplary_column] == T.YES for r in residents[1:]) == ind.exemplary.count


def test_a_residents_list_longer_than_a_sheet_goes_on_over_further_sheets(
    world: dict[str, Any], campaign: Campaign, tmp_path: Path
) -> None:
    request = report_request(campaign_id=campaign.pk, on=DAY)
    whole = _read(_write(tmp_path, request))[T.SHEET_RESIDENTS]
    path = tmp_path / "split.xlsx"

    report_xlsx(request, path, rows_per_sheet=4)  # Excel's limit is 1,048,575 rows a sheet

    sheets = _read(path)
    parts = [name for name in sheets if name.startswith(T.SHEET_RESIDENTS)]
    assert parts[0] == T.SHEET_RESIDENTS and parts[1] == f"{T.SHEET_RESIDENTS} (2)"
    assert all(len(sheets[name]) <= 1 + 4 for name in parts)  # a header and 4 rows at most
    rows = [row for name in parts for row in sheets[name][1:]]
    assert rows == whole[1:]  # every resident once, numbered on across the sheets
    assert len(parts) == -(-(len(whole) - 1) // 4)


def test_numbers_and_dates_are_cells_of_their_type_with_formats(
    world: dict[str, Any], campaign: Campaign, tmp_path: Path
) -> None:
    path = _write(tmp_path, report_request(campaign_id=campaign.pk, on=DAY))
    residents = _read(path)[T.SHEET_RESIDENTS]
    hoa = next(r for r in residents if r[1] == "Nguyễn Thị Hoa")
    vneid = residents[0].index(Criterion.objects.get(code="vneid_level2").name)

    assert hoa[2] == dt.date(2000, 3, 8)
    assert hoa[vneid] == dt.date(2023, 5, 4)
    with zipfile.ZipFile(path) as archive:
        styles = archive.read("xl/styles.xml").decode()
        sheet1 = archive.read("xl/worksheets/sheet1.xml").decode()
        residents_xml = archive.read("xl/worksheets/sheet8.xml").decode()
    assert "#,##0 &quot;đ&quot;" in styles
    assert "<f>" not in sheet1 + residents_xml  # no formulas
    assert 'state="frozen"' in residents_xml and "<autoFilter" in residents_xml
    assert "<cols>" in residents_xml


def test_partial_birth_dates_are_written_as_the_register_gives_them(
    campaign: Campaign, ea_yong: Place, tmp_path: Path
) -> None:
    village = Place.objects.filter(parent=ea_yong).order_by("path").first()
    for name, born, precision in [
        ("Year Only", dt.date(1977, 1, 1), "year"),
        ("Month Only", dt.date(1977, 3, 1), "month"),
        ("Whole Day", dt.date(1977, 3, 9), "day"),
        ("Day Unsaid", dt.date(1977, 3, 10), ""),
    ]:
        ResidentFactory(
            village=village, full_name=name, birth_date=born, birth_date_precision=precision
        )

    residents = _read(_write(tmp_path, report_request(campaign_id=campaign.pk, on=DAY)))[
        T.SHEET_RESIDENTS
    ]

    born = {row[1]: row[2] for row in residents[1:]}
    assert born == {
        "Year Only": "1977",  # not 01/01/1977
        "Month Only": "03/1977",
        "Whole Day": dt.date(1977, 3, 9),  # a real date, dd/mm/yyyy
        "Day Unsaid": dt.date(1977, 3, 10),
    }


def test_each_village_s_residents_are_in_the_order_of_an_official_list(
    campaign: Campaign, ea_yong: Place, tmp_path: Path
) -> None:
    first, second = Place.objects.filter(parent=ea_yong).order_by("path")[:2]
    for village, name in [
        (first, "Đặng Văn Dũng"),
        (second, "Nguyễn Văn An"),
        (first, "Trần Thị Ánh"),
        (first, "Đào Thị Dung"),
        (second, "Lê Văn Bình"),
        (first, "Nguyễn Văn An"),
    ]:
        ResidentFactory(village=village, full_name=name)

    residents = _read(_write(tmp_path, report_request(campaign_id=campaign.pk, on=DAY)))[
        T.SHEET_RESIDENTS
    ]

    assert [(row[0], row[1], row[5]) for row in residents[1:]] == [
        (1, "Nguyễn Văn An", first.name),
        (2, "Trần Thị Ánh", first.name),
        (3, "Đào Thị Dung", first.name),
        (4, "Đặng Văn Dũng", first.name),
        (5, "Nguyễn Văn An", second.name),
        (6, "Lê Văn Bình", second.name),
    ]


def test_personal_numbers_are_masked_for_the_command_line(
    world: dict[str, Any], campaign: Campaign, tmp_path: Path
) -> None:
    path = _write(tmp_path, report_request(campaign_id=campaign.pk, on=DAY))

    residents = _read(path)[T.SHEET_RESIDENTS]
    hoa = next(r for r in residents if r[1] == "Nguyễn Thị Hoa")
    assert (hoa[6], hoa[7]) == ("066******345", "09******78")
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            text = archive.read(name).decode("utf-8", "replace")
            assert CCCD not in text and PHONE not in text, name


def test_a_manager_who_may_reveal_gets_full_numbers_and_an_audit_row(
    world: dict[str, Any], campaign: Campaign, ea_yong: Place, tmp_path: Path
) -> None:
    manager = Access(
        user_id=None,
        is_admin=False,
        grants=(Grant(role=Role.MANAGER, place_id=ea_yong.pk, path=ea_yong.path, unit_id=None),),
    )
    request = report_request(campaign_id=campaign.pk, on=DAY, access=manager)

    residents = _read(_write(tmp_path, request))[T.SHEET_RESIDENTS]

    hoa = next(r for r in residents if r[1] == "Nguyễn Thị Hoa")
    assert (hoa[6], hoa[7]) == (CCCD, PHONE)
    assert AuditEvent.objects.filter(action="reveal", object_id=str(campaign.pk)).count() == 1


def test_a_village_head_sees_masked_numbers_and_birth_years(
    world: dict[str, Any], campaign: Campaign, tmp_path: Path
) -> None:
    village = world["villages"][0]
    head = Access(
        user_id=None,
        is_admin=False,
        grants=(
            Grant(role=Role.VILLAGE_HEAD, place_id=village.pk, path=village.path, unit_id=None),
        ),
    )
    request = report_request(campaign_id=campaign.pk, place_code=village.code, on=DAY, access=head)

    residents = _read(_write(tmp_path, request))[T.SHEET_RESIDENTS]

    assert residents[0][2] == T.BIRTH_YEAR_HEADER
    hoa = next(r for r in residents if r[1] == "Nguyễn Thị Hoa")
    assert (hoa[2], hoa[6]) == (2000, "066******345")
    assert (
        len(residents) - 1
        == campaign_indicators(campaign, place=village, on=DAY).data_quality.residents
    )


def test_a_viewer_gets_no_residents_sheet(
    world: dict[str, Any], campaign: Campaign, ea_yong: Place, tmp_path: Path
) -> None:
    district = ea_yong.parent
    viewer = Access(
        user_id=None,
        is_admin=False,
        grants=(Grant(role=Role.VIEWER, place_id=district.pk, path=district.path, unit_id=None),),
    )
    path = _write(tmp_path, report_request(campaign_id=campaign.pk, on=DAY, access=viewer))

    sheets = _read(path)
    assert T.SHEET_RESIDENTS not in sheets
    assert _summary(sheets)["exemplary_count"] == 2
    with zipfile.ZipFile(path) as archive:
        text = b"".join(archive.read(n) for n in archive.namelist()).decode("utf-8", "replace")
    assert "Nguyễn Thị Hoa" not in text


def test_the_same_data_give_the_same_file(
    world: dict[str, Any], campaign: Campaign, tmp_path: Path
) -> None:
    request = report_request(campaign_id=campaign.pk, on=DAY)
    first = _write(tmp_path, request, "a.xlsx").read_bytes()
    assert _write(tmp_path, request, "b.xlsx").read_bytes() == first


@pytest.fixture
def district_campaign(ea_yong: Place) -> Campaign:
    district = ea_yong.parent
    other, _ = commune_get_or_create(parent=district, name="Xã Ea Kly", code="ea-kly")
    third, _ = commune_get_or_create(parent=district, name="Xã Hòa Đông", code="hoa-dong")
    campaign = campaign_create(
        place=district,
        name="Huyện Krông Pắc 2023",
        start_date=dt.date(2023, 4, 12),
        end_date=dt.date(2023, 12, 31),
        criteria=list(EXEMPLARY_2023),
        exemplary=EXEMPLARY_2023,
        target_exemplary=10,
    )
    ea_yong_village = Place.objects.filter(parent=ea_yong).order_by("path").first()
    kly_village, _ = village_get_or_create(commune=other, name="Thôn 1")
    hoa_village, _ = village_get_or_create(commune=third, name="Thôn 2")
    young = dt.date(2000, 1, 1)
    yong = [ResidentFactory(village=ea_yong_village, birth_date=young) for _ in range(4)]
    kly = [ResidentFactory(village=kly_village, birth_date=young) for _ in range(2)]
    hoa = [ResidentFactory(village=hoa_village, birth_date=young) for _ in range(4)]
    for person in [*yong[:1], *kly[:1], *hoa[:2]]:  # 25 %, 50 %, 50 %
        _record(person, EXEMPLARY_2023, dt.date(2023, 5, 4))
    return campaign


def test_a_district_campaign_has_a_row_per_commune_with_ranks(
    district_campaign: Campaign, tmp_path: Path
) -> None:
    request = report_request(campaign_id=district_campaign.pk, on=DAY)
    ind = campaign_indicators(district_campaign, on=DAY)

    sheets = _read(_write(tmp_path, request))

    assert T.SHEET_VILLAGES not in sheets
    communes = sheets[T.SHEET_COMMUNES]
    assert communes[0][0] == T.RANK_HEADER
    rows = communes[1:]
    assert len(rows) == len(ind.communes) >= 3
    by_name = {r[2]: r for r in rows}
    # 50 %, 50 % and 25 %: equal shares share a rank, more people met is listed first.
    assert [(r[0], r[2]) for r in rows[:3]] == [
        (1, "Xã Hòa Đông"),
        (1, "Xã Ea Kly"),
        (3, "Xã Ea Yông"),
    ]
    for c in ind.communes:
        row = by_name[c.name]
        assert (row[4], row[5], row[6], row[8]) == (c.residents, c.cohort, c.met, c.exemplary)
    assert [r[0] for r in rows] == sorted(r[0] for r in rows)
    residents = sheets[T.SHEET_RESIDENTS]
    assert len(residents) - 1 == ind.data_quality.residents == 10
    assert {r[4] for r in residents[1:]} == {"Xã Ea Yông", "Xã Ea Kly", "Xã Hòa Đông"}


def test_equal_shares_share_a_rank() -> None:
    from congdanso.progress.figures import AreaRow

    def row(name: str, met: int, cohort: int) -> AreaRow:
        return AreaRow(None, name, name, "commune", cohort, cohort, met, 0.0, met, 0)

    ranked = commune_ranking([row("a", 1, 2), row("b", 2, 4), row("c", 3, 4), row("d", 0, 0)])
    assert [(rank, r.name) for rank, r in ranked] == [(1, "c"), (2, "b"), (2, "a"), (4, "d")]


# --- The streamed residents equal a plain computation ------------------------------------


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_streamed_residents_equal_a_brute_force_reading(
    seed: int, campaign: Campaign, ea_yong: Place
) -> None:
    rng = random.Random(seed)
    villages = list(Place.objects.filter(parent=ea_yong).order_by("path"))
    criteria = list(campaign_rules(campaign).criteria)
    for _ in range(rng.randint(5, 25)):
        person = ResidentFactory(
            village=rng.choice([*villages, None]) if rng.random() < 0.9 else None,
            commune=ea_yong,
            full_name=rng.choice(["An", "Bình", "Chi", "Dũng", "Ê Ban"]) + f" {rng.randint(1, 9)}",
            birth_date=rng.choice([None, dt.date(rng.randint(1955, 2015), 6, 1)]),
            status=rng.choice(["living", "living", "living", "moved_away"]),
        )
        for criterion in rng.sample(criteria, rng.randint(0, len(criteria))):
            achievement_record(
                resident=person,
                criterion=criterion,
                achieved_on=dt.date(2023, 4, 1) + dt.timedelta(days=rng.randint(0, 250)),
            )
    for achievement in Achievement.objects.order_by("id"):
        if rng.random() < 0.1:
            achievement_withdraw(achievement=achievement, reason="x")
    day = dt.date(2023, 4, 12) + dt.timedelta(days=rng.randint(0, 200))
    request = report_request(campaign_id=campaign.pk, on=day)
    rules = campaign_rules(campaign)

    streamed = sorted(
        (line.name, line.village, line.reached, line.exemplary, line.in_cohort)
        for line in resident_lines(request, rules)
    )

    born_from, born_to = cohort_birth_range(campaign)
    expected = []
    for person in Resident.objects.filter(commune=ea_yong, status="living"):
        held = {
            a.criterion_id: a.achieved_on
            for a in person.achievements.filter(withdrawn_at__isnull=True)
            if a.achieved_on <= day
        }
        expected.append(
            (
                person.full_name,
                person.village.name if person.village else "",
                tuple(held.get(c.pk) for c in rules.criteria),
                all(c in held for c in rules.exemplary_ids),
                person.birth_date is not None and born_from <= person.birth_date <= born_to,
            )
        )
    assert streamed == sorted(expected)
    assert len(streamed) == campaign_indicators(campaign, on=day).data_quality.residents


# --- The command ---------------------------------------------------------------------------


def test_the_command_writes_the_workbook(
    world: dict[str, Any], campaign: Campaign, tmp_path: Path
) -> None:
    out = tmp_path / "so-lieu.xlsx"
    call_command(
        "report", "xlsx", "--campaign", str(campaign.pk), "--date", "2023-09-30", "--out", str(out)
    )
    assert _summary(_read(out))["exemplary_count"] == 2


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--campaign", "9999"], "9999"),
        (["--date", "2024-06-01"], "01/06/2024"),
        (["--place", "ea-kly-x"], "ea-kly-x"),
        (["--place", "66"], "Đắk Lắk"),
    ],
)
def test_bad_input_is_one_clear_error_and_no_file(
    world: dict[str, Any], campaign: Campaign, tmp_path: Path, arguments: list[str], message: str
) -> None:
    given = {
        "--campaign": str(campaign.pk),
        **dict(zip(arguments[::2], arguments[1::2], strict=True)),
    }
    argv = [item for pair in given.items() for item in pair]
    out = tmp_path / "book.xlsx"

    with pytest.raises(CommandError) as error:
        call_command("report", "xlsx", *argv, "--out", str(out))

    assert error.value.returncode == 2
    assert message in str(error.value)
    assert list(tmp_path.iterdir()) == []
