"""Set-up pages: a campaign's targets, criteria, units and pledges, twinnings, donations,
schedule and calendar links; the commune's places."""

from django.urls import path

from congdanso.web.setup import campaign, partners, places, schedule, teams

SETUP = "chien-dich/<int:campaign_id>/thiet-lap/"

#: URL namespace → its pages (the names are a contract: templates, tests and users' links).
PATTERNS = {
    "campaigns": [
        path(SETUP, campaign.setup_overview, name="setup"),
        path(SETUP + "muc-tieu/", campaign.setup_targets, name="setup_targets"),
        path(SETUP + "muc-tieu/them/", campaign.setup_target_add, name="setup_target_add"),
        path(
            SETUP + "muc-tieu/<int:target_id>/sua/",
            campaign.setup_target_edit,
            name="setup_target_edit",
        ),
        path(
            SETUP + "muc-tieu/<int:target_id>/xoa/",
            campaign.setup_target_remove,
            name="setup_target_remove",
        ),
        path(
            SETUP + "muc-tieu/<int:target_id>/thon/",
            campaign.setup_target_parts,
            name="setup_target_parts",
        ),
        path(SETUP + "tieu-chi/", campaign.setup_criteria, name="setup_criteria"),
        path(SETUP + "tieu-chi/them/", campaign.setup_criterion_add, name="setup_criterion_add"),
        path(SETUP + "don-vi/", partners.setup_units, name="setup_units"),
        path(SETUP + "don-vi/<int:unit_id>/cam-ket/", partners.setup_pledge, name="setup_pledge"),
        path(
            SETUP + "don-vi/<int:unit_id>/cam-ket/xoa/",
            partners.setup_pledge_delete,
            name="setup_pledge_delete",
        ),
        path(SETUP + "to-cong-nghe-so/", teams.setup_teams, name="setup_teams"),
        path(SETUP + "to-cong-nghe-so/<int:team_id>/", teams.setup_team, name="setup_team"),
        path(
            SETUP + "to-cong-nghe-so/<int:team_id>/thanh-vien/<int:member_id>/xoa/",
            teams.setup_team_member_remove,
            name="setup_team_member_remove",
        ),
        path(SETUP + "ket-nghia/", partners.setup_twinnings, name="setup_twinnings"),
        path(
            SETUP + "ket-nghia/<int:twinning_id>/xoa/",
            partners.setup_twinning_delete,
            name="setup_twinning_delete",
        ),
        path(SETUP + "ung-ho/", partners.setup_donations, name="setup_donations"),
        path(SETUP + "ung-ho/<int:donation_id>/", partners.setup_donation, name="setup_donation"),
        path(
            SETUP + "ung-ho/<int:donation_id>/xoa/",
            partners.setup_donation_delete,
            name="setup_donation_delete",
        ),
        path(SETUP + "lich/", schedule.setup_schedule, name="setup_schedule"),
        path("chien-dich/<int:campaign_id>/lich.ics", schedule.campaign_calendar, name="calendar"),
        path(
            "lich/<int:campaign_id>/<int:user_id>/<slug:token>.ics",
            schedule.campaign_calendar_feed,
            name="calendar_feed",
        ),
    ],
    "places": [
        path("dia-ban/", places.place_list, name="list"),
    ],
}

#: Each page's access rule (see congdanso.web.urls). Set-up is for the managers of the
#: campaign's place and administrators. A POST-only address (…_delete, …_remove,
#: setup_criteria, setup_criterion_add, setup_target_add) answers GET with a redirect to its page.
ACCESS = {
    "campaigns:setup": "campaign-manage",
    "campaigns:setup_targets": "campaign-manage",
    "campaigns:setup_target_add": "campaign-manage",
    "campaigns:setup_target_edit": "campaign-manage",
    "campaigns:setup_target_remove": "campaign-manage",
    "campaigns:setup_target_parts": "campaign-manage",
    "campaigns:setup_criteria": "campaign-manage",
    "campaigns:setup_criterion_add": "campaign-manage",
    "campaigns:setup_units": "campaign-manage",
    "campaigns:setup_pledge": "campaign-manage",
    "campaigns:setup_pledge_delete": "campaign-manage",
    "campaigns:setup_teams": "campaign-manage",
    "campaigns:setup_team": "campaign-manage",
    "campaigns:setup_team_member_remove": "campaign-manage",
    "campaigns:setup_twinnings": "campaign-manage",
    "campaigns:setup_twinning_delete": "campaign-manage",
    "campaigns:setup_donations": "campaign-manage",
    "campaigns:setup_donation": "campaign-manage",
    "campaigns:setup_donation_delete": "campaign-manage",
    "campaigns:setup_schedule": "campaign-manage",
    "campaigns:calendar": "campaign-manage",
    # No session: a calendar app fetches it with the token in the address, which stands for a
    # manager of the campaign (web/setup/calendar_links.py); a wrong token is a 404.
    "campaigns:calendar_feed": "public",
    "places:list": "manager",
}
