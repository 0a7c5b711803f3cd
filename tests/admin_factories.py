"""Trainers and staff for the admin and scheduling tests, made through core."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from core.infra.actor import Actor
from core.infra.clock import LONDON, now, today_london
from core.infra.db import Database
from core.models import User
from core.staff import trainers

ADMIN = Actor(label="Office Admin", role="admin", channel="desk", user_id=None)
MANAGER = Actor(label="Helen Manager", role="manager", channel="desk", user_id=None)


def add_trainer(
    db: Database,
    email: str = "tina@rft.test",
    name: str = "Tina Trainer",
    courses: Iterable[str] = ("efaw", "faw", "paediatric", "faw-requal"),
    qualified_until: date | None = None,
) -> str:
    """A trainer approved for ``courses`` whose award covers them until ``qualified_until``."""
    with db.write() as tx:
        tx.add(User(email=email, name=name, role="trainer", created_at=now()))
        tx.flush()
        trainers.set_courses(tx, ADMIN, email, list(courses))
        trainers.add_qualification(
            tx,
            ADMIN,
            email,
            "Level 3 Award in Education and Training",
            list(courses),
            qualified_until or today_london() + timedelta(days=800),
        )
    return email


def weekday_ahead(days: int = 14, weekday: int = 1) -> date:
    """The first ``weekday`` (0 = Monday) at least ``days`` from today."""
    day = today_london() + timedelta(days=days)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=LONDON)


def day_input(day: date, start: int = 9, end: int = 16, break_minutes: int | None = None) -> dict:  # type: ignore[type-arg]
    out = {"start": at(day, start), "end": at(day, end)}
    if break_minutes is not None:
        out["break_minutes"] = break_minutes  # type: ignore[assignment]
    return out
