"""Emails about certificates, sent through the outbox: the certificate itself (PDF attached)
and renewal reminders 90 and 30 days before expiry, each sent once.

A reminder names the course that requalifies the holder and its next sessions at the venue
where they trained; for courses that must be taken in full once the certificate has expired
(FAW, EFAW) it says so.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core.certificates.pdf import pdf_for
from core.infra.clock import now, today_london, uk_date, uk_datetime
from core.models import Attendee, Course, CourseSession, Venue
from core.models.attendance import Certificate
from core.models.statuses import SessionStatus
from core.notify.outbox import Attachment, enqueue

REMINDER_DAYS = (90, 30)
NEXT_SESSIONS = 3


def send_certificate(tx: Session, cert: Certificate, to: str) -> None:
    """Queue the certificate email with its PDF (once per certificate)."""
    venue = tx.get_one(Venue, cert.venue_id)
    enqueue(
        tx,
        template="certificate_issued",
        to=to,
        context={
            "name": cert.attendee.name,
            "course": cert.course_name,
            "number": cert.number,
            "venue": venue.name,
            "issued": uk_date(cert.issued_on),
            "expires": uk_date(cert.expires_on) if cert.expires_on else None,
        },
        attachments=(
            Attachment(f"certificate-{cert.number}.pdf", "application/pdf", pdf_for(tx, cert)),
        ),
        dedupe_key=f"certificate:{cert.number}",
    )


def _next_sessions(tx: Session, course_id: str, venue_id: str, after: datetime) -> list[Any]:
    return list(
        tx.scalars(
            select(CourseSession)
            .where(
                CourseSession.course_id == course_id,
                CourseSession.venue_id == venue_id,
                CourseSession.status == SessionStatus.SCHEDULED,
                CourseSession.start_at > after,
            )
            .order_by(CourseSession.start_at)
            .limit(NEXT_SESSIONS)
        ).unique()
    )


def reminder_context(tx: Session, cert: Certificate, days_left: int) -> dict[str, Any]:
    """What a renewal reminder says: requalification course, next dates, the expiry rule."""
    course = tx.get_one(Course, cert.course_id)
    venue = tx.get_one(Venue, cert.venue_id)
    requal = tx.get(Course, course.requalification_id) if course.requalification_id else None
    full = tx.get(Course, course.requalifies_id) if course.requalifies_id else course
    strict = bool(course.full_course_after_expiry or (full and full.full_course_after_expiry))
    offered = requal or course
    sessions = _next_sessions(tx, offered.id, venue.id, now())
    return {
        "name": cert.attendee.name,
        "course": cert.course_name,
        "number": cert.number,
        "expires": uk_date(cert.expires_on) if cert.expires_on else "",
        "days_left": days_left,
        "venue": venue.name,
        "requalification": offered.name,
        "requalification_id": offered.id,
        "sessions": [
            {"id": s.id, "start": uk_datetime(s.start_at), "free": max(0, s.capacity - s.booked)}
            for s in sessions
        ],
        "full_course_after_expiry": strict,
        "full_course": full.name if full else course.name,
    }


def send_due_reminders(tx: Session, today: date | None = None) -> int:
    """Queue every renewal reminder now due; each certificate gets each reminder once.

    When a certificate is already inside 30 days and the 90-day reminder never went, only
    the 30-day reminder is sent (two emails at once would be noise).
    """
    today = today or today_london()
    sent = 0
    due = tx.scalars(
        select(Certificate)
        .where(
            Certificate.expires_on.is_not(None),
            Certificate.expires_on > today,
            Certificate.expires_on <= today + timedelta(days=REMINDER_DAYS[0]),
            or_(Certificate.reminded_90_at.is_(None), Certificate.reminded_30_at.is_(None)),
        )
        .order_by(Certificate.expires_on)
    )
    stamp = now()
    for cert in due:
        assert cert.expires_on is not None
        left = (cert.expires_on - today).days
        days = 30 if left <= 30 else 90
        if (days == 30 and cert.reminded_30_at) or (days == 90 and cert.reminded_90_at):
            continue
        person = tx.get_one(Attendee, cert.attendee_id)
        enqueue(
            tx,
            template="renewal_reminder",
            to=person.email,
            context=reminder_context(tx, cert, left),
            dedupe_key=f"renewal:{cert.number}:{days}",
        )
        cert.reminded_90_at = cert.reminded_90_at or stamp
        if days == 30:
            cert.reminded_30_at = stamp
        sent += 1
    tx.flush()
    return sent
