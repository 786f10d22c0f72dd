"""Support sessions as iCalendar (RFC 5545), so they open in any calendar app.

One VEVENT per session:

- UID `session-<id>@congdanso`: importing the file again updates the events instead of
  doubling them. A proposal not saved yet gets `proposal-<campaign id>-<place code>-<yyyymmdd>
  @congdanso` and STATUS TENTATIVE; saved sessions are CONFIRMED, or CANCELLED.
- DTSTAMP is when the file is made (`stamp`, now by default), CREATED when the session was.
- A session without a start time is an all-day event (DTSTART/DTEND as dates, the end
  exclusive); otherwise local times with TZID Asia/Ho_Chi_Minh and its VTIMEZONE, and DTEND
  only when the session has an end time after its start.
- SUMMARY is the session's title or "Digital citizen support — <place>", LOCATION the place
  and its commune, DESCRIPTION the campaign, the units present and the note — rendered in
  `language` (Vietnamese by default), NFC. The library folds long lines at 75 octets without
  splitting a UTF-8 character.

Pass sessions from `outreach.selectors.session_list` (place, commune, campaign and units
fetched) so that a calendar of a whole campaign costs no query per session.
"""

import datetime as dt
import unicodedata
from collections.abc import Iterable, Sequence
from zoneinfo import ZoneInfo

import icalendar
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from congdanso.campaigns.models import Campaign
from congdanso.outreach.models import SessionStatus, SupportSession
from congdanso.outreach.schedule import ProposedSession
from congdanso.partners.models import Unit

#: Sessions happen in Vietnam whatever the server's zone.
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
PRODID = "-//congdanso//Chiến dịch công dân số//VI"


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _event(
    session: SupportSession, *, uid: str, status: str, units: Sequence[Unit]
) -> icalendar.Event:
    place = session.place
    event = icalendar.Event()
    event.add("uid", uid)
    default = _("Digital citizen support — %(place)s") % {"place": place.name}
    event.add("summary", _nfc(session.title or default))
    commune = place.commune if place.commune_id not in (None, place.pk) else None
    event.add("location", _nfc(", ".join(p.name for p in (place, commune) if p is not None)))
    lines = [_("Campaign: %(name)s") % {"name": session.campaign.name}]
    if units:
        lines.append(_("Units present: %(names)s") % {"names": ", ".join(u.name for u in units)})
    if status == "TENTATIVE":
        lines.append(_("Proposed, not saved yet."))
    if session.note:
        lines.append(session.note)
    event.add("description", _nfc("\n".join(lines)))
    event.add("status", status)
    if session.starts_at is None:
        event.add("dtstart", session.date)
        event.add("dtend", session.date + dt.timedelta(days=1))
    else:
        event.add("dtstart", dt.datetime.combine(session.date, session.starts_at, VIETNAM))
        if session.ends_at is not None and session.ends_at > session.starts_at:
            event.add("dtend", dt.datetime.combine(session.date, session.ends_at, VIETNAM))
    if session.created_at is not None:
        event.add("created", session.created_at.astimezone(dt.UTC))
    return event


def _calendar(
    events: Iterable[icalendar.Event], *, calendar_name: str, stamp: dt.datetime | None
) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", _nfc(calendar_name))
    calendar.add("x-wr-timezone", str(VIETNAM))
    stamped = (stamp or timezone.now()).astimezone(dt.UTC)
    for event in events:
        event.add("dtstamp", stamped)
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def sessions_ics(
    sessions: Iterable[SupportSession],
    *,
    calendar_name: str,
    language: str = "vi",
    stamp: dt.datetime | None = None,
) -> bytes:
    """Saved sessions as an .ics file."""
    with translation.override(language):
        events = [
            _event(
                session,
                uid=f"session-{session.pk}@congdanso",
                status="CANCELLED" if session.status == SessionStatus.CANCELLED else "CONFIRMED",
                units=list(session.units.all()),
            )
            for session in sessions
        ]
    return _calendar(events, calendar_name=calendar_name, stamp=stamp)


def proposals_ics(
    proposals: Iterable[ProposedSession],
    *,
    campaign: Campaign,
    calendar_name: str,
    units: Sequence[Unit] = (),
    starts_at: dt.time | None = None,
    ends_at: dt.time | None = None,
    language: str = "vi",
    stamp: dt.datetime | None = None,
) -> bytes:
    """A proposal (not saved) as an .ics file of tentative events."""
    with translation.override(language):
        events = [
            _event(
                SupportSession(
                    campaign=campaign,
                    place=proposal.place,
                    date=proposal.date,
                    starts_at=starts_at,
                    ends_at=ends_at,
                ),
                uid=f"proposal-{campaign.pk}-{proposal.place.code}-{proposal.date:%Y%m%d}@congdanso",
                status="TENTATIVE",
                units=units,
            )
            for proposal in proposals
        ]
    return _calendar(events, calendar_name=calendar_name, stamp=stamp)
