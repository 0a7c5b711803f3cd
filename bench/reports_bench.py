"""Benchmark: reports over 100,000 bookings against one hand-written aggregate SQL query.

Builds the data on a fresh SQLite file (and on a scratch PostgreSQL database when one is
reachable at 127.0.0.1:5432), then times each report and the baseline query (best of
several runs) and prints both times and their ratio. A benchmark to read, not a test.

    .venv/bin/python bench/reports_bench.py [--bookings 100000] [--runs 5]
"""

from __future__ import annotations

import argparse
import base64
import os
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select, text  # noqa: E402

from core import reports  # noqa: E402
from core.catalogue import specs as catalogue  # noqa: E402
from core.infra.config import load_settings  # noqa: E402
from core.infra.db import Database, migrate, open_database  # noqa: E402
from core.models import Booking, Course, CourseSession, Payment, Venue  # noqa: E402
from core.models.base import blind_index  # noqa: E402
from core.reports import ReportFilter  # noqa: E402

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
BASELINE = """
SELECT s.venue_id, count(b.id), sum(b.seats), sum(b.subtotal_pence), sum(b.discount_pence)
FROM bookings b JOIN course_sessions s ON s.id = b.session_id
WHERE s.start_at >= :start AND s.start_at < :end AND b.status <> 'CANCELLED'
GROUP BY s.venue_id
"""
REPORTS = (
    ("revenue", "venue"),
    ("utilisation", "month"),
    ("cancellations", "venue"),
    ("lead-time", None),
    ("conversion", None),
)
FIRST = date(2025, 1, 6)
DAYS = 730


def build(db: Database, bookings: int, rng: random.Random) -> tuple[datetime, datetime]:
    """Sessions over two years with ``bookings`` bookings of 1-3 seats; some refunded."""
    with db.write() as tx:
        catalogue.install(tx, catalogue.default_catalogue())
        courses = [(c.id, c.price_pence) for c in tx.scalars(select(Course))]
        venues = list(tx.scalars(select(Venue.id)))
    made = datetime.now(UTC)
    name, email = "Bench Customer", "bench@example.com"
    sessions, seats_left = [], []
    for i in range(bookings // 5 + 1):
        course = rng.choice(courses)
        start = datetime.combine(
            FIRST + timedelta(days=rng.randrange(DAYS)), datetime.min.time(), tzinfo=UTC
        ) + timedelta(hours=rng.choice((8, 9, 13)))
        sessions.append(
            {
                "id": i + 1,
                "course_id": course[0],
                "venue_id": rng.choice(venues),
                "start_at": start,
                "end_at": start + timedelta(hours=7),
                "capacity": 12,
                "booked": 0,
                "status": "SCHEDULED",
                "version": 1,
                "created_at": made,
                "price": course[1],
            }
        )
        seats_left.append(12)
    rows, payments = [], []
    for n in range(bookings):
        while True:
            k = rng.randrange(len(sessions))
            seats = rng.choice((1, 1, 2, 3))
            if seats_left[k] >= seats:
                break
        seats_left[k] -= seats
        s = sessions[k]
        cancelled = rng.random() < 0.08
        if not cancelled:
            s["booked"] += seats
        subtotal = s["price"] * seats
        rows.append(
            {
                "id": n + 1,
                "reference": f"B-{n + 1:07d}",
                "session_id": s["id"],
                "status": "CANCELLED" if cancelled else "CONFIRMED",
                "channel": rng.choice(("desk", "website")),
                "seats": seats,
                "unit_price_pence": s["price"],
                "subtotal_pence": subtotal,
                "discount_pence": 0,
                "total_pence": subtotal,
                "customer_name": name,
                "customer_email": email,
                "customer_email_hash": blind_index(email),
                "created_by": "bench",
                "created_at": s["start_at"] - timedelta(days=rng.randint(1, 60)),
                "cancelled_at": None,
                "cancel_reason": None,
                "customer_phone": None,
            }
        )
        if cancelled and rng.random() < 0.5:
            for kind in ("charge", "refund"):
                payments.append(
                    {
                        "booking_id": n + 1,
                        "kind": kind,
                        "method": "card",
                        "status": "succeeded",
                        "amount_pence": subtotal,
                        "recorded_by": "bench",
                        "created_at": made,
                    }
                )
    for s in sessions:
        s.pop("price")
    with db.write() as tx:
        for chunk in range(0, len(sessions), 5000):
            tx.execute(insert(CourseSession), sessions[chunk : chunk + 5000])
        for chunk in range(0, len(rows), 5000):
            tx.execute(insert(Booking), rows[chunk : chunk + 5000])
        tx.execute(insert(Payment), payments)
    if db.dialect == "postgresql":
        with db.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
    else:
        with db.write() as tx:
            tx.execute(text("ANALYZE"))
    start = datetime.combine(FIRST, datetime.min.time(), tzinfo=UTC)
    return start, start + timedelta(days=DAYS + 1)


def best_of(runs: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        work()
        times.append(time.perf_counter() - t0)
    return min(times)


def bench(db: Database, bookings: int, runs: int) -> None:
    t0 = time.perf_counter()
    start, end = build(db, bookings, random.Random(7))
    with db.read() as tx:
        count = tx.scalar(select(text("count(*)")).select_from(Booking))
    print(f"\n{db.dialect}: {count:,} bookings built in {time.perf_counter() - t0:.1f}s")
    flt = ReportFilter(date_from=FIRST, date_to=FIRST + timedelta(days=DAYS))

    def baseline() -> object:
        with db.read() as tx:
            return tx.execute(text(BASELINE), {"start": start, "end": end}).all()

    base = best_of(runs, baseline)
    print(f"  {'baseline SQL (GROUP BY venue)':34s} {base * 1000:8.1f} ms")
    for name, by in REPORTS:

        def report(name: str = name, by: str | None = by) -> object:
            with db.read() as tx:
                return reports.run(tx, name, flt, by)

        took = best_of(runs, report)
        label = f"report {name}" + (f" --by {by}" if by else "")
        print(
            f"  {label:34s} {took * 1000:8.1f} ms   ratio {took / base:5.2f}x"
            f"   {'under 1 s' if took < 1 else 'OVER 1 s'}"
        )


@contextmanager
def environment(url: str, data: Path) -> Iterator[Database]:
    os.environ.update(
        DATABASE_URL=url,
        RFT_DATA_DIR=str(data),
        RFT_DATA_KEY=base64.urlsafe_b64encode(b"b" * 32).decode(),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
    )
    db = open_database(load_settings())
    migrate(db)
    try:
        yield db
    finally:
        db.dispose()


@contextmanager
def scratch_postgres() -> Iterator[str | None]:
    try:
        import psycopg

        admin = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3)
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        print(f"\nPostgreSQL not reachable ({exc.__class__.__name__}); SQLite only.")
        yield None
        return
    name = f"rft_bench_{uuid.uuid4().hex[:8]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bookings", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        with environment(f"sqlite:///{tmp}/bench.sqlite3", Path(tmp)) as db:
            bench(db, args.bookings, args.runs)
        with scratch_postgres() as url:
            if url:
                with environment(url, Path(tmp)) as db:
                    bench(db, args.bookings, args.runs)


if __name__ == "__main__":
    main()
