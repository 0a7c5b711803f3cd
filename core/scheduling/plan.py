"""What an admin asks for (``SessionInput``) and the checked, resolved ``Plan`` the rules read.

Bad input (unknown course, venue, room or trainer, a day ending before it starts, a session in
the past) is a ``ValidationFailed`` here, before any teaching rule runs; it cannot be overridden.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from core.infra.clock import LONDON, now, to_london, uk_date, uk_datetime
from core.infra.errors import ValidationFailed
from core.models import Course, User, Venue
from core.staff.trainers import find_trainer

LUNCH_AFTER_HOURS = 5
"""A day longer than this many hours has a one-hour lunch break unless told otherwise."""
MAX_DAYS = 10
YEARS_AHEAD = 5
"""Sessions are scheduled at most this many years ahead (a far-off year is a typing slip)."""


class DayInput(BaseModel):
    """One teaching day. Times without an offset are London wall-clock times."""

    model_config = ConfigDict(extra="forbid")

    start: datetime
    end: datetime
    break_minutes: int | None = Field(default=None, ge=0, le=240)


class SessionInput(BaseModel):
    """A session to schedule: give ``days`` (each day's times) or just ``start``, and the
    course's usual days follow (the start as given, then the next weekdays at that time)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    course: str = Field(min_length=1, max_length=48)
    venue: str = Field(min_length=1, max_length=48)
    room: str | None = Field(default=None, max_length=80)
    trainers: list[str] = Field(default_factory=list, max_length=4)
    start: datetime | None = None
    days: list[DayInput] | None = Field(default=None, max_length=MAX_DAYS)
    capacity: int = Field(default=12, ge=1, le=1000)
    price_pence: int | None = Field(default=None, gt=0, le=1_000_000)


@dataclass(frozen=True)
class Day:
    start: datetime
    end: datetime
    break_minutes: int

    @property
    def teaching_hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600 - self.break_minutes / 60

    @property
    def date_text(self) -> str:
        return uk_date(self.start)


@dataclass(frozen=True)
class Plan:
    """A session as it would be saved; ``session_id`` is set when an existing one is edited."""

    course: Course
    venue: Venue
    room: str | None
    trainers: tuple[User, ...]
    days: tuple[Day, ...]
    capacity: int
    price_pence: int | None
    session_id: int | None = None

    @property
    def start(self) -> datetime:
        return self.days[0].start

    @property
    def end(self) -> datetime:
        return self.days[-1].end


def usual_days(day_hours: Sequence[float], start: datetime) -> list[DayInput]:
    """A course's days from ``start``, which is kept as given (weekend courses are normal),
    then the following days at the same London time: weekdays only for a course that starts
    on a weekday. Each is as long as its teaching hours plus an hour's lunch when over four."""
    local = to_london(_aware(start))
    day, at = local.date(), local.time()
    weekend_course = day.weekday() >= 5
    days: list[DayInput] = []
    for hours in day_hours:
        while days and not weekend_course and day.weekday() >= 5:
            day += timedelta(days=1)
        begin = datetime.combine(day, at, tzinfo=LONDON)
        days.append(DayInput(start=begin, end=begin + timedelta(hours=hours + (hours > 4))))
        day += timedelta(days=1)
    return days


def _check_year(given: SessionInput) -> None:
    """Refuse a start or end more than ``YEARS_AHEAD`` years away, before any date sums."""
    latest = now().year + YEARS_AHEAD
    moments = [given.start] if given.start else []
    moments += [m for d in given.days or [] for m in (d.start, d.end)]
    for moment in moments:
        if moment is not None and moment.year > latest:
            raise ValidationFailed(
                f"{moment:%d/%m/%Y} is more than {YEARS_AHEAD} years ahead; "
                "check the year (sessions can be scheduled up to "
                f"31/12/{latest})."
            )


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=LONDON) if moment.tzinfo is None else moment


def _resolve_days(days: list[DayInput]) -> tuple[Day, ...]:
    out: list[Day] = []
    for n, d in enumerate(days, start=1):
        start, end = _aware(d.start).astimezone(LONDON), _aware(d.end).astimezone(LONDON)
        if end <= start:
            raise ValidationFailed(
                f"Day {n} ends ({end:%H:%M}) before it starts ({start:%H:%M}); check its times."
            )
        if end.date() != start.date() and end.time() != time(0):
            raise ValidationFailed(f"Day {n} runs past midnight; a teaching day is one date.")
        length_h = (end - start).total_seconds() / 3600
        brk = d.break_minutes
        if brk is None:
            brk = 60 if length_h > LUNCH_AFTER_HOURS else 0
        if brk / 60 >= length_h:
            raise ValidationFailed(f"Day {n}'s break is as long as the day itself.")
        if out and start < out[-1].end:
            raise ValidationFailed(
                f"Day {n} ({uk_datetime(start)}) starts before day {n - 1} has ended; "
                "list the days in order."
            )
        out.append(Day(start, end, brk))
    return tuple(out)


def resolve(tx: Session, given: SessionInput, session_id: int | None = None) -> Plan:
    """Look up what ``given`` names and check its shape; raises ``ValidationFailed``."""
    course = tx.get(Course, given.course)
    if course is None or not course.active:
        raise ValidationFailed(f"There is no course with id {given.course!r}.")
    venue = tx.get(Venue, given.venue)
    if venue is None or not venue.active:
        raise ValidationFailed(f"There is no venue with id {given.venue!r}.")
    room = given.room or (venue.rooms[0] if venue.rooms else None)
    if room is not None and room not in venue.rooms:
        raise ValidationFailed(
            f"{venue.name} has no room called {room!r}; its rooms are {', '.join(venue.rooms)}."
        )
    trainers: list[User] = []
    for email in given.trainers:
        user = find_trainer(tx, email)
        if user in trainers:
            raise ValidationFailed(f"{user.name} is listed twice as a trainer.")
        trainers.append(user)
    _check_year(given)
    if given.days:
        day_inputs = given.days
    elif given.start is not None:
        day_inputs = usual_days(course.day_hours, given.start)
    else:
        raise ValidationFailed("Give the session's start date and time, or each day's times.")
    days = _resolve_days(day_inputs)
    if days[0].start <= now():
        raise ValidationFailed(
            f"{uk_datetime(days[0].start)} is in the past; a session must start in the future."
        )
    return Plan(
        course=course,
        venue=venue,
        room=room,
        trainers=tuple(trainers),
        days=days,
        capacity=given.capacity,
        price_pence=given.price_pence,
        session_id=session_id,
    )
