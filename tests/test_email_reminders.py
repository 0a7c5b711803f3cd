"""Reminders 48 hours ahead, once each; change, move and cancellation alerts to every attendee."""

from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar
from sqlalchemy import select

from core.booking import bookings
from core.infra.actor import CLI
from core.infra.clock import uk_date
from core.infra.db import Database
from core.models import CourseSession, OutboxMessage
from core.notify import sender
from core.notify.booking_emails import send_session_changed
from core.notify.reminders import enqueue_due_reminders
from core.scheduling.cancel import cancel_session
from tests.factories import make_session, person
from tests.mailbox import Mailbox, parts


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
    other = make_session(sqlite_db, venue="york", days_ahead=7)
    with sqlite_db.write() as tx:
        ref = bookings.book_now(tx, sid, [person(1)], CLI).reference
        bookings.book_now(tx, sid, [person(2)], CLI)  # stays booked: reminded
        bookings.book_now(tx, other, [person(3)], CLI)  # on a session that is cancelled
        start = tx.get_one(CourseSession, sid).start_at
    with sqlite_db.write() as tx:
        bookings.cancel(tx, ref, CLI)
        cancel_session(tx, CLI, other, "Trainer unwell")
    assert enqueue_due_reminders(sqlite_db, at=start - timedelta(hours=24)) == 1
    assert _queued(sqlite_db, "reminder_48h") == ["person2@example.com"]


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


def test_a_moved_booking_emails_the_new_dates_and_withdraws_the_old_ones(
    sqlite_db: Database, mailbox: Mailbox
) -> None:
    first = make_session(sqlite_db, course="efaw", days_ahead=10)
    second = make_session(sqlite_db, course="efaw", days_ahead=24)
    with sqlite_db.write() as tx:
        ref = bookings.book_now(tx, first, [person(1)], CLI).reference
    with sqlite_db.write() as tx:
        bookings.transfer(tx, ref, second, CLI)
        new_start = uk_date(tx.get_one(CourseSession, second).start_at)
    sender.flush(sqlite_db, mailbox.config())

    moved = [m for m in mailbox.messages if "has moved" in str(m["Subject"])]
    assert len(moved) == 1 and moved[0]["To"] == "person1@example.com"
    assert str(moved[0]["Subject"]) == f"Booking {ref} has moved to {new_start}"
    body = parts(moved[0])
    assert new_start in body["text"]
    new, old = (
        Calendar.from_ical(body["attachments"][f"{ref}{end}"][1])
        for end in (".ics", "-old-dates.ics")
    )
    assert (new["METHOD"], old["METHOD"]) == ("PUBLISH", "CANCEL")
    assert all(str(e["UID"]).startswith(f"rft-session-{second}-") for e in new.walk("VEVENT"))
    assert all(str(e["UID"]).startswith(f"rft-session-{first}-") for e in old.walk("VEVENT"))
