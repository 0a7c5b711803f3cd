"""Demo data: the catalogue, staff, 12 weeks either side of today and a sprinkling of bookings.

Idempotent: a second run adds nothing. Random but repeatable (fixed seed).
"""

from __future__ import annotations

import random
from datetime import date, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.booking.bookings import record_booking
from core.catalogue import specs as catalogue
from core.demo import registers as demo_registers
from core.demo.payments import seed_payments
from core.demo.reports import seed_channels
from core.demo.sessions import DAY_START, DEMO, add_session, made_up_person, teaching_days
from core.infra.clock import now, today_london
from core.infra.db import Database
from core.models import Course, CourseSession, User, Venue
from core.staff.auth import seed_demo_passwords
from core.staff.trainers import seed_demo as seed_trainer_records

TRAINERS = (
    ("sarah.holt@rft-training.co.uk", "Sarah Holt"),
    ("dev.mistry@rft-training.co.uk", "Dev Mistry"),
    ("joanne.briggs@rft-training.co.uk", "Joanne Briggs"),
    ("tom.ackroyd@rft-training.co.uk", "Tom Ackroyd"),
    ("nadia.rahman@rft-training.co.uk", "Nadia Rahman"),
    ("gary.firth@rft-training.co.uk", "Gary Firth"),
    ("priya.shah@rft-training.co.uk", "Priya Shah"),
    ("mark.lister@rft-training.co.uk", "Mark Lister"),
)
STAFF = (
    ("admin@rft-training.co.uk", "Office Admin", "admin"),
    ("manager@rft-training.co.uk", "Helen Manager", "manager"),
    ("reception@rft-training.co.uk", "Front Desk", "reception"),
)
WEEKS = 12
FULL_DAY_STARTS = (DAY_START, DAY_START, time(9, 30))
SHORT_COURSE_STARTS = (time(9, 30), time(13, 30), time(18, 0))  # 3-hour courses, some evenings


def seed(db: Database) -> bool:
    """Load demo data once; returns False when it was already there."""
    rng = random.Random(2026)
    with db.write() as tx:
        catalogue.install(tx, catalogue.default_catalogue())
        if tx.scalar(select(func.count()).select_from(CourseSession)):
            return False
        for email, name, role in STAFF:
            if tx.scalar(select(User).where(User.email == email)) is None:
                tx.add(User(email=email, name=name, role=role, created_at=now()))
        trainers = []
        for email, name in TRAINERS:
            user = tx.scalar(select(User).where(User.email == email))
            if user is None:
                user = User(email=email, name=name, role="trainer", created_at=now())
                tx.add(user)
            trainers.append(user)
        tx.flush()
        courses = list(tx.scalars(select(Course).order_by(Course.id)))
        venues = list(tx.scalars(select(Venue).order_by(Venue.id)))
        popular = [c for c in courses if c.id in ("efaw", "faw", "paediatric", "faw-requal")]
        today = today_london()
        monday = today - timedelta(days=today.weekday())
        teaching: set[tuple[int, date]] = set()  # (trainer, day): one venue a day each
        for week in range(-WEEKS, WEEKS + 1):
            for v_index, venue in enumerate(venues):
                trainer = trainers[v_index % len(trainers)]
                for weekday in (0, 2, 3) if v_index < 4 else (1, 3):
                    if rng.random() < 0.35:
                        continue
                    course = rng.choice(popular if rng.random() < 0.6 else courses)
                    first = monday + timedelta(weeks=week, days=weekday)
                    if course.days > 1 and weekday > 5 - course.days:
                        first = monday + timedelta(weeks=week)
                    short = max(course.day_hours) <= 4
                    starts = rng.choice(SHORT_COURSE_STARTS if short else FULL_DAY_STARTS)
                    taught = teaching_days(course, first, starts)
                    days = {(trainer.id, start.date()) for start, _ in taught}
                    if days & teaching:
                        continue
                    teaching |= days
                    session = add_session(tx, course, venue, first, trainer, starts=starts)
                    _sprinkle(tx, rng, session, today)
        seed_payments(tx)
    demo_registers.seed_registers(db)
    seed_demo_passwords(db, [u[0] for u in (*STAFF, *TRAINERS)])
    seed_channels(db)
    seed_trainer_records(db)
    return True


def _sprinkle(tx: Session, rng: random.Random, session: CourseSession, today: date) -> None:
    course_day = session.start_at.date()
    weeks_ahead = (course_day - today).days / 7
    target = int(
        session.capacity
        * (
            rng.uniform(0.5, 1.0)
            if weeks_ahead < 1
            else rng.uniform(0.0, 0.9) / max(1.0, weeks_ahead / 3)
        )
    )
    while session.booked < target:
        group = min(rng.choice((1, 1, 1, 2, 2, 3, 5, 6)), target - session.booked)
        people = [made_up_person(rng, session.course.min_age, course_day) for _ in range(group)]
        lead = timedelta(days=rng.randint(1, 40), hours=rng.randint(0, 8))
        created = min(session.start_at - lead, now() - timedelta(minutes=5))
        record_booking(tx, session, people, DEMO, created_at=created)
