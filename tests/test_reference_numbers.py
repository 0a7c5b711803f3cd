"""Booking references on PostgreSQL: no desk waits for another's booking to commit, and no
number is ever given twice, also when a booking rolls back or the database is upgraded."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from core.booking import bookings
from core.infra.actor import Actor
from core.infra.clock import now
from core.infra.db import Database
from tests.factories import make_session, person

DESK = Actor(label="Front Desk", role="reception", channel="desk")


class Rollback(Exception):
    """Raised to abandon a booking's transaction."""


def test_a_booking_does_not_wait_for_an_open_one_to_commit(pg_db: Database) -> None:
    first, second = make_session(pg_db), make_session(pg_db)
    with pg_db.write() as tx:  # the year's first booking, which the others would wait for
        bookings.book_now(tx, first, [person(0)], DESK)
    finished: list[str] = []
    failed: list[BaseException] = []

    def other_desk() -> None:
        try:
            with pg_db.write() as tx:
                finished.append(bookings.book_now(tx, second, [person(2)], DESK).reference)
        except BaseException as exc:  # reported below
            failed.append(exc)

    with pg_db.write() as tx:
        mine = bookings.book_now(tx, first, [person(1)], DESK).reference
        desk = threading.Thread(target=other_desk)
        desk.start()
        desk.join()  # before this transaction commits: it would time out waiting for it
    assert failed == []
    assert sorted(r[-4:] for r in [mine, *finished]) == ["0002", "0003"]


def test_a_rolled_back_booking_leaves_its_number_unused(pg_db: Database) -> None:
    sid = make_session(pg_db)
    with pg_db.write() as tx:
        bookings.book_now(tx, sid, [person(0)], DESK)
    with pytest.raises(Rollback), pg_db.write() as tx:
        lost = bookings.book_now(tx, sid, [person(1)], DESK).reference
        raise Rollback
    with pg_db.write() as tx:
        kept = bookings.book_now(tx, sid, [person(2)], DESK).reference
    assert (lost[-4:], kept[-4:]) == ("0002", "0003")


def test_numbering_goes_on_from_the_last_number_after_the_upgrade(pg_db: Database) -> None:
    year = now().year
    with pg_db.write() as tx:  # as the upgrade leaves a year that had 41 bookings
        tx.execute(
            text("INSERT INTO reference_counters (year, last, base) VALUES (:y, 41, -41)"),
            {"y": year},
        )
    with pg_db.write() as tx:
        ref = bookings.book_now(tx, make_session(pg_db), [person(1)], DESK).reference
    assert ref == f"RFT-{year}-0042"


def test_numbers_past_9999_keep_every_digit(any_db: Database) -> None:
    sid = make_session(any_db)
    year = now().year
    with any_db.write() as tx:  # the year's first booking makes its counter
        bookings.book_now(tx, sid, [person(0)], DESK)
    with any_db.write() as tx:  # as if 9,997 more had been booked since
        tx.execute(
            text("UPDATE reference_counters SET last = last + 9997, base = base - 9997"),
        )
    refs = []
    for n in (1, 2):
        with any_db.write() as tx:
            refs.append(bookings.book_now(tx, sid, [person(n)], DESK).reference)
    assert refs == [f"RFT-{year}-9999", f"RFT-{year}-10000"]


def test_a_years_first_booking_that_rolls_back_leaves_the_next_one_numbered(
    pg_db: Database,
) -> None:
    """The year's counter row made by a booking that rolled back never existed: the next
    booking makes it again rather than drawing its number from it."""
    sid = make_session(pg_db)
    with pytest.raises(Rollback), pg_db.write() as tx:
        bookings.book_now(tx, sid, [person(0)], DESK)
        raise Rollback
    with pg_db.write() as tx:
        ref = bookings.book_now(tx, sid, [person(1)], DESK).reference
    assert ref == f"RFT-{now().year}-0001"
