"""The people waiting for a session that is cancelled are told, in the cancellation's own
transaction, so nobody is left waiting for a session that will not run.

An entry for that session alone ends (``expired``) and its contact is emailed the reason and
other dates with places; a flexible entry (any session of the course before a date) whose
offer was on it waits again for the others, and the next sweep offers it one of them.
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core.booking.waitlist.offers import close_offer, wait_again
from core.models import CourseSession, SeatHold, WaitlistEntry
from core.notify.booking_emails import session_context
from core.notify.outbox import enqueue
from core.seats.availability import SessionView, get_session


def tell_waiting(tx: Session, session: CourseSession, other_dates: list[SessionView]) -> int:
    """End or reopen the open entries of the cancelled ``session``; returns how many
    people were emailed."""
    offered_here = select(SeatHold.id).where(SeatHold.session_id == session.id)
    entries = tx.scalars(
        select(WaitlistEntry)
        .where(
            WaitlistEntry.status.in_(("waiting", "offered")),
            or_(
                WaitlistEntry.hold_id.in_(offered_here),
                (WaitlistEntry.session_id == session.id) & WaitlistEntry.before_date.is_(None),
            ),
        )
        .order_by(WaitlistEntry.id)
        .with_for_update(of=WaitlistEntry)
    ).all()
    context = session_context(tx, get_session(tx, session.id)) | {
        "other_dates": [
            {"start": s.start, "venue_name": s.venue_name, "free": s.free} for s in other_dates
        ]
    }
    told = 0
    for entry in entries:
        if entry.before_date is not None:
            wait_again(tx, entry)
            continue
        close_offer(tx, entry, "expired")
        enqueue(
            tx,
            template="waitlist_cancelled",
            to=f"{entry.contact_name} <{entry.contact_email}>",
            context=context
            | {"contact_name": entry.contact_name, "seats": entry.seats, "entry_id": entry.id},
            dedupe_key=f"waitlist_cancelled:{entry.id}",
        )
        told += 1
    return told
