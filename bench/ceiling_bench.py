"""The data layer's ceiling: hold + book's ten statements through SQLAlchemy Core, no rules.

What one server process could reach if a booking cost nothing but its statements: the same
ten statements the project issues for a hold and a booking (lock the session, insert the
hold and its change; lock the session and hold, insert the booking and its attendee, take
the hold, count the seat, queue the email, insert the change), prepared once and run with
SQLAlchemy Core on the real schema, in one thread. No validation, no ORM, no JSON-RPC. The
CPU each pair takes here, added to the floor's (frames, threads, reply: ``floor_round``),
bounds the bookings per second of a Python server process built on SQLAlchemy.
"""

from __future__ import annotations

import time
import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Table, bindparam, insert, select, update

from bench.server_harness import ATTENDEE
from core.infra.clock import now
from core.infra.db import Database
from core.models import Attendee, Booking, Change, CourseSession, OutboxMessage, SeatHold


def _table(model: Any) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


SESSIONS, HOLDS, BOOKINGS = _table(CourseSession), _table(SeatHold), _table(Booking)
ATTENDEES, OUTBOX, CHANGES = _table(Attendee), _table(OutboxMessage), _table(Change)
LOCK = (
    select(SESSIONS.c.capacity, SESSIONS.c.booked)
    .where(SESSIONS.c.id == bindparam("sid"))
    .with_for_update()
)
LOCK_WITH_HOLD = (
    select(SESSIONS.c.capacity, SESSIONS.c.booked, HOLDS.c.seats)
    .join(HOLDS, HOLDS.c.session_id == SESSIONS.c.id)
    .where(HOLDS.c.id == bindparam("hold"))
    .with_for_update(of=SESSIONS)
)
NEW_HOLD = insert(HOLDS)
NEW_CHANGE = insert(CHANGES)
NEW_BOOKING = insert(BOOKINGS).returning(BOOKINGS.c.id)
NEW_ATTENDEE = insert(ATTENDEES)
TAKE_HOLD = (
    update(HOLDS).where(HOLDS.c.id == bindparam("hold")).values(booking_id=bindparam("booking"))
)
COUNT_SEAT = (
    update(SESSIONS)
    .where(SESSIONS.c.id == bindparam("sid"))
    .values(booked=SESSIONS.c.booked + 1, version=SESSIONS.c.version + 1)
)
NEW_EMAIL = insert(OUTBOX)


def _pair(db: Database, sid: int) -> bool:
    """One hold and its booking of one seat on session ``sid``; False when it is full."""
    at, hold = now(), str(uuid.uuid4())
    with db.engine.begin() as conn:
        capacity, booked = conn.execute(LOCK, {"sid": sid}).one()
        if booked + 1 > capacity:
            return False
        conn.execute(
            NEW_HOLD,
            {
                "id": hold,
                "session_id": sid,
                "seats": 1,
                "channel": "desk",
                "holder": "ceiling",
                "created_at": at,
                "expires_at": at + timedelta(minutes=15),
            },
        )
        conn.execute(NEW_CHANGE, _change(sid, at))
    with db.engine.begin() as conn:
        conn.execute(LOCK_WITH_HOLD, {"hold": hold}).one()
        booking = conn.execute(NEW_BOOKING, _booking(sid, at)).scalar_one()
        conn.execute(NEW_ATTENDEE, _attendee(booking))
        conn.execute(TAKE_HOLD, {"hold": hold, "booking": booking})
        conn.execute(COUNT_SEAT, {"sid": sid})
        conn.execute(NEW_EMAIL, _email(booking, at))
        conn.execute(NEW_CHANGE, _change(sid, at))
    return True


def _change(sid: int, at: Any) -> dict[str, Any]:
    return {"at": at, "kind": "ceiling", "entity_id": str(sid), "payload": {"session": sid}}


def _booking(sid: int, at: Any) -> dict[str, Any]:
    return {
        "reference": "C" + uuid.uuid4().hex[:12].upper(),
        "session_id": sid,
        "status": "CONFIRMED",
        "channel": "desk",
        "seats": 1,
        "unit_price_pence": 7500,
        "subtotal_pence": 7500,
        "discount_pence": 0,
        "total_pence": 7500,
        "customer_name": ATTENDEE["name"],
        "customer_email": ATTENDEE["email"],
        "customer_email_hash": "0" * 64,
        "created_by": "ceiling",
        "created_at": at,
    }


def _attendee(booking: int) -> dict[str, Any]:
    return {
        "booking_id": booking,
        "name": ATTENDEE["name"],
        "email": ATTENDEE["email"],
        "email_hash": "0" * 64,
        "date_of_birth": date(1990, 5, 17),
    }


def _email(booking: int, at: Any) -> dict[str, Any]:
    return {
        "template": "ceiling",
        "recipient": ATTENDEE["email"],
        "subject": "",
        "body_text": "",
        "body_html": "",
        "attachments": "",
        "message_id": f"<{uuid.uuid4().hex}@bench>",
        "status": "sent",
        "attempts": 0,
        "next_attempt_at": at,
        "created_at": at,
    }


def cpu_per_pair(db: Database, sessions: list[int]) -> tuple[float, int]:
    """Milliseconds of this process's CPU per hold + book, one pair per session in turn,
    and how many were booked (after ten unmeasured pairs to prepare the statements)."""
    booked = sum(_pair(db, sid) for sid in sessions[:10])
    began = time.process_time()
    booked += sum(_pair(db, sid) for sid in sessions[10:])
    return (time.process_time() - began) * 1000 / max(1, len(sessions) - 10), booked
