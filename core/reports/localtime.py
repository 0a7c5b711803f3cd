"""London wall-clock arithmetic inside SQL, rendered per dialect so both engines agree.

Timestamps are stored in UTC. PostgreSQL converts with ``AT TIME ZONE 'Europe/London'``;
SQLite has no time zones, so British Summer Time is computed from its rule (01:00 UTC on
the last Sunday of March until 01:00 UTC on the last Sunday of October). Every literal is
rendered inline (no bound parameters) so the same expression can appear in SELECT and
GROUP BY on PostgreSQL.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement


class _Local(FunctionElement[Any]):
    """Base for expressions over one UTC timestamp column, evaluated in London time."""

    inherit_cache = True


class month_key(_Local):  # noqa: N801 - SQL function style
    """``2026-03``: the London calendar month."""

    type = String()
    inherit_cache = True


class week_key(_Local):  # noqa: N801
    """``2026-03-02``: the Monday of the London week."""

    type = String()
    inherit_cache = True


class day_key(_Local):  # noqa: N801
    """``2026-03-03``: the London calendar date."""

    type = String()
    inherit_cache = True


class weekday_no(_Local):  # noqa: N801
    """0 = Sunday .. 6 = Saturday (the same numbering on both engines)."""

    type = Integer()
    inherit_cache = True


class clock_time(_Local):  # noqa: N801
    """``09:00``: the London wall-clock time."""

    type = String()
    inherit_cache = True


class days_between(FunctionElement[int]):  # noqa: N801
    """Whole London calendar days from the second timestamp to the first."""

    type = Integer()
    inherit_cache = True


def _sqlite_offset(c: str) -> str:
    """``'+1 hour'`` in British Summer Time, ``'+0 hours'`` otherwise, for UTC text ``c``.

    April to September are summer time and November to February winter time outright; only
    March and October need the last-Sunday rule worked out.
    """
    year = f"substr({c}, 1, 4)"
    starts = f"datetime(date({year} || '-03-25', 'weekday 0'), '+1 hour')"
    ends = f"datetime(date({year} || '-10-25', 'weekday 0'), '+1 hour')"
    month = f"substr({c}, 6, 2)"
    return (
        f"(CASE WHEN {month} BETWEEN '04' AND '09' THEN '+1 hour' "
        f"WHEN {month} IN ('03', '10') AND {c} >= {starts} AND {c} < {ends} "
        f"THEN '+1 hour' ELSE '+0 hours' END)"
    )


def _sqlite_local(compiler: SQLCompiler, column: Any, **kw: Any) -> str:
    c = compiler.process(column, **kw)
    return f"datetime({c}, {_sqlite_offset(c)})"


def _sqlite_day_number(compiler: SQLCompiler, column: Any, **kw: Any) -> str:
    """The London calendar day as a whole Julian day number (no text round trip)."""
    c = compiler.process(column, **kw)
    return f"CAST(julianday({c}, {_sqlite_offset(c)}) + 0.5 AS INTEGER)"


def _pg_local(compiler: SQLCompiler, column: Any, **kw: Any) -> str:
    return f"({compiler.process(column, **kw)} AT TIME ZONE 'Europe/London')"


def _arg(element: FunctionElement[Any], n: int = 0) -> Any:
    return list(element.clauses)[n]


SQLITE_FORMATS = {
    month_key: "strftime('%Y-%m', {})",
    week_key: "date({}, '-6 days', 'weekday 1')",
    day_key: "date({})",
    weekday_no: "CAST(strftime('%w', {}) AS INTEGER)",
    clock_time: "strftime('%H:%M', {})",
}
PG_FORMATS = {
    month_key: "to_char({}, 'YYYY-MM')",
    week_key: "to_char(date_trunc('week', {}), 'YYYY-MM-DD')",
    day_key: "to_char({}, 'YYYY-MM-DD')",
    weekday_no: "CAST(extract(dow FROM {}) AS INTEGER)",
    clock_time: "to_char({}, 'HH24:MI')",
}


def _register(cls: type[_Local]) -> None:
    @compiles(cls, "sqlite")
    def _sqlite(element: _Local, compiler: SQLCompiler, **kw: Any) -> str:
        return SQLITE_FORMATS[cls].format(_sqlite_local(compiler, _arg(element), **kw))

    @compiles(cls, "postgresql")
    def _pg(element: _Local, compiler: SQLCompiler, **kw: Any) -> str:
        return PG_FORMATS[cls].format(_pg_local(compiler, _arg(element), **kw))


for _cls in SQLITE_FORMATS:
    _register(_cls)


@compiles(days_between, "sqlite")
def _days_sqlite(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    later = _sqlite_day_number(compiler, _arg(element, 0), **kw)
    earlier = _sqlite_day_number(compiler, _arg(element, 1), **kw)
    return f"({later} - {earlier})"


@compiles(days_between, "postgresql")
def _days_pg(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    later = _pg_local(compiler, _arg(element, 0), **kw)
    earlier = _pg_local(compiler, _arg(element, 1), **kw)
    return f"(CAST({later} AS date) - CAST({earlier} AS date))"


class date_month(FunctionElement[str]):  # noqa: N801
    """``2026-03`` from a plain DATE column (no time zone involved)."""

    type = String()
    inherit_cache = True


@compiles(date_month, "sqlite")
def _date_month_sqlite(element: date_month, compiler: SQLCompiler, **kw: Any) -> str:
    return f"strftime('%Y-%m', {compiler.process(_arg(element), **kw)})"


@compiles(date_month, "postgresql")
def _date_month_pg(element: date_month, compiler: SQLCompiler, **kw: Any) -> str:
    return f"to_char({compiler.process(_arg(element), **kw)}, 'YYYY-MM')"
