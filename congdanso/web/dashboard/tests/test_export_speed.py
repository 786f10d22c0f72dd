"""How long 'Tải Excel' takes for a list of 3,000 residents (the demo commune's scale), for a
manager (numbers decrypted in full) and a unit member (masked): printed, and held under a
generous bound so that a regression that reads per person shows."""

import io
import sys
import time

import pytest
from django.test import Client
from django.urls import reverse
from python_calamine import CalamineWorkbook

from congdanso.accounts.models import Role, User
from congdanso.accounts.services import role_grant
from congdanso.demo.services import demo_load
from congdanso.people.models import Resident

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

RESIDENTS = 3000


def test_a_3000_person_list_exports_in_a_few_seconds(settings, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    settings.DATA_DIR = tmp_path
    demo = demo_load(residents=RESIDENTS)
    campaign = demo.campaign.campaign
    url = reverse("campaigns:people_xlsx", args=[campaign.pk])
    day = {"ngay": campaign.end_date.isoformat()}
    timings = {}
    for role in (Role.MANAGER, Role.UNIT_MEMBER):
        user = User.objects.create_user(f"bench-{role}")
        unit = campaign.pledges.first().unit if role == Role.UNIT_MEMBER else None
        role_grant(user=user, role=role, place=demo.commune, unit=unit)
        client = Client()
        client.force_login(user)
        started = time.perf_counter()
        response = client.get(url, day)
        body = b"".join(response.streaming_content)
        timings[role] = time.perf_counter() - started
        rows = CalamineWorkbook.from_filelike(io.BytesIO(body)).get_sheet_by_index(0).to_python()
        header = next(i for i, row in enumerate(rows) if "Họ và tên" in row)
        listed = [row for row in rows[header + 1 :] if row and row[0] != ""]
        counted = Resident.objects.filter(commune=demo.commune, status="living").count()
        assert len(listed) == counted >= RESIDENTS * 0.9

    with capsys.disabled():
        sys.stdout.write(
            f"\nTải Excel, {counted} residents: "
            + ", ".join(f"{role} {seconds:.2f} s" for role, seconds in timings.items())
            + "\n"
        )
    assert max(timings.values()) < 30
