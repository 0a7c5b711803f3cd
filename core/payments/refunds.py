"""Refunds on cancellation, following the policy, with a manager override.

Before deciding anything the refund asks Stripe where every open card or link attempt of
the booking stands and records it, so the policy is applied to the money really paid (a
payment no event has reported yet included); if Stripe cannot be asked, nothing changes.
Refund rows are written first (pending, each with its own idempotency key), then sent to
Stripe; a retry after a timeout, or a restart, sends the same key and never refunds twice.
Cash goes back over the counter (recorded at once); an unpaid invoice or pay-later amount
is voided.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core.booking import bookings
from core.infra.actor import Actor
from core.infra.clock import now
from core.infra.db import Database
from core.infra.errors import Forbidden, ValidationFailed
from core.infra.money import gbp
from core.models.statuses import BookingStatus
from core.payments.gateway import PaymentRejected, PaymentUnavailable, StripeClient
from core.payments.ledger import (
    OWED,
    details,
    get_payment,
    locked_booking,
    payment_json,
    pending_refunds,
    set_status,
)
from core.payments.policy import RefundPolicy
from core.payments.reconcile import RecoveryReport, check_open_attempts, reconcile
from core.payments.settle import refund_finished, request_refund

MANAGERS = ("admin", "manager")


def refund(
    db: Database,
    gateway: StripeClient,
    reference: str,
    actor: Actor,
    *,
    override: bool = False,
    reason: str | None = None,
    at: datetime | None = None,
) -> dict[str, Any]:
    """Cancel the booking if it is still live and give back what the policy allows.

    ``refunded_pence`` is what this call gives back, a payment that lands while the
    booking is being cancelled included (it bought nothing, so it all goes back).
    """
    if override and actor.role not in MANAGERS:
        raise Forbidden("Only a manager can override the refund policy.")
    at = at or now()
    policy = RefundPolicy.from_settings(db.settings)
    _ask_stripe(db, gateway, reference, at)
    with db.write() as tx:
        booking = locked_booking(tx, reference)
        earlier = {p.id for p in booking.payments if p.kind == "refund"}
        if booking.status != BookingStatus.CANCELLED:
            bookings.cancel(tx, booking.reference, actor, reason or "cancelled with refund")
        charges = [p for p in booking.payments if p.kind == "charge"]
        refunded: dict[int, int] = {}
        for p in booking.payments:
            if p.kind == "refund" and p.status in ("pending", "succeeded"):
                charge_id = int(details(p)["charge_id"])
                refunded[charge_id] = refunded.get(charge_id, 0) + p.amount_pence
        paid = sum(
            p.amount_pence - refunded.get(p.id, 0) for p in charges if p.status == "succeeded"
        )
        for owed in (p for p in charges if p.status in OWED):
            set_status(tx, owed, "void", "Booking cancelled: nothing owed.")
        amount = policy.refundable(paid, booking.session.start_at, at, override=override)
        if paid and not amount:
            raise ValidationFailed(
                f"No refund for {booking.reference}. {policy.explain(booking.session.start_at, at)}"
            )
        left = amount
        for charge in sorted(charges, key=lambda c: c.id, reverse=True):
            if left <= 0 or charge.status != "succeeded":
                continue
            part = min(left, charge.amount_pence - refunded.get(charge.id, 0))
            if part > 0:
                note = reason or ("manager override" if override else "cancelled in time")
                request_refund(tx, charge, part, actor.label, note)
                left -= part
        booking_id = booking.id
        unfinished = [p.id for p in charges if p.status == "pending"]
    for payment_id in unfinished:  # close open links / reader payments so nobody pays late
        try:
            reconcile(db, gateway, payment_id, at=at, give_up=True)
        except (PaymentUnavailable, PaymentRejected):
            continue  # a late payment is refunded when it arrives
    send_pending_refunds(db, gateway)
    with db.read() as tx:
        booking = bookings.find(tx, reference)
        rows = [payment_json(p) for p in booking.payments if p.kind == "refund"]
        amount = sum(
            p.amount_pence
            for p in booking.payments
            if p.kind == "refund" and p.id not in earlier and p.status in ("pending", "succeeded")
        )
        cash = sum(
            p.amount_pence
            for p in booking.payments
            if p.kind == "refund"
            and p.id not in earlier
            and p.method == "cash"
            and p.status == "succeeded"
        )
        before = sum(
            p.amount_pence
            for p in booking.payments
            if p.kind == "refund" and p.id in earlier and p.status in ("pending", "succeeded")
        )
    message = (
        f"Refunding {gbp(amount)}."
        if amount
        else f"{gbp(before)} was already refunded; nothing more to refund."
        if before
        else "Nothing was paid; nothing to refund."
    )
    if cash:
        message += f" Give {gbp(cash)} back in cash."
    return {
        "reference": reference,
        "refunded_pence": amount,
        "booking_id": booking_id,
        "message": message,
        "refunds": rows,
    }


def _ask_stripe(db: Database, gateway: StripeClient, reference: str, at: datetime) -> None:
    """Record where each open attempt Stripe knows of stands (safe to repeat). One whose
    Stripe id was never learnt cannot have been paid: nobody was shown it."""
    with db.read() as tx:
        booking = bookings.find(tx, reference)
        open_ids = [
            p.id
            for p in booking.payments
            if p.kind == "charge" and p.status == "pending" and p.provider_ref is not None
        ]
    for payment_id in open_ids:
        try:
            reconcile(db, gateway, payment_id, at=at)
        except (PaymentUnavailable, PaymentRejected) as exc:
            raise PaymentUnavailable(
                f"Could not ask Stripe whether {reference} has been paid ({exc.message}); "
                "nothing was changed. Try again."
            ) from None


def send_pending_refunds(db: Database, gateway: StripeClient) -> int:
    """Send every pending refund to Stripe (same key on every try); returns how many went."""
    with db.read() as tx:
        todo = [
            (
                p.id,
                p.provider_ref,
                details(p).get("payment_intent"),
                p.amount_pence,
                p.booking.reference,
                p.idempotency_key,
            )
            for p in map(lambda i: get_payment(tx, i), pending_refunds(tx))
        ]
    sent = 0
    for payment_id, refund_id, intent_id, amount, reference, key in todo:
        if not intent_id or not key:
            continue
        try:
            if refund_id:  # made, still pending at the bank: ask, never make it again
                result = gateway.refund_status(refund_id)
            else:
                result = gateway.refund(
                    intent_id,
                    amount,
                    {"reference": reference, "refund_id": str(payment_id)},
                    key=key,
                )
        except PaymentUnavailable:
            continue
        except PaymentRejected as exc:
            result = {"status": "failed", "id": None, "message": exc.message}
        with db.write() as tx:
            refund_finished(tx, get_payment(tx, payment_id), result)
        sent += 1
    return sent


def recover(db: Database, gateway: StripeClient, *, at: datetime | None = None) -> RecoveryReport:
    """Finish every unfinished payment saga (at start-up): open attempts, then refunds."""
    report = check_open_attempts(db, gateway, at=at)
    report.refunds_sent = send_pending_refunds(db, gateway)
    return report
