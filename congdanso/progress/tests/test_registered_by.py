"""A past report made again exactly (issue 16, item 2): the live figures count the list as it
stands today, whatever the date; `registered_by` counts only the residents the list held by
the end of that day, computed from the data with the tallies' own definitions."""

import datetime as dt
from typing import Any

import pytest

from congdanso.campaigns.achievements import achievement_record
from congdanso.campaigns.selectors import campaign_rules
from congdanso.people.models import Resident
from congdanso.people.tests.factories import ResidentFactory
from congdanso.progress.indicators import campaign_indicators, registered_before
from congdanso.vn import vietnam_today

pytestmark = pytest.mark.django_db

END = dt.date(2023, 12, 31)


def _figures(indicators: Any) -> dict[str, Any]:
    data = indicators.as_json()
    data.pop("registered_by")
    return data


def test_a_past_report_counts_the_list_as_it_was_when_asked(world) -> None:  # type: ignore[no-untyped-def]
    listed = dt.datetime(2023, 4, 1, 8, tzinfo=dt.UTC)
    Resident.objects.update(created_at=listed)  # the list imported when the campaign began
    sent_up = campaign_indicators(world.campaign, on=END)

    village = world.resident.village
    newcomers = [
        ResidentFactory(village=village, birth_date=dt.date(2008, 5, 1)) for _ in range(3)
    ]  # registered today, one of them with every criterion reached in 2023
    for criterion in campaign_rules(world.campaign).criteria:
        achievement_record(resident=newcomers[0], criterion=criterion, achieved_on=END)

    live = campaign_indicators(world.campaign, on=END)
    assert live.data_quality.residents == sent_up.data_quality.residents + 3
    assert live.exemplary.count == sent_up.exemplary.count + 1

    again = campaign_indicators(world.campaign, on=END, registered_by=END)
    assert _figures(again) == _figures(sent_up)  # the report as it was sent, exactly
    assert again.as_json()["registered_by"] == "2023-12-31"
    village_again = campaign_indicators(world.campaign, place=village, on=END, registered_by=END)
    assert village_again.data_quality.residents == (
        campaign_indicators(world.campaign, place=village, on=END).data_quality.residents - 3
    )

    today = campaign_indicators(world.campaign, on=END, registered_by=vietnam_today())
    assert _figures(today) == _figures(live)  # the same definitions as the kept tallies


def test_the_day_ends_at_midnight_in_vietnam() -> None:
    end = registered_before(dt.date(2023, 12, 31))
    assert end == dt.datetime(2023, 12, 31, 17, tzinfo=dt.UTC)
