"""Payment links for bookings the waiting list made automatically (a payments-pass step)."""

from __future__ import annotations

from sqlalchemy import select

from core.infra.actor import Actor
from core.infra.db import Database
from core.models import Booking, CourseSession, Payment, WaitlistEntry
from core.models.statuses import SessionStatus
from core.payments.gateway import StripeClient
from core.payments.links import create_link


def send_links(db: Database, gateway: StripeClient) -> int:
    """Make and email the payment link of each automatic booking still without one (none
    for a cancelled session: its customer is offered a transfer instead)."""
    with db.read() as tx:
        references = list(
            tx.scalars(
                select(Booking.reference)
                .join(WaitlistEntry, WaitlistEntry.booking_id == Booking.id)
                .join(CourseSession, CourseSession.id == Booking.session_id)
                .where(
                    Booking.status == "PENDING_PAYMENT",
                    CourseSession.status != SessionStatus.CANCELLED,
                    ~select(Payment.id)
                    .where(Payment.booking_id == Booking.id, Payment.method == "link")
                    .exists(),
                )
            )
        )
    for reference in references:
        create_link(db, gateway, reference, Actor("waiting list (automatic)", "reception"))
    return len(references)
