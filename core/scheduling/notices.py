"""Telling attendees that their session was cancelled or moved, and offering each booking a
transfer to another session or a refund, in the same transaction as the change itself.

The refund offered comes from the refund policy (``core.payments.policy``) with its override
applied: when *we* cancel or move a session, the customer gets back everything paid however
close to the date it is, since they did not ask for the change.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from core.infra.clock import now, today_london, uk_datetime
from core.models import Booking, CourseSession
from core.models.admin import RebookingOffer
from core.models.statuses import BookingStatus
from core.notify.booking_emails import booking_context, send_session_changed
from core.payments.policy import RefundPolicy
from core.seats.availability import SessionFilter, SessionView, list_sessions

ALTERNATIVES = 3
POLICY = RefundPolicy()


def active_bookings(tx: Session, session_id: int) -> list[Booking]:
    stmt = (
        select(Booking)
        .where(Booking.session_id == session_id, Booking.status != BookingStatus.CANCELLED)
        .options(selectinload(Booking.attendees), selectinload(Booking.payments))
        .order_by(Booking.id)
    )
    return list(tx.scalars(stmt))


def alternatives(tx: Session, session: CourseSession) -> list[SessionView]:
    """Upcoming sessions of the same course with a free seat, soonest first."""
    found = list_sessions(
        tx,
        SessionFilter(course=session.course_id, date_from=today_london(), include_cancelled=False),
    )
    at = now()
    return [s for s in found if s.id != session.id and s.start > at and s.free > 0]


def _sentence(
    session: CourseSession,
    change: str,
    reason: str | None,
    previous_start: str | None,
    options: list[SessionView],
) -> str:
    what = session.course.name
    if change == "cancelled":
        head = f"We have had to cancel your {what} course"
    else:
        head = (
            f"Your {what} course has moved from {previous_start} to {uk_datetime(session.start_at)}"
        )
        head += f" at {session.venue.name}"
    head += f" ({reason.rstrip('.')})." if reason else "."
    if options:
        dates = "; ".join(f"{uk_datetime(s.start)} at {s.venue_name}" for s in options)
        offer = f" You can transfer free of charge to another date ({dates})"
    else:
        offer = " You can transfer free of charge to a later date"
    return head + offer + ", or have a full refund of what you have paid. Just reply to this email."


def tell_attendees(
    tx: Session,
    session: CourseSession,
    change: str,
    reason: str | None,
    previous_start: str | None = None,
) -> list[RebookingOffer]:
    """Record a transfer-or-refund offer per live booking and email everyone on them.

    ``change`` is ``cancelled`` or ``moved``; ``previous_start`` is the old start of a move.
    """
    bookings = active_bookings(tx, session.id)
    if not bookings:
        return []
    options = alternatives(tx, session)
    offers = []
    for booking in bookings:
        offer = RebookingOffer(
            booking_id=booking.id,
            session_id=session.id,
            change=change,
            alternatives=[s.id for s in options if s.free >= booking.seats][:ALTERNATIVES],
            refund_pence=POLICY.refundable(
                booking_context(tx, booking)["paid_pence"], session.start_at, now(), override=True
            ),
            status="OPEN",
            created_at=now(),
        )
        tx.add(offer)
        offers.append(offer)
    tx.flush()
    send_session_changed(
        tx,
        session.id,
        _sentence(session, change, reason, previous_start, options[:ALTERNATIVES]),
        key=f"{change}:{session.id}:v{session.version}",
    )
    return offers
