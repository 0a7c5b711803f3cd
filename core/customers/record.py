"""A customer's record, keyed by email address: contact details, bookings (as payer or
attendee), payments, and certificates with their expiry. Read from bookings as recorded;
there is no separate customer table to keep in step."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from core.booking import bookings
from core.booking.today import booking_line
from core.infra.errors import NotFound
from core.models import Booking
from core.models.attendance import Certificate
from core.models.base import blind_index

BOOKINGS = 200  # the most recent bookings shown on a record


def record(tx: Session, email: str) -> dict[str, Any]:
    """The record of whoever books or attends with ``email`` (case-insensitive)."""
    digest = blind_index(email.strip())
    stmt = (
        select(Booking)
        .where(bookings.by_or_for(email))
        .options(selectinload(Booking.attendees), selectinload(Booking.payments))
        .order_by(Booking.created_at.desc(), Booking.id.desc())
        .limit(BOOKINGS)
    )
    found = list(tx.scalars(stmt))
    if not found:
        raise NotFound(f"No booking has been made by or for {email.strip()!r}.")
    latest = found[0]
    as_attendee = [a for b in found for a in b.attendees if a.email_hash == digest]
    if latest.customer_email_hash == digest:
        name, address, phone = latest.customer_name, latest.customer_email, latest.customer_phone
    else:
        person = as_attendee[0]
        name, address, phone = person.name, person.email, person.phone
    certificates = tx.scalars(
        select(Certificate)
        .where(Certificate.attendee_id.in_([a.id for a in as_attendee] or [0]))
        .order_by(Certificate.issued_on.desc())
    )
    return {
        "name": name,
        "email": address,
        "phone": phone or next((a.phone for a in as_attendee if a.phone), None),
        "bookings": [booking_line(b) | {"role": _role(b, digest)} for b in found],
        "payments": [
            {
                "reference": b.reference,
                "kind": p.kind,
                "method": p.method,
                "status": p.status,
                "amount_pence": p.amount_pence,
                "created_at": p.created_at.isoformat(),
            }
            for b in found
            for p in b.payments
        ],
        "certificates": [
            {
                "number": c.number,
                "course_name": c.course_name,
                "issued_on": c.issued_on.isoformat(),
                "expires_on": c.expires_on.isoformat() if c.expires_on else None,
            }
            for c in certificates
        ],
    }


def _role(booking: Booking, digest: str) -> str:
    payer = booking.customer_email_hash == digest
    attends = any(a.email_hash == digest for a in booking.attendees)
    return "payer and attendee" if payer and attends else ("payer" if payer else "attendee")
