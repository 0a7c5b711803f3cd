"""Trainers as staff records: the courses each may teach, their own qualifications with expiry
dates, and the days they cannot teach. A qualification running out within 60 days is flagged."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core.infra.actor import Actor
from core.infra.clock import today_london, uk_date
from core.infra.db import Database
from core.infra.errors import NotFound, ValidationFailed
from core.journal import audit
from core.models import Course, User
from core.models.admin import TrainerProfile, TrainerQualification, TrainerUnavailability

EXPIRY_WARNING_DAYS = 60


@dataclass(frozen=True)
class TrainerView:
    """A trainer as the Trainers screen and ``rft trainers --json`` show them."""

    id: int
    email: str
    name: str
    active: bool
    courses: list[str]
    qualifications: list[dict[str, Any]]
    unavailable: list[dict[str, Any]]
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "email": self.email,
            "name": self.name,
            "active": self.active,
            "courses": self.courses,
            "qualifications": self.qualifications,
            "unavailable": self.unavailable,
            "flagged": bool(self.warnings),
            "warnings": self.warnings,
        }


def find_trainer(tx: Session, email: str) -> User:
    """An active trainer by email, or a clear error."""
    user = tx.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active or not _is_trainer(tx, user):
        raise ValidationFailed(f"There is no active trainer with email {email.strip()!r}.")
    return user


def _is_trainer(tx: Session, user: User) -> bool:
    return user.role == "trainer" or tx.get(TrainerProfile, user.id) is not None


def profile_of(tx: Session, user: User) -> TrainerProfile:
    found = tx.get(TrainerProfile, user.id)
    if found is None:
        found = TrainerProfile(user_id=user.id, courses=[])
        tx.add(found)
        tx.flush()
    return found


def qualifications_of(tx: Session, user_id: int) -> list[TrainerQualification]:
    stmt = select(TrainerQualification).where(TrainerQualification.user_id == user_id)
    return list(tx.scalars(stmt.order_by(TrainerQualification.expires_on)))


def unavailable_days(tx: Session, user_id: int) -> list[TrainerUnavailability]:
    stmt = select(TrainerUnavailability).where(TrainerUnavailability.user_id == user_id)
    return list(tx.scalars(stmt.order_by(TrainerUnavailability.day)))


def expiry_warning(q: TrainerQualification, today: date) -> str | None:
    """'... expires in 45 days' when within the warning window, 'expired' when past."""
    if q.expires_on < today:
        return f"{q.title} expired on {uk_date(q.expires_on)}"
    left = (q.expires_on - today).days
    if left <= EXPIRY_WARNING_DAYS:
        return f"{q.title} expires on {uk_date(q.expires_on)} ({left} days)"
    return None


def _qualification_json(q: TrainerQualification, today: date) -> dict[str, Any]:
    warning = expiry_warning(q, today)
    return {
        "id": q.id,
        "title": q.title,
        "courses": list(q.courses),
        "expires_on": q.expires_on.isoformat(),
        "expiring": warning is not None,
        "warning": warning,
    }


def view(tx: Session, user: User, today: date | None = None) -> TrainerView:
    today = today or today_london()
    prof = tx.get(TrainerProfile, user.id)
    quals = [_qualification_json(q, today) for q in qualifications_of(tx, user.id)]
    return TrainerView(
        id=user.id,
        email=user.email,
        name=user.name,
        active=user.active,
        courses=sorted(prof.courses) if prof else [],
        qualifications=quals,
        unavailable=[
            {"day": u.day.isoformat(), "reason": u.reason}
            for u in unavailable_days(tx, user.id)
            if u.day >= today
        ],
        warnings=[q["warning"] for q in quals if q["warning"]],
    )


def list_trainers(tx: Session, *, include_inactive: bool = False) -> list[TrainerView]:
    """Every trainer, by name, with their courses, qualifications and coming days off."""
    stmt = (
        select(User)
        .outerjoin(TrainerProfile, TrainerProfile.user_id == User.id)
        .where(or_(User.role == "trainer", TrainerProfile.user_id.is_not(None)))
        .order_by(User.name)
    )
    if not include_inactive:
        stmt = stmt.where(User.active.is_(True))
    today = today_london()
    return [view(tx, u, today) for u in tx.scalars(stmt).unique()]


def _known_courses(tx: Session, course_ids: list[str]) -> list[str]:
    wanted = sorted(set(course_ids))
    for cid in wanted:
        if tx.get(Course, cid) is None:
            raise ValidationFailed(f"There is no course with id {cid!r}.")
    return wanted


def set_courses(tx: Session, actor: Actor, email: str, course_ids: list[str]) -> TrainerView:
    """Replace the list of courses a trainer may teach."""
    user = find_trainer(tx, email)
    prof = profile_of(tx, user)
    before = {"courses": sorted(prof.courses)}
    prof.courses = _known_courses(tx, course_ids)
    tx.flush()
    audit.record(
        tx,
        actor,
        "trainer.courses",
        "trainer",
        user.email,
        before=before,
        after={"courses": prof.courses},
    )
    return view(tx, user)


def add_qualification(
    tx: Session, actor: Actor, email: str, title: str, course_ids: list[str], expires_on: date
) -> TrainerView:
    title = title.strip()
    if not 2 <= len(title) <= 160:
        raise ValidationFailed("A qualification needs a title of 2 to 160 characters.")
    if not course_ids:
        raise ValidationFailed("Say which courses the qualification lets the trainer teach.")
    user = find_trainer(tx, email)
    q = TrainerQualification(
        user_id=user.id, title=title, courses=_known_courses(tx, course_ids), expires_on=expires_on
    )
    tx.add(q)
    tx.flush()
    audit.record(
        tx,
        actor,
        "trainer.qualification.add",
        "trainer",
        user.email,
        after=_qualification_json(q, today_london()),
    )
    return view(tx, user)


def remove_qualification(tx: Session, actor: Actor, qualification_id: int) -> TrainerView:
    q = tx.get(TrainerQualification, qualification_id)
    if q is None:
        raise NotFound(f"There is no trainer qualification number {qualification_id}.")
    user = tx.get_one(User, q.user_id)
    before = _qualification_json(q, today_london())
    tx.delete(q)
    tx.flush()
    audit.record(tx, actor, "trainer.qualification.remove", "trainer", user.email, before=before)
    return view(tx, user)


def add_unavailable(
    tx: Session,
    actor: Actor,
    email: str,
    first: date,
    last: date | None = None,
    reason: str | None = None,
) -> TrainerView:
    """Mark a day, or every day from ``first`` to ``last``, as one the trainer cannot teach."""
    last = last or first
    if last < first:
        raise ValidationFailed("The last day off is before the first.")
    if (last - first).days > 366:
        raise ValidationFailed("Mark at most a year of days off at a time.")
    user = find_trainer(tx, email)
    taken = {u.day for u in unavailable_days(tx, user.id)}
    added = []
    day = first
    while day <= last:
        if day not in taken:
            tx.add(TrainerUnavailability(user_id=user.id, day=day, reason=reason))
            added.append(day.isoformat())
        day += timedelta(days=1)
    tx.flush()
    audit.record(
        tx,
        actor,
        "trainer.unavailable.add",
        "trainer",
        user.email,
        after={"days": added, "reason": reason},
    )
    return view(tx, user)


def remove_unavailable(tx: Session, actor: Actor, email: str, day: date) -> TrainerView:
    user = find_trainer(tx, email)
    found = tx.scalar(
        select(TrainerUnavailability).where(
            TrainerUnavailability.user_id == user.id, TrainerUnavailability.day == day
        )
    )
    if found is None:
        raise NotFound(f"{user.name} is not marked unavailable on {uk_date(day)}.")
    tx.delete(found)
    tx.flush()
    audit.record(
        tx,
        actor,
        "trainer.unavailable.remove",
        "trainer",
        user.email,
        before={"days": [day.isoformat()], "reason": found.reason},
    )
    return view(tx, user)


def seed_demo(db: Database) -> None:
    """Demo trainers may teach every course; one trainer's award runs out in 45 days."""
    with db.write() as tx:
        _seed_records(tx)


def _seed_records(tx: Session) -> None:
    today = today_london()
    course_ids = sorted(tx.scalars(select(Course.id)))
    trainers = list(tx.scalars(select(User).where(User.role == "trainer").order_by(User.id)))
    for i, user in enumerate(trainers):
        if tx.get(TrainerProfile, user.id) is not None:
            continue
        tx.add(TrainerProfile(user_id=user.id, courses=course_ids))
        expires = today + timedelta(days=45 if i == 1 else 400 + 90 * i)
        tx.add(
            TrainerQualification(
                user_id=user.id,
                title="Level 3 Award in Education and Training + FAW trainer assessment",
                courses=course_ids,
                expires_on=expires,
            )
        )
    tx.flush()
