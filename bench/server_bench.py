"""Benchmark: the sync server's hot path against baselines written on the same schema.

Creates a scratch PostgreSQL database (127.0.0.1:5432, user postgres), migrates it, seeds
sessions over two years (~411 a month at 10,000), starts a real ``rft server`` process with
the rate limit raised out of the way, and prints each row of issue 15's table as project
against baseline with the ratio, medians over rounds:

- bookings/s, hold + book over the server, 8 clients spread over sessions, and all on one
  session until full, against raw psycopg (``bench/bookings_bench.py``); then spread over
  sessions again with the clients shared among 2 and 4 server processes; the server's
  floor: pairs of calls that stop before the database, against the same baseline; and the
  ceiling: the floor plus the CPU of hold + book's ten statements through SQLAlchemy Core
  with no rules (``bench/ceiling_bench.py``), the most one server process on SQLAlchemy
  could book;
- push p99 with 200 and 1000 subscribers against a bare ``websockets.broadcast``
  (``bench/push_bench.py``), on a server that has just handled the bookings;
- ``sessions.month`` for March 2027 (~424 sessions) against one SQL query
  (``bench/month_bench.py``).

Then checks the run: no session booked past capacity, every count equal to a recount,
every booking the clients were told of is stored, no push lost or out of order, and no
rate-limited reply. The database is dropped at the end. A benchmark to read, not a test.

    python bench/server_bench.py [--sessions 10000] [--rounds 5] [--quick]   (make bench-server)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg  # noqa: E402

from bench import bookings_bench, ceiling_bench, month_bench, push_bench  # noqa: E402
from bench.server_harness import (  # noqa: E402
    Pool,
    Row,
    psycopg_url,
    scratch_database,
    seeded,
)
from core.infra.db import Database  # noqa: E402
from tests.server_support import ServerProcess  # noqa: E402


@dataclass(frozen=True)
class Scale:
    """How big a run is: ``--quick`` checks the bench works in about a minute."""

    sessions: int
    rounds: int
    bookings: int
    baseline_bookings: int
    subscribers: tuple[int, ...]
    warm_changes: int
    changes: int
    month_runs: int


def positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 1 or more")
    return int(text)


def scale(argv: list[str] | None = None) -> Scale:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sessions", type=positive, help="sessions to seed (default 10,000)")
    parser.add_argument("--rounds", type=positive, help="rounds per measurement (default 5)")
    parser.add_argument(
        "--quick", action="store_true", help="a small run to check the bench works (~1 min)"
    )
    args = parser.parse_args(argv)
    quick = args.quick
    return Scale(
        sessions=args.sessions or (600 if quick else 10_000),
        rounds=args.rounds or (2 if quick else 5),
        bookings=16 if quick else 200,
        baseline_bookings=160 if quick else 2_000,
        subscribers=(20, 100) if quick else (200, 1000),
        warm_changes=3000,
        changes=5 if quick else 20,
        month_runs=20 if quick else 50,
    )


async def bookings(
    url: str, db: Database, db_url: str, pool: Pool, s: Scale, tally: bookings_bench.Tally
) -> list[Row]:
    """Both booking rows, the floor and the ceiling. Spread rounds pick at random among as
    many sessions as bookings (project) or a quarter as many (the baseline books ten times
    more); few fill up."""
    rows = []
    for spread in (True, False):
        ours, base = [], []
        for n in range(s.rounds):
            sessions = s.bookings if spread else s.bookings // 12 + 2
            targets = bookings_bench.Targets(pool.take(sessions), spread, seed=n)
            ours.append(await bookings_bench.project_round([url], targets, s.bookings, tally))
            sessions = s.baseline_bookings // 4 if spread else s.baseline_bookings // 12 + 2
            targets = bookings_bench.Targets(pool.take(sessions), spread, seed=n)
            base.append(
                await asyncio.to_thread(
                    bookings_bench.baseline_round, db_url, targets, s.baseline_bookings, tally
                )
            )
        mode = "spread over sessions" if spread else "all on one session until full"
        rows.append(Row(f"bookings/s, {mode}", "/s", ours, base, higher_is_better=True))
    floor = [
        await bookings_bench.floor_round(url, pool.take(1)[0], s.bookings) for _ in range(s.rounds)
    ]
    measure = "  the floor: pairs of calls/s, no SQL"
    rows.append(Row(measure, "/s", floor, rows[0].baseline, higher_is_better=True))
    ceiling = []
    for rate in floor:
        cpu_ms, booked = await asyncio.to_thread(
            ceiling_bench.cpu_per_pair, db, pool.take(s.bookings + 10)
        )
        tally.booked += booked
        ceiling.append(1000 / (cpu_ms + 1000 / rate))
    measure = "  the ceiling: floor + statements, no rules"
    rows.append(Row(measure, "/s", ceiling, rows[0].baseline, higher_is_better=True))
    return rows


async def more_servers(
    urls: list[str], pool: Pool, s: Scale, tally: bookings_bench.Tally, baseline: Row
) -> list[Row]:
    """Bookings/s spread over sessions with the eight clients shared among 2 and 4 server
    processes on the same database, against the same baseline."""
    rows = []
    for count in (2, 4):
        ours = []
        for n in range(s.rounds):
            targets = bookings_bench.Targets(pool.take(s.bookings), True, seed=100 + n)
            ours.append(
                await bookings_bench.project_round(urls[:count], targets, s.bookings, tally)
            )
        measure = f"bookings/s, spread, {count} server processes"
        rows.append(Row(measure, "/s", ours, baseline.baseline, higher_is_better=True))
    return rows


async def pushes(
    url: str, db: Database, db_url: str, pool: Pool, s: Scale
) -> tuple[list[Row], int, int, float]:
    """Push rows, pushes lost, subscribers out of order, and the median time of a change;
    measured on a busy server (``warm_changes`` changes first, beyond the bookings')."""
    await asyncio.to_thread(push_bench.warm, db, pool.take(100), s.warm_changes)
    rows, lost, disorder, writes = [], 0, 0, list[float]()
    for count in s.subscribers:
        ours, base = push_bench.Result(), push_bench.Result()
        sessions = [pool.take(s.changes) for _ in range(s.rounds)]
        await push_bench.project(url, db_url, count, sessions, ours)
        await push_bench.baseline(count, s.rounds, s.changes, ours.frame, base)
        rows.append(Row(f"push p99, {count} subscribers", "ms", ours.p99s, base.p99s, False))
        rows.append(
            Row("  the same from the change's append", "ms", ours.after_append, base.p99s, False)
        )
        lost += ours.lost + base.lost
        disorder += ours.out_of_order
        writes += ours.writes
    return rows, lost, disorder, statistics.median(writes)


def month(db: Database, db_url: str, s: Scale) -> Row:
    ours, shown = month_bench.project(db, 2027, 3, s.month_runs)
    base = month_bench.baseline(db_url, 2027, 3, s.month_runs)
    return Row(f"sessions.month, {shown} sessions in the month", "ms", ours, base, False)


def stored_bookings(db_url: str) -> int:
    with psycopg.connect(psycopg_url(db_url)) as conn:
        row = conn.execute("SELECT count(*) FROM bookings").fetchone()
    assert row is not None
    return int(row[0])


async def run(s: Scale) -> int:
    print(f"{platform.node()}: {os.cpu_count()} CPUs, Python {platform.python_version()}")
    with scratch_database() as db_url, seeded(db_url, s.sessions) as (db, env, ids):
        print(f"{s.sessions:,} sessions seeded; {s.rounds} rounds per row\n")
        pool = Pool(ids)
        tally = bookings_bench.Tally()
        with ServerProcess(env) as process:
            rows = await bookings(process.url, db, db_url, pool, s, tally)
            push_rows, lost, disorder, write_ms = await pushes(process.url, db, db_url, pool, s)
            with contextlib.ExitStack() as more:
                others = [more.enter_context(ServerProcess(env)).url for _ in range(3)]
                rows += await more_servers([process.url, *others], pool, s, tally, rows[0])
        rows += push_rows
        rows.append(month(db, db_url, s))
        for row in rows:
            row.print()
        print(f"  (a pushed change is a holds.create call, its own median {write_ms:.1f} ms)")
        over, wrong = bookings_bench.oversold_or_miscounted(db_url)
        stored = stored_bookings(db_url)
        checks = [
            ("sessions booked past capacity", over, 0),
            ("session counts that differ from a recount", wrong, 0),
            ("bookings stored", stored, tally.booked),
            ("pushes lost", lost, 0),
            ("subscribers given changes out of order or twice", disorder, 0),
            ("rate-limited replies", tally.rate_limited, 0),
        ]
    print()
    failed = 0
    for what, got, expected in checks:
        ok = got == expected
        failed += not ok
        print(f"  {what:48s} {got:8,}   {'ok' if ok else f'EXPECTED {expected:,}'}")
    return 1 if failed else 0


def main() -> None:
    sys.exit(asyncio.run(run(scale())))


if __name__ == "__main__":
    main()
