"""The live counts the server's ``/metrics`` reports: seats on hold and bookings by status."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from core.infra.clock import now
from core.infra.db import Database
from core.models import Booking, SeatHold
from core.seats.availability import active_holds_filter


@dataclass(frozen=True)
class LiveCounts:
    active_holds: int
    bookings_by_status: dict[str, int]


def live_counts(db: Database) -> LiveCounts:
    with db.read() as tx:
        holds = tx.scalar(
            select(func.count()).select_from(SeatHold).where(active_holds_filter(now()))
        )
        rows = tx.execute(select(Booking.status, func.count()).group_by(Booking.status)).all()
    return LiveCounts(int(holds or 0), {status: int(n) for status, n in rows})
