"""Card present at the desk with Stripe Terminal, driven from the server.

``start`` records the attempt, creates a ``card_present`` PaymentIntent and hands it to the
chosen reader; the wizard then polls ``status`` until the customer's card succeeds, is
declined, the desk cancels, or nobody taps in time. Each Stripe write carries a key
derived from the booking and the attempt, so retrying ``start`` never charges twice.
"""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from core.booking.bookings import find
from core.infra.actor import Actor
from core.infra.clock import now
from core.infra.db import Database
from core.infra.errors import Conflict, ValidationFailed
from core.models import Payment
from core.models.statuses import BookingStatus
from core.payments.deadline import extend_deadline_to
from core.payments.gateway import PaymentRejected, PaymentUnavailable, StripeClient
from core.payments.ledger import charge_due, get_payment, locked_booking, set_status
from core.payments.reconcile import Attempt, create_remote, reconcile
from core.payments.settle import attempt_failed, closed_message

API_STATUS = {
    "pending": "pending",
    "succeeded": "succeeded",
    "declined": "declined",
    "canceled": "canceled",
    "timeout": "timeout",
}


def readers(gateway: StripeClient) -> list[dict[str, Any]]:
    return [
        {"id": r["id"], "label": r.get("label") or r["id"], "status": r.get("status", "offline")}
        for r in gateway.readers()
    ]


def start(
    db: Database, gateway: StripeClient, reference: str, reader_id: str, actor: Actor
) -> dict[str, Any]:
    """Send the amount due to ``reader_id``; returns ``{payment_id, status}``.

    A retry while the last attempt is still live reuses it (same Stripe objects); an
    attempt left behind longer than the terminal timeout is closed first.
    """
    _close_stale(db, gateway, reference)
    with db.write() as tx:
        booking = locked_booking(tx, reference)
        if booking.status == BookingStatus.CANCELLED:
            raise ValidationFailed(f"Booking {booking.reference} is cancelled; take no payment.")
        active = tx.scalar(
            select(Payment).where(
                Payment.booking_id == booking.id,
                Payment.method == "card",
                Payment.status == "pending",
            )
        )
        if active is not None and active.provider_ref and active.reader_id != reader_id:
            raise Conflict(
                f"A card payment for {booking.reference} is already waiting on reader "
                f"{active.reader_id}; cancel it there first."
            )
        made_here = active is None  # a row another call is still sending is not ours to close
        if active is None:
            active = charge_due(tx, booking, actor, method="card", status="pending")
        active.reader_id = reader_id
        grace = timedelta(seconds=db.settings.terminal_timeout_s + 60)
        extend_deadline_to(booking, now() + grace)  # never released mid-tap
        tx.flush()
        attempt = Attempt.load(tx, active.id)
    intent_id = attempt.provider_ref
    if intent_id is None:
        try:
            intent_id = create_remote(gateway, attempt)["id"]
        except (PaymentUnavailable, PaymentRejected) as exc:  # never reached a reader
            if made_here:
                with db.write() as tx:
                    attempt_failed(tx, get_payment(tx, attempt.payment_id), exc.message)
            raise
        with db.write() as tx:
            get_payment(tx, attempt.payment_id).provider_ref = intent_id
    try:
        gateway.process_on_reader(reader_id, intent_id, key=attempt.key(f"reader-{reader_id}"))
    except PaymentRejected as exc:  # reader offline or busy: this attempt is over
        gateway.cancel_intent(intent_id, key=attempt.key("cancel"))
        with db.write() as tx:
            set_status(tx, get_payment(tx, attempt.payment_id), "canceled", exc.message)
        raise
    except PaymentUnavailable:  # it may have reached the reader: stop it there, then close
        with contextlib.suppress(PaymentUnavailable, PaymentRejected):
            reconcile(db, gateway, attempt.payment_id, at=now(), give_up=True)
        raise
    return {"payment_id": attempt.payment_id, "status": "pending"}


def _close_stale(db: Database, gateway: StripeClient, reference: str) -> None:
    at = now()
    cutoff = at - timedelta(seconds=db.settings.terminal_timeout_s)
    with db.read() as tx:
        booking = find(tx, reference)
        stale = [
            p.id
            for p in booking.payments
            if p.method == "card" and p.status == "pending" and p.created_at < cutoff
        ]
    for payment_id in stale:
        reconcile(db, gateway, payment_id, at=at)


def status(
    db: Database, gateway: StripeClient, payment_id: int, *, at: datetime | None = None
) -> dict[str, Any]:
    """Where the card payment is now: pending, succeeded, declined, canceled or timeout."""
    _card_payment(db, payment_id)
    reconcile(db, gateway, payment_id, at=at or now())
    return _status_json(db, payment_id)


def cancel(db: Database, gateway: StripeClient, payment_id: int) -> dict[str, Any]:
    """The desk gives up: stop the reader and cancel the intent (unless it already paid)."""
    _card_payment(db, payment_id)
    reconcile(db, gateway, payment_id, at=now(), give_up=True)
    return _status_json(db, payment_id)


def _card_payment(db: Database, payment_id: int) -> None:
    """Refuse another kind of payment before anything is asked of Stripe or changed."""
    with db.read() as tx:
        if get_payment(tx, payment_id).method != "card":
            raise ValidationFailed(f"Payment {payment_id} is not a card payment.")


def _status_json(db: Database, payment_id: int) -> dict[str, Any]:
    with db.read() as tx:
        payment = get_payment(tx, payment_id)
        state = API_STATUS.get(payment.status, payment.status)
        message = {
            "pending": "Waiting for the customer to tap, insert or swipe their card.",
            "succeeded": payment.message or "Paid. The booking is confirmed.",
        }.get(state) or closed_message(payment)
        return {
            "payment_id": payment.id,
            "status": state,
            "message": message,
            "reference": payment.booking.reference,
            "amount_pence": payment.amount_pence,
        }
