"""The saga's last step: turn what Stripe says about a payment into booking state.

Everything here runs in the caller's write transaction and only writes rows; any money
to give back becomes a pending refund row that ``core.payments.refunds`` sends to Stripe
afterwards (with its own idempotency key). Applying the same Stripe state twice, late or
out of order, changes nothing the second time.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from core.booking import state
from core.booking.dues import paid_pence
from core.infra.actor import Actor
from core.infra.errors import NotEnoughSeats, SessionNotBookable
from core.models import Booking, Payment
from core.models.statuses import BookingStatus
from core.notify import booking_emails
from core.payments.ledger import (
    add_payment,
    clear_paid_dues,
    details,
    locked_booking,
    set_details,
    set_status,
)
from core.seats.holds import check_seats, ensure_bookable
from core.seats.locking import lock_session

SYSTEM = Actor(label="payments", role="admin", channel="desk")
NOT_PAID_IN_TIME = "not paid by the payment deadline"
UNPAID = (NOT_PAID_IN_TIME, "payment link expired")  # the second: before the deadline existed


def confirm_booking(tx: Session, booking: Booking) -> None:
    """PENDING_PAYMENT → CONFIRMED, with the confirmation email in the same transaction."""
    state.confirm(tx, booking)
    booking_emails.send_confirmation(tx, booking)


def _reinstate(tx: Session, booking: Booking) -> bool:
    """Bring back a booking cancelled for want of payment, if its seats are still free."""
    if booking.cancel_reason not in UNPAID:
        return False
    session = lock_session(tx, booking.session_id)
    try:
        ensure_bookable(session)
        check_seats(tx, session, booking.seats)
    except (NotEnoughSeats, SessionNotBookable):
        return False
    state.reinstate(tx, session, booking)
    booking_emails.send_confirmation(tx, booking, resend=True)
    return True


def request_refund(
    tx: Session, charge: Payment, amount_pence: int, recorded_by: str, reason: str
) -> Payment:
    """Record money to give back for ``charge``; Stripe charges get a pending refund row."""
    booking = charge.booking
    stripe = charge.method in ("card", "link")
    refund = add_payment(
        tx,
        booking,
        kind="refund",
        method=charge.method,
        status="pending" if stripe else "succeeded",
        amount_pence=amount_pence,
        recorded_by=recorded_by,
        charge_id=charge.id,
        payment_intent=details(charge).get("payment_intent"),
        reason=reason,
    )
    if not stripe:
        booking_emails.send_refund_notice(tx, booking, amount_pence, key=str(refund.id))
    return refund


def charge_succeeded(tx: Session, payment: Payment, intent_id: str | None) -> None:
    """Money was taken: confirm the booking, or give the money back if it cannot stand."""
    if payment.status == "succeeded":
        return
    if intent_id:
        set_details(payment, payment_intent=intent_id)
    booking = locked_booking(tx, payment.booking.reference)
    already = paid_pence(booking)
    if booking.status == BookingStatus.PENDING_PAYMENT:
        set_status(tx, payment, "succeeded")
        confirm_booking(tx, booking)
    elif booking.status == BookingStatus.CANCELLED and not _reinstate(tx, booking):
        set_status(
            tx, payment, "succeeded", "The booking was cancelled before this payment: refunded."
        )
        request_refund(
            tx, payment, payment.amount_pence, SYSTEM.label, "paid after the booking was cancelled"
        )
    elif booking.status == BookingStatus.CONFIRMED and already >= booking.total_pence:
        set_status(tx, payment, "succeeded", "Booking was already paid: refunded in full.")
        request_refund(tx, payment, payment.amount_pence, SYSTEM.label, "paid twice")
    else:
        set_status(tx, payment, "succeeded")
        booking_emails.refresh_confirmation(tx, booking)
    clear_paid_dues(tx, booking)


def expire_link(tx: Session, payment: Payment) -> None:
    """The link ran out unpaid: close it. The booking keeps its seats until its payment
    deadline (``core.payments.deadline``), which a link moves to its own expiry."""
    if payment.status == "pending":
        set_status(tx, payment, "expired", "The payment link expired unpaid.")


def record_remote(tx: Session, payment: Payment, obj: dict[str, Any]) -> None:
    """Remember the Stripe object of an attempt; an open link's URL is kept in the database
    and emailed to the customer (once per URL, whichever process learns it first)."""
    payment.provider_ref = payment.provider_ref or obj["id"]
    if obj.get("object") != "checkout.session" or not obj.get("url"):
        return
    if details(payment).get("url") != obj["url"]:
        set_details(payment, url=obj["url"])
    booking = payment.booking
    live = payment.status == "pending" and booking.status == BookingStatus.PENDING_PAYMENT
    if live and obj["status"] == "open" and payment.expires_at is not None:
        booking_emails.send_payment_link(tx, booking, obj["url"], payment.expires_at)


def attempt_failed(tx: Session, payment: Payment, why: str) -> None:
    """Stripe never accepted this attempt: close it now so it blocks no other way to pay."""
    if payment.status == "pending":
        set_status(tx, payment, "canceled", f"Not started: {why}")


def apply_remote(tx: Session, payment: Payment, obj: dict[str, Any]) -> None:
    """Apply the current state of a Stripe object (payment intent or checkout session)."""
    kind = obj.get("object")
    if kind == "payment_intent":
        status = obj["status"]
        if status == "succeeded":
            charge_succeeded(tx, payment, obj["id"])
        elif payment.status != "pending":
            return
        elif status == "canceled":
            set_status(tx, payment, "canceled", "The card payment was cancelled.")
        elif status == "requires_payment_method" and obj.get("last_payment_error"):
            if payment.method != "card":
                return  # a failed try on the hosted page: the customer may try again
            message = obj["last_payment_error"].get("message") or "The card was declined."
            set_status(tx, payment, "declined", message)
    elif kind == "checkout.session":
        if obj["status"] == "complete" and obj.get("payment_status") == "paid":
            charge_succeeded(tx, payment, obj.get("payment_intent"))
        elif obj["status"] == "expired":
            expire_link(tx, payment)
    elif kind == "refund" and payment.kind == "refund" and payment.status == "pending":
        refund_finished(tx, payment, obj)


def refund_finished(tx: Session, refund: Payment, obj: dict[str, Any]) -> None:
    """Record Stripe's answer to a refund; a pending one keeps its id and is asked again."""
    if obj.get("id"):
        refund.provider_ref = obj["id"]
    if obj.get("status") == "succeeded":
        set_status(tx, refund, "succeeded")
        booking_emails.send_refund_notice(
            tx, refund.booking, refund.amount_pence, key=str(refund.id)
        )
    elif obj.get("status") in ("failed", "canceled"):
        set_status(tx, refund, "failed", "Stripe could not make this refund; call the customer.")


def closed_message(payment: Payment) -> str:
    return payment.message or {
        "declined": "The card was declined.",
        "canceled": "The payment was cancelled.",
        "timeout": "No card was presented in time.",
        "expired": "The payment link expired.",
    }.get(payment.status, "")
