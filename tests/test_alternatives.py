"""When a session cannot take the seats: the same course elsewhere, nearest venue first."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.booking.alternatives import alternatives
from core.infra.clock import today_london
from core.infra.db import Database
from core.infra.errors import NotFound, ValidationFailed
from tests.factories import make_session
from tests.waitlist_support import full_session


def test_nearest_venue_first_then_closest_date(sqlite_db: Database) -> None:
    sid, _ = full_session(sqlite_db, [4], venue="leeds", days_ahead=14)
    later_here = make_session(sqlite_db, venue="leeds", days_ahead=40)
    sooner_here = make_session(sqlite_db, venue="leeds", days_ahead=10)
    bradford = make_session(sqlite_db, venue="bradford", days_ahead=14)
    hull = make_session(sqlite_db, venue="hull", days_ahead=14)
    make_session(sqlite_db, course="faw", venue="leeds", days_ahead=14)
    with sqlite_db.read() as tx:
        found = alternatives(tx, sid, 2)
    assert [a.id for a in found] == [sooner_here, later_here, bradford, hull]
    assert [a.distance_km for a in found][:2] == [0.0, 0.0]
    assert 10 < found[2].distance_km < 15 and 80 < found[3].distance_km < 90


def test_only_sessions_with_room_and_before_the_date_asked(sqlite_db: Database) -> None:
    sid, _ = full_session(sqlite_db, [2], days_ahead=14)
    small = make_session(sqlite_db, days_ahead=9, capacity=2)
    early = make_session(sqlite_db, venue="york", days_ahead=9)
    make_session(sqlite_db, venue="york", days_ahead=60)
    before = today_london() + timedelta(days=30)
    with sqlite_db.read() as tx:
        assert [a.id for a in alternatives(tx, sid, 3, before)] == [early]
        assert small in [a.id for a in alternatives(tx, sid, 2, before)]


@pytest.mark.parametrize("seats", [0, 13])
def test_bad_seats_or_a_past_before_date_are_refused(sqlite_db: Database, seats: int) -> None:
    sid = make_session(sqlite_db)
    with pytest.raises(ValidationFailed), sqlite_db.read() as tx:
        alternatives(tx, sid, seats)
    with pytest.raises(ValidationFailed, match="not in the future"), sqlite_db.read() as tx:
        alternatives(tx, sid, 1, today_london())
    with pytest.raises(NotFound), sqlite_db.read() as tx:
        alternatives(tx, 424242, 1)
