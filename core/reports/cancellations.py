"""Cancellations and no-shows, by the session the booking was for.

No-shows come from the attendance register: an attendee on a live booking whose every
attendance mark for the session is ``absent`` (the mark's clear ``status`` column; notes
stay encrypted). Everything is aggregated in SQL.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, case, func, literal_column, select
from sqlalchemy.orm import Session

from core.models import Attendee, Booking, CourseSession
from core.models.attendance import AttendanceMark
from core.models.statuses import BookingStatus
from core.reports.dimensions import (
    SESSION_DIMENSIONS,
    Dimension,
    chart_for,
    dimension,
    group_columns,
)
from core.reports.grouping import grouped, summed
from core.reports.model import Column, Report, ReportFilter, percent

MEASURES = ("bookings", "cancelled", "seats", "cancelled_seats", "registered", "no_shows")


def _cancelled(value: Any) -> Any:
    return func.sum(
        case((Booking.status == BookingStatus.CANCELLED, value), else_=literal_column("0"))
    )


def no_shows(tx: Session, flt: ReportFilter, dim: Dimension) -> dict[str, tuple[int, int]]:
    """Per group id: (attendees with a register, attendees absent on every marked day)."""
    keys = dim.keys()
    absent = func.min(case((AttendanceMark.status == "absent", 1), else_=0))
    per_attendee = dim.join(
        flt.apply(
            select(*(k.label(f"k{i}") for i, k in enumerate(keys)), absent.label("absent"))
            .select_from(AttendanceMark)
            .join(Attendee, Attendee.id == AttendanceMark.attendee_id)
            .join(Booking, Booking.id == Attendee.booking_id)
            .join(CourseSession, CourseSession.id == AttendanceMark.session_id)
            .where(AttendanceMark.field == "attendance", Booking.status != BookingStatus.CANCELLED)
            .group_by(*keys, AttendanceMark.attendee_id)
        )
    ).subquery()
    groups = [per_attendee.c[f"k{i}"] for i in range(len(keys))]
    stmt = select(*groups, func.count(), func.sum(per_attendee.c.absent)).group_by(*groups)
    return {
        dim.describe(tuple(row)[: len(groups)])[0]: (int(row[-2]), int(row[-1] or 0))
        for row in tx.execute(stmt)
    }


def cancellations(tx: Session, flt: ReportFilter, by: str | None) -> Report:
    dim = dimension(by, SESSION_DIMENSIONS, "venue")

    def source(stmt: Select[Any]) -> Select[Any]:
        stmt = stmt.select_from(Booking).join(CourseSession, CourseSession.id == Booking.session_id)
        return flt.apply(stmt)

    rows = grouped(
        tx,
        dim,
        [
            func.count(Booking.id).label("bookings"),
            _cancelled(literal_column("1")).label("cancelled"),
            func.sum(Booking.seats).label("seats"),
            _cancelled(Booking.seats).label("cancelled_seats"),
        ],
        source,
    )
    register = no_shows(tx, flt, dim)
    for r in rows:
        r["registered"], r["no_shows"] = register.get(r["group_id"], (0, 0))
    totals = summed(rows, MEASURES) if rows else None
    for r in [*rows, *([totals] if totals else [])]:
        r["cancelled_pct"] = percent(r["cancelled"], r["bookings"])
        r["no_show_pct"] = percent(r["no_shows"], r["registered"])
    return Report(
        name="cancellations",
        title=f"Cancellations and no-shows by {dim.title.lower()}",
        by=dim.name,
        columns=[
            *group_columns(dim),
            Column("bookings", "Bookings"),
            Column("cancelled", "Cancelled"),
            Column("cancelled_pct", "Cancelled %", "pct"),
            Column("seats", "Seats booked"),
            Column("cancelled_seats", "Seats cancelled"),
            Column("registered", "On a register"),
            Column("no_shows", "No-shows"),
            Column("no_show_pct", "No-show %", "pct"),
        ],
        rows=rows,
        chart=chart_for(dim, ["cancelled_pct", "no_show_pct"], "Per cent", "pct"),
        filters={},
        totals=totals,
        notes=[
            "Cancelled % is of all bookings made for sessions in the range.",
            "No-show %: attendees marked absent on every register day, of those on a register.",
        ],
    )
