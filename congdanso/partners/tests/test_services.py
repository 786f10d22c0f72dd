"""Correcting the partner records: a donation edited or removed, a pledge or twinning
removed — each audited, each refusal leaving things as they were."""

import datetime as dt

import pytest

from congdanso.campaigns.models import Campaign
from congdanso.core.errors import DomainError
from congdanso.core.models import AuditEvent
from congdanso.partners.models import Donation, DonationItem, Pledge, Twinning, Unit, UnitKind
from congdanso.partners.services import (
    donation_create,
    donation_delete,
    donation_update,
    pledge_delete,
    pledge_upsert,
    twinning_delete,
    twinning_get_or_create,
    unit_get_or_create,
)
from congdanso.places.models import Place
from congdanso.places.services import commune_get_or_create, village_get_or_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def villages(ea_yong: Place) -> dict[str, Place]:
    return {v.name: v for v in ea_yong.children.all()}


@pytest.fixture
def party(ea_yong: Place) -> Unit:
    return unit_get_or_create(
        place=ea_yong.parent, name="Huyện ủy Krông Pắc", kind=UnitKind.PARTY_OFFICE
    )[0]


@pytest.fixture
def donation(campaign: Campaign, villages: dict[str, Place], party: Unit) -> Donation:
    return donation_create(
        campaign=campaign,
        village=villages["Thôn Cao Bằng"],
        item=DonationItem.INTERNET_LINE,
        given_on=dt.date(2023, 4, 12),
        value_vnd=4_000_000,
        donor_units=[party],
        donor_villages=[villages["Thôn Tân Lập"]],
    )


def test_a_donation_is_corrected_term_by_term(
    donation: Donation, villages: dict[str, Place], party: Unit
) -> None:
    donation_update(
        donation=donation,
        village=villages["Buôn Ghamah"],
        item=DonationItem.INTERNET_LINE,
        given_on=dt.date(2023, 4, 20),
        value_vnd=2_500_000,
        donor_units=[party],
        site="Nhà văn hóa buôn",
    )

    donation.refresh_from_db()
    assert (donation.village, donation.value_vnd, donation.site) == (
        villages["Buôn Ghamah"],
        2_500_000,
        "Nhà văn hóa buôn",
    )
    assert list(donation.donor_villages.all()) == []
    event = AuditEvent.objects.get(object_type="partners.donation", action="update")
    assert event.changes["value_vnd"] == [4_000_000, 2_500_000]


def test_a_donation_cannot_move_out_of_its_campaign_or_give_to_itself(
    donation: Donation, villages: dict[str, Place], party: Unit, ea_yong: Place
) -> None:
    other = commune_get_or_create(parent=ea_yong.parent, name="Xã Ea Phê", code="ea-phe")[0]
    outside, _ = village_get_or_create(commune=other, name="Thôn Tân Lập")

    for village, givers, code in (
        (outside, [], "village_outside_campaign"),
        (villages["Thôn Tân Lập"], [villages["Thôn Tân Lập"]], "donation_to_itself"),
    ):
        with pytest.raises(DomainError) as refused:
            donation_update(
                donation=donation,
                village=village,
                item=DonationItem.INTERNET_LINE,
                given_on=dt.date(2023, 4, 12),
                value_vnd=1,
                donor_units=[party],
                donor_villages=givers,
            )
        assert refused.value.code == code

    donation.refresh_from_db()
    assert (donation.village, donation.value_vnd) == (villages["Thôn Cao Bằng"], 4_000_000)


def test_removing_a_donation_keeps_what_it_said_in_the_audit(donation: Donation) -> None:
    pk = donation.pk

    donation_delete(donation=donation)

    assert not Donation.objects.filter(pk=pk).exists()
    event = AuditEvent.objects.get(object_type="partners.donation", action="delete")
    assert event.object_id == str(pk)
    assert event.changes["value_vnd"] == [4_000_000, None]


def test_removing_a_pledge_and_a_twinning(
    campaign: Campaign, party: Unit, villages: dict[str, Place]
) -> None:
    pledge = pledge_upsert(
        unit=party, campaign=campaign, target_people=300, villages=[villages["Thôn Cao Bằng"]]
    )
    twinning, _ = twinning_get_or_create(unit=party, village=villages["Thôn Cao Bằng"])

    pledge_delete(pledge=pledge)
    twinning_delete(twinning=twinning)

    assert not Pledge.objects.exists()
    assert not Twinning.objects.exists()
    deleted = set(AuditEvent.objects.filter(action="delete").values_list("object_type", flat=True))
    assert deleted == {"partners.pledge", "partners.twinning"}
