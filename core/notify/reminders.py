"""Reminders 48 hours before a course: one per attendee per session, queued by the sender loop."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.infra.clock import now
from core.infra.db import Database
from core.models import Attendee, Booking, CourseSession, OutboxMessage
from core.models.statuses import BookingStatus, SessionStatus
from core.notify.booking_emails import session_context
from core.notify.outbox import enqueue
from core.seats.availability import get_session

REMINDER_AHEAD = timedelta(hours=48)


def _missing(tx: Session, at: datetime) -> dict[int, str]:
    """Attendee id → dedupe key for reminders that are due and not yet queued."""
    rows = tx.execute(
        select(Attendee.id, Booking.session_id)
        .join(Booking, Booking.id == Attendee.booking_id)
        .join(CourseSession, CourseSession.id == Booking.session_id)
        .where(
            CourseSession.status != SessionStatus.CANCELLED,
            CourseSession.start_at > at,
            CourseSession.start_at <= at + REMINDER_AHEAD,
            Booking.status == BookingStatus.CONFIRMED,
        )
        .order_by(Booking.session_id, Attendee.id)
    ).all()
    keys = {attendee_id: f"reminder_48h:{sid}:{attendee_id}" for attendee_id, sid in rows}
    done = set(
        tx.scalars(
            select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.in_(keys.values()))
        )
    )
    return {a: k for a, k in keys.items() if k not in done}


def enqueue_due_reminders(db: Database, *, at: datetime | None = None) -> int:
    """Queue a reminder for every attendee of a confirmed booking on a session starting within
    48 hours; each attendee gets one per session however often this runs (every sender pass:
    the check is a read, and a write happens only when something is due)."""
    at = at or now()
    with db.read() as tx:
        if not _missing(tx, at):
            return 0
    with db.write() as tx:
        missing = _missing(tx, at)
        contexts: dict[int, dict[str, object]] = {}
        for attendee_id, key in missing.items():
            attendee = tx.get_one(Attendee, attendee_id)
            booking = attendee.booking
            if booking.session_id not in contexts:
                contexts[booking.session_id] = session_context(
                    tx, get_session(tx, booking.session_id)
                )
            enqueue(
                tx,
                template="reminder_48h",
                to=attendee.email,
                context=contexts[booking.session_id]
                | {"name": attendee.name, "reference": booking.reference},
                dedupe_key=key,
            )
        return len(missing)
