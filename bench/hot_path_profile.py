"""Where hold + book spends its time: the server's work minus the WebSocket, in one process.

Seeds a scratch PostgreSQL database (or SQLite with ``--sqlite``) like ``server_bench.py``,
then runs ``holds.create`` and ``bookings.create`` through ``core.api.dispatch`` for
``--bookings`` bookings on random sessions, counting the SQL statements of each pair with a
``before_cursor_execute`` listener; ``--profile FILE`` saves a cProfile of the loop.

    .venv/bin/python bench/hot_path_profile.py [--bookings N] [--sessions N] [--profile F]
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.server_harness import ATTENDEE, STAFF, scratch_database, seeded  # noqa: E402
from core.api import dispatch  # noqa: E402
from core.api.registry import Call  # noqa: E402
from core.infra.actor import Actor  # noqa: E402
from core.infra.db import Database  # noqa: E402
from core.models import User  # noqa: E402


def _actor(db: Database) -> Actor:
    with db.read() as tx:
        user = tx.query(User).filter_by(email=STAFF).one()
        return Actor(label=user.name, role=user.role, channel="desk", user_id=user.id)


def run(db: Database, ids: list[int], bookings: int, profile: str | None) -> None:
    statements: list[str] = []

    @event.listens_for(db.engine, "before_cursor_execute")
    def _count(_conn: Any, _cur: Any, statement: str, *_args: Any) -> None:
        statements.append(" ".join(statement.split())[:90])

    call = Call(db, _actor(db))
    rng = random.Random(2)
    per_pair: list[int] = []
    kinds: collections.Counter[str] = collections.Counter()
    profiler = cProfile.Profile(time.process_time)  # CPU time, not waits
    began, cpu = time.perf_counter(), time.process_time()
    for i in range(bookings):
        statements.clear()
        if profile:
            profiler.enable()
        hold = dispatch(call, "holds.create", {"session_id": rng.choice(ids), "seats": 1})
        dispatch(
            call,
            "bookings.create",
            {"hold_id": hold["id"], "hold_token": hold["hold_token"], "attendees": [ATTENDEE]},
        )
        if profile:
            profiler.disable()
        per_pair.append(len(statements))
        if i == bookings - 1:
            kinds.update(statements)
    took, cpu = time.perf_counter() - began, time.process_time() - cpu
    print(f"{bookings} hold + book in {took:.2f} s: {bookings / took:.1f} /s in one thread")
    print(f"CPU in this process: {cpu / bookings * 1000:.1f} ms per hold + book")
    print(f"SQL statements per hold + book: min {min(per_pair)} max {max(per_pair)}")
    for stmt, n in kinds.most_common():
        print(f"  {n} x {stmt}")
    if profile:
        profiler.dump_stats(profile)
        print(f"profile saved to {profile}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bookings", type=int, default=200)
    parser.add_argument("--sessions", type=int, default=2000)
    parser.add_argument("--profile", metavar="FILE")
    parser.add_argument("--sqlite", action="store_true", help="an SQLite file, not PostgreSQL")
    args = parser.parse_args()
    if args.sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{tmp}/bench.db"
            with seeded(url, args.sessions) as (db, _env, ids):
                run(db, ids, args.bookings, args.profile)
        return
    with scratch_database() as url, seeded(url, args.sessions) as (db, _env, ids):
        run(db, ids, args.bookings, args.profile)


if __name__ == "__main__":
    main()
