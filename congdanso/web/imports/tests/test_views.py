"""The import pages: upload → preview (header, columns, first rows) → column choice → confirm →
the background run (in-process here) → result and rejects file; scope and bad files."""

import csv
import datetime as dt
import io
import time
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext
from python_calamine import CalamineWorkbook

from congdanso.accounts.models import Role, User
from congdanso.accounts.services import role_grant
from congdanso.campaigns.models import Achievement, Campaign
from congdanso.core.errors import Message
from congdanso.core.models import AuditEvent
from congdanso.people.importing import import_residents
from congdanso.people.importing.reading import open_table
from congdanso.people.models import ImportJob, ImportJobStatus, ImportKind, Resident
from congdanso.people.tests.factories import ResidentFactory
from congdanso.people.tests.files import HEADER, TITLE, write_csv, write_xlsx
from congdanso.places.models import Place
from congdanso.places.services import commune_get_or_create
from congdanso.web.imports.jobs import STALE_AFTER, heartbeat_key, import_job_run

pytestmark = pytest.mark.django_db

# Title rows, the header on row 4, a numbering row, then people: one with a bad CCCD (kept,
# flagged), one without a name and one from an unknown village (both rejected).
MESSY = [
    *TITLE,
    [*HEADER, "Liên lạc"],
    [1, 2, 3, 4, 5, 6, 7, 8],
    [1, "TRẦN VĂN BÌNH", "05/03/1985", "Nam", "066085000001", "", "Tân Lập", "0912345678"],
    [2, "Nguyễn Thị Hoà", "12/04/1990", "Nữ", "123", "", "Thôn Cao Bằng", ""],
    [3, "", "01/01/1980", "Nam", "", "", "Thôn Cao Bằng", ""],
    [4, "Y Bhiăo Ayun", "1988", "Nam", "", "", "Buôn Không Có", "0336123456"],
    [5, "H'Nga Niê", 1970, "nu", "", "", "Buôn Ghamah", ""],
]


@pytest.fixture(autouse=True)
def _tasks_in_process(settings: Any, tmp_path: Path) -> None:
    """The background run executes in the request, so a test sees the finished job; each
    test keeps its uploads apart, to see what it left."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.UPLOAD_ROOT = tmp_path / "uploads"


def _manager(commune: Place, name: str = "thu_ky") -> Client:
    user = User.objects.create_user(name)
    role_grant(user=user, role=Role.MANAGER, place=commune)
    client = Client()
    client.force_login(user)
    return client


def _page(response: Any) -> BeautifulSoup:
    assert response.status_code == 200, response.status_code
    return BeautifulSoup(response.content, "html.parser")


def _upload(client: Client, path: Path, **fields: Any) -> Any:
    data = {"kind": ImportKind.RESIDENTS, "sheet": "", **fields}
    with path.open("rb") as handle:
        data["file"] = SimpleUploadedFile(path.name, handle.read())
    return client.post(reverse("people:import"), data)


def _job() -> ImportJob:
    return ImportJob.objects.get()


def _errors_of(soup: BeautifulSoup, field: str) -> str:
    """The text of the errors shown with a field (Django renders them before the input)."""
    widget = soup.find(attrs={"name": field})
    assert widget is not None
    errors = widget.find_previous("ul", class_="errorlist")
    return errors.get_text(" ", strip=True) if errors else ""


def test_the_upload_page_offers_the_managers_communes_only(ea_yong: Place) -> None:
    other = commune_get_or_create(parent=ea_yong.parent, name="Xã Ea Phê", code="ea-phe")[0]
    soup = _page(_manager(ea_yong).get(reverse("people:import")))

    options = [o.get_text(strip=True) for o in soup.select("select[name=commune] option")]
    assert options == [ea_yong.name]
    assert other.name not in soup.get_text()
    assert soup.select_one("form[enctype='multipart/form-data'] input[type=file][name=file]")
    nav = soup.select_one(".site-nav a[aria-current=page]")
    assert nav is not None and nav["href"] == reverse("people:import")


def test_a_messy_list_is_previewed_with_its_header_and_first_rows_as_stored(
    tmp_path: Path, ea_yong: Place
) -> None:
    client = _manager(ea_yong)
    response = _upload(client, write_csv(tmp_path / "danh sách.csv", MESSY), commune=ea_yong.pk)

    job = _job()
    assert response.status_code == 302
    assert response["Location"] == reverse("people:import_preview", args=[job.pk])
    assert job.status == ImportJobStatus.PREVIEW and job.file_name == "danh sách.csv"
    stored = Path(job.upload_path)
    assert stored.is_file() and stored.stat().st_mode & 0o777 == 0o600
    assert stored.is_relative_to(Path(django_settings.UPLOAD_ROOT))
    assert Resident.objects.count() == 0  # nothing imported before the confirmation

    soup = _page(client.get(response["Location"]))
    text = soup.get_text(" ", strip=True)
    assert gettext("Header found on row %(row)s.") % {"row": 4} in text
    columns = {
        row.th.get_text(strip=True): [td.get_text(strip=True) for td in row.find_all("td")]
        for row in soup.select("table.import-table:not(.import-rows) tbody tr")
    }
    assert columns["B"][:2] == ["Họ và tên", "TRẦN VĂN BÌNH"]
    assert columns["B"][2] == str(gettext("Full name"))
    assert columns["H"] == ["Liên lạc", "0912345678", "—"]  # not recognised: not used
    rows = soup.select("table.import-rows tbody tr")
    cells = {
        r.th.get_text(strip=True): [td.get_text(" ", strip=True) for td in r.find_all("td")]
        for r in rows
    }
    # Stored as the import stores it: name cased, date read day first, CCCD masked, village
    # found by its bare name.
    assert cells["6"][:6] == [
        "Trần Văn Bình",
        "05/03/1985",
        "Nam",
        "066******001",
        "",
        "Thôn Tân Lập",
    ]
    assert str(gettext("Invalid CCCD number")) in cells["7"][-1]  # kept aside, row imported
    rejected = {r.th.get_text(strip=True) for r in soup.select("tr.import-rejected")}
    assert rejected == {"8", "9"}  # no name; unknown village
    assert soup.select_one("select[name=full_name] option[selected]")["value"] == "1"
    assert soup.select_one("select[name=phone] option[selected]")["value"] == "5"


def test_changing_the_columns_feeds_the_import_and_its_counts_equal_the_pipelines(
    tmp_path: Path, ea_yong: Place
) -> None:
    client = _manager(ea_yong)
    path = write_csv(tmp_path / "ds.csv", MESSY)
    _upload(client, path, commune=ea_yong.pk)
    job = _job()
    preview_url = reverse("people:import_preview", args=[job.pk])
    mapping = {
        "full_name": "1",
        "family_name": "",
        "birth_date": "2",
        "gender": "3",
        "cccd": "4",
        "phone": "7",  # "Liên lạc" holds the phones, not the empty "SĐT" column
        "village": "6",
        "status": "",
        "map": "1",
    }

    response = client.post(preview_url, mapping)

    assert response.status_code == 302
    job.refresh_from_db()
    assert job.options["columns"]["phone"] == 7
    soup = _page(client.get(preview_url))
    first = soup.select("table.import-rows tbody tr")[0]
    assert "09******78" in [td.get_text(strip=True) for td in first.find_all("td")]

    expected = import_residents(
        path, commune=ea_yong, columns=job.options["columns"], dry_run=True, reuse_previous=False
    )
    response = client.post(preview_url, {"confirm": "1"})

    assert response["Location"] == reverse("people:import_job", args=[job.pk])
    job.refresh_from_db()
    assert job.status == ImportJobStatus.DONE
    assert not Path(job.upload_path or "/nonexistent").exists() and job.upload_path == ""
    for key in ("rows", "created", "updated", "unchanged", "rejected", "warnings"):
        assert job.result[key] == getattr(expected, key), key
    assert Resident.objects.filter(commune=ea_yong).count() == expected.created == 3
    assert Resident.objects.with_phone("0912345678").get().full_name == "Trần Văn Bình"

    soup = _page(client.get(response["Location"]))
    summary = {
        div.dt.get_text(strip=True): div.dd.get_text(strip=True)
        for div in soup.select("dl.import-summary > div")
    }
    assert summary[str(gettext("Created"))] == "3"
    assert summary[str(gettext("Rejected"))] == "2"
    assert soup.select_one("meta[http-equiv=refresh]") is None  # finished: no more refresh
    rejects_url = reverse("people:import_rejects", args=[job.pk])
    excel = soup.select_one("a[data-format=xlsx]")
    comma = soup.select_one("a[data-format=csv]")
    assert excel["href"] == rejects_url  # the workbook is the default
    assert comma["href"] == rejects_url + "?dinh-dang=csv"

    workbook = client.get(excel["href"])
    assert workbook.status_code == 200
    assert workbook["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "no-store" in workbook["Cache-Control"]
    assert workbook["Content-Disposition"].startswith(
        f'attachment; filename="dong-bi-loai-{job.pk}-'
    )
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(workbook.streaming_content)))
    rows = sheet.get_sheet_by_index(0).to_python()
    assert rows[0][:3] == ["Dòng", "STT", "Họ và tên"]
    assert [row[0] for row in rows[1:]] == [8, 9]
    assert rows[2][2] == "Y Bhiăo Ayun" and "Buôn Không Có" in rows[2][-1]

    download = client.get(comma["href"])
    assert download.status_code == 200
    assert download["Content-Type"].startswith("text/csv")
    assert "no-store" in download["Cache-Control"]
    assert download.content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for UTF-8
    text = download.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Dòng;STT;Họ và tên;")  # Excel's ';' in Vietnam
    table = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert [row[0] for row in table[1:]] == ["8", "9"]
    assert table[2][2] == "Y Bhiăo Ayun" and "Buôn Không Có" in table[2][-1]
    assert client.get(rejects_url, {"dinh-dang": "pdf"}).status_code == 404
    formats = [
        e.changes["format"]
        for e in AuditEvent.objects.filter(object_type="people.importjob").order_by("id")
        if "format" in e.changes
    ]
    assert formats == ["xlsx", "csv"]


def test_a_long_import_shows_a_progress_bar_that_refreshes_until_it_ends(
    tmp_path: Path, ea_yong: Place
) -> None:
    client = _manager(ea_yong)
    _upload(client, write_csv(tmp_path / "ds.csv", MESSY), commune=ea_yong.pk)
    job = _job()
    # As the worker leaves it half-way (the page reads the job, whoever runs it).
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJobStatus.RUNNING, rows_total=10)

    soup = _page(client.get(reverse("people:import_job", args=[job.pk])))

    assert soup.select_one("meta[http-equiv=refresh]")["content"] == "2"
    bar = soup.select_one("progress")
    assert bar["max"] == "10" and bar["value"] == "0"
    assert not soup.find("script", src=False)  # no inline script (CSP)
    assert not soup.select("[style]")


def test_a_job_whose_worker_stopped_is_ended_as_interrupted_and_nothing_is_imported(
    tmp_path: Path, ea_yong: Place
) -> None:
    client = _manager(ea_yong)
    _upload(client, write_csv(tmp_path / "ds.csv", MESSY), commune=ea_yong.pk)
    job = _job()
    upload = Path(job.upload_path)
    # As a worker killed half-way leaves it: running, its last heartbeat long ago.
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJobStatus.RUNNING, rows_total=10)
    stale = time.time() - STALE_AFTER.total_seconds() - 60
    cache.set(heartbeat_key(job.pk), stale)
    residents = Resident.objects.count()

    soup = _page(client.get(reverse("people:import_job", args=[job.pk])))

    job.refresh_from_db()
    assert (job.status, job.error_code) == (ImportJobStatus.FAILED, "interrupted")
    assert not soup.select_one("meta[http-equiv=refresh]")
    assert "nothing was imported" in soup.get_text() or "chưa có gì được nhập" in soup.get_text()
    assert Resident.objects.count() == residents
    assert not upload.exists()  # the personal data it held is gone


def test_a_running_job_with_a_recent_heartbeat_is_left_running(
    tmp_path: Path, ea_yong: Place
) -> None:
    client = _manager(ea_yong)
    _upload(client, write_csv(tmp_path / "ds.csv", MESSY), commune=ea_yong.pk)
    job = _job()
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJobStatus.RUNNING, rows_total=10)
    cache.set(heartbeat_key(job.pk), time.time() - 60)

    client.get(reverse("people:import_job", args=[job.pk]))

    job.refresh_from_db()
    assert job.status == ImportJobStatus.RUNNING


def test_a_manager_of_another_commune_gets_404_and_nothing_changes(
    tmp_path: Path, ea_yong: Place
) -> None:
    other = commune_get_or_create(parent=ea_yong.parent, name="Xã Ea Phê", code="ea-phe")[0]
    _upload(_manager(ea_yong), write_csv(tmp_path / "ds.csv", MESSY), commune=ea_yong.pk)
    job = _job()
    stranger = _manager(other, "thu_ky_b")

    for name in ("people:import_preview", "people:import_job", "people:import_rejects"):
        assert stranger.get(reverse(name, args=[job.pk])).status_code == 404, name
    assert (
        stranger.post(reverse("people:import_preview", args=[job.pk]), {"confirm": "1"}).status_code
        == 404
    )
    # Nor can they send a file into a commune they do not manage.
    response = _upload(stranger, write_csv(tmp_path / "b.csv", MESSY), commune=ea_yong.pk)
    assert response.status_code == 200
    job.refresh_from_db()
    assert job.status == ImportJobStatus.PREVIEW
    assert ImportJob.objects.count() == 1 and Resident.objects.count() == 0


_WRONG_KIND = (
    "This file is not one of the accepted kinds (%(kinds)s). Its content was checked, not its "
    "name: save it again as one of those kinds."
)
_NO_HEADER = (
    "No header row found in the first %(count)d rows: a column named 'Họ và tên' (full name) "
    "is needed."
)


@pytest.mark.parametrize(
    ("name", "content", "message", "params"),
    [
        (
            "ds.xlsx",
            b"PK\x03\x04 not a workbook" * 10,
            "The file is damaged and cannot be read.",
            {},
        ),
        ("ds.csv", b"\x00\x01\x02binary" * 50, _WRONG_KIND, {"kinds": "xlsx, xls, ods, csv"}),
        ("ds.csv", "Một danh sách\nkhông có tiêu đề\n".encode(), _NO_HEADER, {"count": 30}),
        ("ds.csv", b"", "The submitted file is empty.", {}),
    ],
)
def test_a_corrupt_or_wrong_file_gets_a_message_by_the_field_and_nothing_is_kept(
    ea_yong: Place, name: str, content: bytes, message: str, params: dict[str, Any]
) -> None:
    client = _manager(ea_yong)
    data = {
        "kind": ImportKind.RESIDENTS,
        "commune": ea_yong.pk,
        "file": SimpleUploadedFile(name, content),
    }

    soup = _page(client.post(reverse("people:import"), data))

    assert gettext(message) % params in _errors_of(soup, "file")
    assert ImportJob.objects.count() == 0 and Resident.objects.count() == 0
    upload_root = Path(django_settings.UPLOAD_ROOT)
    assert not upload_root.exists() or not any(upload_root.iterdir())


def test_a_file_past_the_size_limit_is_refused_by_the_field(
    ea_yong: Place, settings: Any, tmp_path: Path
) -> None:
    settings.UPLOAD_MAX_BYTES = 100
    client = _manager(ea_yong)

    soup = _page(_upload(client, write_csv(tmp_path / "ds.csv", MESSY), commune=ea_yong.pk))

    prefix = gettext("The file is more than %(size)s; the limit is %(limit)s.").split("%(")[0]
    assert _errors_of(soup, "file").startswith(prefix)
    assert ImportJob.objects.count() == 0


def test_a_run_that_fails_shows_why_and_writes_nothing(
    tmp_path: Path, ea_yong: Place, settings: Any
) -> None:
    # Queued only, as on the server until the worker takes it; the test then runs the task
    # itself, as the worker does.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    client = _manager(ea_yong)
    _upload(client, write_xlsx(tmp_path / "ds.xlsx", MESSY), commune=ea_yong.pk)
    job = _job()
    client.post(reverse("people:import_preview", args=[job.pk]), {"confirm": "1"})
    job.refresh_from_db()
    assert job.status == ImportJobStatus.QUEUED
    waiting = _page(client.get(reverse("people:import_job", args=[job.pk])))
    assert waiting.select_one("meta[http-equiv=refresh]") is not None
    assert waiting.select_one("progress") is not None
    Path(job.upload_path).write_bytes(b"PK\x03\x04 damaged since the preview")

    import_job_run(job_id=job.pk)

    job.refresh_from_db()
    assert (job.status, job.error_code) == (ImportJobStatus.FAILED, "file_truncated")
    assert job.upload_path == ""
    soup = _page(client.get(reverse("people:import_job", args=[job.pk])))
    alert = soup.select_one("[role=alert]").get_text(" ", strip=True)
    assert str(Message.from_data(*job.error)) in alert
    assert Resident.objects.count() == 0
    assert client.get(reverse("people:import_rejects", args=[job.pk])).status_code == 404


def test_an_achievement_list_is_previewed_with_the_residents_it_finds(
    tmp_path: Path, campaign: Campaign, ea_yong: Place
) -> None:
    village = Place.objects.get(parent=ea_yong, name="Thôn Cao Bằng")
    hoa = ResidentFactory(village=village, full_name="Nguyễn Thị Hoà", cccd="066190012345")
    client = _manager(ea_yong)
    rows = [
        ["DANH SÁCH KÍCH HOẠT VNEID MỨC 2"],
        ["STT", "Họ và tên", "Số CCCD", "Ngày kích hoạt"],
        [1, "Nguyễn Thị Hoà", "066190012345", "04/05/2023"],
        [2, "Không Có Ai", "066190099999", "05/05/2023"],
    ]
    path = write_csv(tmp_path / "vneid.csv", rows)
    criterion = campaign.rules.get(criterion__code="vneid_level2").criterion

    response = _upload(
        client,
        path,
        kind=ImportKind.ACHIEVEMENTS,
        commune=ea_yong.pk,
        campaign=campaign.pk,
        criterion=criterion.pk,
    )

    job = _job()
    assert response.status_code == 302, _page(response).select(".errorlist")
    soup = _page(client.get(response["Location"]))
    rows_shown = soup.select("table.import-rows tbody tr")
    assert "Nguyễn Thị Hoà" in rows_shown[0].get_text()
    assert "04/05/2023" in rows_shown[0].get_text()
    assert "import-rejected" in rows_shown[1]["class"]

    client.post(response["Location"], {"confirm": "1"})

    job.refresh_from_db()
    assert job.status == ImportJobStatus.DONE
    assert (job.result["created"], job.result["rejected"]) == (1, 1)
    achievement = Achievement.objects.get(resident=hoa, criterion=criterion)
    assert achievement.achieved_on == dt.date(2023, 5, 4)


def test_an_achievement_list_needs_a_criterion_the_campaign_tracks(
    tmp_path: Path, campaign: Campaign, ea_yong: Place
) -> None:
    client = _manager(ea_yong)
    path = write_csv(tmp_path / "x.csv", [["Số CCCD", "Ngày"], ["066190012345", "04/05/2023"]])

    soup = _page(
        _upload(client, path, kind=ImportKind.ACHIEVEMENTS, commune=ea_yong.pk, campaign="")
    )

    assert _errors_of(soup, "campaign")
    assert ImportJob.objects.count() == 0


def test_counting_rows_reads_the_same_table_as_the_import(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "ds.xlsx", MESSY)
    assert sum(1 for _row in open_table(path).rows) == len(MESSY)  # blank rows included


def test_a_school_s_list_of_students_marks_them_through_the_import_page(
    tmp_path: Path, campaign: Campaign, ea_yong: Place
) -> None:
    village = Place.objects.get(parent=ea_yong, name="Thôn Cao Bằng")
    an = ResidentFactory(village=village, full_name="Lê Văn An", birth_date=dt.date(2007, 9, 2))
    other = ResidentFactory(village=village, full_name="Lê Thị Hà", birth_date=dt.date(1980, 1, 1))
    client = _manager(ea_yong)
    rows = [
        ["DANH SÁCH HỌC SINH"],
        ["STT", "Họ và tên", "Ngày sinh", "Lớp"],
        [1, "Lê Văn An", "02/09/2007", "12A1"],
        [2, "Không Có Ai", "01/01/2008", "11A2"],
    ]
    path = write_csv(tmp_path / "hoc-sinh.csv", rows)

    missing = _page(_upload(client, path, kind=ImportKind.SEGMENTS, campaign=campaign.pk))
    response = _upload(
        client, path, kind=ImportKind.SEGMENTS, campaign=campaign.pk, segment="student"
    )

    assert _errors_of(missing, "segment")
    assert response.status_code == 302, _page(response).select(".errorlist")
    job = _job()
    soup = _page(client.get(response["Location"]))
    assert "Học sinh" in soup.select_one(".import-file").get_text()
    rows_shown = soup.select("table.import-rows tbody tr")
    assert "Lê Văn An" in rows_shown[0].get_text()
    assert "import-rejected" in rows_shown[1]["class"]

    client.post(response["Location"], {"confirm": "1"})

    job.refresh_from_db()
    assert job.status == ImportJobStatus.DONE, job.error
    assert (job.result["updated"], job.result["rejected"]) == (1, 1)
    an.refresh_from_db()
    other.refresh_from_db()
    assert (an.segments, other.segments) == ("student", "")
    done = _page(client.get(reverse("people:import_job", args=[job.pk])))
    assert "Học sinh" in done.select_one(".import-file").get_text()
