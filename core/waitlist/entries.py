"""Joining, listing, accepting and declining a session's waiting list.

An entry asks for 1 to 12 seats on a session that cannot take them now. Positions count
the entries still waiting, in the order they joined. Accepting keeps the offered hold for
the booking to be completed with it (``bookings.create`` with its ``hold_id``); declining
gives the seats straight to the next entry that fits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.utils import parseaddr
from typing import Any

from pydantic import EmailStr, TypeAdapter, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.infra.actor import Actor
from core.infra.clock import now
from core.infra.errors import NotFound, ValidationFailed
from core.journal import audit
from core.models import MAX_CAPACITY, CourseSession, WaitlistEntry
from core.models.base import blind_index
from core.seats.holds import ensure_bookable
from core.seats.locking import lock_session
from core.waitlist.offers import close_offer, free_seats, offer_free_seats, waiting

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
        return cls(name.strip(), email)


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
    )


def waiting_or_offered(tx: Session, session_id: int) -> list[WaitlistEntry]:
    stmt = select(WaitlistEntry).where(
        WaitlistEntry.session_id == session_id, WaitlistEntry.status.in_(("waiting", "offered"))
    )
    return list(tx.scalars(stmt))


def _positions(tx: Session, session_id: int) -> dict[int, int]:
    return {e.id: i for i, e in enumerate(waiting(tx, session_id), start=1)}


def add(tx: Session, session_id: int, seats: int, contact: Contact, actor: Actor) -> EntryView:
    """Join a session's waiting list; refused while the seats could simply be booked."""
    if not isinstance(seats, int) or not 1 <= seats <= MAX_CAPACITY:
        raise ValidationFailed(f"Seats must be a whole number from 1 to {MAX_CAPACITY}.")
    session = lock_session(tx, session_id)
    ensure_bookable(session)
    if seats > session.capacity:
        raise ValidationFailed(
            f"The session has {session.capacity} seats in all; {seats} can never fit."
        )
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
        raise ValidationFailed(
            f"{contact.email} is already on this waiting list (number {already.id}); "
            "change the seats by declining that entry and joining again."
        )
    entry = WaitlistEntry(
        session_id=session_id,
        seats=seats,
        contact_name=contact.name,
        contact_email=contact.email,
        contact_email_hash=digest,
        status="waiting",
        channel=actor.channel,
        created_by=actor.label,
        created_at=now(),
    )
    tx.add(entry)
    tx.flush()
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


def _locked_entry(tx: Session, entry_id: int) -> WaitlistEntry:
    entry = tx.get(WaitlistEntry, entry_id)
    if entry is None:
        raise NotFound(f"There is no waiting-list entry number {entry_id}.")
    lock_session(tx, entry.session_id)
    tx.refresh(entry)
    return entry


def accept(tx: Session, entry_id: int, actor: Actor) -> EntryView:
    """Take up an offer: the held seats stay held until the offer's expiry for the booking."""
    entry = _locked_entry(tx, entry_id)
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
    entry = _locked_entry(tx, entry_id)
    if entry.status not in ("waiting", "offered"):
        raise ValidationFailed(
            f"Waiting-list entry {entry_id} is already {entry.status}; nothing to decline."
        )
    close_offer(tx, entry, "declined")
    audit.record(tx, actor, "waitlist.decline", "waitlist", entry.id, after={"seats": entry.seats})
    offer_free_seats(tx, entry.session)
    return _view(entry, None)
