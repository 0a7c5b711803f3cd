"""Where else the seats could go: the same course on other dates and at nearby venues.

Alternatives are future, not cancelled sessions of the chosen session's course with room
for the seats, nearest venue first (great-circle distance between the venues' catalogue
coordinates), then the date closest to the one chosen. With ``before`` (say, the day an
attendee's certificate runs out) only sessions starting before that day are listed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from haversine import haversine
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.infra.clock import LONDON, london, now, today_london
from core.infra.errors import ValidationFailed
from core.models import MAX_CAPACITY, Venue
from core.seats.availability import SessionFilter, get_session, list_sessions


@dataclass(frozen=True)
class Alternative:
    id: int
    course: str
    venue: str
    venue_name: str
    start: datetime
    free: int
    distance_km: float

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "course": self.course,
            "venue": self.venue,
            "venue_name": self.venue_name,
            "start": self.start.astimezone(LONDON).isoformat(),
            "free": self.free,
            "distance_km": self.distance_km,
        }


def distances_from(tx: Session, venue_id: str) -> dict[str, float]:
    """Kilometres from one venue to every venue, to one decimal place."""
    places = {v.id: (v.latitude, v.longitude) for v in tx.scalars(select(Venue))}
    origin = places[venue_id]
    return {vid: round(haversine(origin, where), 1) for vid, where in places.items()}


def alternatives(
    tx: Session, session_id: int, seats: int, before: date | None = None, limit: int = 10
) -> list[Alternative]:
    """Sessions of the same course that can take ``seats`` now, nearest and soonest first."""
    if not isinstance(seats, int) or not 1 <= seats <= MAX_CAPACITY:
        raise ValidationFailed(f"Seats must be a whole number from 1 to {MAX_CAPACITY}.")
    if before is not None and before <= today_london():
        raise ValidationFailed(f"The 'before' date {before.isoformat()} is not in the future.")
    chosen = get_session(tx, session_id)
    km = distances_from(tx, chosen.venue)
    found = [
        s
        for s in list_sessions(
            tx,
            SessionFilter(course=chosen.course, date_from=today_london(), include_cancelled=False),
        )
        if s.id != chosen.id
        and s.free >= seats
        and s.start > now()
        and (before is None or s.start < london(before, time.min))
    ]
    found.sort(key=lambda s: (km[s.venue], abs((s.start - chosen.start).total_seconds()), s.id))
    return [
        Alternative(s.id, s.course, s.venue, s.venue_name, s.start, s.free, km[s.venue])
        for s in found[:limit]
    ]
