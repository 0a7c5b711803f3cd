"""Many OS processes booking one session at once never oversell it, on SQLite and PostgreSQL."""

from __future__ import annotations

import multiprocessing as mp
import os
import threading

import pytest
from sqlalchemy import func, select, update

from core.booking import bookings
from core.infra.actor import Actor
from core.infra.config import load_settings
from core.infra.db import Database, open_database
from core.infra.errors import LockTimeout, NotEnoughSeats
from core.models import Booking, SeatHold
from core.seats import holds
from core.seats.availability import get_session
from core.seats.locking import lock_session
from tests.factories import make_session, person

WORKERS = 16


def _book_one(args: tuple[str, int, int, threading.Barrier]) -> str:
    url, session_id, n, barrier = args
    os.environ["DATABASE_URL"] = url
    db = open_database(load_settings())
    actor = Actor(label=f"desk {n}", role="reception")
    barrier.wait(timeout=60)
    try:
        if n % 2:
            with db.write() as tx:
                bookings.book_now(tx, session_id, [person(n), person(n + 100)], actor)
        else:
            with db.write() as tx:
                hold = holds.create_hold(tx, session_id, 2, actor)
            with db.write() as tx:
                bookings.confirm_hold(tx, hold.id, [person(n), person(n + 100)], actor)
        return "booked"
    except NotEnoughSeats as exc:
        return "refused: " + exc.message
    finally:
        db.dispose()


@pytest.mark.slow
def test_many_processes_never_oversell(any_db: Database) -> None:
    sid = make_session(any_db, capacity=11)
    ctx = mp.get_context("spawn")
    with ctx.Manager() as manager:
        barrier = manager.Barrier(WORKERS)
        with ctx.Pool(WORKERS) as pool:
            args = [(any_db.settings.database_url, sid, n, barrier) for n in range(WORKERS)]
            results = pool.map(_book_one, args)
    booked = [r for r in results if r == "booked"]
    refused = [r for r in results if r.startswith("refused")]
    assert len(booked) == 5 and len(refused) == WORKERS - 5
    assert all("Not enough seats" in r for r in refused)
    with any_db.read() as tx:
        seen = get_session(tx, sid)
        seats_in_bookings = tx.scalar(
            select(func.sum(Booking.seats)).where(Booking.session_id == sid)
        )
        live_holds = tx.scalar(
            select(func.count()).select_from(SeatHold).where(SeatHold.booking_id.is_(None))
        )
    assert seen.booked == seats_in_bookings == 10
    assert seen.booked + seen.held <= seen.capacity
    assert live_holds == 0


def test_a_busy_session_ends_in_a_clear_lock_timeout(any_db: Database) -> None:
    """A desk that waits longer than the configured bound gets a plain message, not a hang."""
    sid = make_session(any_db)
    settings = any_db.settings.with_overrides(lock_timeout_s=0.5)
    impatient = Database(settings, open_database(settings).engine)
    locked = threading.Event()
    release = threading.Event()

    def hold_the_lock() -> None:
        with any_db.write() as tx:
            lock_session(tx, sid)
            locked.set()
            release.wait(timeout=30)

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    try:
        assert locked.wait(timeout=30)
        with pytest.raises(LockTimeout, match="busy"), impatient.write() as tx:
            holds.create_hold(tx, sid, 1, Actor(label="desk", role="reception"))
    finally:
        release.set()
        holder.join()
        impatient.dispose()
    with any_db.read() as tx:
        assert get_session(tx, sid).held == 0


def test_database_refuses_a_capacity_over_twelve(any_db: Database) -> None:
    from sqlalchemy.exc import IntegrityError

    from core.models import CourseSession

    sid = make_session(any_db)
    with pytest.raises(IntegrityError), any_db.write() as tx:
        tx.execute(update(CourseSession).where(CourseSession.id == sid).values(capacity=13))
