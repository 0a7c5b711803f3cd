"""Known data for the report tests: every figure in the tests is worked out from this by hand.

Sessions (all 09:00 London starts; "today" is the real date):
  S1 efaw  Leeds      cap 12, trainer Tina, Monday in two weeks    B1 desk 5 seats via hold,
                                                                   B2 website 2 seats via hold,
                                                                   one website hold released
  S2 faw   Leeds      cap 10, trainer Bob, Wednesday in 3 weeks    B3 desk 3 seats,
                                                                   B4 desk 1 seat, cancelled unpaid
  S3 efaw  York       cap 12, no trainer, in 2-4 days              B5 desk 2 seats,
                                                                   B6 desk 1 seat, paid, cancelled,
                                                                   refunded in full
  S4 efaw  York       cap 12, cancelled session, Tuesday in 2 weeks (no bookings)
  S5 paediatric Sheffield cap 8, trainer Tina, Monday 2 weeks ago  B7 desk 4 seats booked 20 days
                                                                   before; register: 1 absent both
                                                                   days, 1 absent day 1 only
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from sqlalchemy import select

from core.booking import bookings
from core.booking.attendees import parse_attendees
from core.demo.sessions import add_session
from core.infra.actor import Actor
from core.infra.clock import LONDON, london, now, today_london
from core.infra.db import Database
from core.models import Booking, Course, CourseSession, Payment, User, Venue
from core.models.attendance import AttendanceMark, Certificate
from core.seats import holds
from tests.factories import person

DESK = Actor(label="Front Desk", role="reception", channel="desk")
WEB = Actor(label="website", role=None, channel="website")


@dataclass
class Known:
    sessions: dict[str, int] = field(default_factory=dict)
    starts: dict[str, date] = field(default_factory=dict)
    refs: dict[str, str] = field(default_factory=dict)


def trainer(tx: object, email: str, name: str) -> User:
    user = User(email=email, name=name, role="trainer", created_at=now())
    tx.add(user)  # type: ignore[attr-defined]
    tx.flush()  # type: ignore[attr-defined]
    return user


def _session(
    db: Database,
    course: str,
    venue: str,
    first: date,
    capacity: int,
    trainer_email: str | None = None,
) -> int:
    with db.write() as tx:
        who = tx.scalar(select(User).where(User.email == trainer_email)) if trainer_email else None
        s = add_session(
            tx, tx.get_one(Course, course), tx.get_one(Venue, venue), first, who, capacity
        )
        return s.id


def people(start: int, n: int) -> list[dict[str, str]]:
    return [person(start + i) for i in range(n)]


def _payment(tx: object, booking_id: int, kind: str, amount: int) -> None:
    tx.add(  # type: ignore[attr-defined]
        Payment(
            booking_id=booking_id,
            kind=kind,
            method="card",
            status="succeeded",
            amount_pence=amount,
            recorded_by="test",
            created_at=now(),
        )
    )


def build_known(db: Database) -> Known:
    k = Known()
    with db.write() as tx:
        trainer(tx, "tina@rft.test", "Tina Trainer")
        trainer(tx, "bob@rft.test", "Bob Trainer")
    today = today_london()
    monday = today - timedelta(days=today.weekday())
    plan = {
        "S1": ("efaw", "leeds", monday + timedelta(days=14), 12, "tina@rft.test"),
        "S2": ("faw", "leeds", monday + timedelta(days=23), 10, "bob@rft.test"),
        "S3": ("efaw", "york", today + timedelta(days=2), 12, None),
        "S4": ("efaw", "york", monday + timedelta(days=15), 12, None),
        "S5": ("paediatric", "sheffield", monday - timedelta(days=14), 8, "tina@rft.test"),
    }
    for name, (course, venue, first, cap, email) in plan.items():
        k.sessions[name] = _session(db, course, venue, first, cap, email)
    with db.read() as tx:
        for name, sid in k.sessions.items():
            start = tx.get_one(CourseSession, sid).start_at
            k.starts[name] = start.astimezone(LONDON).date()

    with db.write() as tx:
        h1 = holds.create_hold(tx, k.sessions["S1"], 5, DESK)
        k.refs["B1"] = bookings.confirm_hold(tx, h1.id, people(1, 5), DESK).reference
        h2 = holds.create_hold(tx, k.sessions["S1"], 2, WEB)
        k.refs["B2"] = bookings.confirm_hold(tx, h2.id, people(10, 2), WEB).reference
        h3 = holds.create_hold(tx, k.sessions["S1"], 1, WEB)
        holds.release_hold(tx, h3.id)
        k.refs["B3"] = bookings.book_now(tx, k.sessions["S2"], people(20, 3), DESK).reference
        k.refs["B4"] = bookings.book_now(tx, k.sessions["S2"], people(30, 1), DESK).reference
        k.refs["B5"] = bookings.book_now(tx, k.sessions["S3"], people(40, 2), DESK).reference
        b6 = bookings.book_now(tx, k.sessions["S3"], people(50, 1), DESK)
        k.refs["B6"] = b6.reference
        _payment(tx, b6.id, "charge", 7500)
    with db.write() as tx:
        bookings.cancel(tx, k.refs["B4"], DESK, "changed plans")
        b6 = bookings.cancel(tx, k.refs["B6"], DESK, "ill")
        _payment(tx, b6.id, "refund", 7500)
        s4 = tx.get_one(CourseSession, k.sessions["S4"])
        s4.status, s4.cancel_reason = "CANCELLED", "trainer ill"
        s5 = tx.get_one(CourseSession, k.sessions["S5"])
        created = london(k.starts["S5"] - timedelta(days=20), time(10, 0))
        b7 = bookings.record_booking(
            tx, s5, parse_attendees(people(60, 4)), DESK, created_at=created
        )
        k.refs["B7"] = b7.reference
        register = {
            0: ("absent", "absent"),
            1: ("absent", "present"),
            2: ("present", "present"),
            3: ("late", "present"),
        }
        for i, attendee in enumerate(b7.attendees):
            for day, status in enumerate(register[i]):
                tx.add(
                    AttendanceMark(
                        attendee_id=attendee.id,
                        day_index=day,
                        field="attendance",
                        session_id=s5.id,
                        value=status,
                        status=status,
                        hlc=f"{day:024d}",
                        device_id="test",
                        op_id=str(uuid.uuid4()),
                        recorded_by="Tina Trainer",
                    )
                )
    return k


def month_start(today: date, ahead: int) -> date:
    year, month = divmod(today.month - 1 + ahead, 12)
    return date(today.year + year, month + 1, 1)


def certify(
    db: Database, course: str, venue: str, expiries: list[date], first_person: int | None = None
) -> None:
    """Certificates for people (``person(n)`` from ``first_person``) trained on ``course``."""
    sid = _session(db, course, venue, today_london() - timedelta(days=1000), 12)
    with db.write() as tx:
        session = tx.get_one(CourseSession, sid)
        created = london(today_london() - timedelta(days=1010), time(10, 0))
        start = first_person or 100 + 20 * len(tx.scalars(select(Certificate.id)).all())
        booking = bookings.record_booking(
            tx, session, parse_attendees(people(start, len(expiries))), DESK, created_at=created
        )
        count = tx.scalar(select(Booking.id).order_by(Booking.id.desc()).limit(1))
        for attendee, expires in zip(booking.attendees, expiries, strict=True):
            tx.add(
                Certificate(
                    number=f"C{count}-{attendee.id}",
                    attendee_id=attendee.id,
                    booking_id=booking.id,
                    session_id=sid,
                    course_id=course,
                    venue_id=venue,
                    course_name=course,
                    issued_on=expires - timedelta(days=3 * 365),
                    expires_on=expires,
                    issued_at=created,
                )
            )
