"""The payment deadline: no unpaid booking holds its seats forever.

Every ``PENDING_PAYMENT`` booking must be paid by its deadline: ``bookings.pay_by``, or
``RFT_HOLD_MINUTES`` after it was made when that is empty. A payment link moves the
deadline to the link's expiry; staff can move it later (``extend``). Past the deadline the
payments pass closes any attempt still open at Stripe (a payment that went through at
that moment confirms the booking instead), cancels the booking, frees its seats, records
it in the audit log and the change feed (so staff see it), and tells the customer only if
they were sent a payment link.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from core.booking.bookings import cancel, find
from core.infra.actor import Actor
from core.infra.clock import now, uk_datetime
from core.infra.config import Settings
from core.infra.db import Database
from core.infra.errors import ValidationFailed
from core.journal import audit
from core.models import Booking
from core.models.statuses import BookingStatus
from core.notify import booking_emails
from core.payments.gateway import PaymentRejected, PaymentUnavailable, StripeClient
from core.payments.ledger import locked_booking
from core.payments.reconcile import reconcile
from core.payments.settle import NOT_PAID_IN_TIME, SYSTEM

MAX_EXTENSION_MINUTES = 14 * 24 * 60


def deadline(booking: Booking, settings: Settings) -> datetime:
    """When an unpaid booking gives its seats back."""
    return booking.pay_by or booking.created_at + timedelta(minutes=settings.hold_minutes)


def extend_deadline_to(booking: Booking, at: datetime) -> None:
    """Make sure the booking may stay unpaid until at least ``at``."""
    if booking.pay_by is None or booking.pay_by < at:
        booking.pay_by = at


def extend(db: Database, reference: str, minutes: int, actor: Actor) -> dict[str, Any]:
    """Staff give the customer ``minutes`` more (from now or the current deadline, whichever
    is later) to pay; never past the start of the course."""
    if not 1 <= minutes <= MAX_EXTENSION_MINUTES:
        raise ValidationFailed(
            f"Extend by 1 to {MAX_EXTENSION_MINUTES} minutes (14 days), not {minutes}."
        )
    with db.write() as tx:
        booking = locked_booking(tx, reference)
        if booking.status != BookingStatus.PENDING_PAYMENT:
            raise ValidationFailed(
                f"Booking {booking.reference} is {booking.status.lower().replace('_', ' ')}; "
                "only a booking waiting for payment has a payment deadline."
            )
        before = deadline(booking, db.settings)
        until = (max(before, now()) + timedelta(minutes=minutes)).replace(microsecond=0)
        if until > booking.session.start_at:
            raise ValidationFailed(
                f"That is after the course starts ({uk_datetime(booking.session.start_at)}); "
                "take the payment another way or cancel the booking."
            )
        booking.pay_by = until
        audit.record(
            tx,
            actor,
            "booking.payment_deadline",
            "booking",
            booking.reference,
            before={"pay_by": before.isoformat()},
            after={"pay_by": until.isoformat()},
        )
        return {"reference": booking.reference, "pay_by": until.isoformat()}


def _overdue(settings: Settings, at: datetime) -> Any:
    default_cutoff = at - timedelta(minutes=settings.hold_minutes)
    return or_(
        Booking.pay_by <= at,
        and_(Booking.pay_by.is_(None), Booking.created_at <= default_cutoff),
    )


def release_overdue(db: Database, gateway: StripeClient, *, at: datetime | None = None) -> int:
    """Cancel every unpaid booking past its deadline; returns how many were released.

    An attempt still open at Stripe is closed first; if Stripe cannot be asked, that
    booking waits for the next pass (nobody can have paid it unseen) and the step fails
    naming it, so ``/api/health`` and ``rft payments check`` show it.
    """
    at = at or now()
    with db.read() as tx:
        overdue = list(
            tx.scalars(
                select(Booking.reference).where(
                    Booking.status == BookingStatus.PENDING_PAYMENT, _overdue(db.settings, at)
                )
            )
        )
    released = 0
    waiting: list[str] = []
    for reference in overdue:
        with db.read() as tx:
            booking = find(tx, reference)
            open_attempts = [
                p.id for p in booking.payments if p.kind == "charge" and p.status == "pending"
            ]
        try:
            for payment_id in open_attempts:
                reconcile(db, gateway, payment_id, at=at, give_up=True)
        except (PaymentUnavailable, PaymentRejected) as exc:
            waiting.append(f"{reference} ({exc.message})")
            continue
        with db.write() as tx:
            released += _release(tx, locked_booking(tx, reference), db.settings, at)
    if waiting:
        raise PaymentUnavailable(
            f"Released {released}; past their payment deadline but waiting because Stripe "
            f"could not close their payment: {', '.join(waiting[:5])}"
        )
    return released


def _release(tx: Session, booking: Booking, settings: Settings, at: datetime) -> int:
    if booking.status != BookingStatus.PENDING_PAYMENT or deadline(booking, settings) > at:
        return 0
    if any(p.kind == "charge" and p.status == "pending" for p in booking.payments):
        return 0
    cancel(tx, booking.reference, SYSTEM, NOT_PAID_IN_TIME, notify=False)
    audit.record(
        tx,
        SYSTEM,
        "booking.released_unpaid",
        "booking",
        booking.reference,
        after={"seats": booking.seats, "pay_by": deadline(booking, settings).isoformat()},
        reason="not paid by its payment deadline",
    )
    if any(p.method == "link" and p.provider_ref for p in booking.payments):
        booking_emails.send_link_expired(tx, booking)
    return 1
