"""Payment rows: what was taken, owed and refunded for a booking, and the saga's record.

A charge moves ``pending → succeeded | declined | canceled | timeout | expired``; staff
methods are recorded as ``succeeded`` (cash), ``invoiced`` or ``due`` (pay later), and
``void`` when a cancelled booking no longer owes them. A refund row moves
``pending → succeeded | failed``. A succeeded charge is final: a late "failed" or
"canceled" event never undoes money that was taken.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.booking.bookings import find
from core.booking.dues import due_pence, paid_pence
from core.infra.actor import Actor
from core.infra.clock import now
from core.infra.errors import NotFound, ValidationFailed
from core.journal import changes
from core.models import Booking, Payment
from core.seats.locking import lock_session

STRIPE_METHODS = ("card", "link")
OWED = ("invoiced", "due")  # an invoice is the company's promise; "due" is pay on the day


def clear_paid_dues(tx: Session, booking: Booking) -> None:
    """Once the booking is paid in full, a pay-later amount is no longer owed."""
    if paid_pence(booking) >= booking.total_pence:
        for p in booking.payments:
            if p.kind == "charge" and p.status == "due":
                set_status(tx, p, "void", "Paid in full.")


def details(payment: Payment) -> dict[str, Any]:
    return json.loads(payment.details) if payment.details else {}


def set_details(payment: Payment, **values: Any) -> None:
    payment.details = json.dumps(details(payment) | values)


def add_payment(
    tx: Session,
    booking: Booking,
    *,
    method: str,
    status: str,
    amount_pence: int,
    recorded_by: str,
    kind: str = "charge",
    **extra: Any,
) -> Payment:
    """A new row whose idempotency key is derived from the booking, the step and the row."""
    at = now()
    payment = Payment(
        booking=booking,
        kind=kind,
        method=method,
        status=status,
        amount_pence=amount_pence,
        recorded_by=recorded_by,
        created_at=at,
        updated_at=at,
        details=json.dumps(extra) if extra else None,
    )
    tx.add(payment)
    tx.flush()
    payment.idempotency_key = f"{booking.reference}:{kind}:{method}:{payment.id}"
    publish_payment(tx, payment)
    return payment


def charge_due(
    tx: Session, booking: Booking, actor: Actor, *, method: str, status: str, **extra: Any
) -> Payment:
    """A charge for what is still due on ``booking``; refused when nothing is."""
    due = due_pence(booking)
    if due <= 0:
        raise ValidationFailed(f"Booking {booking.reference} has nothing left to pay.")
    return add_payment(
        tx,
        booking,
        method=method,
        status=status,
        amount_pence=due,
        recorded_by=actor.label,
        **extra,
    )


def set_status(tx: Session, payment: Payment, status: str, message: str | None = None) -> None:
    payment.status = status
    payment.message = message[:255] if message else None
    payment.updated_at = now()
    publish_payment(tx, payment)


def publish_payment(tx: Session, payment: Payment) -> None:
    tx.flush()
    changes.append(tx, "payment", payment.id, payment_json(payment))


def payment_json(payment: Payment) -> dict[str, Any]:
    return {
        "id": payment.id,
        "reference": payment.booking.reference,
        "kind": payment.kind,
        "method": payment.method,
        "status": payment.status,
        "amount_pence": payment.amount_pence,
        "message": payment.message,
        "reader_id": payment.reader_id,
        "expires_at": payment.expires_at.isoformat() if payment.expires_at else None,
        "created_at": payment.created_at.isoformat(),
    }


def locked_booking(tx: Session, reference: str) -> Booking:
    """The booking, with its session row locked so seats and status cannot move under us."""
    booking = find(tx, reference)
    lock_session(tx, booking.session_id)
    tx.refresh(booking)
    return booking


def get_payment(tx: Session, payment_id: int) -> Payment:
    payment = tx.get(Payment, payment_id)
    if payment is None:
        raise NotFound(f"There is no payment number {payment_id}.")
    return payment


def pending_stripe_charges(tx: Session) -> list[int]:
    return list(
        tx.scalars(
            select(Payment.id)
            .where(
                Payment.kind == "charge",
                Payment.status == "pending",
                Payment.method.in_(STRIPE_METHODS),
            )
            .order_by(Payment.id)
        )
    )


def pending_refunds(tx: Session) -> list[int]:
    return list(
        tx.scalars(
            select(Payment.id)
            .where(Payment.kind == "refund", Payment.status == "pending")
            .order_by(Payment.id)
        )
    )


def is_expired(payment: Payment, at: datetime) -> bool:
    return payment.expires_at is not None and payment.expires_at <= at
