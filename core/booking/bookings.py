"""Bookings: confirm a hold with its attendees, cancel, transfer, find.

Every write locks the session rows it touches, recounts seats, keeps the session status
in step (FULL when no seat is free, SCHEDULED again when one is) and appends to the feed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session, selectinload

from core.booking import eligibility, state
from core.booking.attendees import AgeLimit, AttendeeInput, parse_attendees
from core.booking.dues import due_pence, paid_pence
from core.booking.pricing import quote
from core.booking.references import next_reference
from core.booking.waitlist import offers
from core.infra.actor import Actor
from core.infra.clock import LONDON, now, uk_datetime
from core.infra.errors import Conflict, NotFound, ValidationFailed
from core.invoicing.invoices import credit_booking
from core.models import Attendee, Booking, CourseSession, SeatHold
from core.models.base import blind_index
from core.models.statuses import BookingStatus
from core.notify import booking_emails
from core.seats.availability import SessionView, get_session
from core.seats.holds import (
    check_active,
    check_seats,
    ensure_bookable,
    holds_token,
)
from core.seats.locking import lock_hold_session, lock_session, lock_sessions


@dataclass(frozen=True)
class BookingView:
    id: int
    reference: str
    status: str
    channel: str
    session: SessionView
    seats: int
    unit_price_pence: int
    subtotal_pence: int
    discount_pence: int
    total_pence: int
    customer_name: str
    customer_email: str
    customer_phone: str | None
    attendees: list[dict[str, Any]]
    payments: list[dict[str, Any]]
    paid_pence: int
    due_pence: int
    created_at: datetime
    cancelled_at: datetime | None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "reference": self.reference,
            "status": self.status,
            "channel": self.channel,
            "session": self.session.to_json(),
            "seats": self.seats,
            "unit_price_pence": self.unit_price_pence,
            "subtotal_pence": self.subtotal_pence,
            "discount_pence": self.discount_pence,
            "total_pence": self.total_pence,
            "customer": {
                "name": self.customer_name,
                "email": self.customer_email,
                "phone": self.customer_phone,
            },
            "attendees": self.attendees,
            "payments": self.payments,
            "paid_pence": self.paid_pence,
            "due_pence": self.due_pence,
            "created_at": self.created_at.isoformat(),
            "cancelled_at": self.cancelled_at.isoformat() if self.cancelled_at else None,
        }


def view_of(tx: Session, booking: Booking, session: SessionView | None = None) -> BookingView:
    """The booking as clients see it; ``session``: its session's view, when known."""
    return BookingView(
        id=booking.id,
        reference=booking.reference,
        status=booking.status,
        channel=booking.channel,
        session=session or get_session(tx, booking.session_id),
        seats=booking.seats,
        unit_price_pence=booking.unit_price_pence,
        subtotal_pence=booking.subtotal_pence,
        discount_pence=booking.discount_pence,
        total_pence=booking.total_pence,
        customer_name=booking.customer_name,
        customer_email=booking.customer_email,
        customer_phone=booking.customer_phone,
        attendees=[
            {
                "id": a.id,
                "name": a.name,
                "email": a.email,
                "phone": a.phone,
                "date_of_birth": a.date_of_birth.isoformat(),
                "special_requirements": a.special_requirements,
            }
            for a in booking.attendees
        ],
        payments=[
            {
                "id": p.id,
                "kind": p.kind,
                "method": p.method,
                "status": p.status,
                "amount_pence": p.amount_pence,
                "created_at": p.created_at.isoformat(),
            }
            for p in booking.payments
        ],
        paid_pence=paid_pence(booking),
        due_pence=due_pence(booking),
        created_at=booking.created_at,
        cancelled_at=booking.cancelled_at,
    )


def check_ages(session: CourseSession, people: list[AttendeeInput]) -> None:
    limit = AgeLimit(
        session.course.name, session.course.min_age, session.start_at.astimezone(LONDON).date()
    )
    for i, person in enumerate(people):
        problem = limit.problem(person.date_of_birth)
        if problem:
            raise ValidationFailed(f"Attendee {i + 1} ({person.name}) {problem}")


def record_booking(
    tx: Session,
    session: CourseSession,
    people: list[AttendeeInput],
    actor: Actor,
    *,
    status: BookingStatus = BookingStatus.CONFIRMED,
    customer: AttendeeInput | None = None,
    created_at: datetime | None = None,
    hold: SeatHold | None = None,
) -> Booking:
    """Write a booking for an already locked and checked session (also used by demo data),
    taking the seats of ``hold`` when it came from one."""
    created_at = created_at or now()
    price = quote(session.unit_price_pence, len(people))
    payer = customer or people[0]
    booking = Booking(
        reference=next_reference(tx, created_at.astimezone(LONDON).year),
        session_id=session.id,
        status=status,
        channel=actor.channel,
        seats=len(people),
        unit_price_pence=price.unit_pence,
        subtotal_pence=price.subtotal_pence,
        discount_pence=price.discount_pence,
        total_pence=price.total_pence,
        customer_name=payer.name,
        customer_email=str(payer.email),
        customer_email_hash=blind_index(str(payer.email)),
        customer_phone=payer.phone,
        created_by=actor.label,
        created_at=created_at,
        payments=[],
        attendees=[
            Attendee(
                name=p.name,
                email=str(p.email),
                email_hash=blind_index(str(p.email)),
                phone=p.phone,
                date_of_birth=p.date_of_birth,
                special_requirements=p.special_requirements,
                emergency_phone=p.emergency_phone,
            )
            for p in people
        ],
    )
    state.add(tx, session, booking, hold)
    return booking


def confirm_hold(
    tx: Session,
    hold_id: str,
    attendees: list[dict[str, Any]] | list[AttendeeInput],
    actor: Actor,
    *,
    status: BookingStatus = BookingStatus.CONFIRMED,
    customer: AttendeeInput | None = None,
    claims: eligibility.EligibilityInput | None = None,
    token: str | None = None,
) -> Booking:
    """Turn an active hold into a booking. Extra attendees beyond the hold need free seats.
    ``token``, when given, must be the hold's (checked first: NotFound otherwise)."""
    session, hold = lock_hold_session(tx, hold_id)
    if token is not None and not holds_token(hold, token):
        raise NotFound("That seat hold does not exist.")
    people = parse_attendees(attendees)
    check_active(tx, hold)
    ensure_bookable(session)
    check_ages(session, people)
    checked = eligibility.check_people(tx, session, people, actor, claims)
    if len(people) > hold.seats:
        check_seats(tx, session, len(people), ignoring=hold.seats)
    booking = record_booking(
        tx, session, people, actor, status=status, customer=customer, hold=hold
    )
    checked.record(tx, actor, booking.reference)
    if status == BookingStatus.CONFIRMED:
        booking_emails.send_confirmation(tx, booking, new=True)
    return booking


def book_now(
    tx: Session,
    session_id: int,
    attendees: list[dict[str, Any]] | list[AttendeeInput],
    actor: Actor,
    *,
    status: BookingStatus = BookingStatus.CONFIRMED,
    claims: eligibility.EligibilityInput | None = None,
) -> Booking:
    """Check and book in one step (the command line's ``rft book``)."""
    people = parse_attendees(attendees)
    session = lock_session(tx, session_id)
    ensure_bookable(session)
    check_ages(session, people)
    checked = eligibility.check_people(tx, session, people, actor, claims)
    check_seats(tx, session, len(people))
    booking = record_booking(tx, session, people, actor, status=status)
    checked.record(tx, actor, booking.reference)
    if status == BookingStatus.CONFIRMED:
        booking_emails.send_confirmation(tx, booking, new=True)
    return booking


def find(tx: Session, reference: str) -> Booking:
    booking = tx.scalars(
        select(Booking)
        .where(Booking.reference == reference.strip().upper())
        .options(selectinload(Booking.attendees), selectinload(Booking.payments))
    ).first()
    if booking is None:
        raise NotFound(f"There is no booking with reference {reference.strip()!r}.")
    return booking


def _refresh_locked(tx: Session, booking: Booking, locked_session_id: int) -> None:
    """Re-read a booking once its session is locked; a concurrent move is a conflict."""
    tx.refresh(booking)
    if booking.session_id != locked_session_id:
        raise Conflict(f"Booking {booking.reference} was just changed at another desk; try again.")


def cancel(
    tx: Session, reference: str, actor: Actor, reason: str | None = None, *, notify: bool = True
) -> Booking:
    """Cancel a booking and give its seats back. Cancelling twice is an error, not a no-op.

    ``notify`` queues the cancellation email (payments sends its own when a link expires);
    an employer's invoiced booking is credited with a credit note."""
    booking = find(tx, reference)
    session = lock_session(tx, booking.session_id)
    _refresh_locked(tx, booking, session.id)
    if booking.status == BookingStatus.CANCELLED:
        raise ValidationFailed(f"Booking {booking.reference} is already cancelled.")
    reason = reason or f"cancelled by {actor.label}"
    state.cancel(tx, session, booking, reason, now())
    if booking.organisation_id is not None:
        credit_booking(tx, booking, actor, reason)
    offers.offer_free_seats(tx, session)
    if notify:
        booking_emails.send_cancellation(tx, booking)
    return booking


def transfer(tx: Session, reference: str, to_session_id: int, actor: Actor) -> Booking:
    """Move a booking to another date of the same course; price stays as booked, and the
    customer is emailed the new dates."""
    booking = find(tx, reference)
    if booking.session_id == to_session_id:
        raise ValidationFailed("The booking is already on that session.")
    locked = lock_sessions(tx, booking.session_id, to_session_id)
    _refresh_locked(tx, booking, booking.session_id)
    source, target = locked[booking.session_id], locked[to_session_id]
    if booking.status == BookingStatus.CANCELLED:
        raise ValidationFailed(f"Booking {booking.reference} is cancelled and cannot be moved.")
    if source.course_id != target.course_id:
        raise ValidationFailed(
            f"A booking can only move to another {source.course.name} session, "
            f"not to {target.course.name}."
        )
    ensure_bookable(target)
    check_seats(tx, target, booking.seats)
    state.move(
        tx, booking, source, target, f"moved to {uk_datetime(target.start_at)} by {actor.label}"
    )
    offers.offer_free_seats(tx, source)
    tx.refresh(booking)
    booking_emails.send_moved(tx, booking, source.id)
    return booking


def by_or_for(email: str) -> ColumnElement[bool]:
    """Bookings that ``email`` made or attends (matched on the keyed hash, case-insensitive)."""
    digest = blind_index(email)
    return or_(
        Booking.customer_email_hash == digest,
        Booking.id.in_(select(Attendee.booking_id).where(Attendee.email_hash == digest)),
    )


def search(tx: Session, text: str, limit: int = 50) -> list[Booking]:
    """Find bookings by reference, email (exact, via the keyed hash) or name (recent bookings).

    Names are encrypted, so a name search decrypts bookings for sessions from a year ago on.
    """
    text = text.strip()
    if len(text) < 2:
        raise ValidationFailed("Type at least two characters to search.")
    load = (selectinload(Booking.attendees), selectinload(Booking.payments))
    if text.upper().startswith("RFT-"):
        stmt = select(Booking).where(Booking.reference.like(text.upper() + "%"))
        return list(tx.scalars(stmt.options(*load).order_by(Booking.id.desc()).limit(limit)))
    if "@" in text:
        stmt = select(Booking).where(by_or_for(text))
        return list(tx.scalars(stmt.options(*load).order_by(Booking.id.desc()).limit(limit)))
    since = now() - timedelta(days=365)
    stmt = (
        select(Booking)
        .join(CourseSession, CourseSession.id == Booking.session_id)
        .where(CourseSession.start_at >= since)
        .options(*load)
        .order_by(Booking.id.desc())
    )
    needle = text.casefold()
    found = []
    for booking in tx.scalars(stmt):
        names = [booking.customer_name, *(a.name for a in booking.attendees)]
        if any(needle in n.casefold() for n in names):
            found.append(booking)
            if len(found) >= limit:
                break
    return found


def why_matched(booking: Booking, text: str) -> str:
    """Which part of ``booking`` a ``search`` for ``text`` found, in a few words:
    ``reference``, ``customer email``, ``attendee email (Ava Khan)``, ``customer name``,
    ``attendee Ava Khan``."""
    text = text.strip()
    if text.upper().startswith("RFT-"):
        return "reference"
    if "@" in text:
        digest = blind_index(text)
        if booking.customer_email_hash == digest:
            return "customer email"
        who = next((a for a in booking.attendees if a.email_hash == digest), None)
        return f"attendee email ({who.name})" if who else "email"
    needle = text.casefold()
    if needle in booking.customer_name.casefold():
        return "customer name"
    who = next((a for a in booking.attendees if needle in a.name.casefold()), None)
    return f"attendee {who.name}" if who else "name"
