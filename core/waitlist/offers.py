"""Offering freed seats to the waiting list, always under the session's row lock.

An offer is a seat hold on the entry's behalf that lasts as long as the offer (a website
hold, so the emailed link can complete it on the public page; the desk may use it too, and
staff see it among the session's intents as "waiting list"), so offered seats count
against capacity exactly like any other hold: a desk booking racing an offer
is refused, or the offer is never made. Freed seats go to the first waiting entry that
fits them; a larger entry keeps its place. ``sweep`` expires offers and fills seats freed
by anything else (an expired hold, raised capacity); a cancellation offers at once.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core.availability import get_session, held_seats
from core.clock import now
from core.db import settings_of
from core.holds import issue_token, publish_session
from core.locking import lock_session
from core.models import CourseSession, SeatHold, WaitlistEntry
from core.notify.booking_emails import session_context
from core.notify.outbox import enqueue

WAITLIST_HOLDER = "waiting list"


def offer_expiry(session: CourseSession, at: datetime) -> datetime:
    """The course's offer time, but never later than half-way to the start."""
    return min(
        at + timedelta(hours=session.course.waitlist_offer_hours),
        at + (session.start_at - at) / 2,
    )


def waiting(tx: Session, session_id: int) -> list[WaitlistEntry]:
    """Entries still waiting on a session, in the order they joined."""
    return list(
        tx.scalars(
            select(WaitlistEntry)
            .where(WaitlistEntry.session_id == session_id, WaitlistEntry.status == "waiting")
            .order_by(WaitlistEntry.created_at, WaitlistEntry.id)
            .execution_options(populate_existing=True)
        )
    )


def free_seats(tx: Session, session: CourseSession) -> int:
    return max(0, session.capacity - session.booked - held_seats(tx, session.id))


def offer_free_seats(tx: Session, session: CourseSession) -> list[WaitlistEntry]:
    """Offer a locked session's free seats to the waiting entries that fit, first come first.

    The caller holds the session lock (``lock_session``); returns the entries offered.
    """
    at = now()
    if session.status == "CANCELLED" or session.start_at <= at:
        return []
    free = free_seats(tx, session)
    offered: list[WaitlistEntry] = []
    for entry in waiting(tx, session.id) if free else []:
        if entry.seats > free:
            continue
        _offer(tx, session, entry, at)
        offered.append(entry)
        free -= entry.seats
        if not free:
            break
    if offered:
        publish_session(tx, session)
    return offered


def _offer(tx: Session, session: CourseSession, entry: WaitlistEntry, at: datetime) -> None:
    expires = offer_expiry(session, at)
    token, token_hash = issue_token()  # travels only in the emailed link
    hold = SeatHold(
        id=str(uuid.uuid4()),
        session_id=session.id,
        seats=entry.seats,
        channel="website",  # the emailed link completes it on the public booking page
        holder=WAITLIST_HOLDER,
        created_at=at,
        expires_at=expires,
        token_hash=token_hash,
    )
    tx.add(hold)
    entry.status, entry.hold_id = "offered", hold.id
    entry.offered_at, entry.offer_expires = at, expires
    tx.flush()
    enqueue(
        tx,
        template="waitlist_offer",
        to=f"{entry.contact_name} <{entry.contact_email}>",
        context=session_context(tx, get_session(tx, session.id))
        | {
            "contact_name": entry.contact_name,
            "entry_id": entry.id,
            "seats": entry.seats,
            "offer_expires": expires,
            "accept_url": f"{settings_of(tx).booking_page}?offer={hold.id}&token={token}",
        },
        dedupe_key=f"waitlist_offer:{hold.id}",
    )


def close_offer(tx: Session, entry: WaitlistEntry, status: str) -> None:
    """End an offer or a wait (declined, expired) and give any held seats back."""
    at = now()
    hold = tx.get(SeatHold, entry.hold_id) if entry.hold_id else None
    if hold is not None and hold.released_at is None and hold.booking_id is None:
        hold.released_at = min(at, hold.expires_at)
    entry.status, entry.closed_at = status, at
    tx.flush()


def settle(tx: Session, entry: WaitlistEntry, at: datetime) -> None:
    """An offer whose hold became a booking is accepted; one past its time has expired."""
    hold = tx.get(SeatHold, entry.hold_id) if entry.hold_id else None
    if hold is not None and hold.booking_id is not None:
        entry.status, entry.closed_at = "accepted", at
    elif entry.offer_expires is not None and entry.offer_expires <= at:
        close_offer(tx, entry, "expired")


def sweep(tx: Session) -> int:
    """Settle booked or lapsed offers and offer every free seat to waiting entries; returns
    the number of offers made."""
    at = now()
    settling = (
        select(WaitlistEntry.session_id)
        .join(SeatHold, SeatHold.id == WaitlistEntry.hold_id)
        .where(
            WaitlistEntry.status == "offered",
            or_(WaitlistEntry.offer_expires <= at, SeatHold.booking_id.is_not(None)),
        )
    )
    queued = (
        select(WaitlistEntry.session_id)
        .join(CourseSession, CourseSession.id == WaitlistEntry.session_id)
        .where(
            WaitlistEntry.status == "waiting",
            CourseSession.status != "CANCELLED",
            CourseSession.start_at > at,
        )
    )
    session_ids = sorted(set(tx.scalars(settling.union(queued))))
    made = 0
    for sid in session_ids:
        session = lock_session(tx, sid)
        for entry in tx.scalars(
            select(WaitlistEntry)
            .where(WaitlistEntry.session_id == sid, WaitlistEntry.status == "offered")
            .execution_options(populate_existing=True)
        ):
            settle(tx, entry, at)
        tx.flush()
        made += len(offer_free_seats(tx, session))
    return made
