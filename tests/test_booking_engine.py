"""The booking engine on real SQLite and PostgreSQL: holds, bookings, status, references."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from core.booking import bookings
from core.infra.actor import Actor
from core.infra.clock import now
from core.infra.db import Database
from core.infra.errors import HoldExpired, NotEnoughSeats, SessionNotBookable, ValidationFailed
from core.journal import changes
from core.models import SeatHold
from core.seats import holds
from core.seats.availability import get_session
from tests.factories import make_session, person

DESK = Actor(label="Front Desk", role="reception", channel="desk")


def test_hold_then_confirm_books_seats_and_gives_a_reference(any_db: Database) -> None:
    sid = make_session(any_db, capacity=6)
    with any_db.write() as tx:
        hold = holds.create_hold(tx, sid, 2, DESK)
    with any_db.read() as tx:
        seen = get_session(tx, sid)
    assert (seen.held, seen.booked, seen.free) == (2, 0, 4)
    with any_db.write() as tx:
        booking = bookings.confirm_hold(tx, hold.id, [person(1), person(2)], DESK)
        ref = booking.reference
    assert ref.startswith(f"RFT-{now().year}-") and ref.endswith("0001")
    with any_db.read() as tx:
        seen = get_session(tx, sid)
    assert (seen.held, seen.booked, seen.free, seen.status) == (0, 2, 4, "SCHEDULED")


def test_group_of_five_gets_ten_percent_off(any_db: Database) -> None:
    sid = make_session(any_db, course="faw")
    with any_db.write() as tx:
        booking = bookings.book_now(tx, sid, [person(i) for i in range(5)], DESK)
        assert (booking.subtotal_pence, booking.discount_pence, booking.total_pence) == (
            112500,
            11250,
            101250,
        )


def test_full_session_refuses_more_and_reopens_after_cancel(any_db: Database) -> None:
    sid = make_session(any_db, capacity=2)
    with any_db.write() as tx:
        ref = bookings.book_now(tx, sid, [person(1), person(2)], DESK).reference
    with any_db.read() as tx:
        assert get_session(tx, sid).status == "FULL"
    with pytest.raises(NotEnoughSeats, match="no seats left"), any_db.write() as tx:
        holds.create_hold(tx, sid, 1, DESK)
    with any_db.write() as tx:
        bookings.cancel(tx, ref, DESK)
    with any_db.read() as tx:
        after = get_session(tx, sid)
    assert (after.status, after.free) == ("SCHEDULED", 2)


def test_expired_hold_frees_its_seats_without_any_sweeper(any_db: Database) -> None:
    sid = make_session(any_db, capacity=3)
    with any_db.write() as tx:
        hold = holds.create_hold(tx, sid, 3, DESK)
    with any_db.write() as tx:
        tx.execute(update(SeatHold).values(expires_at=now() - timedelta(seconds=1)))
    with any_db.read() as tx:
        assert get_session(tx, sid).free == 3
    with pytest.raises(HoldExpired), any_db.write() as tx:
        bookings.confirm_hold(tx, hold.id, [person(1)], DESK)


def test_too_young_attendee_is_refused_and_nothing_changes(any_db: Database) -> None:
    sid = make_session(any_db, course="faw")
    with pytest.raises(ValidationFailed, match="aged 16 or over"), any_db.write() as tx:
        bookings.book_now(tx, sid, [person(1), person(2, born="2015-01-01")], DESK)
    with any_db.read() as tx:
        assert get_session(tx, sid).booked == 0
        assert tx.scalars(select(SeatHold)).all() == []


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"name": "", "email": "a@example.com", "date_of_birth": "1990-01-01"}, "name"),
        ({"name": "Al", "email": "not-an-email", "date_of_birth": "1990-01-01"}, "email"),
        ({"name": "Al", "email": "a@example.com", "date_of_birth": "2999-01-01"}, "birth"),
    ],
)
def test_bad_attendee_details_are_named(
    sqlite_db: Database, bad: dict[str, str], message: str
) -> None:
    sid = make_session(sqlite_db)
    with pytest.raises(ValidationFailed, match=message), sqlite_db.write() as tx:
        bookings.book_now(tx, sid, [bad], DESK)


def test_cancelled_session_takes_no_holds(sqlite_db: Database) -> None:
    sid = make_session(sqlite_db)
    with sqlite_db.write() as tx:
        from core.models import CourseSession

        tx.get_one(CourseSession, sid).status = "CANCELLED"
    with pytest.raises(SessionNotBookable, match="cancelled"), sqlite_db.write() as tx:
        holds.create_hold(tx, sid, 1, DESK)


def test_transfer_moves_seats_between_dates_of_the_same_course(any_db: Database) -> None:
    first = make_session(any_db, days_ahead=7)
    second = make_session(any_db, days_ahead=21)
    other = make_session(any_db, course="faw", days_ahead=21)
    with any_db.write() as tx:
        ref = bookings.book_now(tx, first, [person(1), person(2)], DESK).reference
    with any_db.write() as tx:
        bookings.transfer(tx, ref, second, DESK)
    with any_db.read() as tx:
        assert (get_session(tx, first).booked, get_session(tx, second).booked) == (0, 2)
    with pytest.raises(ValidationFailed, match="only move to another"), any_db.write() as tx:
        bookings.transfer(tx, ref, other, DESK)


def test_references_are_sequential_and_every_change_is_in_the_feed(any_db: Database) -> None:
    sid = make_session(any_db)
    with any_db.read() as tx:
        start = changes.last_seq(tx)
    refs = []
    for i in range(3):
        with any_db.write() as tx:
            refs.append(bookings.book_now(tx, sid, [person(i)], DESK).reference)
    assert [r[-4:] for r in refs] == ["0001", "0002", "0003"]
    with any_db.read() as tx:
        feed = changes.since(tx, start)
    assert [c.seq for c in feed] == sorted(c.seq for c in feed)
    assert [c.payload["reference"] for c in feed if c.kind == "booking"] == refs
    assert feed[-1].kind == "session" and feed[-1].payload["booked"] == 3


def test_search_finds_by_reference_email_and_name(any_db: Database) -> None:
    sid = make_session(any_db)
    with any_db.write() as tx:
        ref = bookings.book_now(tx, sid, [person(7, name="Priya Sutcliffe")], DESK).reference
    with any_db.read() as tx:
        assert [b.reference for b in bookings.search(tx, ref)] == [ref]
        assert [b.reference for b in bookings.search(tx, "PERSON7@example.com")] == [ref]
        assert [b.reference for b in bookings.search(tx, "sutcliffe")] == [ref]
