"""Calendar subscription links: a campaign's sessions in any calendar app, kept up to date.

A calendar app (Google Calendar, Outlook, the phone's own) fetches a subscribed .ics by
itself, every few hours, with neither the user's session cookie nor an API token header. So
the subscription address carries its own credential:

    /lich/<campaign id>/<user id>/<token>.ics
    token = HMAC-SHA256(SECRET_KEY, salt, "<campaign id>:<user id>:<user's password hash>")

- **Bound to one user and one campaign**, and re-checked on every fetch: the link answers
  only while that user is active and may still manage the campaign (the same rule as the
  set-up page that shows it). A user who loses the grant, is deactivated, or whose campaign
  is archived gets 404 from the same link.
- **Revoked** by changing the user's password (the hash is in the signed message), or for
  every link at once by rotating SECRET_KEY. No table and no migration.
- **What it reveals**: days, places and units of the sessions — never a resident.
- Any mismatch is a 404, compared in constant time, as for anything outside a user's scope.

The signed-in download (`campaigns:calendar`) serves the same file for a one-off import.
"""

from django.contrib.auth import get_user_model
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _

from congdanso.campaigns.models import Campaign
from congdanso.core.errors import DomainError, NotFound
from congdanso.scope.access import access_for, campaign_get_for, can_manage

_SALT = "congdanso.web.setup.calendar_links"
_NO_CALENDAR = _("No such calendar.")


def calendar_token(*, campaign_id: int, user: object) -> str:
    """The token of the user's subscription link to the campaign's calendar."""
    message = f"{campaign_id}:{user.pk}:{user.password}"  # type: ignore[attr-defined]
    return salted_hmac(_SALT, message, algorithm="sha256").hexdigest()


def calendar_campaign(*, campaign_id: int, user_id: int, token: str) -> Campaign:
    """The campaign a subscription link opens, or NotFound when the link is not (or no
    longer) valid."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not constant_time_compare(
        token, calendar_token(campaign_id=campaign_id, user=user)
    ):
        raise NotFound(_NO_CALENDAR, code="not_found")
    access = access_for(user)
    try:
        campaign = campaign_get_for(access, campaign_id)
    except DomainError as error:
        raise NotFound(_NO_CALENDAR, code="not_found") from error
    if not can_manage(access, campaign):
        raise NotFound(_NO_CALENDAR, code="not_found")
    return campaign
