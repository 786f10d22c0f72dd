import datetime as dt

import pytest
from django.urls import reverse

from congdanso.campaigns.achievements import achievement_record
from congdanso.campaigns.models import Campaign, Criterion
from congdanso.outreach.services import session_create, turn_record
from congdanso.partners.models import UnitKind
from congdanso.partners.services import pledge_upsert, unit_get_or_create
from congdanso.people.tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "model",
    [
        "campaigns_criterion",
        "campaigns_campaign",
        "campaigns_achievement",
        "partners_unit",
        "partners_pledge",
        "partners_twinning",
        "partners_donation",
        "outreach_supportsession",
        "outreach_turn",
        "core_auditevent",
        "accounts_rolegrant",
        "accounts_apitoken",
        "accounts_user",
    ],
)
def test_admin_lists_render_for_administrators(
    admin_client, campaign: Campaign, model: str
) -> None:  # type: ignore[no-untyped-def]
    village = campaign.place.children.first()
    unit, _ = unit_get_or_create(place=campaign.place, name="Công an xã", kind=UnitKind.POLICE)
    pledge_upsert(unit=unit, campaign=campaign, target_people=10)
    session = session_create(campaign=campaign, place=village, date=dt.date(2023, 4, 12))
    person = ResidentFactory(village=village)
    turn_record(
        session=session, resident=person, criterion=Criterion.objects.get(code="vneid_level2")
    )
    achievement_record(
        resident=person,
        criterion=Criterion.objects.get(code="bank_account"),
        achieved_on=dt.date(2023, 5, 1),
    )

    response = admin_client.get(reverse(f"admin:{model}_changelist"))

    assert response.status_code == 200


def test_achievements_cannot_be_edited_in_the_admin(admin_client, campaign: Campaign) -> None:  # type: ignore[no-untyped-def]
    person = ResidentFactory(village=campaign.place.children.first())
    recorded = achievement_record(
        resident=person,
        criterion=Criterion.objects.get(code="bank_account"),
        achieved_on=dt.date(2023, 5, 1),
    )
    url = reverse("admin:campaigns_achievement_change", args=[recorded.achievement.pk])

    response = admin_client.post(url, {"achieved_on": "2020-01-01"})

    assert response.status_code == 403
    recorded.achievement.refresh_from_db()
    assert recorded.achievement.achieved_on == dt.date(2023, 5, 1)


def test_an_edit_in_the_admin_is_audited(admin_client, campaign: Campaign) -> None:  # type: ignore[no-untyped-def]
    from congdanso.core.models import AuditEvent
    from congdanso.partners.models import Unit

    unit, _ = unit_get_or_create(place=campaign.place, name="Công an xã", kind=UnitKind.POLICE)
    url = reverse("admin:partners_unit_change", args=[unit.pk])

    response = admin_client.post(
        url,
        {
            "place": campaign.place.pk,
            "name": "Công an xã Ea Yông",
            "kind": "police",
            "members-TOTAL_FORMS": "0",  # the team members' inline
            "members-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302
    assert Unit.objects.get(pk=unit.pk).name == "Công an xã Ea Yông"
    assert Unit.objects.get(pk=unit.pk).name_key == "cong an xa ea yong"
    event = AuditEvent.objects.filter(object_type="partners.unit", action="update").get()
    assert event.via == "admin"
    assert event.changes["name"] == ["Công an xã", "Công an xã Ea Yông"]


def test_a_target_deleted_in_the_admin_takes_its_tallies_the_campaign_s_two_cannot_be(
    admin_client, campaign: Campaign
) -> None:  # type: ignore[no-untyped-def]
    from congdanso.campaigns.models import Tally, Target
    from congdanso.campaigns.targets import target_add
    from congdanso.progress.tallies import tally_check

    ResidentFactory(village=campaign.place.children.first())
    added = target_add(campaign=campaign, name="Thêm", kind="count", value=300)
    assert Tally.objects.filter(campaign=campaign, item=added.pk, measure="G").exists()
    own = Target.objects.get(campaign=campaign, role="exemplary")

    refused = admin_client.post(
        reverse("admin:campaigns_target_delete", args=[own.pk]), {"post": "yes"}
    )
    response = admin_client.post(
        reverse("admin:campaigns_target_delete", args=[added.pk]), {"post": "yes"}
    )

    assert refused.status_code == 403
    assert response.status_code == 302
    assert not Target.objects.filter(pk=added.pk).exists()
    assert not Tally.objects.filter(campaign=campaign, item=added.pk, measure__in=["G", "H"])
    assert tally_check(campaign) == []


def test_a_target_s_criteria_changed_in_the_admin_are_counted_again(
    admin_client, campaign: Campaign
) -> None:  # type: ignore[no-untyped-def]
    from congdanso.campaigns.models import Target
    from congdanso.campaigns.targets import target_add
    from congdanso.progress.tallies import tally_check

    person = ResidentFactory(village=campaign.place.children.first())
    achievement_record(
        resident=person,
        criterion=Criterion.objects.get(code="bank_account"),
        achieved_on=dt.date(2023, 5, 1),
    )
    added = target_add(
        campaign=campaign, name="Thêm", kind="count", value=300, criteria=["vneid_level2"]
    )
    url = reverse("admin:campaigns_target_change", args=[added.pk])
    page = admin_client.get(url)
    data = {
        key: value
        for key, value in page.context["adminform"].form.initial.items()
        if value is not None and key not in ("criteria", "role")
    }
    data |= {
        "campaign": campaign.pk,
        "criteria": [Criterion.objects.get(code="bank_account").pk],
        **{f"{p}-TOTAL_FORMS": "0" for p in ("milestones", "parts")},
        **{f"{p}-INITIAL_FORMS": "0" for p in ("milestones", "parts")},
    }

    response = admin_client.post(url, data)

    assert response.status_code == 302, (
        response.context["adminform"].form.errors,
        [(f.formset.prefix, f.formset.errors) for f in response.context["inline_admin_formsets"]],
    )
    assert list(Target.objects.get(pk=added.pk).criteria.values_list("code", flat=True)) == [
        "bank_account"
    ]
    assert tally_check(campaign) == []
