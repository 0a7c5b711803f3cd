"""Seat holds: seats set aside while a booking is made, released by time if nobody finishes.

Held seats count against capacity only while the hold is active, so correctness never
depends on a sweeper; ``release_expired`` merely tidies up and tells watchers.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Integer, Table, bindparam, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from core.infra.actor import Actor
from core.infra.clock import now, uk_datetime
from core.infra.errors import (
    Conflict,
    HoldExpired,
    NotEnoughSeats,
    NotFound,
    SessionNotBookable,
    ValidationFailed,
)
from core.journal import changes
from core.models import MAX_CAPACITY, CourseSession, SeatHold
from core.models.statuses import SessionStatus
from core.seats.availability import SessionView, active_holds_filter, held_seats, view_of
from core.seats.holders import AT, BESIDES, Intent, held_seats_now, holders_now, intent
from core.seats.locking import lock_session

_PUBLISHED = "rft_published_sessions"


@dataclass(frozen=True)
class HoldView:
    id: str
    session_id: int
    seats: int
    expires_at: datetime
    channel: str
    holder: str
    token: str | None = None  # only when the hold is created: never stored, never shown again

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "session_id": self.session_id,
            "seats": self.seats,
            "expires_at": self.expires_at.isoformat(),
            "channel": self.channel,
        }
        if self.token is not None:
            data["hold_token"] = self.token
        return data


def _view(hold: SeatHold, token: str | None = None) -> HoldView:
    return HoldView(
        hold.id, hold.session_id, hold.seats, hold.expires_at, hold.channel, hold.holder, token
    )


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token() -> tuple[str, str]:
    """A new hold token for its maker, and the hash of it that is stored."""
    token = secrets.token_urlsafe(32)
    return token, _token_hash(token)


def holds_token(hold: SeatHold, token: str | None) -> bool:
    """Whether ``token`` is the one given to whoever made ``hold``."""
    if not token or hold.token_hash is None:
        return False
    return hmac.compare_digest(hold.token_hash, _token_hash(token))


def publish_session(
    tx: Session, session: CourseSession, intents: list[Intent] | None = None
) -> SessionView:
    """Append the session's current seats and status to the change feed, with who is
    booking it right now (``intents``: the active holds, when the caller has just read them
    after locking the session). Returns the view published."""
    if intents is None:
        intents = booking_intents(tx, session.id)
    view = view_of(session, sum(i["seats"] for i in intents))
    payload = view.to_json()
    payload["intents"] = intents
    changes.append(tx, "session", session.id, payload)
    tx.info.setdefault(_PUBLISHED, {})[session.id] = view
    return view


def published(tx: Session, session_id: int) -> SessionView | None:
    """The view of the session this transaction last published, if it published one."""
    views: dict[int, SessionView] = tx.info.get(_PUBLISHED, {})
    return views.get(session_id)


def booking_intents(tx: Session, session_id: int) -> list[Intent]:
    """Who is booking this session right now (holder names are for staff eyes only)."""
    rows = tx.scalars(
        select(SeatHold)
        .where(SeatHold.session_id == session_id, active_holds_filter(now()))
        .order_by(SeatHold.created_at, SeatHold.id)
    )
    return [intent(h.seats, h.channel, h.holder) for h in rows]


def ensure_bookable(session: CourseSession) -> None:
    when = uk_datetime(session.start_at)
    if session.status == SessionStatus.CANCELLED:
        raise SessionNotBookable(f"The {session.course.name} session on {when} is cancelled.")
    if session.start_at <= now():
        raise SessionNotBookable(
            f"The {session.course.name} session on {when} has already started."
        )


def check_seats(tx: Session, session: CourseSession, seats: int, ignoring: int = 0) -> None:
    """Raise NotEnoughSeats unless ``seats`` more fit (``ignoring`` seats already ours)."""
    free = session.capacity - session.booked - held_seats(tx, session.id) + ignoring
    if seats > free:
        raise not_enough(session, free)


def not_enough(session: CourseSession, free: int) -> NotEnoughSeats:
    left = "no seats" if free <= 0 else f"only {free} seat{'s' if free != 1 else ''}"
    return NotEnoughSeats(
        f"Not enough seats: {session.course.name} at {session.venue.name} on "
        f"{uk_datetime(session.start_at)} has {left} left.",
        free=max(free, 0),
        session_id=session.id,
    )


def _seats(seats: int) -> int:
    if not isinstance(seats, int) or not 1 <= seats <= MAX_CAPACITY:
        raise ValidationFailed(f"Seats must be a whole number from 1 to {MAX_CAPACITY}.")
    return seats


def create_hold(
    tx: Session,
    session_id: int,
    seats: int,
    actor: Actor,
    minutes: int = 15,
    *,
    until: datetime | None = None,
) -> HoldView:
    """Hold ``seats`` for ``minutes`` (or ``until`` a given time); the view carries the hold
    token, which only its maker ever sees.

    After the session's lock, one statement inserts the hold if the seats are free and
    returns who else holds seats (read after the lock, so nobody's hold is missed)."""
    seats = _seats(seats)
    session = lock_session(tx, session_id)
    ensure_bookable(session)
    at = now()
    token, token_hash = issue_token()
    hold = SeatHold(
        id=str(uuid.uuid4()),
        session_id=session.id,
        seats=seats,
        channel=actor.channel,
        holder=actor.label,
        created_at=at,
        expires_at=until or at + timedelta(minutes=minutes),
        token_hash=token_hash,
    )
    room = session.capacity - session.booked
    given = {f"new_{k}": getattr(hold, k) for k in NEW_HOLD}
    others = tx.execute(
        _insert_if_room(tx.get_bind().dialect.name),
        given
        | {"room": room, "holders_session": session.id, "holders_at": at}
        | {"holders_besides": hold.id},
    ).scalar()
    if others is None:
        raise not_enough(session, room - held_seats(tx, session.id, at))
    publish_session(tx, session, [*others, intent(seats, hold.channel, hold.holder)])
    return _view(hold, token)


def _existing_hold(tx: Session, hold_id: str) -> SeatHold:
    hold = tx.get(SeatHold, hold_id)
    if hold is None:
        raise NotFound("That seat hold does not exist.")
    return hold


def active_hold(tx: Session, hold_id: str) -> SeatHold:
    hold = _existing_hold(tx, hold_id)
    _refuse_inactive(hold)
    return hold


def _refuse_inactive(hold: SeatHold) -> None:
    if hold.booking_id is not None:
        raise HoldExpired("That seat hold has already been turned into a booking.")
    if hold.released_at is not None or hold.expires_at <= now():
        raise HoldExpired(
            "The seats were held too long and have been released; please start again."
        )


def check_active(tx: Session, hold: SeatHold) -> None:
    """HoldExpired unless ``hold`` is active; a hold that looks finished is read again first
    (it may have been loaded before its session's lock)."""
    try:
        _refuse_inactive(hold)
    except HoldExpired:
        tx.refresh(hold)
        _refuse_inactive(hold)


def consume_hold(tx: Session, hold: SeatHold, booking_id: int) -> list[Intent]:
    """Mark ``hold`` (whose session the caller has locked) turned into booking
    ``booking_id``, if it is still active, and return who else holds the session's seats."""
    params = {"holders_session": hold.session_id, "holders_at": now(), "holders_besides": hold.id}
    done = tx.execute(
        _consume(tx.get_bind().dialect.name), params | {"booking": booking_id}
    ).first()
    if done is None:
        check_active(tx, hold)
        raise Conflict("That seat hold was just changed at another desk; try again.")
    if done[0] != hold.seats:
        raise Conflict("That seat hold was just resized; try again.")
    set_committed_value(hold, "booking_id", booking_id)
    others: list[Intent] = done[1]
    return others


NEW_HOLD = [
    "id",
    "session_id",
    "seats",
    "channel",
    "holder",
    "created_at",
    "expires_at",
    "token_hash",
]


@cache
def _insert_if_room(dialect: str) -> Any:
    """Insert the hold given as ``new_*`` if ``room`` (capacity less booked) less the seats
    held by others is enough, returning the others' intents; no row when it is not."""
    table = _holds_table()
    row = select(*(bindparam(f"new_{c}", type_=table.c[c].type) for c in NEW_HOLD))
    enough = bindparam("room", type_=Integer) - held_seats_now() >= bindparam("new_seats")
    return insert(table).from_select(NEW_HOLD, row.where(enough)).returning(holders_now(dialect))


@cache
def _consume(dialect: str) -> Any:
    """Mark hold ``holders_besides`` turned into ``booking`` if it is still active, returning
    its seats and the other holders' intents."""
    table = _holds_table()
    return (
        update(table)
        .where(
            table.c.id == BESIDES,
            table.c.released_at.is_(None),
            table.c.booking_id.is_(None),
            table.c.expires_at > AT,
        )
        .values(booking_id=bindparam("booking"))
        .returning(table.c.seats, holders_now(dialect))
    )


def _holds_table() -> Table:
    table = SeatHold.__table__
    assert isinstance(table, Table)
    return table


MAX_HOLD_LIFE = timedelta(minutes=60)
"""How long extending may keep a hold alive, counted from when it was made; a hold made to
last longer (a waiting-list offer's 24 hours) keeps its own expiry and goes no further."""


def _extended_expiry(hold: SeatHold, minutes: int, resizing: bool) -> datetime:
    """When ``hold`` ends if kept ``minutes`` from now, never earlier than it does now nor past
    its longest life; a call only for more time, when none is left to give, is refused."""
    wanted = now() + timedelta(minutes=minutes)
    limit = max(hold.expires_at, hold.created_at + MAX_HOLD_LIFE)
    if wanted > hold.expires_at >= limit and not resizing:
        raise ValidationFailed(
            f"These seats cannot be held past {uk_datetime(hold.expires_at)}: a hold is kept "
            f"for at most {MAX_HOLD_LIFE // timedelta(minutes=1)} minutes from when it was made. "
            "Finish the booking before then, or start again."
        )
    return min(max(hold.expires_at, wanted), limit)


def extend_hold(tx: Session, hold_id: str, minutes: int = 15, seats: int | None = None) -> HoldView:
    """Keep a hold alive for up to ``minutes`` more, optionally growing or shrinking it.

    Never shortens it, and never keeps it past ``MAX_HOLD_LIFE`` from when it was made (or
    its own expiry, if later): once there, only resizing it is still allowed.
    """
    hold = _existing_hold(tx, hold_id)
    session = lock_session(tx, hold.session_id)
    hold = active_hold(tx, hold_id)
    new_seats = hold.seats if seats is None else _seats(seats)
    expires_at = _extended_expiry(hold, minutes, resizing=new_seats != hold.seats)
    if new_seats > hold.seats:
        check_seats(tx, session, new_seats, ignoring=hold.seats)
    hold.seats = new_seats
    hold.expires_at = expires_at
    tx.flush()
    publish_session(tx, session)
    return _view(hold)


def release_hold(tx: Session, hold_id: str) -> None:
    """Give the seats back; releasing an already-finished hold is a no-op."""
    hold = _existing_hold(tx, hold_id)
    if hold.released_at is not None or hold.booking_id is not None:
        return
    session = lock_session(tx, hold.session_id)
    hold.released_at = now()
    tx.flush()
    publish_session(tx, session)


def release_expired(tx: Session) -> int:
    """Mark expired holds released and publish their sessions; returns how many."""
    expired = list(
        tx.scalars(
            select(SeatHold).where(
                SeatHold.released_at.is_(None),
                SeatHold.booking_id.is_(None),
                SeatHold.expires_at <= now(),
            )
        )
    )
    for hold in expired:
        hold.released_at = hold.expires_at
    tx.flush()
    for sid in sorted({h.session_id for h in expired}):
        publish_session(tx, lock_session(tx, sid))
    return len(expired)
