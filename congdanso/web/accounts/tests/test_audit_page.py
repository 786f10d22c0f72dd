import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from congdanso.accounts.models import Role, User
from congdanso.accounts.services import role_grant
from congdanso.campaigns.achievements import achievement_record
from congdanso.campaigns.models import Campaign, Criterion
from congdanso.people.tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_client(campaign: Campaign) -> Client:
    manager = User.objects.create_user("quanly")
    role_grant(user=manager, role=Role.MANAGER, place=campaign.place)
    client = Client()
    client.force_login(manager)
    return client


def test_the_audit_page_lists_and_filters_events(campaign: Campaign, manager_client) -> None:  # type: ignore[no-untyped-def]
    achievement_record(
        resident=ResidentFactory(village=campaign.place.children.first()),
        criterion=Criterion.objects.get(code="vneid_level2"),
        achieved_on=dt.date(2023, 5, 4),
    )

    everything = manager_client.get(reverse("accounts:audit"))
    creates = manager_client.get(reverse("accounts:audit"), {"action": "withdraw"})

    assert everything.status_code == 200
    assert "campaigns.achievement" in everything.content.decode()
    assert "campaigns.achievement" not in creates.content.decode()
    assert "Nhật ký" in everything.content.decode()


def test_a_bad_filter_gets_a_message_not_an_error(manager_client) -> None:  # type: ignore[no-untyped-def]
    response = manager_client.get(
        reverse("accounts:audit"), {"since": "2023-05-04", "until": "2023-05-01"}
    )
    assert response.status_code == 200
    assert "trước" in response.content.decode()  # the end date is before the start date
