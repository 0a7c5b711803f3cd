"""Utilisation: seats booked as a share of capacity, from the sessions table.

Cancelled sessions are left out: their seats were never on sale.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func
from sqlalchemy.orm import Session

from core.models import CourseSession
from core.reports.dimensions import SESSION_DIMENSIONS, chart_for, dimension, group_columns
from core.reports.grouping import grouped, summed
from core.reports.model import Column, Report, ReportFilter, percent

MEASURES = ("sessions", "capacity", "booked")


def _row(row: dict[str, Any]) -> dict[str, Any]:
    row["free"] = row["capacity"] - row["booked"]
    row["utilisation_pct"] = percent(row["booked"], row["capacity"])
    return row


def utilisation(tx: Session, flt: ReportFilter, by: str | None) -> Report:
    dim = dimension(by, SESSION_DIMENSIONS, "venue")

    def source(stmt: Select[Any]) -> Select[Any]:
        stmt = stmt.select_from(CourseSession).where(CourseSession.status != "CANCELLED")
        return flt.apply(stmt)

    rows = grouped(
        tx,
        dim,
        [
            func.count(CourseSession.id).label("sessions"),
            func.sum(CourseSession.capacity).label("capacity"),
            func.sum(CourseSession.booked).label("booked"),
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
    ]
    chart = chart_for(dim, ["utilisation_pct"], "Seats booked (% of capacity)", "pct")
    return Report(
        name="utilisation",
        title=f"Utilisation by {dim.title.lower()}",
        by=dim.name,
        columns=columns,
        rows=rows,
        chart=chart,
        filters={},
        totals=_row(summed(rows, MEASURES)) if rows else None,
        notes=["Cancelled sessions are excluded.", "Booked counts confirmed and unpaid seats."],
    )
