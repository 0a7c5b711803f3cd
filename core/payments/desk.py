"""Payments staff record themselves: cash over the counter, an invoice, or pay later."""

from __future__ import annotations

from typing import Any

from core.actor import Actor
from core.clock import LONDON
from core.db import Database
from core.dues import due_pence
from core.errors import ValidationFailed
from core.models import Booking
from core.money import gbp
from core.notify import booking_emails
from core.payments.ledger import (
    add_payment,
    clear_paid_dues,
    locked_booking,
    payment_json,
)
from core.payments.settle import confirm_booking


def _open_booking(tx: Any, reference: str) -> Booking:
    booking = locked_booking(tx, reference)
    if booking.status == "CANCELLED":
        raise ValidationFailed(f"Booking {booking.reference} is cancelled; take no payment.")
    return booking


def _settle(tx: Any, booking: Booking) -> None:
    clear_paid_dues(tx, booking)
    if booking.status == "PENDING_PAYMENT" and due_pence(booking) == 0:
        confirm_booking(tx, booking)
    else:
        booking_emails.refresh_confirmation(tx, booking)


def _being_paid(booking: Booking) -> str:
    """Why money not yet received is not due: the attempts Stripe has open for it."""
    parts = [
        f" {gbp(p.amount_pence)} is being paid by "
        + (
            f"the payment link, open until {p.expires_at.astimezone(LONDON):%H:%M %d/%m/%Y}."
            if p.method == "link" and p.expires_at is not None
            else "card at the reader."
        )
        for p in booking.payments
        if p.kind == "charge" and p.status == "pending" and p.provider_ref is not None
    ]
    return "".join(parts)


def record_cash(db: Database, reference: str, amount_pence: int, actor: Actor) -> dict[str, Any]:
    """Cash taken at the desk; the booking is confirmed once it is covered."""
    with db.write() as tx:
        booking = _open_booking(tx, reference)
        due = due_pence(booking)
        if amount_pence <= 0:
            raise ValidationFailed("The cash amount must be more than £0.00.")
        if amount_pence > due:
            raise ValidationFailed(
                f"{gbp(amount_pence)} is more than the {gbp(due)} still due on {booking.reference}."
                + _being_paid(booking)
            )
        payment = add_payment(
            tx,
            booking,
            method="cash",
            status="succeeded",
            amount_pence=amount_pence,
            recorded_by=actor.label,
        )
        _settle(tx, booking)
        return payment_json(payment) | {
            "booking_status": booking.status,
            "due_pence": due - amount_pence,
        }


def record_invoice(
    db: Database,
    reference: str,
    company: str,
    email: str,
    actor: Actor,
    po_number: str | None = None,
) -> dict[str, Any]:
    """The customer's company will pay on invoice: the booking is confirmed, the amount owed."""
    with db.write() as tx:
        booking = _open_booking(tx, reference)
        due = due_pence(booking)
        if due <= 0:
            raise ValidationFailed(f"Booking {booking.reference} has nothing left to pay.")
        payment = add_payment(
            tx,
            booking,
            method="invoice",
            status="invoiced",
            amount_pence=due,
            recorded_by=actor.label,
            company=company,
            email=email,
            po_number=po_number,
        )
        _settle(tx, booking)
        return payment_json(payment) | {"booking_status": booking.status, "due_pence": due}


def record_pay_later(db: Database, reference: str, actor: Actor) -> dict[str, Any]:
    """Confirm now, pay on the day: the amount stays owed on the booking."""
    with db.write() as tx:
        booking = _open_booking(tx, reference)
        due = due_pence(booking)
        if any(p.status == "due" for p in booking.payments):
            raise ValidationFailed(f"Booking {booking.reference} is already down to pay later.")
        if due <= 0:
            raise ValidationFailed(f"Booking {booking.reference} has nothing left to pay.")
        payment = add_payment(
            tx, booking, method="pay_later", status="due", amount_pence=due, recorded_by=actor.label
        )
        if booking.status == "PENDING_PAYMENT":
            confirm_booking(tx, booking)
        else:
            booking_emails.refresh_confirmation(tx, booking)
        return payment_json(payment) | {"booking_status": booking.status, "due_pence": due}
