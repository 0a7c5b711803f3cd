"""``Database.read`` is the unit of work whose statements agree: all of them see the database
as it was at the first one, even when a booking commits in between. Found by the attack: on
PostgreSQL ``sessions.get`` read the session's booked count, then a booking of a held seat
committed, then it counted the holds, and so showed that seat as free (booked not yet
counted, hold already gone) to a visitor who had just been pushed the hold."""

from __future__ import annotations

from core.booking import bookings
from core.infra.actor import CLI
from core.infra.db import Database
from core.models import CourseSession
from core.seats import availability, holds
from tests.factories import make_session, person


def test_statements_in_one_read_agree_while_a_hold_becomes_a_booking(any_db: Database) -> None:
    sid = make_session(any_db, capacity=6)
    with any_db.write() as tx:
        hold = holds.create_hold(tx, sid, 2, CLI)
    with any_db.read() as tx:
        booked = tx.get_one(CourseSession, sid).booked
        with any_db.write() as other:  # another desk books the held seats meanwhile
            bookings.confirm_hold(other, hold.id, [person(1), person(2)], CLI)
        held = availability.held_seats(tx, sid)
    assert (booked, held) == (0, 2)  # as it was when the read began: nothing seems free
    with any_db.read() as tx:
        assert availability.get_session(tx, sid).free == 4
