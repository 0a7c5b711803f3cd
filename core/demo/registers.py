"""Demo data for registers and certificates: past sessions with their registers taken,
certificates issued, and some certificates expiring within the next 90 days."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.attendance import merge
from core.attendance.register import apply_marks, roster_attendees
from core.booking.bookings import record_booking
from core.certificates import issuing as certificates
from core.certificates.issuing import add_months
from core.demo.payments import seed_payments
from core.demo.sessions import DEMO, add_session, made_up_person
from core.infra.actor import Actor
from core.infra.clock import LONDON, now, today_london
from core.infra.db import Database
from core.models import Course, CourseSession, User, Venue
from core.models.attendance import Certificate
from core.models.statuses import SessionStatus

DEVICE = "demo-register"
# (course, months before today): old enough that their certificates expire within 90 days
EXPIRING = (
    ("faw", 34),
    ("efaw", 35),
    ("paediatric", 34),
    ("annual-refresher", 10),
    ("cpr-aed", 11),
)


def _take_register(tx: Session, rng: random.Random, session: CourseSession) -> None:
    """Mark every attendee on every day: mostly present and competent, a few not."""
    trainer = session.trainer
    actor = Actor(
        trainer.name if trainer else "Office",
        "trainer" if trainer else "admin",
        user_id=trainer.id if trainer else None,
    )
    ops: list[tuple[merge.Mark, int | None]] = []
    for person in roster_attendees(tx, session.id):
        luck = rng.random()
        for day in session.days:
            stamp = int(day.end_at.timestamp() * 1000)
            status, time = "present", None
            if luck < 0.06:
                status = "absent"
            elif luck < 0.12:
                status, time = (
                    "late",
                    (day.start_at.astimezone(LONDON) + timedelta(minutes=40)).strftime("%H:%M"),
                )
            ops.append(
                (
                    merge.Mark(
                        f"demo-{person.id}-{day.day_index}-a",
                        DEVICE,
                        f"{stamp:013d}-0000",
                        person.id,
                        day.day_index,
                        "attendance",
                        status,
                        time,
                    ),
                    session.id,
                )
            )
        outcome = "competent" if luck > 0.03 else "not_yet_competent"
        last = session.days[-1].day_index
        stamp = int(session.days[-1].end_at.timestamp() * 1000)
        ops.append(
            (
                merge.Mark(
                    f"demo-{person.id}-{last}-o",
                    DEVICE,
                    f"{stamp:013d}-0001",
                    person.id,
                    last,
                    "outcome",
                    outcome,
                ),
                session.id,
            )
        )
        if outcome != "competent":
            ops.append(
                (
                    merge.Mark(
                        f"demo-{person.id}-{last}-n",
                        DEVICE,
                        f"{stamp:013d}-0002",
                        person.id,
                        last,
                        "note",
                        "Needs more practice on CPR depth",
                    ),
                    session.id,
                )
            )
    if ops:
        apply_marks(tx, ops, actor)
        certificates.issue_eligible(tx, session)


def _expiring_sessions(tx: Session, rng: random.Random, today: date) -> list[CourseSession]:
    """Sessions long ago, so that some certificates fall due for renewal now."""
    venues = list(tx.scalars(select(Venue).order_by(Venue.id)))
    trainers = list(tx.scalars(select(User).where(User.role == "trainer").order_by(User.id)))
    made = []
    for i, (course_id, months) in enumerate(EXPIRING):
        course = tx.get_one(Course, course_id)
        start = add_months(today, -months) + timedelta(days=3 + 9 * i)
        venue = venues[i % len(venues)]
        session = add_session(
            tx, course, venue, start, trainers[i % len(trainers)] if trainers else None
        )
        people = [made_up_person(rng, course.min_age, start) for _ in range(rng.randint(4, 8))]
        record_booking(tx, session, people, DEMO, created_at=session.start_at - timedelta(days=20))
        made.append(session)
    return made


def seed_registers(db: Database) -> None:
    """Take the registers of past sessions and issue their certificates (once)."""
    rng = random.Random(6)
    today = today_london()
    with db.write() as tx:
        if tx.scalar(select(Certificate.id).limit(1)) is not None:
            return
        past = list(
            tx.scalars(
                select(CourseSession)
                .where(
                    CourseSession.end_at < now(), CourseSession.status != SessionStatus.CANCELLED
                )
                .order_by(CourseSession.start_at)
            ).unique()
        )
        long_ago = _expiring_sessions(tx, rng, today)
        seed_payments(tx)
        for session in past + long_ago:
            _take_register(tx, rng, session)
