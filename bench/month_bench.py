"""The month view: ``sessions.month`` in core against one SQL query returning the same rows
(one per teaching day in the month) and fields.

The project is what the server's ``sessions.month`` handler runs (``Database.glance`` and
``core.seats.availability.month``); the baseline is one hand-written query over the same tables
with psycopg (its own transaction each time, as the project's), free seats and status
worked out in SQL.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date

import psycopg

from bench.server_harness import psycopg_url
from core.infra.db import Database
from core.seats import availability

ONE_QUERY = """
SELECT d.start_at AT TIME ZONE 'Europe/London', s.start_at AT TIME ZONE 'Europe/London',
       s.id, s.course_id, c.name, s.venue_id, v.name,
       greatest(0, s.capacity - s.booked - coalesce(h.held, 0)), coalesce(h.held, 0), s.booked,
       s.capacity,
       CASE WHEN s.status = 'CANCELLED' THEN s.status
            WHEN s.capacity - s.booked - coalesce(h.held, 0) <= 0 THEN 'FULL'
            ELSE 'SCHEDULED' END,
       c.colour, d.day_index + 1,
       (SELECT count(*) FROM session_days every WHERE every.session_id = s.id)
FROM session_days d
JOIN course_sessions s ON s.id = d.session_id
JOIN courses c ON c.id = s.course_id
JOIN venues v ON v.id = s.venue_id
LEFT JOIN (SELECT session_id, sum(seats) AS held FROM seat_holds
           WHERE released_at IS NULL AND booking_id IS NULL AND expires_at > now()
           GROUP BY session_id) h ON h.session_id = s.id
WHERE d.start_at >= %(first)s AND d.start_at < %(after)s
ORDER BY d.start_at, s.id
"""


def timings_ms(work: Callable[[], object], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        work()
        times.append((time.perf_counter() - began) * 1000)
    return times


def project(db: Database, year: int, month: int, runs: int) -> tuple[list[float], int]:
    """Milliseconds per call, and how many sessions the month holds."""

    def call() -> dict[str, object]:
        with db.glance() as tx:
            return availability.month(tx, year, month)

    shown = call()["days"]
    assert isinstance(shown, dict)
    return timings_ms(call, runs), sum(len(day) for day in shown.values())


def baseline(db_url: str, year: int, month: int, runs: int) -> list[float]:
    first = date(year, month, 1)
    after = date(year + month // 12, month % 12 + 1, 1)
    bounds = {
        "first": first.isoformat() + " 00:00 Europe/London",
        "after": after.isoformat() + " 00:00 Europe/London",
    }
    with psycopg.connect(psycopg_url(db_url), autocommit=True) as conn:  # a transaction each
        return timings_ms(lambda: conn.execute(ONE_QUERY, bounds).fetchall(), runs)
