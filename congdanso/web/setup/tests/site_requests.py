"""The set-up pages' requests for the site's permission matrix (core/tests/test_site_matrix.py),
aimed at commune A of the test world. Pages about one twinning or donation create it first:
the world has none, and a page about nothing would be a 404 for everyone."""

import datetime as dt
from collections.abc import Callable

from django.urls import reverse

from congdanso.campaigns.targets import target_add
from congdanso.core.tests.world import World
from congdanso.partners.models import DonationItem
from congdanso.partners.services import donation_create, twinning_get_or_create
from congdanso.partners.teams import team_create, team_member_add
from congdanso.web.setup.calendar_links import calendar_token


def _campaign(name: str) -> Callable[[World], str]:
    return lambda w: reverse(name, args=[w.campaign.pk])


def _twinning(w: World) -> int:
    return twinning_get_or_create(unit=w.unit, village=w.session.place)[0].pk


def _donation(w: World) -> int:
    return donation_create(
        campaign=w.campaign,
        village=w.session.place,
        item=DonationItem.INTERNET_LINE,
        given_on=dt.date(2023, 4, 12),
        value_vnd=4_000_000,
        donor_units=[w.unit],
    ).pk


def _target(w: World) -> int:
    return target_add(campaign=w.campaign, name="Kỹ năng số", kind="share", value="80%").pk


def _team(w: World) -> int:
    return team_create(
        commune=w.campaign.place, name="Tổ CNS thôn Cao Bằng", villages=[w.session.place]
    ).pk


def _member(w: World) -> tuple[int, int]:
    team = team_create(
        commune=w.campaign.place, name="Tổ CNS thôn Cao Bằng", villages=[w.session.place]
    )
    return team.pk, team_member_add(team=team, full_name="Y Duin Niê").pk


def _feed(w: World) -> str:
    user = w.users["manager_a"]
    token = calendar_token(campaign_id=w.campaign.pk, user=user)
    return reverse("campaigns:calendar_feed", args=[w.campaign.pk, user.pk, token])


SETUP_REQUESTS: dict[str, Callable[[World], str]] = {
    **{
        f"campaigns:{name}": _campaign(f"campaigns:{name}")
        for name in (
            "setup",
            "setup_targets",
            "setup_criteria",
            "setup_criterion_add",
            "setup_target_add",
            "setup_units",
            "setup_twinnings",
            "setup_teams",
            "setup_donations",
            "setup_schedule",
            "calendar",
        )
    },
    "campaigns:setup_pledge": lambda w: reverse(
        "campaigns:setup_pledge", args=[w.campaign.pk, w.unit.pk]
    ),
    "campaigns:setup_pledge_delete": lambda w: reverse(
        "campaigns:setup_pledge_delete", args=[w.campaign.pk, w.unit.pk]
    ),
    "campaigns:setup_twinning_delete": lambda w: reverse(
        "campaigns:setup_twinning_delete", args=[w.campaign.pk, _twinning(w)]
    ),
    "campaigns:setup_donation": lambda w: reverse(
        "campaigns:setup_donation", args=[w.campaign.pk, _donation(w)]
    ),
    "campaigns:setup_donation_delete": lambda w: reverse(
        "campaigns:setup_donation_delete", args=[w.campaign.pk, _donation(w)]
    ),
    "campaigns:setup_target_remove": lambda w: reverse(
        "campaigns:setup_target_remove", args=[w.campaign.pk, _target(w)]
    ),
    "campaigns:setup_target_edit": lambda w: reverse(
        "campaigns:setup_target_edit", args=[w.campaign.pk, _target(w)]
    ),
    "campaigns:setup_target_parts": lambda w: reverse(
        "campaigns:setup_target_parts", args=[w.campaign.pk, _target(w)]
    ),
    "campaigns:setup_team": lambda w: reverse(
        "campaigns:setup_team", args=[w.campaign.pk, _team(w)]
    ),
    "campaigns:setup_team_member_remove": lambda w: reverse(
        "campaigns:setup_team_member_remove", args=[w.campaign.pk, *_member(w)]
    ),
    "campaigns:calendar_feed": _feed,
}
