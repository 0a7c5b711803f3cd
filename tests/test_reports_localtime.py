"""London wall-clock arithmetic in SQL agrees with zoneinfo on both engines."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import literal, select

from core.infra.clock import LONDON
from core.infra.db import Database
from core.models.base import UTCDateTime
from core.reports.localtime import clock_time, day_key, days_between, month_key, weekday_no

INSTANTS = [
    datetime(2026, 3, 29, 0, 59, tzinfo=UTC),  # last minute of GMT in 2026
    datetime(2026, 3, 29, 1, 0, tzinfo=UTC),  # first minute of BST
    datetime(2026, 6, 30, 23, 30, tzinfo=UTC),  # already 1 July in London
    datetime(2026, 10, 25, 0, 59, tzinfo=UTC),  # last minute of BST
    datetime(2026, 10, 25, 1, 0, tzinfo=UTC),  # back to GMT
    datetime(2026, 12, 31, 23, 30, tzinfo=UTC),  # still 2026 in London
    datetime(2027, 3, 28, 0, 30, tzinfo=UTC),  # 2027's change is on the 28th
    datetime(2027, 3, 28, 1, 30, tzinfo=UTC),
]


def test_local_parts_match_zoneinfo(any_db: Database) -> None:
    for moment in INSTANTS:
        value = literal(moment, UTCDateTime())
        with any_db.read() as tx:
            got = tx.execute(
                select(month_key(value), day_key(value), weekday_no(value), clock_time(value))
            ).one()
        local = moment.astimezone(LONDON)
        expected = (
            f"{local:%Y-%m}",
            local.date().isoformat(),
            (local.weekday() + 1) % 7,
            f"{local:%H:%M}",
        )
        assert tuple(got) == expected, moment


def test_days_between_counts_london_calendar_days(any_db: Database) -> None:
    booked = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)  # 00:30 on 1 July in London
    course = datetime(2026, 7, 3, 8, 0, tzinfo=UTC)  # 09:00 on 3 July
    with any_db.read() as tx:
        days = tx.scalar(
            select(days_between(literal(course, UTCDateTime()), literal(booked, UTCDateTime())))
        )
    assert days == 2
