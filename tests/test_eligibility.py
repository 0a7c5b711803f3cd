"""Requalification courses are for people whose certificate is in date or only just out:
one rule for every booking path, with declared certificates and audited staff overrides."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from core.booking import bookings
from core.booking.eligibility import DeclaredCertificate, EligibilityInput, NotEligible
from core.catalogue.specs import load_catalogue
from core.infra.actor import Actor
from core.infra.clock import LONDON
from core.infra.db import Database
from core.infra.errors import CatalogueError, Forbidden, ValidationFailed
from core.infra.resources import resource
from core.journal import audit
from core.models import Booking, Course, CourseSession
from core.seats import holds
from tests.factories import make_session, person
from tests.waitlist_support import DESK, certify

WEB = Actor("website", None, "website")


def course_day(db: Database, sid: int) -> date:
    with db.read() as tx:
        return tx.get_one(CourseSession, sid).start_at.astimezone(LONDON).date()


def booked(db: Database, sid: int) -> int:
    with db.read() as tx:
        return int(tx.scalar(select(func.count()).where(Booking.session_id == sid)) or 0)


def test_no_certificate_is_refused_with_the_full_course_offered(any_db: Database) -> None:
    sid = make_session(any_db, course="faw-requal")
    with pytest.raises(NotEligible) as refused, any_db.write() as tx:
        bookings.book_now(tx, sid, [person(1)], DESK)
    assert "no First Aid at Work certificate on record" in refused.value.message
    assert "book First Aid at Work instead" in refused.value.message
    assert refused.value.data["full_course"] == "faw"
    assert booked(any_db, sid) == 0


@pytest.mark.parametrize(("days_out", "allowed"), [(-30, True), (0, True), (28, True), (29, False)])
def test_a_certificate_may_have_run_out_up_to_the_grace_period(
    sqlite_db: Database, days_out: int, allowed: bool
) -> None:
    sid = make_session(sqlite_db, course="efaw-requal", days_ahead=20)
    expiry = course_day(sqlite_db, sid) - timedelta(days=days_out)
    certify(sqlite_db, "person1@example.com", "efaw", expiry)
    with sqlite_db.write() as tx:
        hold = holds.create_hold(tx, sid, 1, DESK)
    if allowed:
        with sqlite_db.write() as tx:
            bookings.confirm_hold(tx, hold.id, [person(1)], DESK)
        assert booked(sqlite_db, sid) == 1
    else:
        with pytest.raises(NotEligible, match="more than 28 days"), sqlite_db.write() as tx:
            bookings.confirm_hold(tx, hold.id, [person(1)], DESK)
        assert booked(sqlite_db, sid) == 0


def test_the_grace_period_is_the_courses_own(sqlite_db: Database) -> None:
    sid = make_session(sqlite_db, course="efaw-requal", days_ahead=20)
    certify(
        sqlite_db, "person1@example.com", "efaw", course_day(sqlite_db, sid) - timedelta(days=5)
    )
    with sqlite_db.write() as tx:
        tx.execute(
            update(Course).where(Course.id == "efaw-requal").values(requalification_grace_days=3)
        )
    with pytest.raises(NotEligible, match="more than 3 days"), sqlite_db.write() as tx:
        bookings.book_now(tx, sid, [person(1)], DESK)


def test_one_ineligible_person_refuses_the_whole_group(sqlite_db: Database) -> None:
    sid = make_session(sqlite_db, course="efaw-requal", days_ahead=20)
    certify(
        sqlite_db, "person1@example.com", "efaw", course_day(sqlite_db, sid) + timedelta(days=100)
    )
    with pytest.raises(NotEligible, match="Attendee 2 ") as refused, sqlite_db.write() as tx:
        bookings.book_now(tx, sid, [person(1), person(2)], DESK)
    assert "Attendee 1" not in refused.value.message
    assert booked(sqlite_db, sid) == 0


def test_staff_declare_another_bodys_certificate_and_it_is_audited(sqlite_db: Database) -> None:
    sid = make_session(sqlite_db, course="faw-requal", days_ahead=20)
    claim = DeclaredCertificate(attendee=1, number="STJ-889911", expires=course_day(sqlite_db, sid))
    with sqlite_db.write() as tx:
        ref = bookings.book_now(
            tx, sid, [person(1)], DESK, claims=EligibilityInput(certificates=[claim])
        ).reference
    with sqlite_db.read() as tx:
        found = [audit.to_json(e) for e in audit.entries(tx, audit.AuditFilter(entity_id=ref))]
    assert [(e["action"], e["after"]["number"]) for e in found] == [
        ("eligibility.declared", "STJ-889911")
    ]


def test_a_declared_number_of_ours_must_exist(sqlite_db: Database) -> None:
    sid = make_session(sqlite_db, course="faw-requal", days_ahead=20)
    claim = DeclaredCertificate(attendee=1, number="RFT-C2024-999999", expires=date(2030, 1, 1))
    with pytest.raises(ValidationFailed, match="no certificate numbered"), sqlite_db.write() as tx:
        bookings.book_now(tx, sid, [person(1)], DESK, claims=EligibilityInput(certificates=[claim]))
    assert booked(sqlite_db, sid) == 0


def test_a_declared_number_of_ours_uses_our_expiry_not_the_typed_one(sqlite_db: Database) -> None:
    sid = make_session(sqlite_db, course="faw-requal", days_ahead=20)
    number = certify(
        sqlite_db, "other@example.com", "faw", course_day(sqlite_db, sid) - timedelta(days=60)
    )
    claim = DeclaredCertificate(attendee=1, number=number.lower(), expires=date(2099, 1, 1))
    with pytest.raises(NotEligible, match="more than 28 days"), sqlite_db.write() as tx:
        bookings.book_now(tx, sid, [person(1)], DESK, claims=EligibilityInput(certificates=[claim]))


def test_a_staff_override_books_and_shows_in_the_audit_log(any_db: Database) -> None:
    sid = make_session(any_db, course="faw-requal")
    claims = EligibilityInput(override_reason="Certificate seen on paper, awarding body offline")
    with any_db.write() as tx:
        ref = bookings.book_now(tx, sid, [person(1)], DESK, claims=claims).reference
    with any_db.read() as tx:
        found = [audit.to_json(e) for e in audit.entries(tx, audit.AuditFilter(entity_id=ref))]
    assert found[0]["action"] == "eligibility.override"
    assert found[0]["reason"] == "Certificate seen on paper, awarding body offline"
    assert "no First Aid at Work certificate" in found[0]["after"]["refused"][0]


def test_the_website_may_not_override_and_sees_no_dates(sqlite_db: Database) -> None:
    sid = make_session(sqlite_db, course="efaw-requal", days_ahead=20)
    certify(
        sqlite_db, "person1@example.com", "efaw", course_day(sqlite_db, sid) - timedelta(days=90)
    )
    with sqlite_db.write() as tx:
        hold = holds.create_hold(tx, sid, 1, WEB)
    with pytest.raises(Forbidden), sqlite_db.write() as tx:
        bookings.confirm_hold(
            tx, hold.id, [person(1)], WEB, claims=EligibilityInput(override_reason="trust me")
        )
    with pytest.raises(NotEligible) as refused, sqlite_db.write() as tx:
        bookings.confirm_hold(tx, hold.id, [person(1)], WEB)
    assert "expired on" not in refused.value.message
    assert booked(sqlite_db, sid) == 0


def test_a_full_course_needs_no_certificate(sqlite_db: Database) -> None:
    sid = make_session(sqlite_db, course="faw")
    with sqlite_db.write() as tx:
        bookings.book_now(tx, sid, [person(1)], DESK)
    assert booked(sqlite_db, sid) == 1


def test_a_negative_grace_period_is_refused_by_the_catalogue(tmp_path: Path) -> None:
    raw = json.loads(resource("catalogue.json").read_text(encoding="utf-8"))
    raw["courses"][2]["requalification_grace_days"] = -1
    broken = tmp_path / "catalogue.json"
    broken.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(CatalogueError, match="faw-requal.*requalification_grace_days"):
        load_catalogue(broken)
