"""Names, emails, phones, birth dates and special requirements never reach the disk in clear."""

from __future__ import annotations

from pathlib import Path

import psycopg
from sqlalchemy import text

from core import bookings
from core.actor import Actor
from core.db import Database
from tests.factories import make_session

SECRET_NAME = "Philippa Quixley-Ormerod"
SECRET_EMAIL = "philippa.quixley@example.org"
SECRET_NEEDS = "Allergic to latex gloves"
ATTENDEE = {
    "name": SECRET_NAME,
    "email": SECRET_EMAIL,
    "date_of_birth": "1987-03-14",
    "phone": "07700 900461",
    "special_requirements": SECRET_NEEDS,
}


def _book(db: Database) -> str:
    sid = make_session(db)
    with db.write() as tx:
        return bookings.book_now(tx, sid, [ATTENDEE], Actor("desk", "reception")).reference


def test_raw_sqlite_file_holds_no_personal_data(sqlite_db: Database, tmp_path: Path) -> None:
    reference = _book(sqlite_db)
    with sqlite_db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(FULL)")
    sqlite_db.dispose()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("rft.sqlite3*"))
    assert reference.encode() in raw  # the file really holds the booking
    for secret in (SECRET_NAME, SECRET_EMAIL, SECRET_NEEDS, "07700 900461", "1987-03-14"):
        assert secret.encode() not in raw
        assert secret.lower().encode() not in raw.lower()


def test_postgres_tables_hold_no_personal_data(pg_db: Database) -> None:
    reference = _book(pg_db)
    dsn = pg_db.settings.database_url.replace("postgresql+psycopg://", "postgresql://")
    dump = []
    with psycopg.connect(dsn) as conn:
        tables = [
            r[0]
            for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        ]
        for table in tables:
            for row in conn.execute(f'SELECT * FROM "{table}"'):
                dump.append(" ".join(str(v) for v in row))
    everything = "\n".join(dump).lower()
    assert reference.lower() in everything
    for secret in (SECRET_NAME, SECRET_EMAIL, SECRET_NEEDS, "07700 900461", "1987-03-14"):
        assert secret.lower() not in everything


def test_booking_reads_back_in_clear_through_core(any_db: Database) -> None:
    reference = _book(any_db)
    with any_db.read() as tx:
        found = bookings.search(tx, SECRET_EMAIL.upper())
        assert [b.reference for b in found] == [reference]
        attendee = found[0].attendees[0]
        assert (attendee.name, attendee.special_requirements) == (SECRET_NAME, SECRET_NEEDS)
        stored = tx.execute(text("SELECT email FROM attendees")).scalar_one()
    assert stored.startswith("v1:") and SECRET_EMAIL not in stored
