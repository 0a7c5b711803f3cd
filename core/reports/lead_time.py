"""Booking lead time: London calendar days from the booking being made to the course's start."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from core.models import Booking, CourseSession
from core.models.statuses import BookingStatus
from core.reports.dimensions import (
    SESSION_DIMENSIONS,
    chart_for,
    dimension,
    group_columns,
    lead_bucket,
    lead_days,
)
from core.reports.grouping import grouped, summed
from core.reports.model import Column, Report, ReportFilter, percent

MEASURES = ("bookings", "seats", "total_days")
GROUPINGS = ("lead-time", *SESSION_DIMENSIONS)


def lead_time(tx: Session, flt: ReportFilter, by: str | None) -> Report:
    dim = dimension(by, GROUPINGS, "lead-time")
    # Each booking's lead time is worked out once in a subquery (OFFSET 0 keeps SQLite from
    # inlining it), then grouped: the London-date arithmetic is the expensive part.
    lead = (
        flt.apply(
            select(
                Booking.id.label("booking_id"),
                Booking.session_id.label("session_id"),
                Booking.seats.label("seats"),
                lead_days().label("days"),
            )
            .join(CourseSession, CourseSession.id == Booking.session_id)
            .where(Booking.status != BookingStatus.CANCELLED)
        )
        .offset(0)
        .subquery("lead")
    )
    days = lead.c.days
    if dim.name == "lead-time":
        dim = replace(dim, keys=lambda: [lead_bucket(days)])

    def source(stmt: Select[Any]) -> Select[Any]:
        stmt = stmt.select_from(lead)
        if dim.name != "lead-time":
            stmt = stmt.join(CourseSession, CourseSession.id == lead.c.session_id)
        return stmt

    rows = grouped(
        tx,
        dim,
        [
            func.count(lead.c.booking_id).label("bookings"),
            func.sum(lead.c.seats).label("seats"),
            func.sum(days).label("total_days"),
            func.min(days).label("min_days"),
            func.max(days).label("max_days"),
        ],
        source,
    )
    all_bookings = sum(r["bookings"] for r in rows)
    for r in rows:
        r["avg_days"] = round(r["total_days"] / r["bookings"], 1)
        r["share_pct"] = percent(r["bookings"], all_bookings)
    totals = None
    if rows:
        totals = summed(rows, MEASURES) | {
            "avg_days": round(sum(r["total_days"] for r in rows) / all_bookings, 1),
            "min_days": min(r["min_days"] for r in rows),
            "max_days": max(r["max_days"] for r in rows),
            "share_pct": 100.0,
        }
    series = ["bookings"] if dim.name == "lead-time" else ["avg_days"]
    return Report(
        name="lead-time",
        title=f"Booking lead time by {dim.title.lower()}",
        by=dim.name,
        columns=[
            *group_columns(dim),
            Column("bookings", "Bookings"),
            Column("seats", "Seats"),
            Column("share_pct", "Share of bookings", "pct"),
            Column("avg_days", "Average days ahead", "days"),
            Column("min_days", "Fewest days"),
            Column("max_days", "Most days"),
        ],
        rows=rows,
        chart=chart_for(
            dim, series, "Bookings" if dim.name == "lead-time" else "Average days ahead", "int"
        ),
        filters={},
        totals=totals,
        notes=["Cancelled bookings are excluded.", "Days are counted on London calendar dates."],
    )
