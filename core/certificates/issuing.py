"""Certificates: issued once per attendance, only for full attendance and a competent outcome.

A day counts as attended when the register says present, or late/left early at a time that
missed no teaching (arrived by the start, left at or after the end); an attendee who misses
hours cannot pass. The final outcome is the outcome on the latest course day that has one.
The certificate is dated the last course day and expires ``certificate_months`` later (no
expiry when the course gives none). One attendee row (one person on one booking) gets at
most one certificate, enforced by a unique constraint.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.attendance import merge
from core.attendance.register import register_of, roster_attendees
from core.infra.clock import LONDON, now, today_london
from core.infra.errors import NotFound
from core.journal import changes
from core.models import Attendee, CourseSession
from core.models.attendance import Certificate


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the last day of the month when it is shorter)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def expiry_for(issued_on: date, certificate_months: int | None) -> date | None:
    return None if certificate_months is None else add_months(issued_on, certificate_months)


def certificate_number(issued_on: date, attendee_id: int) -> str:
    """Unique by construction: there is at most one certificate per attendee row."""
    return f"RFT-C{issued_on.year}-{attendee_id:06d}"


def _local_hhmm(moment: datetime) -> str:
    return moment.astimezone(LONDON).strftime("%H:%M")


def missing(
    session: CourseSession, marks: dict[merge.CellKey, merge.Mark], attendee_id: int
) -> list[str]:
    """What stands between an attendee and a certificate (empty when they have earned it)."""
    gaps: list[str] = []
    outcome: str | None = None
    for day in session.days:
        n = day.day_index + 1
        seen = marks.get((attendee_id, day.day_index, "attendance"))
        status = seen.value if seen else None
        if status is None:
            gaps.append(f"day {n}: no attendance recorded")
        elif status == "absent":
            gaps.append(f"day {n}: absent")
        elif status == "late" and seen and (seen.time or "") > _local_hhmm(day.start_at):
            gaps.append(f"day {n}: arrived late at {seen.time}, teaching hours missed")
        elif status == "left_early" and seen and (seen.time or "") < _local_hhmm(day.end_at):
            gaps.append(f"day {n}: left early at {seen.time}, teaching hours missed")
        graded = marks.get((attendee_id, day.day_index, "outcome"))
        if graded is not None and graded.value is not None:
            outcome = graded.value
    if outcome != "competent":
        shown = outcome.replace("_", " ") if outcome else "not assessed"
        gaps.append(f"final assessment: {shown}")
    return gaps


def issue_eligible(
    tx: Session,
    session: CourseSession,
    attendee_ids: Iterable[int] | None = None,
    today: date | None = None,
) -> list[Certificate]:
    """Issue certificates that have been earned and not yet issued (safe to call again).

    Nothing is issued before the last course day; each new certificate is recorded in the
    change feed (emailing it is the caller's: ``certificate_mail.send_certificate``).
    """
    today = today or today_london()
    last_day = session.end_at.astimezone(LONDON).date()
    if today < last_day:
        return []
    wanted = None if attendee_ids is None else set(attendee_ids)
    already = set(
        tx.scalars(select(Certificate.attendee_id).where(Certificate.session_id == session.id))
    )
    marks = register_of(tx, session.id)
    issued = []
    for person in roster_attendees(tx, session.id):
        if (wanted is not None and person.id not in wanted) or person.id in already:
            continue
        if missing(session, marks, person.id):
            continue
        issued.append(_issue(tx, session, person, last_day))
    return issued


def _issue(tx: Session, session: CourseSession, person: Attendee, issued_on: date) -> Certificate:
    cert = Certificate(
        number=certificate_number(issued_on, person.id),
        attendee_id=person.id,
        booking_id=person.booking_id,
        session_id=session.id,
        course_id=session.course_id,
        venue_id=session.venue_id,
        trainer_id=session.trainer_id,
        course_name=session.course.name,
        trainer_name=session.trainer.name if session.trainer else None,
        issued_on=issued_on,
        expires_on=expiry_for(issued_on, session.course.certificate_months),
        issued_at=now(),
    )
    tx.add(cert)
    tx.flush()
    changes.append(
        tx, "certificate", session.id, {"session_id": session.id, "attendee_id": person.id}
    )
    return cert


@dataclass(frozen=True)
class CertificateView:
    number: str
    attendee: str
    attendee_id: int
    course: str
    course_id: str
    venue: str
    trainer: str | None
    session_id: int
    issued: date
    expires: date | None

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "attendee": self.attendee,
            "attendee_id": self.attendee_id,
            "course": self.course,
            "course_id": self.course_id,
            "venue": self.venue,
            "trainer": self.trainer,
            "session_id": self.session_id,
            "issued": self.issued.isoformat(),
            "expires": self.expires.isoformat() if self.expires else None,
        }


def view_of(cert: Certificate, venue_name: str) -> CertificateView:
    return CertificateView(
        number=cert.number,
        attendee=cert.attendee.name,
        attendee_id=cert.attendee_id,
        course=cert.course_name,
        course_id=cert.course_id,
        venue=venue_name,
        trainer=cert.trainer_name,
        session_id=cert.session_id,
        issued=cert.issued_on,
        expires=cert.expires_on,
    )


def _venue_names(tx: Session) -> dict[str, str]:
    from core.models import Venue

    return dict(tx.execute(select(Venue.id, Venue.name)).tuples().all())


def list_certificates(
    tx: Session, expiring_before: date | None = None, session_id: int | None = None
) -> list[CertificateView]:
    """Certificates, soonest expiry first; ``expiring_before`` keeps those expiring earlier."""
    stmt = select(Certificate)
    if expiring_before is not None:
        stmt = stmt.where(
            Certificate.expires_on.is_not(None), Certificate.expires_on < expiring_before
        )
    if session_id is not None:
        stmt = stmt.where(Certificate.session_id == session_id)
    rows = tx.scalars(stmt.order_by(Certificate.expires_on, Certificate.number))
    venues = _venue_names(tx)
    return [view_of(c, venues.get(c.venue_id, c.venue_id)) for c in rows]


def find(tx: Session, number: str) -> Certificate:
    cert = tx.scalar(select(Certificate).where(Certificate.number == number.strip().upper()))
    if cert is None:
        raise NotFound(f"There is no certificate numbered {number}.")
    return cert


def get(tx: Session, number: str) -> CertificateView:
    cert = find(tx, number)
    return view_of(cert, _venue_names(tx).get(cert.venue_id, cert.venue_id))
