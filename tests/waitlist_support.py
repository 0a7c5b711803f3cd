"""Helpers for waiting-list and eligibility tests: full sessions, entries, certificates."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select, update

from core.booking import bookings
from core.booking.waitlist import entries
from core.infra.actor import Actor
from core.infra.clock import now, today_london
from core.infra.db import Database
from core.models import Booking, OutboxMessage, SeatHold, WaitlistEntry
from core.models.attendance import Certificate
from tests.factories import make_session, person

DESK = Actor("Front Desk", "reception", "desk")


def full_session(db: Database, groups: list[int], **kwargs: object) -> tuple[int, list[str]]:
    """A session whose capacity is exactly the bookings of these group sizes."""
    sid = make_session(db, capacity=sum(groups), **kwargs)  # type: ignore[arg-type]
    refs = []
    n = 0
    for size in groups:
        with db.write() as tx:
            people = [person(n + i) for i in range(size)]
            refs.append(bookings.book_now(tx, sid, people, DESK).reference)
        n += size
    return sid, refs


def join(db: Database, sid: int, seats: int, who: str) -> int:
    with db.write() as tx:
        contact = entries.Contact(who.title(), f"{who}@example.com")
        return entries.add(tx, sid, seats, contact, DESK).id


def statuses(db: Database, sid: int) -> dict[int, tuple[str, int | None]]:
    with db.read() as tx:
        return {e.id: (e.status, e.position) for e in entries.list_entries(tx, sid)}


def offer_mails(db: Database) -> list[str]:
    """Recipients of waiting-list offers queued in the outbox."""
    with db.read() as tx:
        rows = tx.scalars(select(OutboxMessage).where(OutboxMessage.template == "waitlist_offer"))
        return sorted(r.recipient for r in rows)


def lapse_offers(db: Database) -> None:
    """Move every open offer's deadline (and its hold's) into the past."""
    past = now() - timedelta(minutes=1)
    with db.write() as tx:
        ids = list(
            tx.scalars(select(WaitlistEntry.hold_id).where(WaitlistEntry.hold_id.is_not(None)))
        )
        tx.execute(
            update(WaitlistEntry)
            .where(WaitlistEntry.status.in_(("offered", "accepted")))
            .values(offer_expires=past)
        )
        tx.execute(update(SeatHold).where(SeatHold.id.in_(ids)).values(expires_at=past))


def certify(db: Database, email: str, course: str, expires: date) -> str:
    """A certificate in ``course`` for the holder of ``email``, on record as issued here."""
    sid = make_session(db, course="efaw", days_ahead=40)
    with db.write() as tx:
        booking = bookings.book_now(
            tx, sid, [{"name": "Cert Holder", "email": email, "date_of_birth": "1980-01-01"}], DESK
        )
        attendee = tx.scalars(select(Booking).where(Booking.id == booking.id)).one().attendees[0]
        number = f"RFT-C{expires.year - 3}-{attendee.id:06d}"
        tx.add(
            Certificate(
                number=number,
                attendee_id=attendee.id,
                booking_id=booking.id,
                session_id=sid,
                course_id=course,
                venue_id="leeds",
                course_name=course,
                issued_on=today_london(),
                expires_on=expires,
                issued_at=now(),
            )
        )
    return number
