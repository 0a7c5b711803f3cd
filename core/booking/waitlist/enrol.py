"""Automatic enrolment: an entry whose person agreed to pay by link is booked, not offered.

When seats come free such an entry gets its hold like any offer (``offers``), but no offer
email. ``book_agreed`` (the waiting-list loop, after each sweep) turns that hold into a
booking for the entry's attendees, unpaid (``PENDING_PAYMENT``), with the contact as the
customer; ``core.payments.waitlist_links`` (the payments pass) then makes and emails its
payment link through the ordinary payment-link path. A booking refused (a requalification
the attendees are not eligible for, say) falls back to the ordinary emailed offer, with the
reason in the audit log, so nothing is lost.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.booking import bookings
from core.booking.attendees import AttendeeInput
from core.booking.waitlist.offers import send_offer
from core.infra.actor import Actor
from core.infra.clock import now
from core.infra.errors import DomainError
from core.journal import audit
from core.models import SeatHold, WaitlistEntry
from core.models.statuses import BookingStatus

log = logging.getLogger(__name__)


def _actor(entry: WaitlistEntry) -> Actor:
    return Actor(label="waiting list (automatic)", role="reception", channel=entry.channel)


def _agreed(tx: Session) -> list[WaitlistEntry]:
    return list(
        tx.scalars(
            select(WaitlistEntry)
            .where(
                WaitlistEntry.status == "offered",
                WaitlistEntry.pay_by_link_agreed_at.is_not(None),
                WaitlistEntry.booking_id.is_(None),
            )
            .order_by(WaitlistEntry.offered_at, WaitlistEntry.id)
        )
    )


def book_agreed(tx: Session, at: datetime | None = None) -> int:
    """Book every held offer of an entry that agreed to pay by link; returns how many."""
    at = at or now()
    made = 0
    for entry in _agreed(tx):
        hold = tx.get_one(SeatHold, entry.hold_id)
        if hold.expires_at <= at or hold.released_at is not None:
            continue  # the sweep expires it and offers the seats on
        people = json.loads(entry.attendees or "[]")  # checked again as it is booked
        contact = AttendeeInput.model_construct(
            name=entry.contact_name, email=entry.contact_email, phone=None
        )
        try:
            with tx.begin_nested():
                booking = bookings.confirm_hold(
                    tx,
                    hold.id,
                    people,
                    _actor(entry),
                    status=BookingStatus.PENDING_PAYMENT,
                    customer=contact,
                )
        except DomainError as exc:
            send_offer(tx, entry, hold)
            audit.record(
                tx,
                _actor(entry),
                "waitlist.auto_enrol_refused",
                "waitlist",
                entry.id,
                after={"reason": exc.message, "offered_instead": True},
            )
            entry.pay_by_link_agreed_at = None
            continue
        entry.status, entry.closed_at, entry.booking_id = "accepted", at, booking.id
        audit.record(
            tx,
            _actor(entry),
            "waitlist.auto_enrol",
            "booking",
            booking.reference,
            after={"entry": entry.id, "seats": entry.seats, "payment": "link"},
        )
        made += 1
    tx.flush()
    return made
