"""Locking scarce seats inside the caller's transaction.

PostgreSQL: ``SELECT ... FOR UPDATE`` on the session rows, in id order so two writers never
deadlock, bounded by the ``lock_timeout`` that ``Database.write`` sets. SQLite: the
transaction already holds the database write lock (``BEGIN IMMEDIATE``).
"""

from __future__ import annotations

from sqlalchemy import bindparam, select, text
from sqlalchemy.orm import Session, joinedload

from core.infra.errors import NotFound
from core.models import CourseSession, SeatHold

_LOCK_SESSIONS = (
    select(CourseSession)
    .where(CourseSession.id.in_(bindparam("wanted", expanding=True)))
    .order_by(CourseSession.id)
    .options(joinedload(CourseSession.days))
    .with_for_update(of=CourseSession)
    .execution_options(populate_existing=True)
)
_LOCK_HOLD_SESSION = (
    select(CourseSession, SeatHold)
    .join(SeatHold, SeatHold.session_id == CourseSession.id)
    .where(SeatHold.id == bindparam("hold"))
    .options(joinedload(CourseSession.days))
    .with_for_update(of=CourseSession)
    .execution_options(populate_existing=True)
)


def lock_sessions(tx: Session, *session_ids: int) -> dict[int, CourseSession]:
    """Lock and load sessions by id, with their course, venue, trainer and days, in one
    statement; refuses to run outside a transaction."""
    if not tx.in_transaction():
        raise RuntimeError("lock_sessions must run inside a write transaction")
    wanted = sorted(set(session_ids))
    rows = tx.scalars(_LOCK_SESSIONS, {"wanted": wanted}).unique().all()
    found = {row.id: row for row in rows}
    for sid in wanted:
        if sid not in found:
            raise NotFound(f"There is no session number {sid}.")
    return found


def lock_session(tx: Session, session_id: int) -> CourseSession:
    return lock_sessions(tx, session_id)[session_id]


def lock_hold_session(tx: Session, hold_id: str) -> tuple[CourseSession, SeatHold]:
    """Lock the session a hold is for and load both, in one statement. The hold is as it
    was when the statement began: re-check it with a write after the lock."""
    if not tx.in_transaction():
        raise RuntimeError("lock_hold_session must run inside a write transaction")
    found = tx.execute(_LOCK_HOLD_SESSION, {"hold": hold_id}).unique().first()
    if found is None:
        raise NotFound("That seat hold does not exist.")
    return found[0], found[1]


def lock_holder(tx: Session, holder: str) -> None:
    """Serialise the writes of one holder (a public visitor's address) across connections
    and server processes, so limits counted in the database cannot be raced past.

    PostgreSQL: a transaction-scoped advisory lock on the holder's name, taken before any
    session row lock. SQLite: the transaction already holds the database write lock.
    """
    if tx.get_bind().dialect.name == "postgresql":
        tx.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:holder, 0))"),
            {"holder": holder},
        )
