"""Reads of support sessions."""

import datetime as dt

from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from congdanso.campaigns.models import Campaign
from congdanso.core.errors import DomainError, Message
from congdanso.outreach.models import SessionStatus, SupportSession, Turn


def session_list(
    *, campaign: Campaign, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> QuerySet[SupportSession]:
    """The campaign's sessions (cancelled ones included) with what a listing or a calendar
    shows: place and commune, campaign, units, and `turn_count` (registered turns)."""
    sessions = SupportSession.objects.filter(campaign=campaign)
    if date_from is not None:
        sessions = sessions.filter(date__gte=date_from)
    if date_to is not None:
        sessions = sessions.filter(date__lte=date_to)
    return (
        sessions.select_related("place", "place__commune", "campaign")
        .prefetch_related("units")
        .annotate(turn_count=Count("turns"))
        .order_by("date", "starts_at", "place__path", "id")
    )


def session_residents(session_id: int | None) -> list[int]:
    """The residents the session's turns are for (a resident helped twice comes twice): the
    people whose figures change when the session does."""
    if session_id is None:
        return []
    return list(
        Turn.objects.filter(session_id=session_id).order_by().values_list("resident_id", flat=True)
    )


def sessions_outside_period_check(
    campaign: Campaign, start_date: dt.date, end_date: dt.date
) -> None:
    """Refuse a new period of the campaign that would leave planned or held sessions outside
    it (a session is held within its campaign: session_create refuses otherwise). Registered
    as the campaigns' period check (core.hooks) by this app."""
    outside = (
        SupportSession.objects.filter(campaign=campaign)
        .exclude(status=SessionStatus.CANCELLED)
        .exclude(date__range=(start_date, end_date))
        .order_by("date")
        .values_list("date", flat=True)
    )
    dates = list(outside[:1])
    if dates:
        raise DomainError(
            Message(
                _(
                    "Sessions of the campaign fall outside the new period (%(count)s, the first "
                    "on %(date)s): move or cancel them first."
                ),
                count=outside.count(),
                date=dates[0].strftime("%d/%m/%Y"),
            ),
            code="sessions_outside_period",
        )


def turn_to_undo(*, session: SupportSession, user_id: int | None, minutes: int) -> Turn | None:
    """The user's last tick in the session, if it is recent enough to take back."""
    if user_id is None:
        return None
    since = timezone.now() - dt.timedelta(minutes=minutes)
    return (
        Turn.objects.filter(
            commune_id=session.place.commune_id,
            session=session,
            recorded_by_id=user_id,
            recorded_at__gte=since,
        )
        .select_related("resident", "criterion")
        .order_by("-recorded_at", "-id")
        .first()
    )
