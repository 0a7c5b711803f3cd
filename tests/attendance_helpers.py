"""Building registers for attendance and certificate tests, through core."""

from __future__ import annotations

import itertools
from datetime import time, timedelta
from typing import Any

from sqlalchemy import select

from core.attendance import hlc
from core.booking.attendees import parse_attendees
from core.booking.bookings import record_booking
from core.infra.actor import Actor
from core.infra.clock import now
from core.infra.db import Database
from core.models import Attendee, User
from core.seats.locking import lock_session
from tests.factories import make_session, person

_ops = itertools.count(1)


def trainer(db: Database, name: str = "Sarah Holt") -> Actor:
    """A trainer account, as the actor their desktop acts for."""
    email = name.lower().replace(" ", ".") + "@rft-training.co.uk"
    with db.write() as tx:
        user = tx.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(email=email, name=name, role="trainer", created_at=now())
            tx.add(user)
            tx.flush()
        return Actor(label=name, role="trainer", channel="desk", user_id=user.id)


def booked_session(
    db: Database,
    who: Actor | None,
    people: int = 2,
    course: str = "efaw",
    days_ahead: int = -3,
    **extra: Any,
) -> tuple[int, list[int]]:
    """A session taught by ``who`` with ``people`` attendees booked; (session id, attendee ids)."""
    email = who.label.lower().replace(" ", ".") + "@rft-training.co.uk" if who else None
    sid = make_session(db, course=course, days_ahead=days_ahead, trainer_email=email)
    with db.write() as tx:
        session = lock_session(tx, sid)
        found = parse_attendees([person(i, **extra) for i in range(1, people + 1)])
        booking = record_booking(tx, session, found, Actor("desk", "reception"))
        ids = [a.id for a in booking.attendees]
    return sid, ids


def stamp(minutes_ago: float = 0, counter: int = 0) -> str:
    return str(hlc.Stamp(int((now() - timedelta(minutes=minutes_ago)).timestamp() * 1000), counter))


def op(
    attendee_id: int,
    field: str = "attendance",
    value: str | None = "present",
    *,
    day: int = 0,
    device: str = "tablet-1",
    at: str | None = None,
    time: str | None = None,
    op_id: str | None = None,
) -> dict[str, Any]:
    return {
        "op_id": op_id or f"op-{next(_ops):06d}",
        "device_id": device,
        "hlc": at or stamp(),
        "attendee_id": attendee_id,
        "day_index": day,
        "field": field,
        "value": value,
        "time": time,
    }


def full_marks(
    attendee_id: int, days: int = 1, outcome: str = "competent", device: str = "tablet-1"
) -> list[dict[str, Any]]:
    ops = [op(attendee_id, day=d, device=device, at=stamp(5, d)) for d in range(days)]
    return ops + [op(attendee_id, "outcome", outcome, day=days - 1, device=device, at=stamp(4))]


def attendee_email(db: Database, attendee_id: int) -> str:
    with db.read() as tx:
        return tx.get_one(Attendee, attendee_id).email


def booking_of(db: Database, attendee_id: int) -> int:
    with db.read() as tx:
        return tx.get_one(Attendee, attendee_id).booking_id


def runs_today(db: Database, session_id: int) -> None:
    """Move a one-day session onto today, 09:00-16:00 London, whatever day of the week it is
    (the factory skips weekends, and "today first" must be checked on every day)."""
    from core.infra.clock import london, today_london
    from core.models import CourseSession

    start, end = london(today_london(), time(9)), london(today_london(), time(16))
    with db.write() as tx:
        session = tx.get_one(CourseSession, session_id)
        assert len(session.days) == 1
        session.start_at = session.days[0].start_at = start
        session.end_at = session.days[0].end_at = end
