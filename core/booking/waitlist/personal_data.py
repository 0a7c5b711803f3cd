"""Waiting-list contacts (and the attendees of an automatic enrolment) in a person's data
export and erasure (``core.customers.privacy``)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.booking.waitlist.offers import close_offer
from core.models import WaitlistEntry
from core.models.base import blind_index
from core.seats.locking import lock_session

ERASED = "(erased)"


def _entries(tx: Session, email: str) -> list[WaitlistEntry]:
    stmt = select(WaitlistEntry).where(WaitlistEntry.contact_email_hash == blind_index(email))
    return list(tx.scalars(stmt.order_by(WaitlistEntry.id)))


def export_for(tx: Session, email: str) -> list[dict[str, Any]]:
    return [
        {
            "id": e.id,
            "course": e.session.course.name,
            "start": e.session.start_at.isoformat(),
            "seats": e.seats,
            "status": e.status,
            "contact": {"name": e.contact_name, "email": e.contact_email},
            "attendees": json.loads(e.attendees or "[]"),
        }
        for e in _entries(tx, email)
    ]


def erase_for(tx: Session, email: str) -> int:
    """Blank the contact on each entry; an entry still open leaves the list (declined)."""
    found = _entries(tx, email)
    for entry in found:
        if entry.status in ("waiting", "offered"):
            lock_session(tx, entry.session_id)
            close_offer(tx, entry, "declined")
        entry.contact_name = ERASED
        entry.contact_email = ERASED
        entry.contact_email_hash = blind_index(f"erased:waitlist:{entry.id}")
        entry.attendees = None
    tx.flush()
    return len(found)
