"""Schema: migrations match the models, the seed's indexes exist, listings avoid N+1 queries."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import event, inspect

from core.demo import data as demo
from core.infra.db import Database
from core.models import Base
from core.seats.availability import SessionFilter, list_sessions

SEED_INDEXES = {
    "course_sessions": {"idx_sessions_date_course", "idx_sessions_availability"},
    "bookings": {"idx_bookings_user", "idx_bookings_session"},
}


def test_migrations_create_exactly_the_modelled_schema(any_db: Database) -> None:
    with any_db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_the_seeds_four_indexes_exist(any_db: Database) -> None:
    inspector = inspect(any_db.engine)
    for table, wanted in SEED_INDEXES.items():
        assert wanted <= {ix["name"] for ix in inspector.get_indexes(table)}


def test_sqlite_runs_in_wal_mode(sqlite_db: Database) -> None:
    with sqlite_db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_listing_twelve_weeks_takes_the_same_queries_for_ten_or_hundreds(
    sqlite_db: Database,
) -> None:
    demo.seed(sqlite_db)
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(sqlite_db.engine, "before_cursor_execute", count)
    try:
        with sqlite_db.read() as tx:
            few = list_sessions(tx, SessionFilter(limit=10))
        few_queries = len(statements)
        statements.clear()
        with sqlite_db.read() as tx:
            many = list_sessions(tx, SessionFilter())
        many_queries = len(statements)
    finally:
        event.remove(sqlite_db.engine, "before_cursor_execute", count)
    assert len(few) == 10 and len(many) > 200  # demo: 8 venues, 12 weeks each way
    assert many_queries == few_queries <= 4


def test_migrations_have_a_single_head() -> None:
    from alembic.script import ScriptDirectory

    from core.infra.db import MIGRATIONS

    scripts = ScriptDirectory(str(MIGRATIONS))
    assert len(scripts.get_heads()) == 1
