"""Bookings per second: hold + book over the sync server against raw psycopg.

Eight clients book one seat at a time, either spread over many sessions or all on one
session until it is full (then all move to the next). The baseline does the least a
booking needs on the same schema, eight threads with a connection each: ``SELECT ... FOR
UPDATE`` the session, check the seats, INSERT the booking, UPDATE the count, COMMIT.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import psycopg

from bench.server_harness import ATTENDEE, STAFF, psycopg_url, reply_error
from core.infra.errors import NotEnoughSeats, ValidationFailed
from tests.server_support import Peer, peer

CLIENTS = 8
FULL = NotEnoughSeats.rpc_code
RATE_LIMITED = -32029
INVALID_PARAMS = ValidationFailed.rpc_code


class Tally:
    """What the clients saw; ``rate_limited`` should stay 0."""

    def __init__(self) -> None:
        self.booked = 0
        self.rate_limited = 0


class Targets:
    """Which session the next booking goes to: a random open one, or the first open one."""

    def __init__(self, sessions: list[int], spread: bool, seed: int) -> None:
        self._open = list(sessions)
        self._spread = spread
        self._rng = random.Random(seed)
        self._lock = threading.Lock()

    def next(self) -> int:
        with self._lock:
            if not self._open:
                raise SystemExit("Every bench session filled up; raise --sessions.")
            return self._rng.choice(self._open) if self._spread else self._open[0]

    def filled(self, session_id: int) -> None:
        with self._lock:
            if session_id in self._open:
                self._open.remove(session_id)


async def _book_once(client: Peer, targets: Targets, tally: Tally) -> None:
    """Hold one seat and book it; a full session is marked and another one tried."""
    while True:
        sid = targets.next()
        hold = await client.request("holds.create", {"session_id": sid, "seats": 1})
        if reply_error(hold) is None:
            made = hold["result"]
            params = {
                "hold_id": made["id"],
                "hold_token": made["hold_token"],
                "attendees": [ATTENDEE],
            }
            booking = await client.request("bookings.create", params)
            if reply_error(booking) is None:
                tally.booked += 1
                return
            hold = booking
        code = reply_error(hold)
        if code == RATE_LIMITED:
            tally.rate_limited += 1
        elif code == FULL:
            targets.filled(sid)
        else:
            raise RuntimeError(f"booking failed: {hold['error']}")


async def _per_second(
    urls: Sequence[str], units: int, one: Callable[[Peer], Awaitable[None]]
) -> float:
    """``units`` per second: eight signed-in clients, spread evenly over the servers at
    ``urls``, each running ``one`` until ``units`` are done (sign-ins are not measured)."""
    left = itertools.count(units, -1)

    async def client(url: str) -> None:
        async with peer(url) as me:
            await me.login(STAFF)
            await everyone_signed_in.wait()
            while next(left) > 0:
                await one(me)

    everyone_signed_in = asyncio.Barrier(CLIENTS + 1)
    tasks = [asyncio.create_task(client(urls[i % len(urls)])) for i in range(CLIENTS)]
    async with asyncio.timeout(120):  # a client that cannot sign in stops the bench
        await everyone_signed_in.wait()
    began = time.perf_counter()
    await asyncio.gather(*tasks)
    return units / (time.perf_counter() - began)


async def project_round(
    urls: Sequence[str], targets: Targets, bookings: int, tally: Tally
) -> float:
    """Bookings per second, eight signed-in clients sharing ``bookings``, spread evenly over
    the servers at ``urls``."""
    return await _per_second(urls, bookings, lambda me: _book_once(me, targets, tally))


async def floor_round(url: str, session_id: int, pairs: int) -> float:
    """Pairs of requests per second that do no database work, eight signed-in clients: the
    most a booking of two calls could reach through this server, whatever its SQL. Each
    request is a ``pricing.quote`` refused by its parameters' check (``seats: 0``), so it
    takes the whole path of a call (frame, rate limit, worker thread, parameters, reply)
    and stops before the database."""
    refused = {"session_id": session_id, "seats": 0}

    async def pair(me: Peer) -> None:
        for _ in range(2):
            reply = await me.request("pricing.quote", refused)
            if reply_error(reply) != INVALID_PARAMS:
                raise RuntimeError(f"the floor's call was not refused: {reply}")

    return await _per_second([url], pairs, pair)


def _raw_booking(conn: psycopg.Connection[tuple[int, int]], session_id: int) -> bool:
    """The baseline's one booking; False when the session is full."""
    with conn.transaction():
        row = conn.execute(
            "SELECT capacity, booked FROM course_sessions WHERE id = %s FOR UPDATE", (session_id,)
        ).fetchone()
        assert row is not None
        capacity, booked = row
        if booked + 1 > capacity:
            return False
        conn.execute(
            "INSERT INTO bookings (reference, session_id, status, channel, seats,"
            " unit_price_pence, subtotal_pence, discount_pence, total_pence, customer_name,"
            " customer_email, customer_email_hash, created_by, created_at)"
            " VALUES (%s, %s, 'CONFIRMED', 'desk', 1, 7500, 7500, 0, 7500, %s, %s, %s,"
            " 'baseline', %s)",
            (
                "R" + uuid.uuid4().hex[:12].upper(),
                session_id,
                ATTENDEE["name"],
                ATTENDEE["email"],
                "0" * 64,
                datetime.now(UTC),
            ),
        )
        conn.execute(
            "UPDATE course_sessions SET booked = booked + 1, version = version + 1 WHERE id = %s",
            (session_id,),
        )
    return True


def baseline_round(db_url: str, targets: Targets, bookings: int, tally: Tally) -> float:
    """Bookings per second of the raw-SQL baseline, eight threads sharing ``bookings``."""
    left = itertools.count(bookings, -1)
    guard = threading.Lock()
    conns = [psycopg.connect(psycopg_url(db_url)) for _ in range(CLIENTS)]

    def worker(conn: psycopg.Connection[tuple[int, int]]) -> None:
        while True:
            with guard:
                if next(left) <= 0:
                    return
            while True:
                sid = targets.next()
                if _raw_booking(conn, sid):
                    with guard:
                        tally.booked += 1
                    break
                targets.filled(sid)

    try:
        with ThreadPoolExecutor(CLIENTS) as pool:
            began = time.perf_counter()
            list(pool.map(worker, conns))
            return bookings / (time.perf_counter() - began)
    finally:
        for conn in conns:
            conn.close()


def oversold_or_miscounted(db_url: str) -> tuple[int, int]:
    """Sessions booked past capacity, and sessions whose count differs from a recount."""
    with psycopg.connect(psycopg_url(db_url)) as conn:
        over = conn.execute(
            "SELECT count(*) FROM course_sessions WHERE booked > capacity"
        ).fetchone()
        wrong = conn.execute(
            "SELECT count(*) FROM course_sessions s WHERE s.booked <>"
            " (SELECT coalesce(sum(seats), 0) FROM bookings b"
            " WHERE b.session_id = s.id AND b.status <> 'CANCELLED')"
        ).fetchone()
    assert over is not None and wrong is not None
    return int(over[0]), int(wrong[0])
