"""Conversion: seat holds that became bookings, by channel, with the average booking value."""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, func, literal_column, select
from sqlalchemy.orm import Session

from core.models import Booking, CourseSession, SeatHold
from core.models.bookings import CHANNELS
from core.reports.model import Column, Report, ReportFilter, percent
from core.reports.revenue import BOOKINGS_COUNTED, counted_booking

CHANNEL_NAMES = {"desk": "Desk", "website": "Website", "cli": "Command line"}
MEASURES = ("holds", "converted", "bookings", "seats", "value_pence")


def _by_channel(tx: Session, stmt: Any) -> dict[str, tuple[int, ...]]:
    return {row[0]: tuple(int(v or 0) for v in row[1:]) for row in tx.execute(stmt)}


def _row(channel: str, holds: tuple[int, ...], booked: tuple[int, ...]) -> dict[str, Any]:
    n_holds, converted = holds or (0, 0)
    n_bookings, seats, value = booked or (0, 0, 0)
    return {
        "group_id": channel,
        "group": CHANNEL_NAMES.get(channel, channel),
        "holds": n_holds,
        "converted": converted,
        "conversion_pct": percent(converted, n_holds),
        "bookings": n_bookings,
        "seats": seats,
        "value_pence": value,
        "avg_value_pence": (value + n_bookings // 2) // n_bookings if n_bookings else 0,
    }


def conversion(tx: Session, flt: ReportFilter, by: str | None) -> Report:
    held = flt.apply(
        select(
            SeatHold.channel,
            func.count(SeatHold.id),
            func.sum(case((SeatHold.booking_id.is_not(None), literal_column("1")), else_=0)),
        )
        .join(CourseSession, CourseSession.id == SeatHold.session_id)
        .group_by(SeatHold.channel)
    )
    booked = flt.apply(
        select(
            Booking.channel,
            func.count(Booking.id),
            func.sum(Booking.seats),
            func.sum(Booking.total_pence),
        )
        .join(CourseSession, CourseSession.id == Booking.session_id)
        .where(counted_booking())  # the same bookings the revenue report counts
        .group_by(Booking.channel)
    )
    holds, bookings = _by_channel(tx, held), _by_channel(tx, booked)
    channels = [c for c in CHANNELS if c in holds or c in bookings]
    rows = [_row(c, holds.get(c, ()), bookings.get(c, ())) for c in channels]
    totals = None
    if rows:
        t = {k: sum(r[k] for r in rows) for k in MEASURES}
        totals = _row(
            "Total", (t["holds"], t["converted"]), (t["bookings"], t["seats"], t["value_pence"])
        )
        totals["group_id"] = ""
    return Report(
        name="conversion",
        title="Conversion and booking value by channel",
        by="channel",
        columns=[
            Column("group", "Channel", "text"),
            Column("holds", "Seat holds"),
            Column("converted", "Became bookings"),
            Column("conversion_pct", "Conversion", "pct"),
            Column("bookings", "Bookings"),
            Column("seats", "Seats"),
            Column("value_pence", "Booking value", "money"),
            Column("avg_value_pence", "Average booking", "money"),
        ],
        rows=rows,
        chart={
            "type": "bar",
            "x": "group",
            "series": ["conversion_pct"],
            "x_label": "Channel",
            "y_label": "Holds that became bookings (%)",
            "kind": "pct",
        },
        filters={},
        totals=totals,
        notes=[
            "Bookings made in one step (without a seat hold) count as bookings but not holds.",
            BOOKINGS_COUNTED,
            "Booking value is after group discounts, before refunds.",
        ],
    )
