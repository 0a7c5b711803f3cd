"""Bring one payment in line with Stripe, and finish every unfinished saga on start-up.

A payment row is written (pending, with its idempotency key) before Stripe is asked for
anything, so after a crash at any point the row says what was being attempted.
``reconcile`` asks Stripe where it stands (replaying the create call with the same key if
the first answer was lost) and applies it; ``recover`` does that for every pending row
and sends pending refunds. A process killed after the customer paid and before the
booking was confirmed is finished here: confirmed, or refunded if the seats are gone.
No database transaction is held open while Stripe is being asked.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from core.infra.clock import now
from core.infra.db import Database
from core.models.statuses import BookingStatus
from core.payments.gateway import PaymentRejected, PaymentUnavailable, StripeClient
from core.payments.ledger import details, get_payment, pending_stripe_charges, set_status
from core.payments.settle import apply_remote, expire_link, record_remote


@dataclass(frozen=True)
class Attempt:
    """What the Stripe calls for one charge need, read before any network I/O."""

    payment_id: int
    reference: str
    method: str
    status: str
    amount_pence: int
    provider_ref: str | None
    reader_id: str | None
    created_at: datetime
    expires_at: datetime | None
    description: str
    email: str
    booking_status: str
    channel: str
    return_page: str | None  # the page embedding the widget, where Checkout returns to

    @classmethod
    def load(cls, tx: Session, payment_id: int) -> Attempt:
        payment = get_payment(tx, payment_id)
        booking = payment.booking
        places = f"{booking.seats} place{'s' if booking.seats != 1 else ''}"
        return cls(
            payment_id=payment.id,
            reference=booking.reference,
            method=payment.method,
            status=payment.status if payment.kind == "charge" else "refund",
            amount_pence=payment.amount_pence,
            provider_ref=payment.provider_ref,
            reader_id=payment.reader_id,
            created_at=payment.created_at,
            expires_at=payment.expires_at,
            description=f"{booking.reference}: {booking.session.course.name}, {places}",
            email=booking.customer_email,
            booking_status=booking.status,
            channel=booking.channel,
            return_page=details(payment).get("return_page"),
        )

    def key(self, step: str) -> str:
        """Idempotency key for one Stripe write: booking, method, attempt and step."""
        return f"{self.reference}:charge:{self.method}:{self.payment_id}:{step}"

    @property
    def metadata(self) -> dict[str, str]:
        return {"reference": self.reference, "payment_id": str(self.payment_id)}


def create_remote(gateway: StripeClient, attempt: Attempt) -> dict[str, Any]:
    """Create the PaymentIntent or Checkout Session; a replay returns the first one."""
    if attempt.method == "card":
        return gateway.create_card_intent(
            attempt.amount_pence, attempt.metadata, key=attempt.key("intent")
        )
    assert attempt.expires_at is not None
    return gateway.create_checkout(
        amount_pence=attempt.amount_pence,
        description=attempt.description,
        email=attempt.email,
        expires_at=attempt.expires_at,
        metadata=attempt.metadata,
        key=attempt.key("session"),
        website=attempt.channel == "website",
        return_page=attempt.return_page,
    )


def fetch_remote(gateway: StripeClient, attempt: Attempt) -> dict[str, Any]:
    if attempt.provider_ref is None:
        return create_remote(gateway, attempt)
    if attempt.method == "card":
        return gateway.intent(attempt.provider_ref)
    return gateway.checkout(attempt.provider_ref)


def close_remote(gateway: StripeClient, attempt: Attempt, obj: dict[str, Any]) -> dict[str, Any]:
    """Stop a payment nobody will finish; if Stripe refuses (it was paid), re-read it."""
    try:
        if attempt.method == "card":
            if attempt.reader_id:
                with contextlib.suppress(PaymentRejected):  # the reader already moved on
                    gateway.cancel_reader_action(attempt.reader_id)
            return gateway.cancel_intent(obj["id"], key=attempt.key("cancel"))
        return gateway.expire_checkout(obj["id"], key=attempt.key("expire"))
    except PaymentRejected:
        return fetch_remote(gateway, attempt)


def _is_open(obj: dict[str, Any]) -> bool:
    if obj.get("object") == "checkout.session":
        return bool(obj["status"] == "open")
    return obj["status"] == "requires_payment_method" and not obj.get("last_payment_error")


def reconcile(
    db: Database, gateway: StripeClient, payment_id: int, *, at: datetime, give_up: bool = False
) -> None:
    """Ask Stripe about one pending charge and record the answer (safe to repeat).

    An open card payment older than the terminal timeout, or a link past its expiry, is
    closed at Stripe first; ``give_up`` closes it now (the desk pressed cancel).
    """
    with db.read() as tx:
        attempt = Attempt.load(tx, payment_id)
    if attempt.status != "pending":
        return
    if attempt.method == "link" and attempt.booking_status != BookingStatus.PENDING_PAYMENT:
        give_up = True  # paid another way or cancelled: nobody should pay this link now
    if attempt.method == "link":
        overdue = attempt.expires_at is not None and attempt.expires_at <= at
    else:
        overdue = at - attempt.created_at > timedelta(seconds=db.settings.terminal_timeout_s)
    if attempt.provider_ref is None and (overdue or give_up):
        _close_unsent(db, attempt)
        return
    obj = fetch_remote(gateway, attempt)
    closing = _is_open(obj) and (give_up or overdue)
    if closing:
        obj = close_remote(gateway, attempt, obj)
    with db.write() as tx:
        payment = get_payment(tx, payment_id)
        record_remote(tx, payment, obj)
        apply_remote(tx, payment, obj)
        if closing and not give_up and payment.method == "card" and payment.status == "canceled":
            set_status(tx, payment, "timeout", "No card was presented in time.")


def _close_unsent(db: Database, attempt: Attempt) -> None:
    """An attempt whose Stripe id we never learnt: the reader never got it and no link was
    ever shown or sent, so nobody can have paid it. Close it without asking Stripe (whose
    idempotency keys only last a day)."""
    with db.write() as tx:
        payment = get_payment(tx, attempt.payment_id)
        if payment.method == "link":
            expire_link(tx, payment)
        else:
            set_status(tx, payment, "timeout", "The payment never reached the card reader.")


@dataclass
class RecoveryReport:
    checked: int = 0
    refunds_sent: int = 0
    unreachable: int = 0
    last_error: str = ""


def check_open_attempts(
    db: Database, gateway: StripeClient, *, at: datetime | None = None
) -> RecoveryReport:
    """Bring every pending Stripe charge in line with Stripe; one that cannot be asked is
    counted and the rest still go."""
    at = at or now()
    report = RecoveryReport()
    with db.read() as tx:
        pending = pending_stripe_charges(tx)
    for payment_id in pending:
        try:
            reconcile(db, gateway, payment_id, at=at)
            report.checked += 1
        except (PaymentUnavailable, PaymentRejected) as exc:
            report.unreachable += 1
            report.last_error = exc.message
    return report
