"""The trade's teaching rules. Each is a small function ``(tx, plan) -> str | None`` that
returns a plain-English failure, or None when the plan keeps the rule.

HSE guidance L74 and the awarding bodies set the teaching hours, days and 10-week span;
the 12-seat cap is a database constraint too, so it is the one rule nobody may override.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from core.infra.clock import london, to_london, uk_date, uk_datetime
from core.infra.errors import DomainError
from core.models import MAX_CAPACITY, CourseSession, SessionDay, User, Venue
from core.models.admin import (
    SessionTrainer,
    TrainerProfile,
    TrainerQualification,
    TrainerUnavailability,
)
from core.models.statuses import SessionStatus
from core.scheduling.plan import Plan

TRAVEL_LIMIT_KM = 40.0
"""Two venues further apart than this (straight line) are too far for one trainer in a day:
Leeds to Bradford, Wakefield or York is fine; Leeds to Sheffield, Hull or Doncaster is not."""
MIN_BLOCK_HOURS = 2.0


class TeachingRuleBroken(DomainError):
    """A plan breaks one or more teaching rules; ``data['failures']`` lists them."""

    code = "teaching_rule_broken"
    rpc_code = -32040


@dataclass(frozen=True)
class Failure:
    rule: str
    message: str
    overridable: bool = True

    def to_json(self) -> dict[str, Any]:
        return {"rule": self.rule, "message": self.message, "overridable": self.overridable}


def _hours(value: float) -> str:
    return f"{value:g} hour{'s' if value != 1 else ''}"


def _busy_trainer_sessions(tx: Session, user: User, plan: Plan) -> Any:
    """Other live sessions this trainer teaches (leading or assisting)."""
    assisting = select(SessionTrainer.session_id).where(SessionTrainer.user_id == user.id)
    stmt = select(CourseSession, SessionDay).join(
        SessionDay, SessionDay.session_id == CourseSession.id
    )
    stmt = stmt.where(
        CourseSession.status != SessionStatus.CANCELLED,
        or_(CourseSession.trainer_id == user.id, CourseSession.id.in_(assisting)),
    )
    if plan.session_id is not None:
        stmt = stmt.where(CourseSession.id != plan.session_id)
    return stmt


def _overlapping(plan: Plan) -> Any:
    return or_(*(and_(SessionDay.start_at < d.end, SessionDay.end_at > d.start) for d in plan.days))


def trainer_free(tx: Session, plan: Plan) -> str | None:
    """The trainer is not teaching another session at the same time."""
    for user in plan.trainers:
        clash = tx.execute(_busy_trainer_sessions(tx, user, plan).where(_overlapping(plan))).first()
        if clash:
            other, day = clash
            return (
                f"{user.name} is already teaching {other.course.name} at {other.venue.name} "
                f"on {uk_datetime(day.start_at)} (session {other.id})."
            )
    return None


def distance_km(a: Venue, b: Venue) -> float:
    """Great-circle distance between two venues."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a.latitude, a.longitude, b.latitude, b.longitude))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def _same_dates(plan: Plan) -> Any:
    spans = []
    for d in plan.days:
        day = to_london(d.start).date()
        spans.append(
            and_(
                SessionDay.start_at >= london(day, time()),
                SessionDay.start_at < london(day + timedelta(days=1), time()),
            )
        )
    return or_(*spans)


def travel_distance(tx: Session, plan: Plan) -> str | None:
    """The trainer is not at two venues too far apart on one day."""
    for user in plan.trainers:
        rows = tx.execute(_busy_trainer_sessions(tx, user, plan).where(_same_dates(plan)))
        for other, day in rows:
            km = distance_km(plan.venue, other.venue)
            if km > TRAVEL_LIMIT_KM:
                return (
                    f"{user.name} is teaching at {other.venue.name} on {uk_date(day.start_at)}, "
                    f"{km:.0f} km from {plan.venue.name}; more than {TRAVEL_LIMIT_KM:g} km "
                    "apart is too far for one day."
                )
    return None


def room_free(tx: Session, plan: Plan) -> str | None:
    """Nobody else has the room at the same time."""
    if plan.room is None:
        return None
    stmt = (
        select(CourseSession, SessionDay)
        .join(SessionDay, SessionDay.session_id == CourseSession.id)
        .where(
            CourseSession.status != SessionStatus.CANCELLED,
            CourseSession.venue_id == plan.venue.id,
            CourseSession.room == plan.room,
            _overlapping(plan),
        )
    )
    if plan.session_id is not None:
        stmt = stmt.where(CourseSession.id != plan.session_id)
    clash = tx.execute(stmt).first()
    if clash is None:
        return None
    other, day = clash
    return (
        f"The {plan.room} at {plan.venue.name} is already booked for {other.course.name} "
        f"on {uk_datetime(day.start_at)} (session {other.id})."
    )


def trainer_approved(tx: Session, plan: Plan) -> str | None:
    """The trainer's staff record lists the course among those they may teach."""
    for user in plan.trainers:
        profile = tx.get(TrainerProfile, user.id)
        if profile is None or plan.course.id not in profile.courses:
            return f"{user.name} is not approved to teach {plan.course.name}."
    return None


def qualification_valid(tx: Session, plan: Plan) -> str | None:
    """The trainer holds a qualification for the course, valid through the last course day."""
    last_day = to_london(plan.end).date()
    for user in plan.trainers:
        quals = [
            q
            for q in tx.scalars(
                select(TrainerQualification).where(TrainerQualification.user_id == user.id)
            )
            if plan.course.id in q.courses
        ]
        if not quals:
            return f"{user.name} holds no trainer qualification covering {plan.course.name}."
        best = max(quals, key=lambda q: q.expires_on)
        if best.expires_on < last_day:
            return (
                f"{user.name}'s {best.title} expires on {uk_date(best.expires_on)}, before the "
                f"last course day ({uk_date(last_day)})."
            )
    return None


def trainer_available(tx: Session, plan: Plan) -> str | None:
    """The trainer has not marked any of the days as unavailable."""
    dates: list[date] = [to_london(d.start).date() for d in plan.days]
    for user in plan.trainers:
        off = tx.scalar(
            select(TrainerUnavailability).where(
                TrainerUnavailability.user_id == user.id, TrainerUnavailability.day.in_(dates)
            )
        )
        if off is not None:
            why = f" ({off.reason})" if off.reason else ""
            return f"{user.name} is unavailable on {uk_date(off.day)}{why}."
    return None


def enough_days(tx: Session, plan: Plan) -> str | None:
    """The course is spread over at least its usual number of days (FAW 3, requal 2)."""
    needed = plan.course.days
    if len(plan.days) < needed:
        return (
            f"{plan.course.name} is taught over at least {needed} days; "
            f"{len(plan.days)} {'day is' if len(plan.days) == 1 else 'days are'} given."
        )
    return None


def contact_hours(tx: Session, plan: Plan) -> str | None:
    """The days give at least the course's minimum teaching hours, breaks excluded."""
    needed = float(sum(plan.course.day_hours))
    given = sum(d.teaching_hours for d in plan.days)
    if given + 1e-9 < needed:
        return (
            f"{plan.course.name} needs at least {_hours(needed)} of teaching, breaks excluded; "
            f"the days given have {_hours(round(given, 2))}."
        )
    return None


def teaching_blocks(tx: Session, plan: Plan) -> str | None:
    """No teaching block (day) is shorter than 2 hours."""
    for n, d in enumerate(plan.days, start=1):
        if d.teaching_hours + 1e-9 < MIN_BLOCK_HOURS:
            return (
                f"Day {n} ({d.date_text}) has only {_hours(round(d.teaching_hours, 2))} of "
                f"teaching; no teaching block may be shorter than {_hours(MIN_BLOCK_HOURS)}."
            )
    return None


def completion_span(tx: Session, plan: Plan) -> str | None:
    """Courses with a completion limit (FAW: 10 weeks) finish within it."""
    weeks = plan.course.max_span_weeks
    if not weeks:
        return None
    first, last = to_london(plan.start).date(), to_london(plan.end).date()
    if (last - first).days >= weeks * 7:
        return (
            f"{plan.course.name} must be completed within {weeks} weeks; these days run from "
            f"{uk_date(first)} to {uk_date(last)}."
        )
    return None


def capacity_cap(tx: Session, plan: Plan) -> str | None:
    """At most 12 attendees: a bigger class needs another session, not a bigger one."""
    if plan.capacity > MAX_CAPACITY:
        return (
            f"A session holds at most {MAX_CAPACITY} attendees; {plan.capacity} is too many "
            "(schedule a second session instead)."
        )
    return None


Rule = Callable[[Session, Plan], "str | None"]

RULES: tuple[tuple[str, Rule, bool], ...] = (
    ("capacity", capacity_cap, False),
    ("trainer_free", trainer_free, True),
    ("travel_distance", travel_distance, True),
    ("room_free", room_free, True),
    ("trainer_approved", trainer_approved, True),
    ("qualification_valid", qualification_valid, True),
    ("trainer_available", trainer_available, True),
    ("enough_days", enough_days, True),
    ("contact_hours", contact_hours, True),
    ("teaching_blocks", teaching_blocks, True),
    ("completion_span", completion_span, True),
)
"""(code, check, may an admin override it)."""


def check(tx: Session, plan: Plan) -> list[Failure]:
    """Every rule the plan breaks, in a fixed order."""
    failures = []
    for code, rule, overridable in RULES:
        message = rule(tx, plan)
        if message:
            failures.append(Failure(code, message, overridable))
    return failures


def describe(failures: list[Failure], when: datetime | None = None) -> str:
    """One line for staff: every failure, and what can be done about it."""
    prefix = f"{uk_date(when)}: " if when else ""
    text = prefix + " ".join(f.message for f in failures)
    if all(f.overridable for f in failures):
        text += " An admin may override this with a written reason."
    return text
