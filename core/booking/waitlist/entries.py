"""Joining, listing, accepting and declining a session's waiting list.

An entry asks for 1 to 12 seats on a session that cannot take them now, optionally on any
session of that course at chosen venues starting before a date (flexible), and optionally
booked automatically, paid by link, for the attendees it names (``core.booking.waitlist.enrol``).
Positions count the entries still waiting on a session, in the order they joined.
Accepting keeps the offered hold for the booking to be completed with it
(``bookings.create`` with its ``hold_id``); declining gives the seats straight to the next
entry that fits.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from email.utils import parseaddr
from typing import Any

from pydantic import EmailStr, TypeAdapter, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.booking.attendees import AttendeeInput, parse_attendees
from core.booking.bookings import check_ages
from core.booking.waitlist.offers import (
    close_offer,
    free_seats,
    matches,
    offer_free_seats,
    offer_session_id,
    session_day,
    settle,
    waiting,
)
from core.infra.actor import Actor
from core.infra.clock import now, today_london
from core.infra.config import Settings
from core.infra.errors import NotFound, ValidationFailed
from core.infra.names import real_name
from core.journal import audit
from core.models import MAX_CAPACITY, CourseSession, WaitlistEntry
from core.models.base import blind_index
from core.models.catalogue import Venue
from core.seats.holds import ensure_bookable
from core.seats.locking import lock_session

MAX_VENUES = 20

_EMAIL: TypeAdapter[str] = TypeAdapter(EmailStr)


@dataclass(frozen=True)
class Contact:
    name: str
    email: str

    @classmethod
    def parse(cls, text: str) -> Contact:
        """``Name <email>``, as typed on the command line or sent by a client."""
        name, address = parseaddr(text.strip())
        problem = f'{text[:80]!r} is not a contact in the form "Name <email>".'
        one = text.count("<") == text.count(">") == 1 and text.strip().endswith(">")
        if not name.strip() or not one:
            raise ValidationFailed(problem)
        if len(name) > 120:
            raise ValidationFailed("The contact's name is too long (at most 120 characters).")
        try:
            email = _EMAIL.validate_python(address)
        except ValidationError:
            raise ValidationFailed(problem) from None
        try:
            return cls(real_name(name), email)
        except ValueError as exc:
            raise ValidationFailed(f"The contact's name is not valid: {exc}.") from None


@dataclass(frozen=True)
class Wish:
    """Beyond one session: ``before`` (with ``venues``, default the session's own) makes the
    entry flexible; ``enrol`` (the attendees, one per seat) books it automatically, paid by
    a payment link, when seats come free."""

    before: date | None = None
    venues: Sequence[str] = ()
    enrol: list[AttendeeInput] | None = None


@dataclass(frozen=True)
class EntryView:
    id: int
    session_id: int
    seats: int
    position: int | None
    status: str
    offer_expires: datetime | None
    hold_id: str | None
    contact_name: str
    contact_email: str
    offered_session_id: int | None = None
    before: date | None = None
    venues: list[str] = field(default_factory=list)
    auto_enrol: bool = False
    booking: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "session_id": self.session_id,
            "seats": self.seats,
            "position": self.position,
            "status": self.status,
            "offer_expires": self.offer_expires.isoformat() if self.offer_expires else None,
            "hold_id": self.hold_id,
            "contact": {"name": self.contact_name, "email": self.contact_email},
            "offered_session_id": self.offered_session_id,
            "flexible": {"venues": self.venues, "before": self.before.isoformat()}
            if self.before
            else None,
            "auto_enrol": self.auto_enrol,
            "booking": self.booking,
        }


def _view(entry: WaitlistEntry, position: int | None) -> EntryView:
    return EntryView(
        id=entry.id,
        session_id=entry.session_id,
        seats=entry.seats,
        position=position,
        status=entry.status,
        offer_expires=entry.offer_expires,
        hold_id=entry.hold_id,
        contact_name=entry.contact_name,
        contact_email=entry.contact_email,
        offered_session_id=offer_session_id(entry) if entry.hold_id else None,
        before=entry.before_date,
        venues=list(entry.venues or []),
        auto_enrol=entry.pay_by_link_agreed_at is not None,
        booking=entry.booking.reference if entry.booking else None,
    )


def waiting_or_offered(tx: Session, session_id: int) -> list[WaitlistEntry]:
    stmt = select(WaitlistEntry).where(
        WaitlistEntry.session_id == session_id, WaitlistEntry.status.in_(("waiting", "offered"))
    )
    return list(tx.scalars(stmt))


def _positions(tx: Session, session_id: int) -> dict[int, int]:
    return {e.id: i for i, e in enumerate(waiting(tx, session_id), start=1)}


def _venues(tx: Session, session: CourseSession, wish: Wish) -> list[str]:
    venues = list(dict.fromkeys(v.strip() for v in wish.venues if v.strip()))
    if wish.before is None:
        if venues:
            raise ValidationFailed("Venues are for a flexible entry: give the before date too.")
        return []
    if len(venues) > MAX_VENUES:
        raise ValidationFailed(f"Name at most {MAX_VENUES} venues.")
    unknown = [v for v in venues if tx.get(Venue, v) is None]
    if unknown:
        raise ValidationFailed(f"There is no venue {unknown[0]!r} in the catalogue.")
    return venues or [session.venue_id]


def _check_before(session: CourseSession, before: date | None) -> None:
    if before is None:
        return
    if before <= today_london():
        raise ValidationFailed(
            f"The before date {before:%d/%m/%Y} is not in the future; give a later date."
        )
    if session_day(session) >= before:
        raise ValidationFailed(
            f"Session {session.id} is on {session_day(session):%d/%m/%Y}, not before "
            f"{before:%d/%m/%Y}; give a later date or choose an earlier session."
        )


def _enrolled(session: CourseSession, seats: int, wish: Wish) -> list[AttendeeInput] | None:
    """The attendees to book automatically, one per seat, checked as a booking would be."""
    if wish.enrol is None:
        return None
    if len(wish.enrol) != seats:
        raise ValidationFailed(
            f"Automatic enrolment books {seats} seat{'s' if seats != 1 else ''}: give "
            f"{seats} attendee{'s' if seats != 1 else ''}, not {len(wish.enrol)}."
        )
    people = parse_attendees(wish.enrol)
    emails = [str(p.email).casefold() for p in people]
    twice = next((e for i, e in enumerate(emails) if e in emails[:i]), None)
    if twice is not None:
        raise ValidationFailed(f"{twice} is given twice; each attendee needs their own seat.")
    check_ages(session, people)
    return people


def _room_elsewhere(tx: Session, session: CourseSession, entry: WaitlistEntry) -> None:
    """A flexible entry is refused while a session it would take has the seats now."""
    for other in tx.scalars(
        select(CourseSession).where(
            CourseSession.course_id == session.course_id,
            CourseSession.venue_id.in_(entry.venues or []),
            CourseSession.status != "CANCELLED",
            CourseSession.start_at > now(),
            CourseSession.id != session.id,
        )
    ):
        if matches(entry, other) and free_seats(tx, other) >= entry.seats:
            raise ValidationFailed(
                f"Session {other.id} ({other.venue.name}, {session_day(other):%d/%m/%Y}) "
                f"has {entry.seats} seat{'s' if entry.seats != 1 else ''} free: book it "
                "instead of joining the waiting list."
            )


def check_links(settings: Settings) -> None:
    """Automatic enrolment is paid by payment link: refused when links cannot be made."""
    if not (settings.stripe_secret_key or settings.stripe_api_base):
        raise ValidationFailed(
            "Automatic enrolment is paid by payment link, and card payments are not set up "
            "(STRIPE_SECRET_KEY); join without it and the person is emailed an offer."
        )


class AlreadyWaiting(ValidationFailed):
    """The contact's email already waits (or holds an offer) on this session's list."""


def add(
    tx: Session,
    session_id: int,
    seats: int,
    contact: Contact,
    actor: Actor,
    wish: Wish | None = None,
) -> EntryView:
    """Join a session's waiting list; refused while the seats could simply be booked."""
    wish = wish or Wish()
    if not isinstance(seats, int) or not 1 <= seats <= MAX_CAPACITY:
        raise ValidationFailed(f"Seats must be a whole number from 1 to {MAX_CAPACITY}.")
    session = lock_session(tx, session_id)
    ensure_bookable(session)
    if seats > session.capacity:
        raise ValidationFailed(
            f"The session has {session.capacity} seats in all; {seats} can never fit."
        )
    _check_before(session, wish.before)
    venues = _venues(tx, session, wish)
    people = _enrolled(session, seats, wish)
    free = free_seats(tx, session)
    if seats <= free and not waiting(tx, session_id):
        raise ValidationFailed(
            f"{free} seat{'s are' if free != 1 else ' is'} free on this session: "
            "book them now instead of joining the waiting list."
        )
    digest = blind_index(contact.email)
    already = next(
        (e for e in waiting_or_offered(tx, session_id) if e.contact_email_hash == digest), None
    )
    if already is not None:
        raise AlreadyWaiting(
            f"{contact.email} is already on this waiting list (number {already.id}); "
            "change the seats by declining that entry and joining again."
        )
    at = now()
    entry = WaitlistEntry(
        session_id=session_id,
        seats=seats,
        contact_name=contact.name,
        contact_email=contact.email,
        contact_email_hash=digest,
        status="waiting",
        channel=actor.channel,
        created_by=actor.label,
        created_at=at,
        venues=venues or None,
        before_date=wish.before,
        attendees=json.dumps([p.model_dump(mode="json") for p in people]) if people else None,
        pay_by_link_agreed_at=at if people else None,
    )
    entry.session = session
    if wish.before is not None:
        _room_elsewhere(tx, session, entry)
    tx.add(entry)
    tx.flush()
    if people:
        audit.record(
            tx,
            actor,
            "waitlist.auto_enrol_agreed",
            "waitlist",
            entry.id,
            after={"seats": seats, "pay_by": "link", "attendees": len(people)},
        )
    offer_free_seats(tx, session)
    return _view(entry, _positions(tx, session_id).get(entry.id))


def list_entries(tx: Session, session_id: int) -> list[EntryView]:
    """Every entry on a session's list, in the order they joined."""
    if tx.get(CourseSession, session_id) is None:
        raise NotFound(f"There is no session number {session_id}.")
    positions = _positions(tx, session_id)
    rows = tx.scalars(
        select(WaitlistEntry)
        .where(WaitlistEntry.session_id == session_id)
        .order_by(WaitlistEntry.created_at, WaitlistEntry.id)
    )
    return [_view(e, positions.get(e.id)) for e in rows]


def _locked_entry(tx: Session, entry_id: int) -> tuple[WaitlistEntry, CourseSession]:
    """The entry, under the lock of the session its offer holds seats on (or its own)."""
    entry = tx.get(WaitlistEntry, entry_id)
    if entry is None:
        raise NotFound(f"There is no waiting-list entry number {entry_id}.")
    session = lock_session(tx, offer_session_id(entry))
    tx.refresh(entry)
    return entry, session


def accept(tx: Session, entry_id: int, actor: Actor) -> EntryView:
    """Take up an offer: the held seats stay held until the offer's expiry for the booking."""
    entry, _session = _locked_entry(tx, entry_id)
    if entry.status != "offered":
        raise ValidationFailed(
            f"Waiting-list entry {entry_id} is {entry.status}; only an offer can be accepted."
        )
    if entry.offer_expires is None or entry.offer_expires <= now():
        raise ValidationFailed(f"The offer to waiting-list entry {entry_id} has expired.")
    entry.status = "accepted"
    entry.closed_at = now()
    tx.flush()
    audit.record(tx, actor, "waitlist.accept", "waitlist", entry.id, after={"seats": entry.seats})
    return _view(entry, None)


def decline(tx: Session, entry_id: int, actor: Actor) -> EntryView:
    """Leave the list or turn an offer down; offered seats go to the next entry that fits."""
    entry, session = _locked_entry(tx, entry_id)
    settle(tx, entry, now())  # booked from the emailed link, or lapsed, since the loop looked
    if entry.status not in ("waiting", "offered"):
        raise ValidationFailed(
            f"Waiting-list entry {entry_id} is already {entry.status}; nothing to decline."
        )
    close_offer(tx, entry, "declined")
    audit.record(tx, actor, "waitlist.decline", "waitlist", entry.id, after={"seats": entry.seats})
    offer_free_seats(tx, session)
    return _view(entry, None)
