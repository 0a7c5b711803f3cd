"""Putting sessions on the calendar: one at a time, or repeated weekly.

Every plan is resolved (bad input is refused), checked against the teaching rules, and only
then saved, in the caller's transaction, with its audit entry and a change-feed event; a
repeat is all or nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from core.infra.actor import Actor
from core.infra.clock import LONDON, now
from core.infra.errors import ValidationFailed
from core.journal import audit
from core.models import CourseSession, SessionDay
from core.models.admin import SessionTrainer
from core.models.statuses import SessionStatus
from core.scheduling import overrides, rules
from core.scheduling.plan import DayInput, Plan, SessionInput, resolve
from core.scheduling.rules import Failure
from core.scheduling.snapshot import snapshot
from core.seats.holds import publish_session

SCHEDULE_LOCK_KEY = 0x52465401
MAX_REPEATS = 52


def lock_schedule(tx: Session) -> None:
    """Serialise scheduling writes so two admins cannot both take the same room or trainer.

    SQLite's write transaction is already exclusive; PostgreSQL takes an advisory lock.
    """
    if tx.get_bind().dialect.name == "postgresql":
        tx.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": SCHEDULE_LOCK_KEY})


def check_plan(tx: Session, given: SessionInput, session_id: int | None = None) -> list[Failure]:
    """The teaching rules ``given`` would break (bad input still raises)."""
    return rules.check(tx, resolve(tx, given, session_id))


def _save(tx: Session, plan: Plan) -> CourseSession:
    lead = plan.trainers[0] if plan.trainers else None
    session = CourseSession(
        course=plan.course,
        venue=plan.venue,
        room=plan.room,
        trainer=lead,
        start_at=plan.start,
        end_at=plan.end,
        capacity=plan.capacity,
        booked=0,
        status=SessionStatus.SCHEDULED,
        price_pence=plan.price_pence,
        version=1,
        created_at=now(),
        days=[
            SessionDay(day_index=i, start_at=d.start, end_at=d.end) for i, d in enumerate(plan.days)
        ],
    )
    tx.add(session)
    tx.flush()
    for other in plan.trainers[1:]:
        tx.add(SessionTrainer(session_id=session.id, user_id=other.id))
    tx.flush()
    return session


def create_session(
    tx: Session, actor: Actor, given: SessionInput, *, override: str | None = None
) -> CourseSession:
    """Schedule one session; a broken rule raises unless an admin overrides it with a reason."""
    lock_schedule(tx)
    plan = resolve(tx, given)
    failures = rules.check(tx, plan)
    overrides.allow(actor, failures, override)
    session = _save(tx, plan)
    audit.record(tx, actor, "session.create", "session", session.id, after=snapshot(tx, session))
    overrides.record(tx, actor, session, failures, override)
    publish_session(tx, session)
    return session


def _shifted(given: SessionInput, weeks: int) -> SessionInput:
    """The same session ``weeks`` later, at the same London wall-clock times."""
    course_days = given.days
    if not course_days:
        if given.start is None:
            return given
        return given.model_copy(update={"start": _later(given.start, weeks)})
    return given.model_copy(
        update={
            "days": [
                DayInput(
                    start=_later(d.start, weeks),
                    end=_later(d.end, weeks),
                    break_minutes=d.break_minutes,
                )
                for d in course_days
            ]
        }
    )


def _later(moment: datetime, weeks: int) -> datetime:
    local = moment.astimezone(LONDON) if moment.tzinfo else moment.replace(tzinfo=LONDON)
    wall = local.replace(tzinfo=None) + timedelta(weeks=weeks)
    return wall.replace(tzinfo=LONDON)


def repeat_session(
    tx: Session,
    actor: Actor,
    given: SessionInput,
    *,
    every_weeks: int = 1,
    count: int = 8,
    override: str | None = None,
) -> list[CourseSession]:
    """Schedule ``count`` copies, ``every_weeks`` apart; one broken rule stops them all."""
    if not 1 <= count <= MAX_REPEATS:
        raise ValidationFailed(f"Repeat a session 1 to {MAX_REPEATS} times.")
    if not 1 <= every_weeks <= 26:
        raise ValidationFailed("Repeat every 1 to 26 weeks.")
    lock_schedule(tx)
    made = []
    for n in range(count):
        plan = resolve(tx, _shifted(given, n * every_weeks))
        failures = rules.check(tx, plan)
        overrides.allow(actor, failures, override, when=plan.start)
        session = _save(tx, plan)
        overrides.record(tx, actor, session, failures, override)
        made.append(session)
    audit.record(
        tx,
        actor,
        "session.repeat",
        "session",
        made[0].id,
        after={
            "sessions": [s.id for s in made],
            "every_weeks": every_weeks,
            "count": count,
            "first": snapshot(tx, made[0]),
        },
    )
    for session in made:
        publish_session(tx, session)
    return made
