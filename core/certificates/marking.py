"""Recording a batch of marks: apply each op once, then issue and email any certificates
the new register has earned."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.attendance import merge
from core.attendance.register import OpResult, apply_marks
from core.certificates import issuing as certificates
from core.certificates.mail import send_certificate
from core.infra.actor import Actor
from core.models import Attendee, Booking, CourseSession


def record(
    tx: Session,
    marks: list[tuple[merge.Mark, int | None]],
    actor: Actor,
    at: datetime | None = None,
) -> list[OpResult]:
    """Apply ``(mark, claimed session id)`` pairs; see ``register.apply_marks``."""
    results = apply_marks(tx, marks, actor, at)
    applied = {r.op_id for r in results if r.status == "applied"}
    people = {m.attendee_id for m, _ in marks if m.op_id in applied}
    if people:
        rows = tx.execute(
            select(Booking.session_id, Attendee.id).join(Booking).where(Attendee.id.in_(people))
        ).tuples()
        by_session: dict[int, list[int]] = {}
        for session_id, attendee_id in rows:
            by_session.setdefault(session_id, []).append(attendee_id)
        for session_id, ids in sorted(by_session.items()):
            session = tx.get_one(CourseSession, session_id)
            for cert in certificates.issue_eligible(tx, session, ids):
                send_certificate(tx, cert, tx.get_one(Attendee, cert.attendee_id).email)
    return results
