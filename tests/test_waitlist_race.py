"""Offers across OS processes: cancellations at once never offer the same seats twice or more
seats than are free, and a desk hold racing an offer wins or loses, never both."""

from __future__ import annotations

import multiprocessing as mp
import os
import threading

import pytest
from sqlalchemy import func, select

from core.booking import bookings
from core.booking.waitlist import offers
from core.infra.actor import Actor
from core.infra.config import load_settings
from core.infra.db import Database, open_database
from core.infra.errors import NotEnoughSeats
from core.models import SeatHold, WaitlistEntry
from core.seats import holds
from core.seats.availability import get_session
from tests.waitlist_support import full_session, join

WORKERS = 8


def _act(args: tuple[str, int, str, threading.Barrier]) -> str:
    url, session_id, what, barrier = args
    os.environ["DATABASE_URL"] = url
    db = open_database(load_settings())
    actor = Actor(label=f"desk {os.getpid()}", role="reception")
    barrier.wait(timeout=60)
    try:
        with db.write() as tx:
            if what == "sweep":
                offers.sweep(tx)
            elif what == "hold":
                holds.create_hold(tx, session_id, 2, actor)
            else:
                bookings.cancel(tx, what, actor)
        return "done"
    except NotEnoughSeats:
        return "refused"
    finally:
        db.dispose()


def _race(db: Database, sid: int, actions: list[str]) -> list[str]:
    ctx = mp.get_context("spawn")
    with ctx.Manager() as manager:
        barrier = manager.Barrier(len(actions))
        with ctx.Pool(len(actions)) as pool:
            url = db.settings.database_url
            return pool.map(_act, [(url, sid, what, barrier) for what in actions])


def _offer_holds(db: Database, sid: int) -> tuple[int, int, int]:
    """(waiting-list holds, offered entries, seats those entries asked for)."""
    with db.read() as tx:
        n_holds = tx.scalar(
            select(func.count())
            .select_from(SeatHold)
            .where(SeatHold.session_id == sid, SeatHold.holder == offers.WAITLIST_HOLDER)
        )
        offered = tx.scalars(
            select(WaitlistEntry).where(
                WaitlistEntry.session_id == sid, WaitlistEntry.status == "offered"
            )
        ).all()
    return int(n_holds or 0), len(offered), sum(e.seats for e in offered)


@pytest.mark.slow
def test_cancellations_at_once_never_offer_seats_twice(any_db: Database) -> None:
    sid, refs = full_session(any_db, [2, 2, 2, 2, 1, 1])
    for n, seats in enumerate([3, 2, 2, 1, 4]):
        join(any_db, sid, seats, f"waiting{n}")
    results = _race(any_db, sid, [*refs, "sweep", "sweep"])
    assert results.count("done") == WORKERS
    n_holds, n_offered, seats = _offer_holds(any_db, sid)
    with any_db.read() as tx:
        seen = get_session(tx, sid)
    assert seen.booked == 0 and n_holds == n_offered
    assert seats == seen.held <= seen.capacity
    assert seats == 8  # 3 + 2 + 2 + 1 fit the 10 freed seats; the 4 cannot fit the 2 left


@pytest.mark.slow
def test_a_desk_hold_racing_an_offer_is_one_or_the_other(any_db: Database) -> None:
    sid, refs = full_session(any_db, [2, 2])
    join(any_db, sid, 2, "waiting")
    results = _race(any_db, sid, [refs[0], *["hold"] * 6, "sweep"])
    desk_holds = results[1:7].count("done")
    _, n_offered, _ = _offer_holds(any_db, sid)
    with any_db.read() as tx:
        seen = get_session(tx, sid)
    assert desk_holds + n_offered == 1
    assert seen.booked + seen.held == seen.capacity == 4
