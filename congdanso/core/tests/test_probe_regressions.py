"""Issue 13's smaller holes, each found by probing the running app: answers with personal
data kept by caches, API actions logged as web ones, reasons of blanks or control
characters, names that carry bidirectional overrides, and access logs with search text."""

import datetime as dt
import json
import logging
from typing import Any

import pytest
from django.urls import reverse
from gunicorn.config import Config
from gunicorn.glogging import Logger

from congdanso.campaigns.achievements import achievement_withdraw
from congdanso.core.errors import DomainError
from congdanso.core.models import AuditAction, AuditEvent
from congdanso.core.tests.world import World
from congdanso.people.services import resident_reveal
from congdanso.people.tests.factories import ResidentFactory
from congdanso.people.tests.files import HEADER, write_csv
from congdanso.places.models import Place
from congdanso.places.services import village_get_or_create
from congdanso.vn import clean_name, fold

pytestmark = pytest.mark.django_db


def _no_store(response: Any) -> bool:
    return "no-store" in response["Cache-Control"] and response["Pragma"] == "no-cache"


def test_answers_with_personal_data_are_never_cached(world: World) -> None:
    card = reverse("people:card", args=[world.campaign.pk, world.resident.pk])
    report = reverse("reports:xlsx", args=[world.campaign.pk]) + "?ngay=2023-06-30"
    api_card = f"/api/v1/residents/{world.resident.pk}"
    responses = {
        "person card": world.site("unit_a").get(card),
        "workbook download": world.site("manager_a").get(report),
        "API card": world.client("unit_a").get(api_card),
        "API reveal": world.client("manager_a").post(
            f"{api_card}/reveal",
            json.dumps({"field": "cccd", "reason": "Đối chiếu hồ sơ"}),
            content_type="application/json",
        ),
        "API refusal": world.client(None).get(api_card),
    }
    for what, response in responses.items():
        assert response.status_code in (200, 401), what
        assert _no_store(response), what


def test_an_api_reveal_is_audited_as_coming_from_the_api(world: World) -> None:
    world.client("manager_a").post(
        f"/api/v1/residents/{world.resident.pk}/reveal",
        json.dumps({"field": "phone", "reason": "  Gọi   báo lịch  "}),
        content_type="application/json",
    )
    event = AuditEvent.objects.get(action=AuditAction.REVEAL)
    assert (event.via, event.actor_name, event.reason) == ("api", "manager_a", "Gọi báo lịch")


@pytest.mark.parametrize("reason", ["   ", "...", "1", "Kiểm\x07tra", "Kiểm\x1btra hồ sơ"])
def test_a_reason_without_letters_or_with_control_characters_is_refused(
    world: World, reason: str
) -> None:
    with pytest.raises(DomainError) as refused:
        resident_reveal(resident=world.resident, field="cccd", reason=reason)
    assert refused.value.code in ("reason_missing", "reason_invalid")
    with pytest.raises(DomainError):
        achievement_withdraw(achievement=world.achievement, reason=reason)
    api = world.client("manager_a").post(
        f"/api/v1/residents/{world.resident.pk}/reveal",
        json.dumps({"field": "cccd", "reason": reason}),
        content_type="application/json",
    )
    assert api.status_code in (400, 422)
    assert "066190012345" not in api.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.REVEAL).exists()


def test_a_reason_is_stored_nfc() -> None:
    from congdanso.core.parsing import reason_clean

    decomposed = "Đối chiếu ho\u0302\u0300 sơ"  # hồ typed with combining marks
    assert reason_clean(decomposed, missing="?") == "Đối chiếu hồ sơ"


BIDI = "\u202e\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069\u200e\u200f"


def test_bidi_controls_are_dropped_from_names() -> None:
    spoofed = "Nguy\u202eễn Văn A\u202c"
    assert clean_name(spoofed) == "Nguyễn Văn A"
    assert fold(spoofed) == "nguyen van a"
    assert not any(ch in BIDI for ch in clean_name("".join(BIDI) + "Trần" + BIDI))


def test_bidi_controls_are_dropped_at_import_and_in_forms(
    tmp_path: Any, ea_yong: Place, world: World
) -> None:
    from django.core.management import call_command

    rows = [HEADER, [1, "Lê\u202e Thị Hạnh", "01/01/1990", "Nữ", "", "", "Thôn Cao \u2067Bằng"]]
    call_command("import-residents", str(write_csv(tmp_path / "ds.csv", rows)), "--commune",
                 ea_yong.code)  # fmt: skip
    stored = ResidentFactory._meta.model.objects.get(name_key="le thi hanh")
    assert stored.full_name == "Lê Thị Hạnh"
    assert stored.village is not None and stored.village.name == "Thôn Cao Bằng"
    village, _ = village_get_or_create(commune=ea_yong, name="Thôn \u202eMới")
    assert village.name == "Thôn Mới"
    site = world.site("manager_a")
    response = site.post(
        reverse("places:list"), {"xa": ea_yong.code, "action": "add", "add-name": "Buôn\u202e Ea"}
    )
    assert response.status_code in (200, 302)
    assert Place.objects.filter(parent=ea_yong, name="Buôn Ea").exists()


def test_the_access_log_carries_no_query_string_or_referrer() -> None:
    from congdanso import gunicorn_conf

    config = Config()
    config.set("access_log_format", gunicorn_conf.access_log_format)
    logger = Logger(config)
    request = type("Req", (), {"method": "GET", "path": "/api/v1/residents", "version": (1, 1),
                               "query": "q=066190012345", "uri": "/api/v1/residents?q=066190012345",
                               "headers": []})()  # fmt: skip
    response = type("Resp", (), {"status": "200 OK", "sent": 10, "response_length": 10,
                                 "headers": []})()  # fmt: skip
    environ = {
        "REMOTE_ADDR": "10.0.0.7",
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/api/v1/residents",
        "QUERY_STRING": "q=066190012345",
        "RAW_URI": "/api/v1/residents?q=066190012345",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": "http://127.0.0.1:8000/chien-dich/1/tim/?q=nguyen+hoa",
        "HTTP_USER_AGENT": "test",
    }
    atoms = logger.atoms(response, request, environ, dt.timedelta(milliseconds=12))
    line = gunicorn_conf.access_log_format % atoms
    assert "/api/v1/residents" in line and "10.0.0.7" in line
    assert "066190012345" not in line and "nguyen" not in line
    logging.getLogger(__name__).debug(line)
