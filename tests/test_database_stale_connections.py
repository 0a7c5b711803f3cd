"""After PostgreSQL drops the pool's connections (a restart, an idle timeout), the next unit
of work gets a fresh connection instead of an error: the pool pings connections that sat
idle (it no longer pings every checkout, which cost a round trip per read and write)."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import text

from core.infra import db as database
from core.infra.db import Database
from tests.conftest import _admin_dsn


def drop_connections(db: Database) -> int:
    with psycopg.connect(_admin_dsn(), autocommit=True) as admin:
        row = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            (db.engine.url.database,),
        ).fetchone()
    assert row is not None
    return int(row[0])


def test_a_dropped_pooled_connection_is_replaced_for_reads_glances_and_writes(
    pg_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(database, "IDLE_BEFORE_PING_S", 0.0)  # every returned one has idled
    for unit in (pg_db.read, pg_db.glance, pg_db.write):
        with pg_db.read() as tx:
            tx.execute(text("SELECT 1"))  # a connection now waits in the pool
        assert drop_connections(pg_db) >= 1
        with unit() as tx:
            assert tx.execute(text("SELECT 41 + 1")).scalar_one() == 42
