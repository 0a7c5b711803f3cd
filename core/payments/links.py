"""Payment links for remote payment: a Stripe Checkout Session per PENDING_PAYMENT booking.

The booking holds its seats while the link is open. When the link expires unpaid the
session is expired at Stripe (so it can no longer be paid), the booking is cancelled, the
seats freed and the customer told (``reconcile`` → ``settle.expire_link``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from core.actor import Actor
from core.bookings import cancel
from core.clock import now
from core.db import Database
from core.dues import due_pence
from core.errors import Forbidden, ValidationFailed
from core.models import Booking, Payment
from core.notify import booking_emails
from core.payments.gateway import PaymentRejected, PaymentUnavailable, StripeClient
from core.payments.ledger import add_payment, get_payment, locked_booking
from core.payments.reconcile import Attempt, create_remote, reconcile
from core.payments.settle import SYSTEM


def create_link(
    db: Database, gateway: StripeClient, reference: str, actor: Actor
) -> dict[str, Any]:
    """A payment link for the amount due, emailed to the customer: ``{url, expires_at}``.

    Asking again while a link is open returns the same link.
    """
    with db.write() as tx:
        booking = locked_booking(tx, reference)
        if actor.role is None and booking.channel != "website":
            raise Forbidden("The website may only ask for links for its own bookings.")
        if booking.status != "PENDING_PAYMENT":
            raise ValidationFailed(
                f"Booking {booking.reference} is {booking.status.lower().replace('_', ' ')}; "
                "a payment link is only for a booking waiting for payment."
            )
        link = tx.scalar(
            select(Payment).where(
                Payment.booking_id == booking.id,
                Payment.method == "link",
                Payment.status == "pending",
            )
        )
        if link is not None and link.expires_at is not None and link.expires_at <= now():
            raise ValidationFailed(
                f"The payment link for {booking.reference} has expired; the places are being "
                "released. Make a new booking if the customer still wants to come."
            )
        if link is None:
            due = due_pence(booking)
            if due <= 0:
                raise ValidationFailed(f"Booking {booking.reference} has nothing left to pay.")
            link = add_payment(
                tx,
                booking,
                method="link",
                status="pending",
                amount_pence=due,
                recorded_by=actor.label,
            )
            minutes = db.settings.payment_link_minutes
            link.expires_at = (now() + timedelta(minutes=minutes)).replace(microsecond=0)
            tx.flush()
        attempt = Attempt.load(tx, link.id)
    session = create_remote(gateway, attempt)
    with db.write() as tx:
        link = get_payment(tx, attempt.payment_id)
        first = link.provider_ref is None
        link.provider_ref = session["id"]
        if first:
            assert link.expires_at is not None
            booking_emails.send_payment_link(tx, link.booking, session["url"], link.expires_at)
    assert attempt.expires_at is not None
    return {
        "url": session["url"],
        "expires_at": attempt.expires_at.isoformat(),
        "payment_id": attempt.payment_id,
    }


def expire_due_links(db: Database, gateway: StripeClient, *, at: datetime | None = None) -> int:
    """Close links past their expiry (booking cancelled, seats freed, customer told)."""
    at = at or now()
    with db.read() as tx:
        due = list(
            tx.scalars(
                select(Payment.id).where(
                    Payment.method == "link",
                    Payment.status == "pending",
                    Payment.expires_at <= at,
                )
            )
        )
    for payment_id in due:
        try:
            reconcile(db, gateway, payment_id, at=at)
        except (PaymentUnavailable, PaymentRejected):
            continue  # Stripe unreachable: the next pass tries again; seats stay held
    return len(due)


def release_abandoned(db: Database, *, at: datetime | None = None) -> int:
    """Cancel website bookings left waiting for payment without a link ever being made.

    The website books PENDING_PAYMENT and then asks for a link; if it never does (the
    visitor left, the website crashed) the seats come back after the hold time.
    """
    at = at or now()
    cutoff = at - timedelta(minutes=db.settings.hold_minutes)
    with db.read() as tx:
        stale = list(
            tx.scalars(
                select(Booking.reference).where(
                    Booking.status == "PENDING_PAYMENT",
                    Booking.channel == "website",
                    Booking.created_at < cutoff,
                    ~Booking.payments.any(),
                )
            )
        )
    for reference in stale:
        with db.write() as tx:
            booking = locked_booking(tx, reference)
            if booking.status == "PENDING_PAYMENT" and not booking.payments:
                cancel(tx, reference, SYSTEM, "payment never started", notify=False)
    return len(stale)
