"""Campaign set-up pages: targets and criteria, units and pledges, twinnings, donations, the
Thursday/Friday schedule and the calendar links — everything a commune secretary sets up,
without Django's admin.

Every page is for the managers of the campaign's place (and administrators): anyone else
gets 404, as for a campaign that does not exist. A view parses its form, calls one service,
and redirects with a message; a service's refusal is shown in the form, next to the field it
concerns when the form says which (`SetupForm.error_fields`), and nothing is written.
"""

from congdanso.campaigns.views_setup.campaign import (
    setup_criteria,
    setup_criterion_add,
    setup_overview,
    setup_targets,
)
from congdanso.campaigns.views_setup.partners import (
    setup_donation,
    setup_donation_delete,
    setup_donations,
    setup_pledge,
    setup_pledge_delete,
    setup_twinning_delete,
    setup_twinnings,
    setup_units,
)
from congdanso.campaigns.views_setup.schedule import (
    campaign_calendar,
    campaign_calendar_feed,
    setup_schedule,
)

__all__ = [
    "campaign_calendar",
    "campaign_calendar_feed",
    "setup_criteria",
    "setup_criterion_add",
    "setup_donation",
    "setup_donation_delete",
    "setup_donations",
    "setup_overview",
    "setup_pledge",
    "setup_pledge_delete",
    "setup_schedule",
    "setup_targets",
    "setup_twinning_delete",
    "setup_twinnings",
    "setup_units",
]
