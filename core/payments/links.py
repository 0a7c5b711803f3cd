"""Payment links for remote payment: a Stripe Checkout Session per PENDING_PAYMENT booking.

The link (its URL included) is kept in the database. The booking holds its seats while the
link is open: making it moves the booking's payment deadline to the link's expiry. When
the link expires unpaid the session is expired at Stripe (so it can no longer be paid) and
the deadline pass frees the seats and tells the customer (``core.payments.deadline``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from core.infra.actor import Actor
from core.infra.clock import now
from core.infra.db import Database
from core.infra.errors import Forbidden, SessionNotBookable, ValidationFailed
from core.models import Payment
from core.models.statuses import BookingStatus, SessionStatus
from core.payments.deadline import extend_deadline_to
from core.payments.gateway import PaymentRejected, PaymentUnavailable, StripeClient
from core.payments.ledger import (
    charge_due,
    details,
    get_payment,
    locked_booking,
    set_details,
)
from core.payments.reconcile import Attempt, fetch_remote, reconcile
from core.payments.settle import attempt_failed, record_remote


def create_link(
    db: Database,
    gateway: StripeClient,
    reference: str,
    actor: Actor,
    return_page: str | None = None,
) -> dict[str, Any]:
    """A payment link for the amount due, emailed to the customer: ``{url, expires_at}``.

    Asking again while a link is open returns the same link, from the database, whichever
    server process asks. A link Stripe did not accept is closed at once (and the error
    raised), so staff can take the money another way. ``return_page`` (already checked
    against the allowed sites) is where Checkout sends a website customer back to; it is
    kept with the link, so a replayed request to Stripe asks for exactly the same.
    """
    with db.write() as tx:
        booking = locked_booking(tx, reference)
        if actor.role is None and booking.channel != "website":
            raise Forbidden("The website may only ask for links for its own bookings.")
        if booking.status != BookingStatus.PENDING_PAYMENT:
            raise ValidationFailed(
                f"Booking {booking.reference} is {booking.status.lower().replace('_', ' ')}; "
                "a payment link is only for a booking waiting for payment."
            )
        if booking.session.status == SessionStatus.CANCELLED:
            raise SessionNotBookable(
                f"The {booking.session.course.name} session of {booking.reference} is "
                "cancelled; offer a transfer instead of a payment link."
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
        made_here = link is None  # a row another call is still sending is not ours to close
        if link is None:
            link = charge_due(tx, booking, actor, method="link", status="pending")
            if return_page is not None and booking.channel == "website":
                set_details(link, return_page=return_page)
            minutes = db.settings.payment_link_minutes
            link.expires_at = (now() + timedelta(minutes=minutes)).replace(microsecond=0)
            extend_deadline_to(booking, link.expires_at)
            tx.flush()
        url = details(link).get("url")
        attempt = Attempt.load(tx, link.id)
    if url is None:
        try:
            session = fetch_remote(gateway, attempt)
        except (PaymentUnavailable, PaymentRejected) as exc:
            if made_here:
                with db.write() as tx:
                    attempt_failed(tx, get_payment(tx, attempt.payment_id), exc.message)
            raise
        with db.write() as tx:
            record_remote(tx, get_payment(tx, attempt.payment_id), session)
        url = session["url"]
    assert attempt.expires_at is not None
    return {
        "url": url,
        "expires_at": attempt.expires_at.isoformat(),
        "payment_id": attempt.payment_id,
    }


def expire_due_links(db: Database, gateway: StripeClient, *, at: datetime | None = None) -> int:
    """Close links past their expiry at Stripe (the deadline pass then frees the seats)."""
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
