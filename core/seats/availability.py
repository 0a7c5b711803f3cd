"""What is on and how full it is: session listings, one session's seats, month calendars.

Held seats are counted from unexpired holds at read time, so an expired hold frees its
seats without any background job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    Select,
    and_,
    bindparam,
    case,
    func,
    null,
    or_,
    select,
)
from sqlalchemy.orm import Session, aliased, selectinload

from core.infra.clock import LONDON, london, now
from core.infra.errors import NotFound, ValidationFailed
from core.models import Course, CourseSession, SeatHold, SessionDay, User, Venue
from core.models.base import utc_wall_clock
from core.models.statuses import SessionStatus


def active_holds_filter(at: datetime | BindParameter[datetime]) -> Any:
    return and_(
        SeatHold.released_at.is_(None), SeatHold.booking_id.is_(None), SeatHold.expires_at > at
    )


def held_subquery(at: datetime | BindParameter[datetime]) -> Any:
    return (
        select(SeatHold.session_id, func.sum(SeatHold.seats).label("held"))
        .where(active_holds_filter(at))
        .group_by(SeatHold.session_id)
        .subquery()
    )


def next_hold_expiry(tx: Session, at: datetime) -> datetime | None:
    """When the first hold that is live at ``at`` runs out (its seats come back then, with
    no change in the feed until the sweeper's), or None when no hold is live."""
    found: datetime | None = tx.scalar(
        select(func.min(SeatHold.expires_at)).where(active_holds_filter(at))
    )
    return found


def held_seats(tx: Session, session_id: int, at: datetime | None = None) -> int:
    at = at or now()
    stmt = select(func.coalesce(func.sum(SeatHold.seats), 0)).where(
        SeatHold.session_id == session_id, active_holds_filter(at)
    )
    return int(tx.scalar(stmt) or 0)


@dataclass(frozen=True)
class SessionView:
    """A session as every client sees it (the ``rft sessions --json`` shape)."""

    id: int
    course: str
    course_name: str
    venue: str
    venue_name: str
    room: str | None
    trainer: str | None
    trainer_email: str | None
    start: datetime
    end: datetime
    days: list[tuple[datetime, datetime]]
    capacity: int
    booked: int
    held: int
    status: str
    price_pence: int
    colour: str
    version: int
    cancel_reason: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.booked - self.held)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "course": self.course,
            "course_name": self.course_name,
            "venue": self.venue,
            "venue_name": self.venue_name,
            "room": self.room,
            "trainer": self.trainer,
            "trainer_email": self.trainer_email,
            "start": self.start.astimezone(LONDON).isoformat(),
            "end": self.end.astimezone(LONDON).isoformat(),
            "days": [
                {"start": s.astimezone(LONDON).isoformat(), "end": e.astimezone(LONDON).isoformat()}
                for s, e in self.days
            ],
            "capacity": self.capacity,
            "free": self.free,
            "held": self.held,
            "booked": self.booked,
            "status": self.status,
            "price_pence": self.price_pence,
            "colour": self.colour,
            "version": self.version,
            "cancel_reason": self.cancel_reason,
        }


def shown_status(stored: str, free: int) -> str:
    """A cancelled session stays CANCELLED; any other is FULL when no seat is free."""
    if stored == SessionStatus.CANCELLED:
        return stored
    return SessionStatus.FULL if free <= 0 else SessionStatus.SCHEDULED


def shown_status_sql(stored: Any, free: Any) -> Any:
    """``shown_status`` worked out by the database, for queries of many sessions."""
    return case(
        (stored == SessionStatus.CANCELLED.value, stored),
        (free <= 0, SessionStatus.FULL.value),
        else_=SessionStatus.SCHEDULED.value,
    )


def view_of(row: CourseSession, held: int) -> SessionView:
    return SessionView(
        id=row.id,
        course=row.course_id,
        course_name=row.course.name,
        venue=row.venue_id,
        venue_name=row.venue.name,
        room=row.room,
        trainer=row.trainer.name if row.trainer else None,
        trainer_email=row.trainer.email if row.trainer else None,
        start=row.start_at,
        end=row.end_at,
        days=[(d.start_at, d.end_at) for d in row.days],
        capacity=row.capacity,
        booked=row.booked,
        held=held,
        status=shown_status(row.status, row.capacity - row.booked - held),
        price_pence=row.unit_price_pence,
        colour=row.course.colour,
        version=row.version,
        cancel_reason=row.cancel_reason,
    )


@dataclass(frozen=True)
class SessionFilter:
    course: str | None = None
    venue: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    teaching_on: date | None = None
    search: str | None = None
    trainer_id: int | None = None
    include_cancelled: bool = True
    limit: int = 20000

    def check(self, tx: Session) -> None:
        """Unknown ids and backwards ranges are errors, not empty results."""
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValidationFailed("The 'from' date is after the 'to' date.")
        if self.course and tx.get(Course, self.course) is None:
            raise ValidationFailed(f"There is no course with id {self.course!r}.")
        if self.venue and tx.get(Venue, self.venue) is None:
            raise ValidationFailed(f"There is no venue with id {self.venue!r}.")


def _filtered(stmt: Select[Any], flt: SessionFilter) -> Select[Any]:
    if flt.course:
        stmt = stmt.where(CourseSession.course_id == flt.course)
    if flt.venue:
        stmt = stmt.where(CourseSession.venue_id == flt.venue)
    if flt.trainer_id is not None:
        stmt = stmt.where(CourseSession.trainer_id == flt.trainer_id)
    if flt.date_from:
        stmt = stmt.where(CourseSession.start_at >= london(flt.date_from, datetime.min.time()))
    if flt.date_to:
        end = london(flt.date_to + timedelta(days=1), datetime.min.time())
        stmt = stmt.where(CourseSession.start_at < end)
    if flt.teaching_on:
        days = select(SessionDay.session_id).where(
            SessionDay.start_at >= london(flt.teaching_on, datetime.min.time()),
            SessionDay.start_at < london(flt.teaching_on + timedelta(days=1), datetime.min.time()),
        )
        stmt = stmt.where(CourseSession.id.in_(days))
    if not flt.include_cancelled:
        stmt = stmt.where(CourseSession.status != SessionStatus.CANCELLED)
    if flt.search:
        words = [w for w in flt.search.casefold().split() if w]
        for word in words:
            like = f"%{word}%"
            stmt = stmt.where(
                or_(
                    func.lower(Course.name).like(like),
                    func.lower(Course.id).like(like),
                    func.lower(Venue.name).like(like),
                    func.lower(func.coalesce(CourseSession.room, "")).like(like),
                    CourseSession.trainer_id.in_(
                        select(User.id).where(func.lower(User.name).like(like))
                    ),
                )
            )
    return stmt


def _matching(
    flt: SessionFilter, *columns: Any, at: datetime | BindParameter[datetime] | None = None
) -> Select[Any]:
    """``columns`` (which may use ``held``, the seats held at ``at``, by default now) of the
    sessions matching ``flt``, in start order."""
    held = held_subquery(now() if at is None else at)
    stmt = (
        select(*columns, func.coalesce(held.c.held, 0).label("held"))
        .join(Course, Course.id == CourseSession.course_id)
        .join(Venue, Venue.id == CourseSession.venue_id)
        .outerjoin(held, held.c.session_id == CourseSession.id)
        .order_by(CourseSession.start_at, CourseSession.id)
        .limit(flt.limit)
    )
    return _filtered(stmt, flt)


def list_sessions(tx: Session, flt: SessionFilter | None = None) -> list[SessionView]:
    """Sessions matching ``flt`` in start order, in a fixed number of queries."""
    flt = flt or SessionFilter()
    flt.check(tx)
    stmt = _matching(flt, CourseSession).options(selectinload(CourseSession.days))
    rows = tx.execute(stmt).unique().all()
    return [view_of(row, int(h)) for row, h in rows]


def get_session(tx: Session, session_id: int) -> SessionView:
    row = tx.get(CourseSession, session_id)
    if row is None:
        raise NotFound(f"There is no session number {session_id}.")
    return view_of(row, held_seats(tx, session_id))


@lru_cache(maxsize=1)
def _month_query() -> Select[Any]:
    """The month view's query, a row per teaching day, with its times as parameters, built
    once (building it costs more than running it): ``at`` counts the holds unexpired then,
    ``first`` and ``after`` bound the days' start. Free seats and the status shown are
    worked out in SQL."""
    held = held_subquery(bindparam("at"))
    taken = func.coalesce(held.c.held, 0)
    free = CourseSession.capacity - CourseSession.booked - taken
    every_day = aliased(SessionDay)
    day_count = (
        select(func.count()).where(every_day.session_id == CourseSession.id).scalar_subquery()
    )
    stmt = (
        select(
            utc_wall_clock(SessionDay.start_at),  # see _calendar_times
            utc_wall_clock(CourseSession.start_at),
            CourseSession.id,
            CourseSession.course_id,
            Course.name,
            CourseSession.venue_id,
            Venue.name,
            null(),  # the London start time, worked out below
            case((free > 0, free), else_=0),
            taken,
            CourseSession.booked,
            CourseSession.capacity,
            shown_status_sql(CourseSession.status, free),
            Course.colour,
            SessionDay.day_index + 1,
            day_count,
        )
        .select_from(SessionDay)
        .join(CourseSession, CourseSession.id == SessionDay.session_id)
        .join(Course, Course.id == CourseSession.course_id)
        .join(Venue, Venue.id == CourseSession.venue_id)
        .outerjoin(held, held.c.session_id == CourseSession.id)
        .order_by(SessionDay.start_at, CourseSession.id)
    )
    return stmt.where(
        SessionDay.start_at >= bindparam("first"), SessionDay.start_at < bindparam("after")
    )


@lru_cache(maxsize=4096)
def _calendar_times(start: datetime) -> tuple[str, str]:
    """A session's London day and start time as the calendar shows them (sessions share
    start times, so each is worked out once). ``start`` is naive UTC (``utc_wall_clock``):
    hashing an aware datetime for the cache would work out its offset every time."""
    local = start.replace(tzinfo=UTC).astimezone(LONDON)
    return local.date().isoformat(), local.isoformat()


_MONTH_FIELDS = (
    "id",
    "course",
    "course_name",
    "venue",
    "venue_name",
    "start",
    "free",
    "held",
    "booked",
    "capacity",
    "status",
    "colour",
    "day",
    "day_count",
)


def month(
    tx: Session, year: int, month_no: int, flt: SessionFilter | None = None
) -> dict[str, Any]:
    """Calendar aggregation: per London day, the sessions taught that day (a course of
    several days on each of them, as its ``day`` of ``day_count``) with free/held/booked.

    One query of plain columns: a month of 400 sessions is a few milliseconds, where
    loading whole sessions (days, trainers, catalogue rows) took ten times as long."""
    if not (1 <= month_no <= 12 and 2000 <= year <= 2100):
        raise ValidationFailed("Month must be 1-12 and year 2000-2100.")
    first = date(year, month_no, 1)
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    base = flt or SessionFilter()
    flt = SessionFilter(
        course=base.course, venue=base.venue, search=base.search, trainer_id=base.trainer_id
    )
    flt.check(tx)
    stmt = _month_query()
    if flt != SessionFilter():
        stmt = _filtered(stmt, flt)
    bounds = {
        "at": now(),
        "first": london(first, datetime.min.time()),
        "after": london(last + timedelta(days=1), datetime.min.time()),
    }
    days: dict[str, list[dict[str, Any]]] = {}
    # Core rows as tuples: the ORM's row handling and by-name access cost more than the
    # query itself at 400 sessions.
    for day_start, start_at, *fields in tx.connection().execute(stmt, bounds).all():
        session = dict(zip(_MONTH_FIELDS, fields, strict=True))
        session["start"] = _calendar_times(start_at)[1]
        days.setdefault(_calendar_times(day_start)[0], []).append(session)
    return {"year": year, "month": month_no, "days": days}
