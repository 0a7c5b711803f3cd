"""Utilisation: seats booked as a share of capacity, from the sessions table.

Cancelled sessions are left out: their seats were never on sale. Sessions that have run
(finished before now) and sessions still to come are also shown apart, and the chart draws
them apart: a future session's seats can still sell, so its "utilisation" is only the
bookings so far.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, case, func
from sqlalchemy.orm import Session

from core.infra.clock import now
from core.models import CourseSession
from core.models.statuses import SessionStatus
from core.reports.dimensions import SESSION_DIMENSIONS, chart_for, dimension, group_columns
from core.reports.grouping import grouped, summed
from core.reports.model import Column, Report, ReportFilter, percent

MEASURES = ("sessions", "capacity", "booked", "run_sessions", "run_capacity", "run_booked")


def _share(part: int, whole: int) -> float | None:
    """A percentage, or None when there is nothing to measure (not 0%)."""
    return percent(part, whole) if whole else None


def _row(row: dict[str, Any]) -> dict[str, Any]:
    row["free"] = row["capacity"] - row["booked"]
    row["utilisation_pct"] = percent(row["booked"], row["capacity"])
    row["to_come_sessions"] = row["sessions"] - row["run_sessions"]
    row["run_pct"] = _share(row["run_booked"], row["run_capacity"])
    row["to_come_pct"] = _share(
        row["booked"] - row["run_booked"], row["capacity"] - row["run_capacity"]
    )
    return row


def utilisation(tx: Session, flt: ReportFilter, by: str | None) -> Report:
    dim = dimension(by, SESSION_DIMENSIONS, "venue")
    ran = CourseSession.end_at <= now()

    def source(stmt: Select[Any]) -> Select[Any]:
        stmt = stmt.select_from(CourseSession).where(
            CourseSession.status != SessionStatus.CANCELLED
        )
        return flt.apply(stmt)

    rows = grouped(
        tx,
        dim,
        [
            func.count(CourseSession.id).label("sessions"),
            func.sum(CourseSession.capacity).label("capacity"),
            func.sum(CourseSession.booked).label("booked"),
            func.sum(case((ran, 1), else_=0)).label("run_sessions"),
            func.sum(case((ran, CourseSession.capacity), else_=0)).label("run_capacity"),
            func.sum(case((ran, CourseSession.booked), else_=0)).label("run_booked"),
        ],
        source,
    )
    rows = [_row(r) for r in rows]
    columns = [
        *group_columns(dim),
        Column("sessions", "Sessions"),
        Column("capacity", "Seats"),
        Column("booked", "Booked"),
        Column("free", "Unsold"),
        Column("utilisation_pct", "Utilisation", "pct"),
        Column("run_sessions", "Sessions run"),
        Column("run_pct", "Utilisation of sessions run", "pct"),
        Column("to_come_sessions", "Sessions to come"),
        Column("to_come_pct", "Booked so far, sessions to come", "pct"),
    ]
    chart = chart_for(dim, ["run_pct", "to_come_pct"], "% of seats booked", "pct")
    return Report(
        name="utilisation",
        title=f"Utilisation by {dim.title.lower()}",
        by=dim.name,
        columns=columns,
        rows=rows,
        chart=chart,
        filters={},
        totals=_row(summed(rows, MEASURES)) if rows else None,
        notes=[
            "Cancelled sessions are excluded.",
            "Booked counts confirmed and unpaid seats.",
            "Sessions run have finished; sessions to come can still sell seats.",
        ],
    )
