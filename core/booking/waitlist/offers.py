"""Offering freed seats to the waiting list, always under the session's row lock.

An offer is a seat hold on the entry's behalf that lasts as long as the offer (a website
hold, so the emailed link can complete it on the public page; the desk may use it too, and
staff see it among the session's intents as "waiting list"), so offered seats count
against capacity exactly like any other hold: a desk booking racing an offer
is refused, or the offer is never made. Freed seats go to the first waiting entry that
fits them; a larger entry keeps its place. A flexible entry (``before_date`` set) is a
candidate on every session of its course at its venues starting before that date; since two
sessions' locks may reach for it at once, it is claimed with its own row lock first (one
already being offered elsewhere is skipped). ``sweep`` expires offers and fills seats freed
by anything else (an expired hold, raised capacity); a cancellation offers at once. An
entry that agreed to pay by link gets no offer email: ``core.booking.waitlist.enrol`` books it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from core.infra.actor import Actor
from core.infra.clock import LONDON, now
from core.infra.db import settings_of
from core.models import CourseSession, SeatHold, WaitlistEntry
from core.models.statuses import SessionStatus
from core.notify.booking_emails import session_context
from core.notify.outbox import enqueue
from core.seats.availability import get_session, held_seats
from core.seats.holds import create_hold, issue_token, publish_session
from core.seats.locking import lock_session

WAITLIST_HOLDER = "waiting list"
# Offers are website holds, so the emailed link completes them on the public booking page.
WAITLIST = Actor(label=WAITLIST_HOLDER, role=None, channel="website")


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


def session_day(session: CourseSession) -> date:
    return session.start_at.astimezone(LONDON).date()


def matches(entry: WaitlistEntry, session: CourseSession) -> bool:
    """Whether a flexible entry would take seats on ``session``."""
    return (
        entry.before_date is not None
        and session.course_id == entry.session.course_id
        and session.venue_id in (entry.venues or ())
        and session_day(session) < entry.before_date
    )


def candidates(tx: Session, session: CourseSession) -> list[WaitlistEntry]:
    """Waiting entries that would take seats on ``session``: its own and the flexible ones
    that match it, in the order they joined."""
    own = WaitlistEntry.session_id == session.id
    flexible = and_(
        WaitlistEntry.before_date > session_day(session),
        CourseSession.course_id == session.course_id,
    )
    found = tx.scalars(
        select(WaitlistEntry)
        .join(CourseSession, CourseSession.id == WaitlistEntry.session_id)
        .where(WaitlistEntry.status == "waiting", or_(own, flexible))
        .order_by(WaitlistEntry.created_at, WaitlistEntry.id)
        .execution_options(populate_existing=True)
    )
    return [e for e in found if e.session_id == session.id or matches(e, session)]


def _claimed(tx: Session, entry: WaitlistEntry) -> bool:
    """A flexible entry locked for this offer and still waiting (skipped, never waited for,
    while another session's offer has it: that one decides)."""
    if entry.before_date is None:
        return True
    locked = tx.scalar(
        select(WaitlistEntry.id)
        .where(WaitlistEntry.id == entry.id)
        .with_for_update(skip_locked=True)
    )
    if locked is None:
        return False
    tx.refresh(entry)
    return entry.status == "waiting"


def free_seats(tx: Session, session: CourseSession) -> int:
    return max(0, session.capacity - session.booked - held_seats(tx, session.id))


def offer_free_seats(tx: Session, session: CourseSession) -> list[WaitlistEntry]:
    """Offer a locked session's free seats to the waiting entries that fit, first come first.

    The caller holds the session lock (``lock_session``); returns the entries offered.
    """
    at = now()
    if session.status == SessionStatus.CANCELLED or session.start_at <= at:
        return []
    free = free_seats(tx, session)
    offered: list[WaitlistEntry] = []
    for entry in candidates(tx, session) if free else []:
        if entry.seats > free or not _claimed(tx, entry):
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
    view = create_hold(tx, session.id, entry.seats, WAITLIST, until=expires)
    hold = tx.get_one(SeatHold, view.id)
    entry.status, entry.hold_id = "offered", hold.id
    entry.offered_at, entry.offer_expires = at, expires
    tx.flush()
    if entry.pay_by_link_agreed_at is None:
        send_offer(tx, entry, hold)


def send_offer(tx: Session, entry: WaitlistEntry, hold: SeatHold) -> None:
    """Email the offer with a link carrying the hold and a fresh token (which travels only
    in the email)."""
    token, hold.token_hash = issue_token()
    tx.flush()
    enqueue(
        tx,
        template="waitlist_offer",
        to=f"{entry.contact_name} <{entry.contact_email}>",
        context=session_context(tx, get_session(tx, hold.session_id))
        | {
            "contact_name": entry.contact_name,
            "entry_id": entry.id,
            "seats": entry.seats,
            "offer_expires": hold.expires_at,
            "accept_url": f"{settings_of(tx).booking_page}?offer={hold.id}&token={token}",
        },
        dedupe_key=f"waitlist_offer:{hold.id}",
    )


def offer_session_id(entry: WaitlistEntry) -> int:
    """The session an entry's offer holds seats on (its own unless it is flexible)."""
    return entry.hold.session_id if entry.hold is not None else entry.session_id


def close_offer(tx: Session, entry: WaitlistEntry, status: str) -> None:
    """End an offer or a wait (declined, expired) and give any held seats back."""
    at = now()
    hold = tx.get(SeatHold, entry.hold_id) if entry.hold_id else None
    if hold is not None and hold.released_at is None and hold.booking_id is None:
        hold.released_at = min(at, hold.expires_at)
    entry.status, entry.closed_at = status, at
    tx.flush()


def wait_again(tx: Session, entry: WaitlistEntry) -> None:
    """A flexible entry whose offer's session was cancelled (its hold released with it)
    waits again for the other sessions it would take."""
    entry.status, entry.hold_id = "waiting", None
    entry.offered_at = entry.offer_expires = None
    tx.flush()


def settle(tx: Session, entry: WaitlistEntry, at: datetime) -> None:
    """An offer whose hold became a booking is accepted; one past its time with no booking
    has expired, also when it was accepted (its seats have gone to others)."""
    hold = tx.get(SeatHold, entry.hold_id) if entry.hold_id else None
    if hold is not None and hold.booking_id is not None:
        if entry.status == "offered":
            entry.status, entry.closed_at = "accepted", at
    elif entry.offer_expires is not None and entry.offer_expires <= at:
        close_offer(tx, entry, "expired")


def _flexible_sessions(tx: Session, at: datetime) -> set[int]:
    """Open future sessions some flexible waiting entry would take seats on."""
    entries = list(
        tx.scalars(
            select(WaitlistEntry).where(
                WaitlistEntry.status == "waiting", WaitlistEntry.before_date.is_not(None)
            )
        )
    )
    if not entries:
        return set()
    sessions = tx.scalars(
        select(CourseSession).where(
            CourseSession.status != "CANCELLED",
            CourseSession.start_at > at,
            CourseSession.course_id.in_({e.session.course_id for e in entries}),
        )
    )
    return {s.id for s in sessions if any(matches(e, s) for e in entries)}


def _unsettled(at: datetime) -> ColumnElement[bool]:
    """Offers (with their holds joined) that ``settle`` would change at ``at``."""
    lapsed = and_(WaitlistEntry.offer_expires <= at, SeatHold.booking_id.is_(None))
    return or_(
        and_(WaitlistEntry.status == "offered", or_(lapsed, SeatHold.booking_id.is_not(None))),
        and_(WaitlistEntry.status == "accepted", lapsed),
    )


def sweep(tx: Session) -> int:
    """Settle booked or lapsed offers and offer every free seat to waiting entries; returns
    the number of offers made."""
    at = now()
    settling = (
        select(SeatHold.session_id)
        .join(WaitlistEntry, SeatHold.id == WaitlistEntry.hold_id)
        .where(_unsettled(at))
    )
    queued = (
        select(WaitlistEntry.session_id)
        .join(CourseSession, CourseSession.id == WaitlistEntry.session_id)
        .where(
            WaitlistEntry.status == "waiting",
            CourseSession.status != SessionStatus.CANCELLED,
            CourseSession.start_at > at,
        )
    )
    session_ids = sorted(set(tx.scalars(settling.union(queued))) | _flexible_sessions(tx, at))
    made = 0
    for sid in session_ids:
        session = lock_session(tx, sid)
        for entry in tx.scalars(
            select(WaitlistEntry)
            .join(SeatHold, SeatHold.id == WaitlistEntry.hold_id)
            .where(SeatHold.session_id == sid, _unsettled(at))
            .execution_options(populate_existing=True)
        ):
            settle(tx, entry, at)
        tx.flush()
        made += len(offer_free_seats(tx, session))
    return made
