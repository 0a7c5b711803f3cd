"""The one owner of a booking's status and its session's seats and status.

Every change to ``Booking.status``, ``CourseSession.booked`` or ``CourseSession.status``
(and every hold turned into a booking) happens here, so the counters always match the
bookings and holds behind them and every change reaches the feed. Callers lock the
sessions (``core.seats.locking``) and check the rules first; these functions only write.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from core.journal import changes
from core.models import Booking, CourseSession, SeatHold
from core.models.statuses import BookingStatus, SessionStatus
from core.seats.holds import consume_hold, publish_session

# A booking's seats count in ``CourseSession.booked`` while it is in one of these.
HOLDS_SEATS = frozenset({BookingStatus.PENDING_PAYMENT, BookingStatus.CONFIRMED})


def sync_status(session: CourseSession) -> None:
    """FULL when every seat is booked, SCHEDULED again when one frees up; CANCELLED stays."""
    if session.status != SessionStatus.CANCELLED:
        session.status = (
            SessionStatus.FULL if session.booked >= session.capacity else SessionStatus.SCHEDULED
        )


def publish_booking(tx: Session, booking: Booking, **extra: Any) -> None:
    """Tell the change feed a booking's status, session and seats, plus ``extra`` fields."""
    changes.append(
        tx,
        "booking",
        booking.reference,
        {
            "reference": booking.reference,
            "status": booking.status,
            "session_id": booking.session_id,
            "seats": booking.seats,
        }
        | extra,
    )


def add(tx: Session, session: CourseSession, booking: Booking, hold: SeatHold | None) -> None:
    """A new booking takes its seats on ``session``, from ``hold`` when it came from one."""
    tx.add(booking)
    if booking.status in HOLDS_SEATS:
        session.booked += booking.seats
    sync_status(session)
    tx.flush()
    publish_booking(tx, booking)
    publish_session(tx, session, consume_hold(tx, hold, booking.id) if hold else None)


def confirm(tx: Session, booking: Booking) -> None:
    """PENDING_PAYMENT → CONFIRMED: paid; its seats were counted all along."""
    booking.status = BookingStatus.CONFIRMED
    tx.flush()
    publish_booking(tx, booking)


def cancel(
    tx: Session, session: CourseSession, booking: Booking, reason: str, at: datetime
) -> None:
    """The booking is cancelled at ``at`` and gives its seats back."""
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = at
    booking.cancel_reason = reason
    session.booked -= booking.seats
    sync_status(session)
    tx.flush()
    publish_booking(tx, booking)
    publish_session(tx, session)


def reinstate(tx: Session, session: CourseSession, booking: Booking) -> None:
    """A cancelled booking is CONFIRMED again and takes its seats back (paid after all)."""
    booking.status = BookingStatus.CONFIRMED
    booking.cancelled_at = None
    booking.cancel_reason = None
    session.booked += booking.seats
    sync_status(session)
    tx.flush()
    publish_booking(tx, booking)
    publish_session(tx, session)


def move(
    tx: Session, booking: Booking, source: CourseSession, target: CourseSession, note: str
) -> None:
    """The booking's seats leave ``source`` for ``target``."""
    source.booked -= booking.seats
    target.booked += booking.seats
    sync_status(source)
    sync_status(target)
    booking.session_id = target.id
    tx.flush()
    publish_booking(tx, booking, from_session_id=source.id, note=note)
    publish_session(tx, source)
    publish_session(tx, target)


def cancel_session(tx: Session, session: CourseSession, reason: str, at: datetime) -> None:
    """The session is CANCELLED and its open holds released; its bookings stand until each
    is moved or refunded."""
    session.status = SessionStatus.CANCELLED
    session.cancel_reason = reason
    tx.execute(
        update(SeatHold)
        .where(
            SeatHold.session_id == session.id,
            SeatHold.released_at.is_(None),
            SeatHold.booking_id.is_(None),
        )
        .values(released_at=at)
    )
    tx.flush()
    publish_session(tx, session)
