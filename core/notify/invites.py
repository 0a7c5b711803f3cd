"""Calendar invites (.ics): one event per teaching day, in Europe/London time."""

from __future__ import annotations

from functools import cache

from icalendar import Calendar, Event, Timezone

from core.infra.clock import LONDON
from core.seats.availability import SessionView

PRODID = "-//RFT First Aid Training//Booking//EN"


def session_invite(
    session: SessionView,
    *,
    reference: str | None = None,
    location: str | None = None,
    method: str = "PUBLISH",
    cancelled: bool = False,
) -> bytes:
    """An iCalendar file with a VEVENT per session day; UIDs are stable so updates replace."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", "CANCEL" if cancelled else method)
    total = len(session.days)
    for index, (start, end) in enumerate(session.days, start=1):
        event = Event()
        suffix = f" (day {index} of {total})" if total > 1 else ""
        event.add("summary", f"{session.course_name}{suffix}")
        event.add("dtstart", start.astimezone(LONDON))
        event.add("dtend", end.astimezone(LONDON))
        event.add("uid", f"rft-session-{session.id}-day-{index}@rft-training.co.uk")
        event.add("sequence", session.version)
        event.add("location", location or session.venue_name)
        note = f"Booking reference {reference}. " if reference else ""
        event.add("description", f"{note}{session.course_name} at {session.venue_name}.")
        event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        cal.add_component(event)
    if cal.get_missing_tzids() != {LONDON.key}:
        cal.add_missing_timezones()
        return bytes(cal.to_ical())
    # what add_missing_timezones() would add, first among the components
    head, first_event, rest = bytes(cal.to_ical()).partition(b"BEGIN:VEVENT\r\n")
    return head + london_timezone() + first_event + rest


@cache
def london_timezone() -> bytes:
    """Europe/London's VTIMEZONE as iCalendar text, built once (icalendar takes several
    milliseconds to build and write it)."""
    return bytes(Timezone.from_tzid(LONDON.key).to_ical())
