"""Editing or moving a scheduled session, with optimistic concurrency on its version.

Two admins editing the same session: the second save carries a stale version and gets a
``Conflict``; nothing of theirs is applied. A move (new days or venue) of a session with
bookings emails every attendee and offers each booking a transfer or a refund, all in one
transaction.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.booking.state import sync_status
from core.booking.waitlist import offers
from core.infra.actor import Actor
from core.infra.clock import now, uk_datetime
from core.infra.errors import Conflict, ValidationFailed
from core.journal import audit
from core.models import CourseSession, SessionDay
from core.models.admin import SessionTrainer
from core.models.statuses import SessionStatus
from core.scheduling import notices, overrides, rules
from core.scheduling.create import lock_schedule
from core.scheduling.plan import DayInput, Plan, SessionInput, resolve
from core.scheduling.snapshot import snapshot, trainer_emails
from core.seats.availability import held_seats
from core.seats.holds import publish_session
from core.seats.locking import lock_session


class SessionEdit(BaseModel):
    """What to change; fields left out stay as they are."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    venue: str | None = Field(default=None, max_length=48)
    room: str | None = Field(default=None, max_length=80)
    trainers: list[str] | None = Field(default=None, max_length=4)
    start: datetime | None = None
    days: list[DayInput] | None = Field(default=None, max_length=10)
    capacity: int | None = Field(default=None, ge=1, le=1000)
    price_pence: int | None = Field(default=None, gt=0, le=1_000_000)
    clear_price: bool = False
    reason: str | None = Field(default=None, max_length=500)


def locked_current(tx: Session, session_id: int, version: int | None) -> CourseSession:
    """Lock the session and make sure nobody changed it since the caller read ``version``."""
    session = lock_session(tx, session_id)
    if version is not None and session.version != version:
        raise Conflict(
            f"Session {session_id} was changed by someone else while you were editing it "
            f"(you had version {version}, it is now {session.version}); reload and try again.",
            current_version=session.version,
        )
    if session.status == SessionStatus.CANCELLED:
        raise ValidationFailed(f"Session {session_id} is cancelled and cannot be changed.")
    return session


def _wanted(tx: Session, session: CourseSession, edit: SessionEdit) -> SessionInput:
    venue = edit.venue or session.venue_id
    if edit.days:
        days = edit.days
    elif edit.start is None:
        days = [DayInput(start=d.start_at, end=d.end_at) for d in session.days]
    else:
        days = None
    keep_room = venue == session.venue_id
    return SessionInput(
        course=session.course_id,
        venue=venue,
        room=edit.room or (session.room if keep_room else None),
        trainers=edit.trainers if edit.trainers is not None else trainer_emails(tx, session),
        start=edit.start,
        days=days,
        capacity=edit.capacity or session.capacity,
        price_pence=None if edit.clear_price else (edit.price_pence or session.price_pence),
    )


def _apply(tx: Session, session: CourseSession, plan: Plan) -> None:
    session.venue = plan.venue
    session.room = plan.room
    session.trainer = plan.trainers[0] if plan.trainers else None
    session.capacity = plan.capacity
    session.price_pence = plan.price_pence
    session.start_at, session.end_at = plan.start, plan.end
    session.days.clear()
    for row in tx.scalars(select(SessionTrainer).where(SessionTrainer.session_id == session.id)):
        tx.delete(row)
    tx.flush()
    session.days.extend(
        SessionDay(day_index=i, start_at=d.start, end_at=d.end) for i, d in enumerate(plan.days)
    )
    for other in plan.trainers[1:]:
        tx.add(SessionTrainer(session_id=session.id, user_id=other.id))
    session.version += 1
    sync_status(session)
    tx.flush()


def edit_session(
    tx: Session,
    actor: Actor,
    session_id: int,
    version: int,
    edit: SessionEdit,
    *,
    override: str | None = None,
) -> CourseSession:
    """Change a session; moving one with bookings tells its attendees and offers them a choice."""
    lock_schedule(tx)
    session = locked_current(tx, session_id, version)
    if session.start_at <= now():
        raise ValidationFailed(f"Session {session_id} has already started; it cannot be edited.")
    plan = resolve(tx, _wanted(tx, session, edit), session_id=session.id)
    taken = session.booked + held_seats(tx, session.id)
    if plan.capacity < taken:
        raise ValidationFailed(
            f"{taken} seats are booked or being booked; the capacity cannot go below {taken}."
        )
    failures = rules.check(tx, plan)
    overrides.allow(actor, failures, override)
    before = snapshot(tx, session)
    old_start = session.start_at
    _apply(tx, session, plan)
    after = snapshot(tx, session)
    moved = (before["days"], before["venue"]) != (after["days"], after["venue"])
    audit.record(
        tx,
        actor,
        "session.move" if moved else "session.edit",
        "session",
        session.id,
        before=before,
        after=after,
        reason=edit.reason,
    )
    overrides.record(tx, actor, session, failures, override)
    if moved:
        notices.tell_attendees(tx, session, "moved", edit.reason, uk_datetime(old_start))
    publish_session(tx, session)
    offers.offer_free_seats(tx, session)  # raised capacity goes to the waiting list first
    return session
