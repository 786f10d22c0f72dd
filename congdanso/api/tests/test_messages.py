"""What a phone shows when a write is refused names things as people know them."""

import json
import uuid

import pytest

from congdanso.campaigns.models import Criterion
from congdanso.core.tests.world import World

pytestmark = pytest.mark.django_db


def test_a_criterion_the_campaign_does_not_track_is_named_not_coded(world: World) -> None:
    Criterion.objects.create(code="tiem_chung", name="Tiêm chủng đầy đủ")
    body = {
        "client_uuid": str(uuid.uuid4()),
        "resident_id": world.resident.pk,
        "criterion": "tiem_chung",
        "achieved_on": "2023-05-04",
        "campaign_id": world.campaign.pk,
    }

    response = world.client("unit_a").post(
        "/api/v1/achievements",
        json.dumps(body),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="vi",
    )

    assert response.status_code >= 400
    text = json.dumps(response.json(), ensure_ascii=False)
    assert "Tiêm chủng đầy đủ" in text
    assert "tiem_chung" not in text.replace('"criterion_not_tracked"', "")
