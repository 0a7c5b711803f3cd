"""Building test data through core, the way the product does."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from core.demo.sessions import add_session
from core.infra.clock import today_london
from core.infra.db import Database
from core.models import Course, User, Venue


def make_session(
    db: Database,
    course: str = "efaw",
    venue: str = "leeds",
    days_ahead: int = 14,
    capacity: int = 12,
    trainer_email: str | None = None,
    first_day: date | None = None,
) -> int:
    """Schedule a session ``days_ahead`` from today (weekends skipped) and return its id."""
    with db.write() as tx:
        trainer = None
        if trainer_email:
            trainer = tx.scalar(select(User).where(User.email == trainer_email))
        session = add_session(
            tx,
            tx.get_one(Course, course),
            tx.get_one(Venue, venue),
            first_day or today_london() + timedelta(days=days_ahead),
            trainer,
            capacity,
        )
        return session.id


def person(n: int = 1, born: str = "1990-05-17", **extra: Any) -> dict[str, Any]:
    return {
        "name": f"Test Person{n}",
        "email": f"person{n}@example.com",
        "date_of_birth": born,
    } | extra
