"""The desk's home for the day: courses today and tomorrow with who is expected, bookings
still waiting for money (oldest first), and the latest bookings."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from core.booking.dues import due_pence
from core.infra.clock import LONDON
from core.models import Booking
from core.models.statuses import BookingStatus
from core.seats.availability import SessionFilter, SessionView, list_sessions

RECENT = 20  # bookings in the "recently booked" list
AWAITING = 100  # at most this many bookings waiting for money


def booking_line(booking: Booking) -> dict[str, Any]:
    """A booking in one line: who, what, when booked, what it costs and what is owed."""
    return {
        "reference": booking.reference,
        "status": booking.status,
        "customer": booking.customer_name,
        "customer_email": booking.customer_email,
        "course_name": booking.session.course.name,
        "session_id": booking.session_id,
        "session_start": booking.session.start_at.astimezone(LONDON).isoformat(),
        "seats": booking.seats,
        "total_pence": booking.total_pence,
        "due_pence": due_pence(booking),
        "created_at": booking.created_at.isoformat(),
    }


def _runs_on(view: SessionView, day: date) -> bool:
    days = view.days or [(view.start, view.end)]
    return any(start.astimezone(LONDON).date() == day for start, _end in days)


def _expected(tx: Session, session_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Attendees of live bookings per session, with their booking's reference and status."""
    stmt = (
        select(Booking)
        .where(Booking.session_id.in_(session_ids), Booking.status != BookingStatus.CANCELLED)
        .options(selectinload(Booking.attendees), selectinload(Booking.payments))
        .order_by(Booking.id)
    )
    people: dict[int, list[dict[str, Any]]] = {sid: [] for sid in session_ids}
    for booking in tx.scalars(stmt):
        owed = due_pence(booking)
        people[booking.session_id].extend(
            {
                "name": a.name,
                "reference": booking.reference,
                "status": booking.status,
                "due_pence": owed,
                "special_requirements": a.special_requirements,
            }
            for a in booking.attendees
        )
    return people


def sessions_on(tx: Session, days: list[date]) -> list[dict[str, Any]]:
    """Sessions teaching on any of ``days`` (multi-day courses included), each with
    ``on`` (the ISO day it is listed under) and ``expected`` (who is coming)."""
    first, last = min(days), max(days)
    views = list_sessions(
        tx, SessionFilter(date_from=first - timedelta(days=14), date_to=last, limit=5000)
    )
    listed = [(day, v) for day in sorted(days) for v in views if _runs_on(v, day)]
    expected = _expected(tx, sorted({v.id for _day, v in listed}))
    return [v.to_json() | {"on": day.isoformat(), "expected": expected[v.id]} for day, v in listed]


def awaiting_payment(tx: Session, limit: int = AWAITING) -> dict[str, Any]:
    """Live bookings with money still to take, oldest booking first: the first ``limit`` of
    them, plus how many there are and what they owe in all."""
    stmt = (
        select(Booking)
        .where(Booking.status != BookingStatus.CANCELLED)
        .options(selectinload(Booking.payments))
        .order_by(Booking.created_at, Booking.id)
    )
    owing = [b for b in tx.scalars(stmt) if due_pence(b) > 0]
    return {
        "bookings": [booking_line(b) for b in owing[:limit]],
        "count": len(owing),
        "due_pence": sum(due_pence(b) for b in owing),
    }


def recent_bookings(tx: Session, limit: int = RECENT) -> list[dict[str, Any]]:
    stmt = (
        select(Booking)
        .options(selectinload(Booking.payments))
        .order_by(Booking.created_at.desc(), Booking.id.desc())
        .limit(limit)
    )
    return [booking_line(b) for b in tx.scalars(stmt)]


def board(tx: Session, day: date, at: datetime) -> dict[str, Any]:
    """Everything the Today tab shows for ``day`` (London), as JSON."""
    tomorrow = day + timedelta(days=1)
    return {
        "day": day.isoformat(),
        "at": at.isoformat(),
        "sessions": sessions_on(tx, [day, tomorrow]),
        "awaiting_payment": awaiting_payment(tx),
        "recent": recent_bookings(tx),
    }
