"""Payments staff record themselves: cash over the counter, an invoice, or pay later."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from core.booking.dues import due_pence
from core.infra.actor import Actor
from core.infra.clock import LONDON
from core.infra.db import Database
from core.infra.errors import ValidationFailed
from core.infra.money import gbp
from core.invoicing.invoices import issue_invoice
from core.models import Booking
from core.models.organisations import Organisation
from core.models.statuses import BookingStatus
from core.notify import booking_emails
from core.organisations import directory
from core.payments.ledger import (
    add_payment,
    charge_due,
    clear_paid_dues,
    locked_booking,
    payment_json,
)
from core.payments.settle import confirm_booking


def _open_booking(tx: Any, reference: str) -> Booking:
    booking = locked_booking(tx, reference)
    if booking.status == BookingStatus.CANCELLED:
        raise ValidationFailed(f"Booking {booking.reference} is cancelled; take no payment.")
    return booking


def _settle(tx: Any, booking: Booking) -> None:
    clear_paid_dues(tx, booking)
    if booking.status == BookingStatus.PENDING_PAYMENT and due_pence(booking) == 0:
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
    billing_address: str = "",
) -> dict[str, Any]:
    """The customer's company will pay on invoice: the booking is confirmed, the amount owed,
    and an ``INV-YYYY-NNNN`` invoice for it issued to the company (an organisation, added
    with ``email`` as its invoice contact if there is none of that name) at
    ``billing_address`` and emailed; its number is returned as ``invoice``."""
    with db.write() as tx:
        po_number = check_invoice_po(tx, company, po_number)
        booking = _open_booking(tx, reference)
        payment = charge_due(
            tx,
            booking,
            actor,
            method="invoice",
            status="invoiced",
            company=company,
            email=email,
            po_number=po_number,
        )
        _settle(tx, booking)
        org = _organisation(tx, company, email, billing_address, actor)
        issued = issue_invoice(
            tx, db.settings, org, [booking], po_number, actor, billing_address=billing_address
        )
        return payment_json(payment) | {
            "booking_status": booking.status,
            "due_pence": payment.amount_pence,
            "invoice": issued.number,
        }


def check_invoice_po(tx: Session, company: str, po_number: str | None) -> str | None:
    """The PO to invoice ``company`` with; refused (nothing changed) when the organisation of
    that name requires a purchase order and none is given."""
    return directory.check_po(directory.by_name(tx, company), po_number)


def _organisation(
    tx: Session, company: str, email: str, billing_address: str, actor: Actor
) -> Organisation:
    found = directory.by_name(tx, company)
    if found is not None:
        return found
    data = directory.validate(
        {
            "name": company.strip(),
            "billing_address": billing_address,
            "contacts": [
                {"name": f"{company.strip()} accounts", "email": email, "roles": ["invoice"]}
            ],
        }
    )
    return directory.add_organisation(tx, data, actor)


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
        if booking.status == BookingStatus.PENDING_PAYMENT:
            confirm_booking(tx, booking)
        else:
            booking_emails.refresh_confirmation(tx, booking)
        return payment_json(payment) | {"booking_status": booking.status, "due_pence": due}
