"""A customer's right of access and erasure: export everything held about an email address
(bookings, training records, employer contact records), or erase it while bookings, payments
and invoices keep their amounts for the accounts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from core.attendance import personal_data as register_data
from core.booking import bookings
from core.booking.waitlist import personal_data as waitlist_data
from core.infra.actor import Actor
from core.infra.clock import now
from core.infra.db import Database
from core.infra.errors import NotFound
from core.journal import changes
from core.models import Booking
from core.models.base import blind_index
from core.notify.outbox import forget_recipient
from core.orders.bulk import forget_person, pending_for
from core.organisations.directory import erase_contacts, export_contacts

ERASED = "(erased)"


def _bookings_for(tx: Session, email: str) -> list[Booking]:
    stmt = (
        select(Booking)
        .where(bookings.by_or_for(email))
        .options(selectinload(Booking.attendees), selectinload(Booking.payments))
        .order_by(Booking.id)
    )
    found = list(tx.scalars(stmt))
    if not found and not export_contacts(tx, email) and not pending_for(tx, email):
        raise NotFound(f"Nothing is held about {email}.")
    return found


def export_person(tx: Session, email: str) -> dict[str, Any]:
    """Everything held about ``email``: as customer and as attendee, with the sessions."""
    digest = blind_index(email)
    records = []
    attendee_ids: list[int] = []
    for booking in _bookings_for(tx, email):
        attendee_ids += [a.id for a in booking.attendees if a.email_hash == digest]
        records.append(
            {
                "reference": booking.reference,
                "course": booking.session.course.name,
                "venue": booking.session.venue.name,
                "start": booking.session.start_at.isoformat(),
                "status": booking.status,
                "as_customer": booking.customer_email_hash == digest,
                "customer": {"name": booking.customer_name, "phone": booking.customer_phone},
                "attendee_records": [
                    {
                        "name": a.name,
                        "email": a.email,
                        "phone": a.phone,
                        "date_of_birth": a.date_of_birth.isoformat(),
                        "special_requirements": a.special_requirements,
                        "emergency_phone": a.emergency_phone,
                    }
                    for a in booking.attendees
                    if a.email_hash == digest
                ],
                "total_pence": booking.total_pence,
            }
        )
    return {
        "email": email,
        "exported_at": now().isoformat(),
        "bookings": records,
        "training": register_data.export_for(tx, attendee_ids),
        "organisation_contacts": export_contacts(tx, email),
        "pending_orders": pending_for(tx, email),
        "waiting_lists": waitlist_data.export_for(tx, email),
    }


def erase(db: Database, email: str, actor: Actor) -> int:
    """``erase_person`` in its own transaction, then scrub what the database file keeps of
    the old rows (SQLite's log); returns the records erased."""
    with db.write() as tx:
        touched = erase_person(tx, email, actor)
    db.scrub()
    return touched


def erase_person(tx: Session, email: str, actor: Actor) -> int:
    """Blank the personal fields of ``email``'s records; amounts and references stay. Emails
    to them are erased, and their name and address taken out of emails to anyone else."""
    digest = blind_index(email)
    touched = 0
    names: set[str] = set()
    for booking in _bookings_for(tx, email):
        if booking.customer_email_hash == digest:
            names.add(booking.customer_name)
            booking.customer_name = ERASED
            booking.customer_email = ERASED
            booking.customer_email_hash = blind_index(f"erased:{booking.reference}")
            booking.customer_phone = None
            touched += 1
        for attendee in booking.attendees:
            if attendee.email_hash == digest:
                register_data.erase_for(tx, [attendee.id])
                names.add(attendee.name)
                attendee.name = ERASED
                attendee.email = ERASED
                attendee.email_hash = blind_index(f"erased:{attendee.id}")
                attendee.phone = None
                attendee.special_requirements = None
                attendee.emergency_phone = None
                touched += 1
    touched += erase_contacts(tx, email, ERASED) + forget_person(tx, email)
    touched += waitlist_data.erase_for(tx, email)
    forget_recipient(tx, email, names - {ERASED}, replacement=ERASED)
    changes.append(tx, "privacy", "erasure", {"records": touched, "by": actor.label})
    return touched
