"""A session as the audit log and change feed record it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import CourseSession, User
from core.models.admin import SessionTrainer
from core.seats.availability import held_seats, view_of


def co_trainers(tx: Session, session_id: int) -> list[User]:
    stmt = select(SessionTrainer).where(SessionTrainer.session_id == session_id)
    return [row.user for row in tx.scalars(stmt)]


def trainer_emails(tx: Session, session: CourseSession) -> list[str]:
    """Lead trainer first, then any others."""
    lead = [session.trainer.email] if session.trainer else []
    return lead + [u.email for u in co_trainers(tx, session.id)]


def snapshot(tx: Session, session: CourseSession) -> dict[str, Any]:
    data = view_of(session, held_seats(tx, session.id)).to_json()
    data["trainers"] = trainer_emails(tx, session)
    return data
