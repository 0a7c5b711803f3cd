"""Demo data for the reports: a channel mix with seat-hold history, and some cancellations.

Called once from ``core.demo.data.seed``; repeatable (fixed seed). Only bookings for sessions
that have not started are cancelled, so registers and certificates are left alone.
"""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.booking import state
from core.infra.clock import now
from core.infra.db import Database
from core.models import Booking, Payment, SeatHold

WEBSITE_SHARE = 0.45
ABANDONED_PER_BOOKING = {"website": 0.6, "desk": 0.15}
CANCELLED_SHARE = 0.07


def seed_channels(db: Database) -> None:
    """Channels and the seat holds bookings came from (plus abandoned holds); a few cancelled."""
    rng = random.Random(7)
    at = now()
    with db.write() as tx:
        for booking in tx.scalars(select(Booking).order_by(Booking.id)):
            booking.channel = "website" if rng.random() < WEBSITE_SHARE else "desk"
            started = booking.created_at - timedelta(minutes=rng.randint(2, 12))
            tx.add(_hold(booking, started, booking.id))
            if rng.random() < ABANDONED_PER_BOOKING[booking.channel]:
                tx.add(_hold(booking, started - timedelta(hours=rng.randint(1, 72)), None))
            if booking.session.start_at > at and rng.random() < CANCELLED_SHARE:
                _cancel(tx, booking, at, refunded=rng.random() < 0.6)


def _cancel(tx: Session, booking: Booking, at: datetime, refunded: bool) -> None:
    when = min(at, booking.created_at + timedelta(days=3))
    state.cancel(tx, booking.session, booking, "demo: plans changed", when)
    if refunded:
        paid = any(p.kind == "charge" and p.status == "succeeded" for p in booking.payments)
        for kind in ("refund",) if paid else ("charge", "refund"):
            booking.payments.append(
                Payment(
                    kind=kind,
                    method="card",
                    status="succeeded",
                    amount_pence=booking.total_pence,
                    recorded_by="demo data",
                    created_at=booking.cancelled_at,
                )
            )


def _hold(booking: Booking, created: datetime, booking_id: int | None) -> SeatHold:
    return SeatHold(
        id=str(uuid.uuid4()),
        session_id=booking.session_id,
        seats=booking.seats,
        channel=booking.channel,
        holder=f"demo {booking.channel}",
        created_at=created,
        expires_at=created + timedelta(minutes=15),
        released_at=None if booking_id else created + timedelta(minutes=15),
        booking_id=booking_id,
    )
