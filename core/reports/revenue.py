"""Revenue: gross, group discounts, refunds and net, by the session the booking is for.

A booking counts unless it was cancelled without ever being paid for; refunds are
succeeded payments of kind ``refund``, so a cancelled and refunded booking nets to zero.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from core.models import Booking, CourseSession, Payment
from core.models.statuses import BookingStatus
from core.reports.dimensions import SESSION_DIMENSIONS, chart_for, dimension, group_columns
from core.reports.grouping import grouped, summed
from core.reports.model import Column, Report, ReportFilter

MEASURES = ("bookings", "seats", "gross_pence", "discount_pence", "refund_pence")
BOOKINGS_COUNTED = (
    "Bookings counted: every booking not cancelled, and cancelled ones that were paid "
    "(the same bookings in the revenue and conversion reports)."
)
PAID = ("succeeded",)


def refunds_subquery() -> Any:
    return (
        select(Payment.booking_id, func.sum(func.abs(Payment.amount_pence)).label("refunded"))
        .where(Payment.kind == "refund", Payment.status == "succeeded")
        .group_by(Payment.booking_id)
        .subquery()
    )


def counted_booking() -> Any:
    """Bookings that earn money: not cancelled, or cancelled after a payment was taken."""
    paid = select(Payment.booking_id).where(
        and_(Payment.kind == "charge", Payment.status.in_(PAID))
    )
    return or_(Booking.status != BookingStatus.CANCELLED, Booking.id.in_(paid))


def _row(row: dict[str, Any]) -> dict[str, Any]:
    row["net_pence"] = row["gross_pence"] - row["discount_pence"] - row["refund_pence"]
    return row


def revenue(tx: Session, flt: ReportFilter, by: str | None) -> Report:
    dim = dimension(by, SESSION_DIMENSIONS, "venue")
    refunds = refunds_subquery()

    def source(stmt: Select[Any]) -> Select[Any]:
        stmt = (
            stmt.select_from(Booking)
            .join(CourseSession, CourseSession.id == Booking.session_id)
            .outerjoin(refunds, refunds.c.booking_id == Booking.id)
            .where(counted_booking())
        )
        return flt.apply(stmt)

    rows = grouped(
        tx,
        dim,
        [
            func.count(Booking.id).label("bookings"),
            func.sum(Booking.seats).label("seats"),
            func.sum(Booking.subtotal_pence).label("gross_pence"),
            func.sum(Booking.discount_pence).label("discount_pence"),
            func.sum(refunds.c.refunded).label("refund_pence"),
        ],
        source,
    )
    rows = [_row(r) for r in rows]
    single = dim.name in ("month", "week", "weekday-time")
    return Report(
        name="revenue",
        title=f"Revenue by {dim.title.lower()}",
        by=dim.name,
        columns=[
            *group_columns(dim),
            Column("bookings", "Bookings"),
            Column("seats", "Seats"),
            Column("gross_pence", "Gross", "money"),
            Column("discount_pence", "Discounts", "money"),
            Column("refund_pence", "Refunds", "money"),
            Column("net_pence", "Net", "money"),
        ],
        rows=rows,
        chart=chart_for(
            dim, ["net_pence"] if single else ["gross_pence", "net_pence"], "GBP", "money"
        ),
        filters={},
        totals=_row(summed(rows, MEASURES)) if rows else None,
        notes=[
            "Gross is list price times seats; net is gross less group discounts and refunds.",
            BOOKINGS_COUNTED,
        ],
    )
