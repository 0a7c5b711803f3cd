"""Certificates: earned by full attendance and a competent outcome, issued once, emailed with
the PDF, listed and printed from the command line, and followed by renewal reminders."""

from __future__ import annotations

import base64
import json
import re
import zlib
from datetime import timedelta

import pytest
from sqlalchemy import select

from core.api import Call, dispatch
from core.certificates import issuing as certificates
from core.certificates.mail import send_due_reminders
from core.cli import main
from core.infra.clock import today_london
from core.infra.db import Database
from core.models.attendance import Certificate
from core.models.payments import OutboxMessage
from core.notify.outbox import decode_attachments
from tests.attendance_helpers import booked_session, full_marks, op, trainer
from tests.factories import make_session


def page_text(pdf: bytes) -> str:
    """The drawing commands of a ReportLab page (streams are ASCII85 + Flate encoded)."""
    out = []
    for chunk in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        raw = chunk.strip()
        if raw.endswith(b"~>"):
            out.append(zlib.decompress(base64.a85decode(raw, adobe=True)).decode("latin-1"))
    return "\n".join(out)


def mark(db: Database, who, ops: list[dict]) -> list[str]:
    result = dispatch(Call(db, who), "attendance.mark", {"ops": ops})
    return [r["status"] for r in result["results"]]


def issued(db: Database) -> list[Certificate]:
    with db.read() as tx:
        return list(tx.scalars(select(Certificate).order_by(Certificate.attendee_id)))


def outbox(db: Database, template: str) -> list[OutboxMessage]:
    with db.read() as tx:
        return list(tx.scalars(select(OutboxMessage).where(OutboxMessage.template == template)))


def test_full_attendance_and_competent_earns_a_certificate_emailed_with_its_pdf(
    any_db: Database,
) -> None:
    sarah = trainer(any_db)
    sid, (passes, absent) = booked_session(any_db, sarah, course="efaw")
    mark(any_db, sarah, full_marks(passes) + [op(absent, value="absent")])
    (cert,) = issued(any_db)
    with any_db.read() as tx:
        last_day = tx.get_one(Certificate, cert.id).issued_on
    assert cert.attendee_id == passes and cert.session_id == sid and cert.course_id == "efaw"
    assert cert.issued_on == last_day and cert.expires_on == last_day.replace(
        year=last_day.year + 3
    )
    assert cert.number == f"RFT-C{last_day.year}-{passes:06d}"
    (email,) = outbox(any_db, "certificate_issued")
    assert email.recipient == "person1@example.com" and cert.number in email.subject
    (pdf,) = decode_attachments(email.attachments)
    assert pdf.content_type == "application/pdf" and pdf.data.startswith(b"%PDF")


def test_arriving_late_or_not_yet_competent_earns_no_certificate(sqlite_db: Database) -> None:
    sarah = trainer(sqlite_db)
    sid, (late, nyc) = booked_session(sqlite_db, sarah)
    mark(
        sqlite_db,
        sarah,
        [
            op(late, value="late", time="10:30"),
            op(late, "outcome", "competent"),
            *full_marks(nyc, outcome="not_yet_competent"),
        ],
    )
    assert issued(sqlite_db) == []
    with sqlite_db.read() as tx:
        from core.attendance.register import register_of
        from core.models import CourseSession

        session = tx.get_one(CourseSession, sid)
        marks = register_of(tx, sid)
        assert certificates.missing(session, marks, late) == [
            "day 1: arrived late at 10:30, teaching hours missed"
        ]
        assert certificates.missing(session, marks, nyc) == ["final assessment: not yet competent"]


def test_a_certificate_is_never_issued_twice_for_one_attendance(sqlite_db: Database) -> None:
    sarah = trainer(sqlite_db)
    sid, (first, _) = booked_session(sqlite_db, sarah)
    mark(sqlite_db, sarah, full_marks(first))
    mark(sqlite_db, sarah, full_marks(first, device="laptop-2"))  # marked again elsewhere
    with sqlite_db.write() as tx:
        from core.models import CourseSession

        assert certificates.issue_eligible(tx, tx.get_one(CourseSession, sid)) == []
    assert len(issued(sqlite_db)) == 1 and len(outbox(sqlite_db, "certificate_issued")) == 1


def test_no_certificate_before_the_last_day_of_a_three_day_course(sqlite_db: Database) -> None:
    sarah = trainer(sqlite_db)
    sid = make_session(
        sqlite_db,
        course="faw",
        first_day=today_london() - timedelta(days=1),  # running now; ends on a later day
        trainer_email="sarah.holt@rft-training.co.uk",
    )
    from core.booking.attendees import parse_attendees
    from core.booking.bookings import record_booking
    from core.infra.actor import Actor
    from core.infra.clock import LONDON
    from core.models import CourseSession
    from core.seats.locking import lock_session
    from tests.factories import person

    with sqlite_db.write() as tx:
        booking = record_booking(
            tx, lock_session(tx, sid), parse_attendees([person(1)]), Actor("desk", "reception")
        )
        aid = booking.attendees[0].id
    assert mark(sqlite_db, sarah, full_marks(aid, days=3)) == ["applied"] * 4  # all days, passed
    assert issued(sqlite_db) == []  # earned, but the course has not had its last day yet

    with sqlite_db.write() as tx:
        session = tx.get_one(CourseSession, sid)
        last_day = session.end_at.astimezone(LONDON).date()
        assert last_day > today_london()
        assert certificates.issue_eligible(tx, session, today=last_day - timedelta(days=1)) == []
        on_last_day = certificates.issue_eligible(tx, session, today=last_day)
        assert [(c.attendee_id, c.issued_on) for c in on_last_day] == [(aid, last_day)]


def test_the_pdf_is_an_a4_page_naming_holder_course_and_number(sqlite_db: Database) -> None:
    sarah = trainer(sqlite_db)
    _, (first, _) = booked_session(sqlite_db, sarah, course="faw-requal", days_ahead=-7)
    mark(sqlite_db, sarah, full_marks(first, days=2))
    (cert,) = issued(sqlite_db)
    from core.certificates.pdf import pdf_for

    with sqlite_db.read() as tx:
        data = pdf_for(tx, cert)
    assert data.startswith(b"%PDF") and b"/MediaBox [ 0 0 841.8898 595.2756 ]" in data
    text = page_text(data)
    for shown in ("Test Person1", "FAW Requalification", cert.number, "Sarah Holt", "12 hours"):
        assert shown in text


def test_cli_lists_expiring_certificates_as_json_and_writes_the_pdf(
    sqlite_db: Database, capsys: pytest.CaptureFixture[str], tmp_path
) -> None:
    sarah = trainer(sqlite_db)
    _, (first, second) = booked_session(sqlite_db, sarah, course="cpr-aed")
    mark(sqlite_db, sarah, full_marks(first) + full_marks(second, outcome="referred"))
    (cert,) = issued(sqlite_db)
    assert (
        main(
            [
                "certificates",
                "--json",
                "--expiring-before",
                (today_london() + timedelta(days=400)).isoformat(),
            ],
            plugins=(),
        )
        == 0
    )
    (row,) = json.loads(capsys.readouterr().out)
    assert row["number"] == cert.number and row["attendee"] == "Test Person1"
    assert row["course"] == "CPR and AED" and row["issued"] == cert.issued_on.isoformat()
    assert row["expires"] == cert.expires_on.isoformat()
    assert (
        main(
            ["certificates", "--json", "--expiring-before", today_london().isoformat()], plugins=()
        )
        == 0
    )
    assert json.loads(capsys.readouterr().out) == []
    out = tmp_path / "cert.pdf"
    assert main(["certificate", "pdf", cert.number, "--out", str(out)], plugins=()) == 0
    assert out.read_bytes().startswith(b"%PDF")
    assert main(["certificate", "pdf", "RFT-C1999-000001", "--out", str(out)], plugins=()) == 1
    assert "no certificate numbered" in capsys.readouterr().err


def test_renewal_reminders_go_at_90_and_30_days_once_each(any_db: Database) -> None:
    sarah = trainer(any_db)
    _, (first, _) = booked_session(any_db, sarah, course="efaw")
    mark(any_db, sarah, full_marks(first))
    (cert,) = issued(any_db)
    assert cert.expires_on is not None
    upcoming = make_session(any_db, course="efaw-requal", days_ahead=20)
    with any_db.write() as tx:
        assert send_due_reminders(tx, cert.expires_on - timedelta(days=91)) == 0
        assert send_due_reminders(tx, cert.expires_on - timedelta(days=90)) == 1
        assert send_due_reminders(tx, cert.expires_on - timedelta(days=60)) == 0
        assert send_due_reminders(tx, cert.expires_on - timedelta(days=30)) == 1
        assert send_due_reminders(tx, cert.expires_on - timedelta(days=10)) == 0
    sent = outbox(any_db, "renewal_reminder")
    assert sorted(m.subject.split(" certificate expires in ")[1][:7] for m in sent) == [
        "30 days",
        "90 days",
    ]
    with any_db.read() as tx:
        from core.infra.clock import uk_datetime
        from core.models import CourseSession

        next_date = uk_datetime(tx.get_one(CourseSession, upcoming).start_at)
    body = " ".join(sent[0].body_text.split())
    assert "book the EFAW Requalification" in body and "at Leeds, where you trained" in body
    assert next_date in body
    assert "take the full Emergency First Aid at Work course again" in body


def test_erasing_a_person_blanks_their_certificate_name_and_register_notes(
    sqlite_db: Database,
) -> None:
    from core.attendance import personal_data
    from core.customers.privacy import erase_person
    from core.infra.actor import Actor

    sarah = trainer(sqlite_db)
    _, (first, _) = booked_session(sqlite_db, sarah)
    mark(sqlite_db, sarah, [*full_marks(first), op(first, "note", "Pregnant: adapted CPR")])
    with sqlite_db.read() as tx:
        exported = personal_data.export_for(tx, [first])
    assert {r["value"] for r in exported["register"]} >= {"present", "Pregnant: adapted CPR"}
    assert len(exported["certificates"]) == 1
    with sqlite_db.write() as tx:
        erase_person(tx, "person1@example.com", Actor("Office", "admin"))
        assert personal_data.erase_for(tx, [first]) == 2
    with sqlite_db.read() as tx:
        (cert,) = certificates.list_certificates(tx)
        assert cert.attendee == "(erased)"
        notes = [
            r for r in personal_data.export_for(tx, [first])["register"] if r["field"] == "note"
        ]
        assert notes == [
            {"attendee_id": first, "day": 1, "field": "note", "value": None, "time": None}
        ]
