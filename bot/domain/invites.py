"""Calendar invites for a booked session: an iCalendar file (RFC 5545) and "add to calendar" links.

One booking keeps one UID for its whole life; every move raises SEQUENCE, so calendars replace the entry they
have rather than adding a second one, and a cancellation is the same UID with METHOD:CANCEL.

Turnabout knows people's Slack ids, not their e-mail addresses (it asks for no e-mail scope), so the file is
published (METHOD:PUBLISH), not sent as a meeting request with attendees: each person adds it to their own
calendar from the conversation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from icalendar import Calendar, Event

from bot.domain.scheduling import Slot, is_link
from bot.domain.timezones import aware_utc

PRODID = "-//Turnabout//Reverse mentoring//EN"


@dataclass(frozen=True)
class Invite:
    """What a calendar entry says about one booked session."""

    uid: str
    sequence: int
    slot: Slot
    title: str
    description: str


def ics(invite: Invite, *, now: datetime, cancelled: bool = False) -> bytes:
    """The invite as an .ics file; `cancelled` makes it the cancellation of the same entry."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    event = Event()
    event.add("uid", invite.uid)
    event.add("sequence", invite.sequence)
    event.add("dtstamp", aware_utc(now, "now"))
    event.add("dtstart", aware_utc(invite.slot.start, "start"))
    event.add("dtend", aware_utc(invite.slot.end, "end"))
    event.add("summary", invite.title)
    event.add("description", invite.description)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    if invite.slot.place:
        event.add("location", invite.slot.place)
        if is_link(invite.slot.place):
            event.add("url", invite.slot.place)
    calendar.add_component(event)
    return calendar.to_ical()


def _stamp(when: datetime) -> str:
    return aware_utc(when, "when").strftime("%Y%m%dT%H%M%SZ")


def google_link(invite: Invite) -> str:
    """Google Calendar's "create event" page, filled in."""
    query = {
        "action": "TEMPLATE",
        "text": invite.title,
        "dates": f"{_stamp(invite.slot.start)}/{_stamp(invite.slot.end)}",
        "details": invite.description,
        "location": invite.slot.place,
    }
    return "https://calendar.google.com/calendar/render?" + urlencode(query)


def outlook_link(invite: Invite) -> str:
    """Outlook on the web's "new event" page, filled in (works for work and school accounts)."""
    query = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": invite.title,
        "startdt": aware_utc(invite.slot.start, "start").isoformat(),
        "enddt": aware_utc(invite.slot.end, "end").isoformat(),
        "body": invite.description,
        "location": invite.slot.place,
    }
    return "https://outlook.office.com/calendar/0/deeplink/compose?" + urlencode(query)
