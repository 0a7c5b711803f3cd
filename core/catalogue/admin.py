"""Editing the catalogue: a course's price, description, minimum age, days and hours and
certificate validity; a venue's details and rooms.

A price change applies to new bookings only: bookings keep the ``unit_price_pence`` they were
sold at. Every change is audited and appended to the change feed (kind ``course`` or
``venue``), and upcoming sessions whose shown price changed are republished, so every desk and
the website see it live.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.infra.actor import Actor
from core.infra.clock import now
from core.infra.errors import NotFound, ValidationFailed
from core.journal import audit, changes
from core.models import Course, CourseSession, Venue
from core.models.statuses import SessionStatus
from core.seats.holds import publish_session


class CourseEdit(BaseModel):
    """Fields to change on a course; those left out stay as they are."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str | None = Field(default=None, min_length=3, max_length=120)
    price_pence: int | None = Field(default=None, gt=0, le=1_000_000)
    description: str | None = Field(default=None, min_length=10, max_length=4000)
    min_age: int | None = Field(default=None, ge=10, le=21)
    day_hours: list[float] | None = Field(default=None, min_length=1, max_length=5)
    certificate_months: int | None = Field(default=None, ge=1, le=120)
    max_span_weeks: int | None = Field(default=None, ge=1, le=52)
    active: bool | None = None

    @field_validator("day_hours")
    @classmethod
    def _teachable(cls, hours: list[float] | None) -> list[float] | None:
        for h in hours or []:
            if not 2 <= h <= 8:
                raise ValueError(f"each course day teaches 2 to 8 hours, not {h:g}")
        return hours


class VenueEdit(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str | None = Field(default=None, min_length=2, max_length=80)
    address: str | None = Field(default=None, min_length=5, max_length=500)
    postcode: str | None = Field(default=None, pattern=r"^[A-Z]{1,2}[0-9][0-9A-Z]? [0-9][A-Z]{2}$")
    latitude: float | None = Field(default=None, ge=49, le=61)
    longitude: float | None = Field(default=None, ge=-8, le=2)
    rooms: list[str] | None = Field(default=None, min_length=1, max_length=20)
    active: bool | None = None

    @field_validator("rooms")
    @classmethod
    def _rooms_named_once(cls, rooms: list[str] | None) -> list[str] | None:
        if rooms is None:
            return None
        names = [r.strip() for r in rooms]
        if any(not 1 <= len(n) <= 80 for n in names):
            raise ValueError("each room needs a name of 1 to 80 characters")
        if len(set(names)) != len(names):
            raise ValueError("a room is listed twice")
        return names


COURSE_FIELDS = (
    "name",
    "price_pence",
    "description",
    "min_age",
    "day_hours",
    "certificate_months",
    "max_span_weeks",
    "active",
)
VENUE_FIELDS = ("name", "address", "postcode", "latitude", "longitude", "rooms", "active")


def course_json(c: Course) -> dict[str, Any]:
    return {f: getattr(c, f) for f in ("id", *COURSE_FIELDS)} | {"days": c.days}


def venue_json(v: Venue) -> dict[str, Any]:
    return {f: getattr(v, f) for f in ("id", *VENUE_FIELDS)}


def _upcoming(tx: Session, **where: Any) -> list[CourseSession]:
    stmt = (
        select(CourseSession)
        .filter_by(**where)
        .where(CourseSession.status != SessionStatus.CANCELLED, CourseSession.start_at > now())
    )
    return list(tx.scalars(stmt.order_by(CourseSession.id)).unique())


def update_course(tx: Session, actor: Actor, course_id: str, edit: CourseEdit) -> Course:
    """Apply ``edit`` to a course; existing bookings keep their price."""
    course = tx.get(Course, course_id, with_for_update=True)
    if course is None:
        raise NotFound(f"There is no course with id {course_id!r}.")
    wanted = edit.model_dump(exclude_unset=True)
    if not wanted:
        raise ValidationFailed("Nothing to change.")
    before = course_json(course)
    for name, value in wanted.items():
        setattr(course, name, value)
    tx.flush()
    after = course_json(course)
    changed = {k: after[k] for k in after if after[k] != before[k]}
    audit.record(tx, actor, "catalogue.course", "course", course.id, before=before, after=after)
    changes.append(tx, "course", course.id, after)
    if "price_pence" in changed or "name" in changed:
        for session in _upcoming(tx, course_id=course.id):
            if session.price_pence is None or "name" in changed:
                publish_session(tx, session)
    return course


def update_venue(tx: Session, actor: Actor, venue_id: str, edit: VenueEdit) -> Venue:
    """Apply ``edit`` to a venue; a room with sessions still to come cannot be removed."""
    venue = tx.get(Venue, venue_id, with_for_update=True)
    if venue is None:
        raise NotFound(f"There is no venue with id {venue_id!r}.")
    wanted = edit.model_dump(exclude_unset=True)
    if not wanted:
        raise ValidationFailed("Nothing to change.")
    upcoming = _upcoming(tx, venue_id=venue.id)
    if "rooms" in wanted:
        for session in upcoming:
            if session.room and session.room not in wanted["rooms"]:
                raise ValidationFailed(
                    f"The {session.room} has sessions still to come (session {session.id}); "
                    "move them before removing the room."
                )
    before = venue_json(venue)
    for name, value in wanted.items():
        setattr(venue, name, value)
    tx.flush()
    after = venue_json(venue)
    audit.record(tx, actor, "catalogue.venue", "venue", venue.id, before=before, after=after)
    changes.append(tx, "venue", venue.id, after)
    if after["name"] != before["name"]:
        for session in upcoming:
            publish_session(tx, session)
    return venue
