"""The reports sent up, on the site: the commune's manager sends the report; the district
reads it beside today's figures, with the differences, and accepts or returns it; the commune
sees the decision; what was sent downloads byte for byte as it was sent."""

import datetime as dt

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from congdanso.accounts.models import Role
from congdanso.accounts.services import role_grant
from congdanso.people.tests.factories import ResidentFactory
from congdanso.reports.models import ReportSubmission
from congdanso.web.reports.views import DOCX_TYPE, XLSX_TYPE

pytestmark = pytest.mark.django_db

DAY = "2023-09-30"


def _text(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(BeautifulSoup(response.content, "html.parser").get_text(" ").split())


def _list(world) -> str:  # type: ignore[no-untyped-def]
    return reverse("reports:submissions", args=[world.campaign.pk])


def _detail(world, submission: ReportSubmission) -> str:  # type: ignore[no-untyped-def]
    return reverse("reports:submission", args=[world.campaign.pk, submission.pk])


def _district_viewer(world) -> Client:  # type: ignore[no-untyped-def]
    user = get_user_model().objects.create_user("huyen", first_name="Phòng Văn hoá huyện")
    role_grant(user=user, role=Role.VIEWER, place=world.campaign.place.parent)
    client = Client()
    client.force_login(user)
    return client


def _send(world, **data: str) -> ReportSubmission:  # type: ignore[no-untyped-def]
    response = world.site("manager_a").post(_list(world), {"ngay": DAY, **data})
    assert response.status_code == 302, _text(response)
    submission = ReportSubmission.objects.latest("id")
    assert response["Location"] == _detail(world, submission)
    return submission


def test_the_manager_sends_the_report_and_sees_it_awaiting_review(world) -> None:  # type: ignore[no-untyped-def]
    submission = _send(world, **{"ghi-chu": "Báo cáo tháng 9"})

    assert submission.as_of == dt.date(2023, 9, 30)
    assert submission.submitted_by == world.users["manager_a"]
    assert submission.note == "Báo cáo tháng 9" and submission.registered_by is None
    page = _text(world.site("manager_a").get(_detail(world, submission)))
    assert "Chờ xem xét" in page and "Báo cáo tháng 9" in page
    assert "Chấp nhận hoặc trả lại" not in page  # the commune does not decide on its own
    listing = _text(world.site("manager_a").get(_list(world), {"ngay": DAY}))
    assert f"Số {submission.pk}: Xã Ea Yông" in listing


def test_only_the_residents_in_the_list_by_then_when_asked(world) -> None:  # type: ignore[no-untyped-def]
    submission = _send(world, chot="on")
    assert submission.registered_by == dt.date(2023, 9, 30)
    assert submission.figures["registered_by"] == "2023-09-30"


@pytest.mark.parametrize(
    ("day", "message"),
    [
        ("", "Hãy chọn ngày chốt số liệu."),
        ("2023-01-01", "Chỉ gửi được số liệu tính đến một ngày từ 12/04/2023 đến"),
        ("2099-01-01", "Chỉ gửi được số liệu tính đến một ngày từ 12/04/2023 đến"),
        ("30/09/2023", "Nhập ngày"),
    ],
)
def test_a_bad_date_is_a_message_and_nothing_is_sent(world, day: str, message: str) -> None:  # type: ignore[no-untyped-def]
    response = world.site("manager_a").post(_list(world), {"ngay": day})
    assert response.status_code == 400
    assert message in _text(response)
    assert not ReportSubmission.objects.exists()


@pytest.mark.parametrize("who", ["viewer_a", "head_a", "unit_a", "manager_b"])
def test_who_is_not_a_manager_of_the_commune_cannot_send(world, who: str) -> None:  # type: ignore[no-untyped-def]
    response = world.site(who).post(_list(world), {"ngay": DAY})
    assert response.status_code == 404
    assert not ReportSubmission.objects.exists()
    if who in ("viewer_a", "head_a"):
        page = world.site(who).get(_list(world))
        assert page.status_code == 200 and "Gửi báo cáo của" not in _text(page)


def test_the_district_sees_the_differences_and_accepts(world) -> None:  # type: ignore[no-untyped-def]
    submission = _send(world)
    ResidentFactory(village=world.resident.village)  # added after the report was sent
    district = _district_viewer(world)

    overview = district.get(_list(world), {"noi": world.campaign.place.code, "ngay": DAY})
    text = _text(overview)
    sent = submission.figures["data_quality"]["residents"]
    assert overview.status_code == 200 and "Chờ xem xét" in text
    row = BeautifulSoup(overview.content, "html.parser").select_one("tbody tr")
    assert row is not None and f"{sent + 1} (+1)" in " ".join(row.get_text(" ").split())

    page = district.get(_detail(world, submission))
    assert "Chấp nhận hoặc trả lại" in _text(page)
    table = BeautifulSoup(page.content, "html.parser").select("table")[0].get_text(" ")
    assert "+1" in table  # residents: one more today than sent

    decided = district.post(_detail(world, submission), {"quyet-dinh": "accepted"})
    assert decided.status_code == 302
    commune = _text(world.site("manager_a").get(_detail(world, submission)))
    assert "Đã chấp nhận" in commune and "Phòng Văn hoá huyện" in commune
    total = _text(district.get(_list(world), {"ngay": DAY}))
    assert "Đã chấp nhận" in total


def test_a_returned_report_and_its_correction_are_both_kept(world) -> None:  # type: ignore[no-untyped-def]
    first = _send(world)
    district = _district_viewer(world)

    blank = district.post(_detail(world, first), {"quyet-dinh": "returned", "y-kien": "  "})
    assert blank.status_code == 400 and "cần sửa" in _text(blank)
    returned = district.post(
        _detail(world, first), {"quyet-dinh": "returned", "y-kien": "Thiếu số liệu thôn 5"}
    )
    assert returned.status_code == 302
    commune = _text(world.site("manager_a").get(_detail(world, first)))
    assert "Bị trả lại" in commune and "Thiếu số liệu thôn 5" in commune
    dashboard = reverse("campaigns:dashboard", args=[world.campaign.pk])
    notice = BeautifulSoup(world.site("manager_a").get(dashboard).content, "html.parser")
    shown = notice.select_one(".returned-report")
    assert shown is not None and "Thiếu số liệu thôn 5" in shown.get_text()
    viewer = BeautifulSoup(world.site("viewer_a").get(dashboard).content, "html.parser")
    assert viewer.select_one(".returned-report") is None  # for who sends the report again

    second = _send(world, **{"ghi-chu": "Đã bổ sung"})
    again_page = BeautifulSoup(world.site("manager_a").get(dashboard).content, "html.parser")
    assert again_page.select_one(".returned-report") is None  # sent again: nothing to do
    assert second.supersedes_id == first.pk
    assert ReportSubmission.objects.count() == 2
    old = _text(district.get(_detail(world, first)))
    assert f"số {second.pk}" in old and "Chấp nhận hoặc trả lại" not in old
    again = district.post(_detail(world, first), {"quyet-dinh": "accepted"})
    assert again.status_code == 400  # decided once; the correction is decided instead


def test_the_commune_cannot_decide_on_its_own_report(world) -> None:  # type: ignore[no-untyped-def]
    submission = _send(world)
    for who in ("manager_a", "viewer_a"):
        response = world.site(who).post(_detail(world, submission), {"quyet-dinh": "accepted"})
        assert response.status_code == 404
    assert not submission.decisions.exists()


def test_the_files_download_exactly_as_sent(world) -> None:  # type: ignore[no-untyped-def]
    submission = _send(world)
    ResidentFactory(village=world.resident.village)
    for name, kind, content_type in (
        ("reports:submission_docx", "docx", DOCX_TYPE),
        ("reports:submission_xlsx", "xlsx", XLSX_TYPE),
    ):
        response = _district_viewer(world) if kind == "docx" else world.site("manager_a")
        got = response.get(reverse(name, args=[world.campaign.pk, submission.pk]))
        assert got.status_code == 200 and got["Content-Type"] == content_type
        assert got.content == bytes(getattr(submission, kind))
        assert f"bao-cao-da-gui-{submission.pk}-" in got["Content-Disposition"]


def test_another_commune_does_not_see_the_report(world) -> None:  # type: ignore[no-untyped-def]
    submission = _send(world)
    for name in ("reports:submission", "reports:submission_docx", "reports:submission_xlsx"):
        url = reverse(name, args=[world.campaign.pk, submission.pk])
        assert world.site("manager_b").get(url).status_code == 404
    other = reverse("reports:submission", args=[world.campaign_b.pk, submission.pk])
    assert world.site("manager_b").get(other).status_code == 404


def test_the_dashboard_links_to_the_reports_sent_up(world) -> None:  # type: ignore[no-untyped-def]
    page = world.site("manager_a").get(reverse("campaigns:dashboard", args=[world.campaign.pk]))
    links = [a["href"] for a in BeautifulSoup(page.content, "html.parser").select("a[href]")]
    assert any(href.startswith(_list(world)) for href in links)


def test_the_district_totals_the_accepted_reports_and_names_the_communes_without(world) -> None:  # type: ignore[no-untyped-def]
    from congdanso.campaigns.services import campaign_create
    from congdanso.conftest import EXEMPLARY_2023
    from congdanso.reports.models import Decision
    from congdanso.reports.selectors import report_request
    from congdanso.reports.submissions import report_submit, submission_decide

    ea_yong = world.campaign.place
    district = campaign_create(
        place=ea_yong.parent,
        name="Huyện Krông Pắc 2023",
        start_date=dt.date(2023, 4, 12),
        end_date=dt.date(2023, 12, 31),
        criteria=list(EXEMPLARY_2023),
        target_exemplary=5000,
    )
    sent = report_submit(
        report_request(campaign_id=district.pk, place_code=ea_yong.code, on=dt.date(2023, 9, 30))
    )
    submission_decide(sent, decision=Decision.ACCEPT)
    viewer = _district_viewer(world)
    page = viewer.get(
        reverse("reports:submissions", args=[district.pk]),
        {"noi": ea_yong.parent.code, "ngay": DAY},
    )
    soup = BeautifulSoup(page.content, "html.parser")
    rows = [" ".join(r.get_text(" ").split()) for r in soup.select("tbody tr")]
    assert len(rows) == 2
    assert rows[0].startswith("Xã Ea Yông Đã chấp nhận") or rows[1].startswith(
        "Xã Ea Yông Đã chấp nhận"
    )
    assert any(r.startswith("Xã Ea Phê Quá hạn: chưa gửi") for r in rows)
    total = " ".join(soup.select_one("tfoot").get_text(" ").split())
    exemplary = sent.figures["exemplary"]["count"]
    assert total.startswith(f"Cộng các báo cáo đã chấp nhận 2 xã {exemplary}")
    assert "1 xã chưa có báo cáo được chấp nhận cho ngày này: Xã Ea Phê." in _text(page)
    # Ea Phê's manager sees the district campaign, for his commune only: not Ea Yông's report
    ea_phe = world.site("manager_b")
    assert ea_phe.get(reverse("reports:submission", args=[district.pk, sent.pk])).status_code == 404
    assert (
        ea_phe.post(
            reverse("reports:submission", args=[district.pk, sent.pk]), {"quyet-dinh": "returned"}
        ).status_code
        == 404
    )
