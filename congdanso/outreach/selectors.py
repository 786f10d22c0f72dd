"""Reads of support sessions."""

import datetime as dt

from django.db.models import Count, QuerySet

from congdanso.campaigns.models import Campaign
from congdanso.outreach.models import SupportSession, Turn


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
