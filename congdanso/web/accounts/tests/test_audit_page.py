"""The audit page as a commune officer reads it: Vietnamese labels, whole values (personal
numbers masked), dates dd/mm/yyyy HH:MM in Vietnam time, the commune of every event, filters
by who acted, the resident concerned, the action and the dates."""

import datetime as dt
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from congdanso.accounts.models import Role, User
from congdanso.accounts.services import role_grant
from congdanso.campaigns.achievements import achievement_record
from congdanso.campaigns.models import Campaign, Criterion
from congdanso.campaigns.services import campaign_create
from congdanso.conftest import EXEMPLARY_2023
from congdanso.core.audit import audit_context, audit_record
from congdanso.core.models import AuditAction, AuditEvent
from congdanso.partners.models import UnitKind
from congdanso.partners.services import unit_get_or_create
from congdanso.people.services import resident_reveal
from congdanso.people.tests.factories import ResidentFactory
from congdanso.places.models import Place
from congdanso.places.services import commune_get_or_create, village_get_or_create
from congdanso.reports.selectors import report_request
from congdanso.reports.xlsx import report_xlsx
from congdanso.scope.access import access_for

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def manager(campaign: Campaign) -> User:
    user = User.objects.create_user("quanly")
    role_grant(user=user, role=Role.MANAGER, place=campaign.place)
    return user


@pytest.fixture
def manager_client(manager: User) -> Client:
    return _client(manager)


def _rows(response) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    """The table's rows as {column label: text}."""
    assert response.status_code == 200, response.status_code
    soup = BeautifulSoup(response.content, "html.parser")
    return [
        {td["data-label"]: td.get_text(" ", strip=True) for td in tr.find_all("td")}
        for tr in soup.select(".audit-table tbody tr")
    ]


def _village(campaign: Campaign) -> Place:
    return campaign.place.children.get(name="Thôn Cao Bằng")


def test_events_read_in_vietnamese_with_their_commune_and_local_time(  # type: ignore[no-untyped-def]
    campaign: Campaign, manager_client
) -> None:
    resident = ResidentFactory(village=_village(campaign), full_name="Nguyễn Thị Hoà")
    achievement_record(
        resident=resident,
        criterion=Criterion.objects.get(code="vneid_level2"),
        achieved_on=dt.date(2023, 5, 4),
    )
    event = AuditEvent.objects.get(object_type="campaigns.achievement")

    rows = _rows(manager_client.get(reverse("accounts:audit")))

    row = next(r for r in rows if "tiêu chí đã đạt" in r["Đối tượng"].lower())
    assert row["Thao tác"] == "Tạo mới"
    assert row["Xã"] == "Xã Ea Yông"
    assert row["Thời điểm"] == timezone.localtime(event.at).strftime("%d/%m/%Y %H:%M")
    assert "04/05/2023" in row["Thay đổi"]  # the achievement's date, not 2023-05-04
    text = " ".join(" ".join(r.values()) for r in rows)
    assert "campaigns.achievement" not in text
    assert "achieved_on" not in text
    assert "2023-05-04" not in text


def test_text_values_are_shown_whole_and_personal_numbers_masked(  # type: ignore[no-untyped-def]
    campaign: Campaign, manager_client
) -> None:
    resident = ResidentFactory(village=_village(campaign), cccd="066190012345", phone="0912345678")
    resident_reveal(resident=resident, field="phone", reason="Gọi hỗ trợ")
    digest = "7" + "3a" * 21 + "f"
    audit_record(
        action=AuditAction.EXPORT,
        obj=resident,
        changes={"sha256": digest, "note": "CCCD 066190012345, ĐT 0912345678"},
    )

    rows = _rows(manager_client.get(reverse("accounts:audit")))
    text = " | ".join(" ".join(r.values()) for r in rows)

    reveal = next(r for r in rows if r["Thao tác"] == "Xem dữ liệu cá nhân")
    assert reveal["Thay đổi"] == "trường dữ liệu: số điện thoại"  # not "p → h"
    assert reveal["Lý do"] == "Gọi hỗ trợ"
    assert digest in text  # whole, not its first two characters
    assert "066190012345" not in text and "0912345678" not in text
    assert "066******345" in text and "09******78" in text


def test_the_filters_by_who_resident_action_and_dates(campaign: Campaign, manager_client) -> None:  # type: ignore[no-untyped-def]
    village = _village(campaign)
    hoa = ResidentFactory(village=village, full_name="Nguyễn Thị Hoà")
    binh = ResidentFactory(village=village, full_name="Trần Văn Bình")
    volunteer = User.objects.create_user("tinhnguyen")
    criterion = Criterion.objects.get(code="vneid_level2")
    with audit_context(user=volunteer):
        achievement_record(resident=hoa, criterion=criterion, achieved_on=dt.date(2023, 5, 4))
    achievement_record(resident=binh, criterion=criterion, achieved_on=dt.date(2023, 5, 4))
    resident_reveal(resident=binh, field="cccd", reason="Đối chiếu")
    url = reverse("accounts:audit")
    today = timezone.localdate()

    def labels(**params: str) -> list[str]:
        return [r["Đối tượng"] for r in _rows(manager_client.get(url, params))]

    by_volunteer = _rows(manager_client.get(url, {"actor": "tinhnguyen"}))
    about_binh = labels(resident="Bình")
    about_binh_by_id = labels(resident=f"#{binh.pk}")
    reveals = _rows(manager_client.get(url, {"action": "reveal"}))

    assert [r["Người thực hiện"].split()[0] for r in by_volunteer] == ["tinhnguyen"]
    assert len(about_binh) == 2  # his achievement and the reveal of his CCCD
    assert about_binh == about_binh_by_id
    assert all(f"#{hoa.pk}" not in label for label in about_binh)
    assert [r["Thao tác"] for r in reveals] == ["Xem dữ liệu cá nhân"]
    assert labels(since=today.isoformat(), until=today.isoformat())
    assert labels(since=(today + dt.timedelta(days=1)).isoformat()) == []
    assert labels(until=(today - dt.timedelta(days=1)).isoformat()) == []
    assert labels(resident="Không Ai Tên Này") == []


def test_a_bad_filter_gets_a_message_not_an_error(manager_client) -> None:  # type: ignore[no-untyped-def]
    response = manager_client.get(
        reverse("accounts:audit"), {"since": "2023-05-04", "until": "2023-05-01"}
    )
    assert response.status_code == 200
    assert "trước" in response.content.decode()  # the end date is before the start date


def test_a_district_workbook_download_is_logged_for_each_commune_and_its_manager_sees_it(  # type: ignore[no-untyped-def]
    ea_yong: Place, manager: User, tmp_path: Path
) -> None:
    district = ea_yong.parent
    other = commune_get_or_create(parent=district, name="Xã Ea Phê", code="ea-phe")[0]
    village_b, _ = village_get_or_create(commune=other, name="Thôn Tân Lập")
    ResidentFactory(village=ea_yong.children.first(), cccd="066190012345")
    ResidentFactory(village=village_b, cccd="066190054321")
    district_campaign = campaign_create(
        place=district,
        name="Huyện 2023",
        start_date=dt.date(2023, 4, 12),
        end_date=dt.date(2023, 12, 31),
        criteria=list(EXEMPLARY_2023),
        target_exemplary=5000,
    )
    admin = User.objects.create_user("admin-huyen", is_superuser=True)
    role_grant(user=admin, role=Role.ADMIN, place=district.parent)
    manager_b = User.objects.create_user("quanly-eaphe")
    role_grant(user=manager_b, role=Role.MANAGER, place=other)

    response = _client(admin).get(reverse("reports:xlsx", args=[district_campaign.pk]))
    assert response.status_code == 200
    b"".join(response.streaming_content)

    reveals = AuditEvent.objects.filter(action=AuditAction.REVEAL)
    assert sorted(e.commune_id for e in reveals) == sorted([ea_yong.pk, other.pk])
    mine = _rows(_client(manager).get(reverse("accounts:audit"), {"action": "reveal"}))
    theirs = _rows(_client(manager_b).get(reverse("accounts:audit"), {"action": "reveal"}))
    assert [r["Xã"] for r in mine] == ["Xã Ea Yông"]
    assert [r["Xã"] for r in theirs] == ["Xã Ea Phê"]
    assert "Bảng tính Excel báo cáo" in mine[0]["Lý do"]
    assert "người dân: 1" in mine[0]["Thay đổi"]
    assert "địa bàn: Huyện Krông Pắc" in mine[0]["Thay đổi"]  # the place by name


def test_the_workbook_reveal_names_the_commune_of_a_commune_report(  # type: ignore[no-untyped-def]
    campaign: Campaign, manager: User, tmp_path: Path
) -> None:
    ResidentFactory(village=_village(campaign), cccd="066190012345")
    report = report_request(
        campaign_id=campaign.pk, on=dt.date(2023, 9, 30), access=access_for(manager)
    )
    report_xlsx(report, tmp_path / "b.xlsx")
    event = AuditEvent.objects.get(action=AuditAction.REVEAL)
    assert event.commune_id == campaign.place.pk


def test_other_roles_do_not_have_the_page(campaign: Campaign) -> None:
    viewer = User.objects.create_user("xem")
    role_grant(user=viewer, role=Role.VIEWER, place=campaign.place)
    assert _client(viewer).get(reverse("accounts:audit")).status_code == 404


def test_the_page_reads_the_same_number_of_queries_for_few_or_many_events(  # type: ignore[no-untyped-def]
    campaign: Campaign, manager_client
) -> None:
    village = _village(campaign)
    criterion = Criterion.objects.get(code="vneid_level2")
    url = reverse("accounts:audit")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert manager_client.get(url).status_code == 200
        return len(captured)

    achievement_record(
        resident=ResidentFactory(village=village),
        criterion=criterion,
        achieved_on=dt.date(2023, 5, 4),
    )
    queries()  # the first request also saves the session
    few = queries()
    for _ in range(15):
        achievement_record(
            resident=ResidentFactory(village=village),
            criterion=criterion,
            achieved_on=dt.date(2023, 5, 4),
        )
    assert queries() == few


def test_a_commune_manager_sees_the_roles_granted_and_units_made_in_his_commune(  # type: ignore[no-untyped-def]
    campaign: Campaign, manager_client, ea_yong: Place
) -> None:
    head = User.objects.create_user("truongthon")
    role_grant(user=head, role=Role.VILLAGE_HEAD, place=_village(campaign))
    unit_get_or_create(place=ea_yong, name="Đoàn Thanh niên", kind=UnitKind.YOUTH_UNION)
    other = commune_get_or_create(parent=ea_yong.parent, name="Xã Ea Phê", code="ea-phe")[0]
    role_grant(user=User.objects.create_user("quanly-b"), role=Role.MANAGER, place=other)

    rows = _rows(manager_client.get(reverse("accounts:audit")))

    grants = [r for r in rows if r["Thao tác"] == "Giao vai trò"]
    assert len(grants) == 2  # his own and the village head's; not Ea Phê's
    assert all(r["Xã"] == "Xã Ea Yông" for r in grants)
    assert any("Đoàn Thanh niên" in r["Đối tượng"] for r in rows)


def test_times_and_date_filters_are_vietnams_whatever_utc_says(  # type: ignore[no-untyped-def]
    campaign: Campaign, manager_client, monkeypatch
) -> None:
    # 23:30 UTC on 4 May is 06:30 on 5 May in Vietnam.
    moment = dt.datetime(2023, 5, 4, 23, 30, tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    audit_record(action=AuditAction.UPDATE, obj=campaign, commune_id=campaign.place.pk)
    monkeypatch.undo()
    url = reverse("accounts:audit")

    on_the_5th = _rows(manager_client.get(url, {"since": "2023-05-05", "until": "2023-05-05"}))
    on_the_4th = _rows(manager_client.get(url, {"since": "2023-05-04", "until": "2023-05-04"}))

    assert [r["Thời điểm"] for r in on_the_5th] == ["05/05/2023 06:30"]
    assert on_the_4th == []


def test_the_events_of_targets_teams_and_group_lists_read_on_the_page(  # type: ignore[no-untyped-def]
    campaign: Campaign, manager_client, tmp_path: Path
) -> None:
    from congdanso.campaigns.importing.segments import import_segment_list
    from congdanso.campaigns.targets import target_add, target_remove, target_update
    from congdanso.partners.teams import team_create, team_member_add, team_member_remove
    from congdanso.people.tests.files import write_xlsx

    village = _village(campaign)
    ResidentFactory(village=village, full_name="Lê Văn An", birth_date=dt.date(2007, 9, 2))
    target = target_add(
        campaign=campaign,
        name="Bình dân học vụ số",
        kind="share",
        value="80%",
        criteria=["digital_skills_certified"],
        milestones=[(dt.date(2023, 6, 30), "60%")],
    )
    target_update(
        target=target,
        name="Bình dân học vụ số",
        kind="share",
        value="85%",
        criteria=["digital_skills_certified"],
        milestones=[(dt.date(2023, 6, 30), "65%")],
    )
    target_remove(target=target)
    team = team_create(commune=campaign.place, name="Tổ CNS thôn Cao Bằng", villages=[village])
    team_member_remove(member=team_member_add(team=team, full_name="Y Duin Niê"))
    path = write_xlsx(
        tmp_path / "hs.xlsx", [["Họ và tên", "Ngày sinh"], ["Lê Văn An", "02/09/2007"]]
    )
    import_segment_list(path, campaign=campaign, segment="student")

    rows = _rows(manager_client.get(reverse("accounts:audit")))

    text = " ".join(" ".join(r.values()) for r in rows)
    assert "Bình dân học vụ số" in text
    assert "85" in text and "Y Duin Niê" in text and "hs.xlsx" in text
    assert "milestones" not in text  # a label, not the key
