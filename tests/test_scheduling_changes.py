"""Scheduling changes: bad input, two admins at once, weekly repeats, moves and cancellations
that tell every attendee (checked on a real SMTP server) and offer a transfer or a refund."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.booking import bookings
from core.infra.clock import LONDON, now
from core.infra.db import Database
from core.infra.errors import Conflict, ValidationFailed
from core.journal import changes
from core.models import CourseSession
from core.models.admin import AuditEntry, RebookingOffer
from core.notify import sender
from core.scheduling import SessionInput, TeachingRuleBroken, create_session, repeat_session
from core.scheduling.cancel import cancel_session
from core.scheduling.edit import SessionEdit, edit_session
from core.seats.availability import get_session
from tests.admin_factories import ADMIN, add_trainer, at, day_input, weekday_ahead
from tests.factories import make_session, person
from tests.mailbox import Mailbox, parts

TINA = "tina@rft.test"
DAY = weekday_ahead(21, weekday=1)


def _count(db: Database) -> int:
    with db.read() as tx:
        return int(tx.scalar(select(func.count()).select_from(CourseSession)) or 0)


def _plan(**extra: object) -> SessionInput:
    fields: dict[str, object] = {
        "course": "efaw",
        "venue": "leeds",
        "trainers": [TINA],
        "start": at(DAY, 9),
    }
    return SessionInput.model_validate(fields | extra)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"course": "knitting"}, "There is no course with id 'knitting'"),
        ({"venue": "leeds-castle"}, "There is no venue with id 'leeds-castle'"),
        ({"trainers": ["nobody@rft.test"]}, "There is no active trainer with email"),
        ({"room": "Ballroom"}, "Leeds has no room called 'Ballroom'"),
        ({"start": at(DAY - timedelta(weeks=10), 9)}, "is in the past"),
        ({"start": None, "days": [day_input(DAY, 16, 9)]}, "ends (09:00) before it starts (16:00)"),
        ({"capacity": 13}, "at most 12 attendees"),
    ],
    ids=["course", "venue", "trainer", "room", "past", "end-before-start", "capacity"],
)
def test_bad_input_is_a_clear_error_and_creates_nothing(
    sqlite_db: Database, change: dict[str, object], words: str
) -> None:
    add_trainer(sqlite_db)
    with pytest.raises((ValidationFailed, TeachingRuleBroken)) as caught, sqlite_db.write() as tx:
        create_session(tx, ADMIN, _plan(**change))
    assert words in caught.value.message
    assert _count(sqlite_db) == 0


def test_two_admins_editing_one_session_the_second_gets_a_conflict(any_db: Database) -> None:
    add_trainer(any_db)
    with any_db.write() as tx:
        sid = create_session(tx, ADMIN, _plan()).id
    with any_db.read() as tx:
        seen_by_both = get_session(tx, sid).version
    with any_db.write() as tx:
        edit_session(tx, ADMIN, sid, seen_by_both, SessionEdit(capacity=10))
    with pytest.raises(Conflict, match="changed by someone else"), any_db.write() as tx:
        edit_session(tx, ADMIN, sid, seen_by_both, SessionEdit(capacity=8, room="Calder Room"))
    with any_db.read() as tx:
        after = get_session(tx, sid)
    assert (after.capacity, after.room, after.version) == (10, "Aire Room", seen_by_both + 1)


def test_repeat_every_tuesday_for_eight_weeks(sqlite_db: Database) -> None:
    add_trainer(sqlite_db)
    with sqlite_db.write() as tx:
        made = repeat_session(tx, ADMIN, _plan(), every_weeks=1, count=8)
        starts = [s.start_at.astimezone(LONDON) for s in made]
    assert [s.date() for s in starts] == [DAY + timedelta(weeks=n) for n in range(8)]
    assert {(s.weekday(), s.hour) for s in starts} == {(1, 9)}


def test_a_repeat_that_breaks_a_rule_in_week_three_creates_none(sqlite_db: Database) -> None:
    add_trainer(sqlite_db)
    make_session(sqlite_db, course="efaw", venue="leeds", first_day=DAY + timedelta(weeks=2))
    with (
        pytest.raises(TeachingRuleBroken, match="Aire Room at Leeds is already booked") as caught,
        sqlite_db.write() as tx,
    ):
        repeat_session(tx, ADMIN, _plan(), count=8)
    assert caught.value.message.startswith(f"{DAY + timedelta(weeks=2):%a} ")
    assert _count(sqlite_db) == 1


def test_capacity_cannot_drop_below_seats_already_booked(sqlite_db: Database) -> None:
    add_trainer(sqlite_db)
    with sqlite_db.write() as tx:
        sid = create_session(tx, ADMIN, _plan()).id
    with sqlite_db.write() as tx:
        bookings.book_now(tx, sid, [person(i) for i in range(3)], ADMIN)
    with pytest.raises(ValidationFailed, match="cannot go below 3"), sqlite_db.write() as tx:
        edit_session(tx, ADMIN, sid, 1, SessionEdit(capacity=2))


def _book_two_bookings(db: Database, sid: int) -> list[str]:
    with db.write() as tx:
        first = bookings.book_now(tx, sid, [person(1), person(2)], ADMIN).reference
        second = bookings.book_now(tx, sid, [person(3)], ADMIN).reference
    return [first, second]


def test_cancelling_a_session_with_bookings_emails_every_attendee_and_offers_a_choice(
    any_db: Database, mailbox: Mailbox
) -> None:
    add_trainer(any_db)
    with any_db.write() as tx:
        sid = create_session(tx, ADMIN, _plan()).id
        other = create_session(tx, ADMIN, _plan(start=at(DAY + timedelta(weeks=1), 9))).id
    refs = _book_two_bookings(any_db, sid)
    sender.flush(any_db, mailbox.config())  # the booking confirmations
    mailbox.messages.clear()
    with any_db.read() as tx:
        seq = changes.last_seq(tx)

    with any_db.write() as tx:
        cancel_session(tx, ADMIN, sid, "Trainer taken ill", version=1)
    report = sender.flush(any_db, mailbox.config())

    assert report.sent == 3
    to = sorted(m["To"] for m in mailbox.messages)
    assert to == ["person1@example.com", "person2@example.com", "person3@example.com"]
    for message in mailbox.messages:
        assert message["Subject"].strip().startswith("Cancelled: Emergency First Aid at Work")
        text = parts(message)["text"]
        assert "Trainer taken ill" in text
        assert "transfer free of charge" in text and "full refund" in text
        assert f"{DAY + timedelta(weeks=1):%a} {(DAY + timedelta(weeks=1)).day}" in text
    with any_db.read() as tx:
        session = get_session(tx, sid)
        offers = list(tx.scalars(select(RebookingOffer).order_by(RebookingOffer.id)))
        logged = tx.scalar(select(AuditEntry).where(AuditEntry.action == "session.cancel"))
        feed = [c for c in changes.since(tx, seq) if c.kind == "session"]
    assert (session.status, session.cancel_reason) == ("CANCELLED", "Trainer taken ill")
    assert [(o.change, o.alternatives, o.status) for o in offers] == [
        ("cancelled", [other], "OPEN")
    ] * len(refs)
    assert logged is not None and logged.before["status"] == "SCHEDULED"
    assert logged.after["status"] == "CANCELLED"
    assert feed[-1].payload["status"] == "CANCELLED"


def test_a_cancellation_that_fails_half_way_changes_nothing(sqlite_db: Database) -> None:
    add_trainer(sqlite_db)
    with sqlite_db.write() as tx:
        sid = create_session(tx, ADMIN, _plan()).id
    _book_two_bookings(sqlite_db, sid)
    with pytest.raises(Conflict), sqlite_db.write() as tx:
        cancel_session(tx, ADMIN, sid, "Venue flooded", version=7)
    with sqlite_db.read() as tx:
        assert get_session(tx, sid).status == "SCHEDULED"
        assert tx.scalar(select(func.count()).select_from(RebookingOffer)) == 0


def test_moving_a_session_with_bookings_tells_attendees_the_new_date(
    sqlite_db: Database, mailbox: Mailbox
) -> None:
    add_trainer(sqlite_db)
    with sqlite_db.write() as tx:
        sid = create_session(tx, ADMIN, _plan()).id
    _book_two_bookings(sqlite_db, sid)
    sender.flush(sqlite_db, mailbox.config())
    mailbox.messages.clear()
    new_day = DAY + timedelta(days=2)
    with sqlite_db.write() as tx:
        edit_session(
            tx, ADMIN, sid, 1, SessionEdit(start=at(new_day, 10), reason="Room being repainted")
        )
    assert sender.flush(sqlite_db, mailbox.config()).sent == 3
    text = parts(mailbox.messages[0])["text"]
    assert mailbox.messages[0]["Subject"].strip().startswith("Changed:")
    assert f"to {new_day:%a} {new_day.day} {new_day:%b %Y} 10:00" in text
    assert "Room being repainted" in text
    with sqlite_db.read() as tx:
        moved = get_session(tx, sid)
        offers = list(tx.scalars(select(RebookingOffer)))
    assert moved.start.astimezone(LONDON).date() == new_day and moved.version == 2
    assert moved.booked == 3 and {o.change for o in offers} == {"moved"}


def test_a_session_that_has_started_cannot_be_moved(sqlite_db: Database) -> None:
    sid = make_session(sqlite_db, days_ahead=3)
    with sqlite_db.write() as tx:
        row = tx.get_one(CourseSession, sid)
        row.start_at = now() - timedelta(hours=1)
    with pytest.raises(ValidationFailed, match="already started"), sqlite_db.write() as tx:
        edit_session(tx, ADMIN, sid, 1, SessionEdit(capacity=6))


def test_two_admins_booking_the_same_room_at_once_only_one_gets_it(any_db: Database) -> None:
    start = threading.Barrier(2, timeout=30)
    outcomes: list[str] = []

    def schedule() -> None:
        start.wait()
        try:
            with any_db.write() as tx:
                create_session(tx, ADMIN, _plan(trainers=[], room="Calder Room"))
            outcomes.append("saved")
        except TeachingRuleBroken as exc:
            outcomes.append(exc.data["failures"][0]["rule"])

    threads = [threading.Thread(target=schedule) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["room_free", "saved"]
    assert _count(any_db) == 1
