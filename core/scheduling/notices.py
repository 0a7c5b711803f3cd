"""Telling attendees that their session was cancelled or moved, and offering each booking a
transfer to another session or a refund, in the same transaction as the change itself."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from core.availability import SessionFilter, list_sessions
from core.clock import now, today_london, uk_datetime
from core.models import Booking, CourseSession
from core.models.admin import RebookingOffer
from core.money import gbp
from core.notify.outbox import enqueue
from core.payments.refunds import refund_due

TEMPLATE = "session_changed"
ALTERNATIVES = 3


def active_bookings(tx: Session, session_id: int) -> list[Booking]:
    stmt = (
        select(Booking)
        .where(Booking.session_id == session_id, Booking.status != "CANCELLED")
        .options(selectinload(Booking.attendees), selectinload(Booking.payments))
        .order_by(Booking.id)
    )
    return list(tx.scalars(stmt))


def _alternatives(tx: Session, session: CourseSession) -> list[dict[str, Any]]:
    found = list_sessions(
        tx,
        SessionFilter(course=session.course_id, date_from=today_london(), include_cancelled=False),
    )
    at = now()
    return [
        {"id": s.id, "when": uk_datetime(s.start), "venue": s.venue_name, "free": s.free}
        for s in found
        if s.id != session.id and s.start > at and s.free > 0
    ]


def _recipients(booking: Booking) -> list[tuple[str, str]]:
    """(name, email) for the customer and each attendee, each address once."""
    seen: dict[str, tuple[str, str]] = {}
    for name, email in [(booking.customer_name, booking.customer_email)] + [
        (a.name, a.email) for a in booking.attendees
    ]:
        seen.setdefault(email.strip().lower(), (name, email.strip()))
    return list(seen.values())


def tell_attendees(
    tx: Session,
    session: CourseSession,
    change: str,
    reason: str | None,
    previous_start: str | None = None,
) -> list[RebookingOffer]:
    """Email everyone booked on ``session`` and record a transfer-or-refund offer per booking.

    ``change`` is ``cancelled`` or ``moved``; ``previous_start`` is the old date for a move.
    """
    offers = []
    options = _alternatives(tx, session)
    for booking in active_bookings(tx, session.id):
        fits = [o for o in options if o["free"] >= booking.seats][:ALTERNATIVES]
        refund = refund_due(tx, booking, cause="session_" + change)
        offer = RebookingOffer(
            booking_id=booking.id,
            session_id=session.id,
            change=change,
            alternatives=[o["id"] for o in fits],
            refund_pence=refund,
            status="OPEN",
            created_at=now(),
        )
        tx.add(offer)
        offers.append(offer)
        for name, email in _recipients(booking):
            enqueue(
                tx,
                template=TEMPLATE,
                to=email,
                context={
                    "name": name,
                    "reference": booking.reference,
                    "change": change,
                    "reason": reason,
                    "course_name": session.course.name,
                    "venue_name": session.venue.name,
                    "previous_start": previous_start,
                    "start": uk_datetime(session.start_at),
                    "alternatives": fits,
                    "refund": gbp(refund),
                    "refund_pence": refund,
                },
                dedupe_key=f"session-{change}:{session.id}:v{session.version}:"
                f"{booking.reference}:{email.lower()}",
            )
    tx.flush()
    return offers
