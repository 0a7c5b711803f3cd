"""Reminders 48 hours ahead, once each; change and cancellation alerts to every attendee."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core import bookings
from core.actor import CLI
from core.db import Database
from core.models import CourseSession, OutboxMessage
from core.notify.booking_emails import send_session_changed
from core.notify.reminders import enqueue_due_reminders
from tests.factories import make_session, person


def _queued(db: Database, template: str) -> list[str]:
    with db.read() as tx:
        rows = tx.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.template == template)
            .order_by(OutboxMessage.id)
        )
        return [r.recipient for r in rows]


def test_each_attendee_is_reminded_once_when_the_course_is_48_hours_away(
    any_db: Database,
) -> None:
    sid = make_session(any_db, days_ahead=7)
    with any_db.write() as tx:
        bookings.book_now(tx, sid, [person(1), person(2)], CLI)
        start = tx.get_one(CourseSession, sid).start_at
    assert enqueue_due_reminders(any_db, at=start - timedelta(hours=49)) == 0
    assert enqueue_due_reminders(any_db, at=start - timedelta(hours=47)) == 2
    assert enqueue_due_reminders(any_db, at=start - timedelta(hours=20)) == 0
    assert _queued(any_db, "reminder_48h") == ["person1@example.com", "person2@example.com"]


def test_cancelled_bookings_and_sessions_get_no_reminder(sqlite_db: Database) -> None:
    sid = make_session(sqlite_db, days_ahead=7)
    with sqlite_db.write() as tx:
        ref = bookings.book_now(tx, sid, [person(1)], CLI).reference
        bookings.book_now(tx, sid, [person(2)], CLI, status="PENDING_PAYMENT")
        start = tx.get_one(CourseSession, sid).start_at
    with sqlite_db.write() as tx:
        bookings.cancel(tx, ref, CLI)
    assert enqueue_due_reminders(sqlite_db, at=start - timedelta(hours=24)) == 0


def test_a_session_change_reaches_every_attendee_and_payer_once(sqlite_db: Database) -> None:
    sid = make_session(sqlite_db, days_ahead=10)
    with sqlite_db.write() as tx:
        bookings.book_now(tx, sid, [person(1), person(2)], CLI)
        bookings.book_now(tx, sid, [person(3)], CLI)
    with sqlite_db.write() as tx:
        count = send_session_changed(tx, sid, "The course has moved to Room 2.", key="room-2")
        again = send_session_changed(tx, sid, "The course has moved to Room 2.", key="room-2")
    assert count == again == 3
    assert sorted(_queued(sqlite_db, "session_changed")) == [
        f"person{n}@example.com" for n in (1, 2, 3)
    ]
    with sqlite_db.read() as tx:
        row = tx.scalar(select(OutboxMessage).where(OutboxMessage.template == "session_changed"))
        assert row is not None and "Room 2" in row.body_text
