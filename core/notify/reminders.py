"""Reminders 48 hours before a course: one per attendee per session, queued by the sender loop."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from core.availability import get_session
from core.clock import now
from core.db import Database
from core.models import Attendee, Booking, CourseSession, OutboxMessage
from core.notify.booking_emails import session_context
from core.notify.outbox import enqueue

REMINDER_AHEAD = timedelta(hours=48)


def enqueue_due_reminders(db: Database, *, at: datetime | None = None) -> int:
    """Queue a reminder for every attendee of a live booking on a session starting within
    48 hours; each attendee gets one per session however often this runs."""
    at = at or now()
    queued = 0
    with db.write() as tx:
        rows = tx.execute(
            select(Attendee, Booking)
            .join(Booking, Booking.id == Attendee.booking_id)
            .join(CourseSession, CourseSession.id == Booking.session_id)
            .where(
                CourseSession.status != "CANCELLED",
                CourseSession.start_at > at,
                CourseSession.start_at <= at + REMINDER_AHEAD,
                Booking.status == "CONFIRMED",
            )
            .order_by(Booking.session_id, Attendee.id)
        ).all()
        keys = {a.id: f"reminder_48h:{b.session_id}:{a.id}" for a, b in rows}
        done = set(
            tx.scalars(
                select(OutboxMessage.dedupe_key).where(
                    OutboxMessage.dedupe_key.in_(list(keys.values()))
                )
            )
        )
        contexts: dict[int, dict[str, object]] = {}
        for attendee, booking in rows:
            if keys[attendee.id] in done:
                continue
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
                dedupe_key=keys[attendee.id],
            )
            queued += 1
    return queued
