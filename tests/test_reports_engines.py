"""SQLite and PostgreSQL give identical numbers for every report on the same data."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from core import reports
from core.infra.clock import today_london
from core.infra.db import Database
from core.reports import ReportFilter
from core.reports.dimensions import SESSION_DIMENSIONS
from tests.reports_data import build_known, certify, month_start


def everything(db: Database) -> dict[str, Any]:
    build_known(db)
    certify(db, "faw", "leeds", [month_start(today_london(), 2) + timedelta(days=5)] * 2)
    out: dict[str, Any] = {}
    with db.read() as tx:
        for name in reports.REPORT_NAMES:
            groupings = SESSION_DIMENSIONS if name in ("utilisation", "revenue") else (None,)
            for by in groupings:
                report = reports.run(tx, name, ReportFilter(), by).to_json()
                report.pop("generated_at")
                out[f"{name}/{by}"] = report
    return out


def test_sqlite_and_postgresql_agree_on_every_report(sqlite_db: Database, pg_db: Database) -> None:
    on_sqlite, on_postgres = everything(sqlite_db), everything(pg_db)
    assert on_sqlite.keys() == on_postgres.keys()
    for key in on_sqlite:
        assert on_sqlite[key] == on_postgres[key], key
    assert on_sqlite["utilisation/venue"]["rows"], "the comparison must cover real figures"
