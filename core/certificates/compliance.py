"""Who at an employer holds which certificate until when, what to book next, and the 90- and
30-day expiry emails to the employer's expiry contact (one email listing all staff due).

Status: ``expired`` on or after the expiry date, ``expiring`` within 90 days of it, else
``valid`` (``no_expiry`` for courses without one). Next: the requalification course while
the certificate is valid, the full course once it has expired where the course requires it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.infra.clock import now, today_london, uk_date
from core.journal.audit import csv_cell
from core.models import Attendee, Booking, Course
from core.models.attendance import Certificate
from core.models.organisations import Organisation, OrganisationReminder
from core.notify.outbox import enqueue
from core.organisations.directory import contacts_for, get

EXPIRING_DAYS = 90
REMINDER_DAYS = (90, 30)


@dataclass(frozen=True)
class Holding:
    attendee: str
    email: str
    course: str
    certificate: str
    expires: str | None
    status: str
    next: str
    days_left: int | None
    certificate_id: int

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if k != "certificate_id"}


def _status(expires: date | None, today: date) -> str:
    if expires is None:
        return "no_expiry"
    if expires <= today:
        return "expired"
    return "expiring" if expires <= today + timedelta(days=EXPIRING_DAYS) else "valid"


def _next(tx: Session, course: Course, status: str) -> str:
    base = tx.get(Course, course.requalifies_id) if course.requalifies_id else course
    base = base or course
    requal = tx.get(Course, base.requalification_id) if base.requalification_id else None
    if status == "expired" and (base.full_course_after_expiry or requal is None):
        return base.name
    return (requal or base).name


def holdings(tx: Session, org_id: int, today: date | None = None) -> list[Holding]:
    """Each employee's latest certificate per course family, soonest expiry first."""
    today = today or today_london()
    get(tx, org_id)
    rows = tx.execute(
        select(Certificate, Attendee)
        .join(Attendee, Attendee.id == Certificate.attendee_id)
        .join(Booking, Booking.id == Certificate.booking_id)
        .where(Booking.organisation_id == org_id)
        .order_by(Certificate.issued_on)
    ).all()
    latest: dict[tuple[str, str], tuple[Certificate, Attendee, Course]] = {}
    for cert, person in rows:
        course = tx.get_one(Course, cert.course_id)
        family = course.requalifies_id or course.id
        latest[(person.email_hash, family)] = (cert, person, course)
    found = []
    for cert, person, course in latest.values():
        status = _status(cert.expires_on, today)
        found.append(
            Holding(
                attendee=person.name,
                email=person.email,
                course=cert.course_name,
                certificate=cert.number,
                expires=cert.expires_on.isoformat() if cert.expires_on else None,
                status=status,
                next=_next(tx, course, status),
                days_left=(cert.expires_on - today).days if cert.expires_on else None,
                certificate_id=cert.id,
            )
        )
    return sorted(found, key=lambda h: (h.expires or "9999", h.attendee))


def to_csv(found: list[Holding]) -> str:
    """The view as CSV, safe to open in a spreadsheet (a name is never run as a formula)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["attendee", "course", "certificate", "expires", "status", "next"])
    for h in found:
        cells = (h.attendee, h.course, h.certificate, h.expires, h.status, h.next)
        writer.writerow([csv_cell(c) for c in cells])
    return out.getvalue()


def to_pdf(org_name: str, found: list[Holding], today: date | None = None) -> bytes:
    """The compliance table as an A4 PDF (reportlab, the reports' style)."""
    from reportlab.lib import colors
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, Table, TableStyle

    from core.reports.pdf import HEADER, STRIPE, document

    today = today or today_london()
    buffer = io.BytesIO()
    doc = document(buffer, f"First-aid compliance: {org_name}")
    styles = getSampleStyleSheet()
    body: list[list[str]] = [["Attendee", "Course", "Expires", "Status", "Book next"]]
    body += [
        [
            h.attendee,
            h.course,
            uk_date(date.fromisoformat(h.expires)) if h.expires else "none",
            h.status.replace("_", " "),
            h.next,
        ]
        for h in found
    ] or [["No certificates held yet.", "", "", "", ""]]
    table = Table(body, repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("BACKGROUND", (0, 0), (-1, 0), HEADER),
                ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, STRIPE]),
            ]
        )
    )
    doc.build(
        [
            Paragraph(f"First-aid compliance: {org_name}", styles["Title"]),
            Paragraph(f"Certificates held on {uk_date(today)}.", styles["Normal"]),
            table,
        ]
    )
    return buffer.getvalue()


def send_organisation_reminders(tx: Session, today: date | None = None) -> int:
    """Email each employer's expiry contacts the staff whose certificates reach 90 or 30 days
    from expiry; each certificate is listed once per threshold. Returns emails queued."""
    today = today or today_london()
    sent = 0
    stamp = now()
    for org_id in list(tx.scalars(select(Organisation.id).order_by(Organisation.id))):
        # another process (a second server's loop, `rft certificate remind`) may be queuing
        # the same reminders: wait for it, then see what it recorded as sent
        tx.execute(select(Organisation.id).where(Organisation.id == org_id).with_for_update())
        done = set(
            tx.execute(
                select(OrganisationReminder.certificate_id, OrganisationReminder.days).where(
                    OrganisationReminder.organisation_id == org_id
                )
            ).tuples()
        )
        due = []
        for h in holdings(tx, org_id, today):
            if h.days_left is None or not 0 < h.days_left <= REMINDER_DAYS[0]:
                continue
            days = 30 if h.days_left <= 30 else 90
            if (h.certificate_id, days) not in done:
                due.append((h, days))
        if not due:
            continue
        org = get(tx, org_id)
        for h, days in due:
            tx.add(
                OrganisationReminder(
                    organisation_id=org.id,
                    certificate_id=h.certificate_id,
                    days=days,
                    sent_at=stamp,
                )
            )
        staff = [
            {
                "attendee": h.attendee,
                "course": h.course,
                "expires": uk_date(date.fromisoformat(h.expires or "")),
                "days_left": h.days_left,
                "next": h.next,
            }
            for h, _ in due
        ]
        for contact in contacts_for(org, "expiry"):
            enqueue(
                tx,
                template="organisation_expiry_reminder",
                to=contact.email,
                context={"name": contact.name, "org": org.name, "staff": staff},
                dedupe_key=f"org-expiry:{org.id}:{contact.id}:{stamp.isoformat()}",
            )
            sent += 1
    tx.flush()
    return sent
