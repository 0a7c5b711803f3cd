"""Demo data for payments: every demo booking paid (or owed) the way real ones are."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.infra.clock import now
from core.models import Booking, Payment
from core.models.statuses import BookingStatus

MIX = ("card", "card", "card", "link", "cash", "invoice", "pay_later")
STATUS = {
    "card": "succeeded",
    "link": "succeeded",
    "cash": "succeeded",
    "invoice": "invoiced",
    "pay_later": "due",
}


def _method(booking: Booking, at: datetime) -> str:
    """How ``booking`` pays, from the fixed mix; paying later was on the day, so only a
    course still to come is left owing (the desk's "Awaiting payment" then reads as now)."""
    method = MIX[booking.id % len(MIX)]
    return "cash" if method == "pay_later" and booking.session.start_at <= at else method


def seed_payments(tx: Session) -> int:
    """Give each confirmed demo booking without payments one, in a fixed mix of methods."""
    at = now()
    unpaid = tx.scalars(
        select(Booking)
        .where(Booking.status == BookingStatus.CONFIRMED, ~Booking.payments.any())
        .order_by(Booking.id)
    )
    count = 0
    for booking in unpaid:
        method = _method(booking, at)
        tx.add(
            Payment(
                booking_id=booking.id,
                kind="charge",
                method=method,
                status=STATUS[method],
                amount_pence=booking.total_pence,
                provider_ref=f"pi_demo_{booking.id}" if method in ("card", "link") else None,
                idempotency_key=f"{booking.reference}:charge:{method}:demo",
                recorded_by=booking.created_by,
                created_at=booking.created_at,
                updated_at=booking.created_at,
                details=json.dumps({"company": "Demo Ltd", "po_number": f"PO-{booking.id}"})
                if method == "invoice"
                else None,
            )
        )
        count += 1
    tx.flush()
    return count
