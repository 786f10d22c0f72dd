"""What a report is about: a campaign, a place within it and a date — checked once, before
any file is written, so that bad input gives a clear error and no partial file.

Every figure of a report comes from `progress.indicators.campaign_indicators` for this
request, so a report number equals the dashboard number for the same campaign, place and
date.
"""

import datetime as dt
from dataclasses import dataclass

from congdanso.campaigns.models import Campaign
from congdanso.campaigns.selectors import (
    campaign_get,
    date_in_campaign_check,
    place_in_campaign_check,
)
from congdanso.places.models import Place
from congdanso.places.selectors import place_get
from congdanso.progress.figures import Indicators
from congdanso.progress.indicators import campaign_indicators
from congdanso.scope.access import Access, campaign_get_for, indicator_place_for
from congdanso.vn import vietnam_today


@dataclass(frozen=True)
class ReportRequest:
    campaign: Campaign
    place: Place
    on: dt.date
    #: Who asks (the command line: None, everything; the web: the signed-in user's access,
    #: which decides whether the residents' sheet exists and what it shows).
    access: Access | None = None
    #: Count only the residents in the list by this day (None: the list as it stands today).
    registered_by: dt.date | None = None
    #: The figures when already computed (a report sent up makes three files of them).
    figures: Indicators | None = None

    def indicators(self) -> Indicators:
        if self.figures is not None:
            return self.figures
        return campaign_indicators(
            self.campaign, place=self.place, on=self.on, registered_by=self.registered_by
        )


def report_request(
    *,
    campaign_id: int | str,
    place_code: str | None = None,
    on: dt.date | None = None,
    access: Access | None = None,
    registered_by: dt.date | None = None,
) -> ReportRequest:
    """The checked request. Raises NotFound (unknown campaign, or out of the user's scope) or
    DomainError (a place outside the campaign, a date outside the campaign's period)."""
    if access is None:
        campaign = campaign_get(campaign_id)
        place = place_get(place_code) if place_code else campaign.place
    else:
        campaign = campaign_get_for(access, campaign_id)
        place = indicator_place_for(access, campaign, place_get(place_code) if place_code else None)
    place_in_campaign_check(campaign, place)
    day = on or min(vietnam_today(), campaign.end_date)
    date_in_campaign_check(campaign, day)
    return ReportRequest(
        campaign=campaign, place=place, on=day, access=access, registered_by=registered_by
    )
