"""The attendance register on the server: trainers' sessions, rosters and applying marks.

A trainer sees only sessions where they are the trainer, and of each attendee only what the
register needs. Marks arrive as operations (``merge.Mark``) and are applied exactly once by
operation id; every accepted op is kept in ``attendance_ops`` and the winning op per cell,
chosen by ``merge.wins``, is the register (``attendance_marks``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from core.attendance import hlc, merge
from core.infra.actor import Actor
from core.infra.clock import LONDON, now, today_london
from core.infra.errors import Forbidden, NotFound
from core.journal import changes
from core.models import Attendee, Booking, CourseSession
from core.models.attendance import AttendanceMark, AttendanceOp, Certificate
from core.models.statuses import BookingStatus, SessionStatus
from core.seats.locking import lock_sessions
from core.staff.roles import OFFICE

ON_ROSTER = (BookingStatus.CONFIRMED, BookingStatus.PENDING_PAYMENT)
RECENT_DAYS = 14
UPCOMING_DAYS = 90
MAX_CLOCK_SKEW = timedelta(minutes=10)


def may_see(actor: Actor, session: CourseSession) -> bool:
    """Office staff see every register; a trainer only their own sessions."""
    if actor.role in OFFICE:
        return True
    return (
        actor.role == "trainer"
        and actor.user_id is not None
        and (session.trainer_id == actor.user_id)
    )


def _session_for(tx: Session, session_id: int, actor: Actor) -> CourseSession:
    session = tx.get(CourseSession, session_id)
    if session is None:
        raise NotFound(f"There is no session number {session_id}.")
    if not may_see(actor, session):
        raise Forbidden(f"Session {session_id} is not one of your sessions.")
    return session


def session_summary(session: CourseSession, today: date) -> dict[str, Any]:
    first = session.start_at.astimezone(LONDON).date()
    last = session.end_at.astimezone(LONDON).date()
    return {
        "id": session.id,
        "course": session.course_id,
        "course_name": session.course.name,
        "venue": session.venue_id,
        "venue_name": session.venue.name,
        "room": session.room,
        "trainer": session.trainer.name if session.trainer else None,
        "start": session.start_at.astimezone(LONDON).isoformat(),
        "end": session.end_at.astimezone(LONDON).isoformat(),
        "days": [
            {
                "index": d.day_index,
                "start": d.start_at.astimezone(LONDON).isoformat(),
                "end": d.end_at.astimezone(LONDON).isoformat(),
                "hours": session.course.day_hours[d.day_index],
            }
            for d in session.days
        ],
        "booked": session.booked,
        "status": session.status,
        "when": when(first, last, today),
        "records_emergency_contact": session.course.records_emergency_contact,
    }


def my_sessions(tx: Session, actor: Actor, today: date | None = None) -> list[dict[str, Any]]:
    """The trainer's sessions: today's first, then upcoming (soonest first), then the last
    14 days (most recent first). Cancelled sessions are left out."""
    if actor.user_id is None:
        return []
    today = today or today_london()
    lo = datetime.combine(today - timedelta(days=RECENT_DAYS), datetime.min.time(), LONDON)
    hi = datetime.combine(today + timedelta(days=UPCOMING_DAYS), datetime.min.time(), LONDON)
    rows = tx.scalars(
        select(CourseSession)
        .where(
            CourseSession.trainer_id == actor.user_id,
            CourseSession.status != SessionStatus.CANCELLED,
            CourseSession.end_at >= lo,
            CourseSession.start_at < hi,
        )
        .options(selectinload(CourseSession.days))
        .order_by(CourseSession.start_at)
    ).unique()
    return in_trainer_order([session_summary(s, today) for s in rows])


def when(first: date, last: date, today: date) -> str:
    """``today`` (the session runs today), ``upcoming`` or ``recent``."""
    return "today" if first <= today <= last else "upcoming" if first > today else "recent"


def in_trainer_order(sessions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Today's sessions, then upcoming soonest first, then recent most recent first."""
    ahead = sorted(
        (s for s in sessions if s["when"] != "recent"),
        key=lambda s: (s["when"] != "today", s["start"]),
    )
    behind = sorted(
        (s for s in sessions if s["when"] == "recent"), key=lambda s: s["start"], reverse=True
    )
    return ahead + behind


def roster_attendees(tx: Session, session_id: int) -> list[Attendee]:
    return list(
        tx.scalars(
            select(Attendee)
            .join(Booking)
            .where(Booking.session_id == session_id, Booking.status.in_(ON_ROSTER))
            .order_by(Attendee.id)
        )
    )


def _as_mark(row: AttendanceOp | AttendanceMark) -> merge.Mark:
    return merge.Mark(
        op_id=row.op_id,
        device_id=row.device_id,
        hlc=row.hlc,
        attendee_id=row.attendee_id,
        day_index=row.day_index,
        field=row.field,
        value=row.value,
        time=row.time,
    )


def server_clock(tx: Session) -> str:
    """The greatest clock reading the server holds, for devices to observe."""
    return str(tx.scalar(select(func.max(AttendanceOp.hlc))) or hlc.ZERO)


def roster(tx: Session, session_id: int, actor: Actor) -> dict[str, Any]:
    """Everything a register screen needs, and nothing more, for one session."""
    session = _session_for(tx, session_id, actor)
    records_emergency = session.course.records_emergency_contact
    people = roster_attendees(tx, session_id)
    ops = list(tx.scalars(select(AttendanceOp).where(AttendanceOp.session_id == session_id)))
    recorded_by = {op.op_id: op.recorded_by for op in ops}
    by_cell: dict[merge.CellKey, list[merge.Mark]] = defaultdict(list)
    for op in ops:
        by_cell[(op.attendee_id, op.day_index, op.field)].append(_as_mark(op))
    marks = []
    for row in tx.scalars(select(AttendanceMark).where(AttendanceMark.session_id == session_id)):
        winner = _as_mark(row)
        marks.append(
            winner.to_json()
            | {
                "recorded_by": row.recorded_by,
                "overridden": [
                    o.to_json() | {"recorded_by": recorded_by.get(o.op_id)}
                    for o in merge.overridden(by_cell[winner.cell], winner)
                ],
            }
        )
    marks.sort(key=lambda m: (m["attendee_id"], m["day_index"], m["field"]))
    certificates = {
        c.attendee_id: c
        for c in tx.scalars(select(Certificate).where(Certificate.session_id == session_id))
    }
    return {
        "session": session_summary(session, today_london()),
        "attendees": [
            {
                "id": a.id,
                "name": a.name,
                "special_requirements": a.special_requirements,
                **({"emergency_phone": a.emergency_phone} if records_emergency else {}),
                "certificate": certificates[a.id].number if a.id in certificates else None,
            }
            for a in people
        ],
        "marks": marks,
        "hlc": server_clock(tx),
    }


@dataclass(frozen=True)
class OpResult:
    op_id: str
    status: str  # applied | duplicate | rejected
    reason: str | None = None
    current: bool = False  # the op is now what its cell shows

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"op_id": self.op_id, "status": self.status}
        if self.reason:
            out["reason"] = self.reason
        if self.status == "applied":
            out["current"] = self.current
        return out


def _stored_content(op: AttendanceOp) -> tuple[Any, ...]:
    return _as_mark(op).content


def apply_marks(
    tx: Session,
    marks: list[tuple[merge.Mark, int | None]],
    actor: Actor,
    at: datetime | None = None,
) -> list[OpResult]:
    """Apply a batch of ``(mark, session_id or None)`` exactly once each.

    Each op is applied, recognised as a duplicate (same op id, same content: no change), or
    rejected with a reason (and changes nothing). Accepted ops are kept in the history; the
    cell takes the op when it wins by the convergence rule.
    """
    at = at or now()
    attendee_ids = {m.attendee_id for m, _ in marks}
    where: dict[int, tuple[int, str]] = {
        aid: (sid, status)
        for aid, sid, status in tx.execute(
            select(Attendee.id, Booking.session_id, Booking.status)
            .join(Booking)
            .where(Attendee.id.in_(attendee_ids))
        ).tuples()
    }
    sessions = lock_sessions(tx, *{sid for sid, _ in where.values()}) if where else {}
    results: list[OpResult] = []
    touched: dict[int, set[int]] = defaultdict(set)
    for mark, claimed_session in marks:
        existing = tx.get(AttendanceOp, mark.op_id)
        if existing is not None:
            if _stored_content(existing) == mark.content:
                results.append(OpResult(mark.op_id, "duplicate"))
            else:
                results.append(
                    OpResult(
                        mark.op_id,
                        "rejected",
                        "this operation id was already used for another mark",
                    )
                )
            continue
        reason = _refusal(mark, claimed_session, where, sessions, actor, at)
        if reason is not None:
            results.append(OpResult(mark.op_id, "rejected", reason))
            continue
        session_id = where[mark.attendee_id][0]
        tx.add(
            AttendanceOp(
                op_id=mark.op_id,
                device_id=mark.device_id,
                hlc=mark.hlc,
                session_id=session_id,
                attendee_id=mark.attendee_id,
                day_index=mark.day_index,
                field=mark.field,
                value=mark.value,
                time=mark.time,
                user_id=actor.user_id,
                recorded_by=actor.label,
                received_at=at,
            )
        )
        current = _merge_cell(tx, mark, session_id, actor.label)
        tx.flush()
        results.append(OpResult(mark.op_id, "applied", current=current))
        touched[session_id].add(mark.attendee_id)
    for session_id, people in sorted(touched.items()):
        changes.append(
            tx,
            "attendance",
            session_id,
            {
                "session_id": session_id,
                "attendee_ids": sorted(people),
                "hlc": server_clock(tx),
            },
        )
    return results


def _refusal(
    mark: merge.Mark,
    claimed_session: int | None,
    where: dict[int, tuple[int, str]],
    sessions: dict[int, CourseSession],
    actor: Actor,
    at: datetime,
) -> str | None:
    """Why a new op cannot be applied, or None when it can."""
    bad = merge.problem(mark)
    if bad:
        return bad
    try:
        hlc.check_not_future(hlc.parse(mark.hlc), at, MAX_CLOCK_SKEW)
    except ValueError as exc:
        return str(exc)
    found = where.get(mark.attendee_id)
    if found is None or found[1] not in ON_ROSTER:
        return f"attendee {mark.attendee_id} is not on the roster"
    session = sessions[found[0]]
    if claimed_session is not None and claimed_session != session.id:
        return f"attendee {mark.attendee_id} is not on the roster of session {claimed_session}"
    if not may_see(actor, session):
        return f"session {session.id} is not one of your sessions"
    if mark.day_index >= len(session.course.day_hours):
        return f"session {session.id} has no day {mark.day_index + 1}"
    return None


def _merge_cell(tx: Session, mark: merge.Mark, session_id: int, recorded_by: str) -> bool:
    cell = tx.get(AttendanceMark, mark.cell)
    if cell is not None and not merge.wins(mark, _as_mark(cell)):
        return False
    if cell is None:
        cell = AttendanceMark(
            attendee_id=mark.attendee_id, day_index=mark.day_index, field=mark.field
        )
        tx.add(cell)
    cell.session_id = session_id
    cell.value, cell.time, cell.hlc = mark.value, mark.time, mark.hlc
    cell.status = mark.value if mark.field == "attendance" else None
    cell.device_id, cell.op_id, cell.recorded_by = mark.device_id, mark.op_id, recorded_by
    return True


def register_of(tx: Session, session_id: int) -> dict[merge.CellKey, merge.Mark]:
    """The current register of a session as pure marks (for certificates and tests)."""
    return {
        (r.attendee_id, r.day_index, r.field): _as_mark(r)
        for r in tx.scalars(select(AttendanceMark).where(AttendanceMark.session_id == session_id))
    }


def ops_applied(tx: Session, session_id: int | None = None) -> int:
    stmt = select(func.count()).select_from(AttendanceOp)
    if session_id is not None:
        stmt = stmt.where(AttendanceOp.session_id == session_id)
    return int(tx.scalar(stmt) or 0)
