"""What the server bench's measurements share: a scratch PostgreSQL database seeded with
sessions and a receptionist, the settings its ``rft server`` runs with, and the table's rows.

Used by ``bench/server_bench.py``; nothing here is timed.
"""

from __future__ import annotations

import base64
import os
import random
import statistics
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import insert, select

from core.catalogue import specs as catalogue
from core.infra.config import load_settings
from core.infra.db import Database, migrate, open_database
from core.models import Course, CourseSession, SessionDay, Venue
from core.staff import auth
from tests.server_support import PASSWORD, server_env

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
FIRST_DAY = date(2027, 1, 4)  # sessions run for two years from here: ~411 a month at 10,000
DAYS = 730
STAFF = "bench.reception@example.org"
# High enough that the limit never caps the measurement; rate-limited replies are counted.
NO_CAP = {"WS_RATE_LIMIT": "100000", "WS_RATE_BURST": "100000"}
ATTENDEE = {"name": "Bench Attendee", "email": "bench@example.org", "date_of_birth": "1990-05-17"}


@dataclass
class Row:
    """One line of the table: the project against its baseline, medians over rounds."""

    measure: str
    unit: str
    project: list[float]
    baseline: list[float]
    higher_is_better: bool

    def print(self) -> None:
        ours, base = statistics.median(self.project), statistics.median(self.baseline)
        ratio = ours / base if base else float("nan")
        label = "ratio" if self.higher_is_better else "times baseline"
        print(
            f"  {self.measure:44s} {ours:9.1f} {self.unit:10s} baseline {base:9.1f} "
            f"{self.unit:10s} {label} {ratio:6.3f}   (median of {len(self.project)})"
        )


@contextmanager
def scratch_database() -> Iterator[str]:
    """A new PostgreSQL database for this run, dropped at the end whatever happens."""
    name = f"rft_server_bench_{uuid.uuid4().hex[:8]}"
    try:
        admin = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        raise SystemExit(f"PostgreSQL is not reachable at {PG_ADMIN}: {exc}") from None
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def environment(url: str, data_dir: Path) -> dict[str, str]:
    """The settings both the bench and its server processes run with."""
    return server_env(
        url,
        RFT_DATA_DIR=str(data_dir),
        RFT_DATA_KEY=base64.urlsafe_b64encode(b"s" * 32).decode(),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        **NO_CAP,
    )


@contextmanager
def seeded(url: str, sessions: int) -> Iterator[tuple[Database, dict[str, str], list[int]]]:
    """Migrate, install the catalogue, add a receptionist and ``sessions`` sessions of 12
    seats spread over two years; yields the open database, the environment and session ids."""
    with tempfile.TemporaryDirectory() as tmp:
        env = environment(url, Path(tmp))
        os.environ.update(env)
        db = open_database(load_settings())
        try:
            migrate(db)
            ids = _seed(db, sessions)
            yield db, env, ids
        finally:
            db.dispose()


def _seed(db: Database, count: int) -> list[int]:
    rng = random.Random(15)
    made = datetime.now(UTC)
    with db.write() as tx:
        catalogue.install(tx, catalogue.default_catalogue())
        auth.add_user(tx, STAFF, "Bench Reception", "reception", PASSWORD)
        # requalification courses need a certificate on record: not what this bench measures
        # Requalification courses need a certificate on record; the bench books full courses.
        courses = list(tx.scalars(select(Course.id).where(Course.requalifies_id.is_(None))))
        venues = list(tx.scalars(select(Venue.id)))
        first = datetime.combine(FIRST_DAY, datetime.min.time(), tzinfo=UTC)
        rows = []
        for i in range(count):
            start = first + timedelta(days=i * DAYS // count, hours=rng.choice((8, 9, 13)))
            rows.append(
                {
                    "course_id": rng.choice(courses),
                    "venue_id": rng.choice(venues),
                    "start_at": start,
                    "end_at": start + timedelta(hours=7),
                    "capacity": 12,
                    "booked": 0,
                    "status": "SCHEDULED",
                    "version": 1,
                    "created_at": made,
                }
            )
        for chunk in range(0, len(rows), 5000):
            tx.execute(insert(CourseSession), rows[chunk : chunk + 5000])
        ids = list(tx.scalars(select(CourseSession.id).order_by(CourseSession.id)))
        days = [  # each a one-day course, as scheduling writes it
            {
                "session_id": sid,
                "day_index": 0,
                "start_at": row["start_at"],
                "end_at": row["end_at"],
            }
            for sid, row in zip(ids, rows, strict=True)
        ]
        for chunk in range(0, len(days), 5000):
            tx.execute(insert(SessionDay), days[chunk : chunk + 5000])
    with db.engine.connect() as conn:
        analyse = "VACUUM ANALYZE" if db.dialect == "postgresql" else "ANALYZE"
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(analyse)
    rng.shuffle(ids)
    return ids


class Pool:
    """Hands out sessions no other measurement has touched."""

    def __init__(self, ids: list[int]) -> None:
        self._ids = ids

    def take(self, count: int) -> list[int]:
        if count > len(self._ids):
            raise SystemExit("Not enough sessions seeded for this run; raise --sessions.")
        taken, self._ids = self._ids[:count], self._ids[count:]
        return taken


def reply_error(reply: dict[str, Any]) -> int | None:
    error = reply.get("error")
    return int(error["code"]) if error else None


def psycopg_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)
