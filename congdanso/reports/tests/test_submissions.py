"""Reports sent up (issue 16, item 1): a submission keeps its figures and files byte for byte
whatever changes afterwards, is never changed (the database refuses), is accepted or returned
once, and a correction supersedes it with both kept; the district reads each commune's latest
report beside today's figures and rolls up the accepted ones."""

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, transaction
from python_calamine import CalamineWorkbook

from congdanso.campaigns.achievements import achievement_record
from congdanso.campaigns.models import Criterion
from congdanso.core.errors import DomainError
from congdanso.core.models import AuditEvent
from congdanso.outreach.models import TurnService
from congdanso.outreach.services import turn_record
from congdanso.people.tests.factories import ResidentFactory
from congdanso.progress.indicators import campaign_indicators
from congdanso.reports.models import Decision, ReportSubmission, SubmissionDecision
from congdanso.reports.selectors import report_request
from congdanso.reports.submissions import (
    LATE,
    period_overview,
    report_submit,
    submission_decide,
    submission_state,
)

pytestmark = pytest.mark.django_db

ON = dt.date(2023, 9, 30)


def _submit(world, **kwargs):  # type: ignore[no-untyped-def]
    request = report_request(campaign_id=world.campaign.pk, on=ON)
    return report_submit(request, submitted_by=world.users["manager_a"], **kwargs)


def test_a_submission_stays_as_it_was_sent(world) -> None:  # type: ignore[no-untyped-def]
    submission = _submit(world, note="Báo cáo tháng 9")
    figures = campaign_indicators(world.campaign, on=ON).as_json()
    assert submission.figures == json.loads(json.dumps(figures, default=str))
    docx, xlsx = bytes(submission.docx), bytes(submission.xlsx)
    sheets = CalamineWorkbook.from_filelike(io.BytesIO(xlsx)).sheet_names
    assert not [name for name in sheets if name.startswith("Người dân")]  # no personal data

    # the commune's data changes afterwards: residents, achievements, turns
    newcomer = ResidentFactory(village=world.resident.village)
    achievement_record(
        resident=newcomer, criterion=Criterion.objects.get(code="vneid_level2"), achieved_on=ON
    )
    turn_record(session=world.session, resident=world.resident, service=TurnService.values[0])
    assert campaign_indicators(world.campaign, on=ON).as_json() != figures

    stored = ReportSubmission.objects.get(pk=submission.pk)
    assert stored.figures == submission.figures
    assert (bytes(stored.docx), bytes(stored.xlsx)) == (docx, xlsx)
    assert stored.figures_sha256 == submission.figures_sha256
    event = AuditEvent.objects.get(object_type="reports.reportsubmission")
    assert event.commune_id == world.campaign.place_id


def test_the_database_refuses_to_change_a_submission(world) -> None:  # type: ignore[no-untyped-def]
    submission = _submit(world)
    with pytest.raises(DatabaseError), transaction.atomic():
        ReportSubmission.objects.filter(pk=submission.pk).update(note="sửa lại")
    decision = submission_decide(submission, decision=Decision.ACCEPT)
    with pytest.raises(DatabaseError), transaction.atomic():
        SubmissionDecision.objects.filter(pk=decision.pk).update(decision=Decision.RETURN)


def test_returned_then_corrected_both_kept_and_decided_once(world) -> None:  # type: ignore[no-untyped-def]
    first = _submit(world)
    with pytest.raises(DomainError) as refused:
        submission_decide(first, decision=Decision.RETURN, comment="  ")
    assert refused.value.code == "comment_missing"
    submission_decide(
        first, decision=Decision.RETURN, comment="Số tổ công tác chưa đúng", decided_by=None
    )
    assert submission_state(first) == Decision.RETURN
    with pytest.raises(DomainError) as again:
        submission_decide(first, decision=Decision.ACCEPT)
    assert again.value.code == "already_decided"

    second = _submit(world, note="Đã sửa")
    assert second.supersedes_id == first.pk
    assert ReportSubmission.objects.count() == 2
    submission_decide(second, decision=Decision.ACCEPT)
    assert submission_state(second) == Decision.ACCEPT

    third = _submit(world)
    with pytest.raises(DomainError) as superseded:
        submission_decide(second, decision=Decision.RETURN, comment="x y")
    assert superseded.value.code in ("already_decided", "superseded")
    assert third.supersedes_id == second.pk


def test_the_overview_sets_what_was_sent_beside_today(world) -> None:  # type: ignore[no-untyped-def]
    campaign, commune = world.campaign, world.campaign.place
    nothing = period_overview(campaign, commune, ON)
    assert [row.state for row in nothing.rows] == [LATE]  # 2023 is long past its due date
    assert nothing.without_accepted == (commune,)

    submission = _submit(world)
    ResidentFactory(village=world.resident.village)  # registered after the report was sent
    overview = period_overview(campaign, commune, ON)
    (row,) = overview.rows
    assert row.submission == submission and row.late
    assert (
        row.sent is not None
        and row.sent.residents == submission.figures["data_quality"]["residents"]
    )
    assert row.difference("residents") == 1 and row.difference("exemplary") == 0
    assert overview.accepted.residents == 0

    submission_decide(submission, decision=Decision.ACCEPT)
    accepted = period_overview(campaign, commune, ON)
    assert accepted.accepted == accepted.rows[0].sent
    assert accepted.without_accepted == ()


# -- The command line ------------------------------------------------------------------------


def _cli(*args: str) -> str:
    out = io.StringIO()
    call_command("report", *args, stdout=out)
    return out.getvalue()


def test_submit_list_and_decide_from_the_command_line(world) -> None:  # type: ignore[no-untyped-def]
    campaign = str(world.campaign.pk)
    sent = _cli("submit", "--campaign", campaign, "--date", "2023-09-30", "--user", "manager_a")
    first = ReportSubmission.objects.get()
    assert f"Đã gửi báo cáo số {first.pk}: Xã Ea Yông" in sent
    assert first.submitted_by == world.users["manager_a"]

    (row,) = json.loads(_cli("submissions", "--campaign", campaign, "--json"))
    assert row["id"] == first.pk and row["state"] == "submitted"
    assert row["as_of"] == "2023-09-30" and row["figures_sha256"] == first.figures_sha256

    with pytest.raises(CommandError) as blank:
        _cli("decide", str(first.pk), "--return")
    assert blank.value.returncode == 2 and "cần sửa" in str(blank.value)
    _cli("decide", str(first.pk), "--return", "--comment", "Thiếu thôn 5")
    again = _cli("submit", "--campaign", campaign, "--date", "2023-09-30", "--note", "Đã sửa")
    assert f"thay cho báo cáo số {first.pk}" in again
    listed = _cli("submissions", "--campaign", campaign)
    assert "Bị trả lại  (Thiếu thôn 5)" in listed and "Chờ xem xét" in listed
    rows = json.loads(_cli("submissions", "--campaign", campaign, "--json", "--date", "2023-09-30"))
    assert [r["state"] for r in rows] == ["submitted", "returned"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["decide", "999", "--accept"], "999"),
        (["decide", "abc", "--accept"], "abc"),
        (["submit", "--campaign", "{c}", "--date", "2023-09-30", "--user", "ai-do"], "ai-do"),
        (["submit", "--campaign", "{c}", "--date", "2030-01-01"], "01/01/2030"),
        (["submissions", "--campaign", "9999"], "9999"),
    ],
)
def test_bad_input_on_the_command_line_is_one_clear_line(  # type: ignore[no-untyped-def]
    world, args: list[str], message: str
) -> None:
    with pytest.raises(CommandError) as error:
        _cli(*[a.replace("{c}", str(world.campaign.pk)) for a in args])
    assert error.value.returncode == 2 and message in str(error.value)
    assert not ReportSubmission.objects.exists()
