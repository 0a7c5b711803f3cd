"""Demo sessions and the made-up people booked on them (fixed names, random but repeatable)."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from sqlalchemy.orm import Session

from core.booking.attendees import AttendeeInput
from core.infra.actor import Actor
from core.infra.clock import london, now
from core.models import Course, CourseSession, SessionDay, User, Venue
from core.models.statuses import SessionStatus

FIRST = [
    "Amelia",
    "Oliver",
    "Isla",
    "George",
    "Ava",
    "Noah",
    "Mia",
    "Arthur",
    "Ivy",
    "Leo",
    "Freya",
    "Oscar",
    "Lily",
    "Harry",
    "Grace",
    "Jack",
    "Sophia",
    "Charlie",
    "Ella",
    "Alfie",
    "Aisha",
    "Mohammed",
    "Zara",
    "Yusuf",
    "Priya",
    "Arjun",
    "Chloe",
    "Liam",
]
LAST = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Patel",
    "Wright",
    "Robinson",
    "Wood",
    "Thompson",
    "Walker",
    "White",
    "Hughes",
    "Hussain",
    "Khan",
    "Ahmed",
    "Clarke",
    "Barker",
    "Sutcliffe",
    "Holroyd",
]
DEMO = Actor(label="demo data", role="admin", channel="desk")
SPECIAL = (
    None,
    None,
    None,
    None,
    "Wheelchair user",
    "Vegetarian lunch",
    "Dyslexia: extra time",
    "Knee injury: floor work adapted",
    None,
)


DAY_START = time(9, 0)


def teaching_days(
    course: Course, first: date, starts: time = DAY_START
) -> list[tuple[datetime, datetime]]:
    """Consecutive weekdays from ``first`` at ``starts``, an hour's lunch inside a full day."""
    days = []
    day = first
    for hours in course.day_hours:
        while day.weekday() >= 5:
            day += timedelta(days=1)
        start = london(day, starts)
        days.append((start, start + timedelta(hours=hours + (1 if hours > 4 else 0.25))))
        day += timedelta(days=1)
    return days


def add_session(
    tx: Session,
    course: Course,
    venue: Venue,
    first: date,
    trainer: User | None,
    capacity: int = 12,
    starts: time = DAY_START,
) -> CourseSession:
    days = teaching_days(course, first, starts)
    session = CourseSession(
        course=course,
        venue=venue,
        room=venue.rooms[0],
        trainer=trainer,
        start_at=days[0][0],
        end_at=days[-1][1],
        capacity=capacity,
        booked=0,
        status=SessionStatus.SCHEDULED,
        created_at=now(),
        days=[SessionDay(day_index=i, start_at=s, end_at=e) for i, (s, e) in enumerate(days)],
    )
    tx.add(session)
    tx.flush()
    return session


def made_up_person(rng: random.Random, course_min_age: int, on: date) -> AttendeeInput:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    age = rng.randint(max(course_min_age, 18), 62)
    born = date(on.year - age - 1, rng.randint(1, 12), rng.randint(1, 28))
    return AttendeeInput(
        name=f"{first} {last}",
        email=f"{first.lower()}.{last.lower()}{rng.randint(1, 999)}@example.co.uk",
        date_of_birth=born,
        phone=f"07{rng.randint(100, 999)} {rng.randint(100000, 999999)}",
        special_requirements=rng.choice(SPECIAL),
    )
