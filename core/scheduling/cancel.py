"""Cancelling a session: one atomic change that marks it cancelled, releases its holds, emails
every attendee, offers each booking a transfer or a refund, and tells whoever was waiting."""

from __future__ import annotations

from sqlalchemy.orm import Session

from core.booking import state
from core.booking.waitlist.cancelled import tell_waiting
from core.infra.actor import Actor
from core.infra.clock import now
from core.infra.errors import ValidationFailed
from core.journal import audit
from core.models import CourseSession
from core.scheduling import notices
from core.scheduling.create import lock_schedule
from core.scheduling.edit import locked_current
from core.scheduling.snapshot import snapshot


def cancel_session(
    tx: Session, actor: Actor, session_id: int, reason: str, *, version: int | None = None
) -> CourseSession:
    """Cancel with a reason; ``version`` (when given) must match, as for an edit."""
    reason = (reason or "").strip()
    if len(reason) < 3:
        raise ValidationFailed("Give a reason for cancelling; attendees are told it.")
    lock_schedule(tx)
    session = locked_current(tx, session_id, version)
    if session.end_at <= now():
        raise ValidationFailed(f"Session {session_id} has already run; it cannot be cancelled.")
    before = snapshot(tx, session)
    session.version += 1
    state.cancel_session(tx, session, reason, now())
    offers = notices.tell_attendees(tx, session, "cancelled", reason)
    waiting = tell_waiting(tx, session, notices.alternatives(tx, session)[: notices.ALTERNATIVES])
    after = snapshot(tx, session)
    after["offers"] = len(offers)
    after["waiting_told"] = waiting
    audit.record(
        tx,
        actor,
        "session.cancel",
        "session",
        session.id,
        before=before,
        after=after,
        reason=reason,
    )
    return session
