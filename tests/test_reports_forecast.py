"""Requalification demand: certificates due per month, course and venue against seats on sale."""

from __future__ import annotations

from datetime import date, timedelta

from core import reports
from core.booking import bookings
from core.booking.attendees import parse_attendees
from core.infra.clock import today_london
from core.infra.db import Database
from core.models import CourseSession
from core.reports import ReportFilter
from tests.factories import make_session
from tests.reports_data import DESK, certify, month_start, people


def test_forecast_counts_due_certificates_and_sessions_to_add(any_db: Database) -> None:
    today = today_london()
    in_two, in_four = month_start(today, 2), month_start(today, 4)
    certify(any_db, "faw", "leeds", [in_two + timedelta(days=14)] * 3)
    certify(any_db, "efaw", "leeds", [in_two + timedelta(days=3)])
    certify(any_db, "paediatric", "york", [in_four + timedelta(days=9)] * 8)
    certify(any_db, "paediatric", "york", [in_four + timedelta(days=20)] * 6)
    # outside the next 12 months: lapsed last year, and due in 13 months
    certify(any_db, "efaw", "leeds", [today - timedelta(days=365), month_start(today, 13)])
    # not due any more: person 701 has since requalified, person 700 is booked already
    certify(any_db, "faw", "leeds", [in_two + timedelta(days=2)] * 2, first_person=700)
    certify(any_db, "faw-requal", "leeds", [today + timedelta(days=3 * 365)], first_person=701)
    # already on sale: a FAW requalification at Leeds that month, 10 + person 700 of 12 sold
    sid = make_session(
        any_db, course="faw-requal", venue="leeds", first_day=in_two + timedelta(days=7)
    )
    with any_db.write() as tx:
        session = tx.get_one(CourseSession, sid)
        sold = [*people(500, 10), *people(700, 1)]
        bookings.record_booking(tx, session, parse_attendees(sold), DESK)

    with any_db.read() as tx:
        report = reports.run(tx, "forecast")
    got = {
        (r["month"], r["course_id"], r["venue_id"]): (
            r["due"],
            r["sessions"],
            r["free_seats"],
            r["shortfall"],
            r["extra_sessions"],
        )
        for r in report.rows
    }
    m2, m4 = in_two.strftime("%Y-%m"), in_four.strftime("%Y-%m")
    assert got == {
        (m2, "faw-requal", "leeds"): (3, 1, 1, 2, 1),  # 3 due, 1 seat left: one more session
        (m2, "efaw-requal", "leeds"): (1, 0, 0, 1, 1),
        (m4, "paediatric-requal", "york"): (14, 0, 0, 14, 2),  # 14 people: two sessions of 12
    }
    assert report.totals is not None and report.totals["extra_sessions"] == 4
    assert report.filters["date_from"] == today.replace(day=1).isoformat()

    with any_db.read() as tx:
        leeds_faw = reports.run(tx, "forecast", ReportFilter(venue="leeds", course="faw"))
    assert [r["course_id"] for r in leeds_faw.rows] == ["faw-requal"]


def test_forecast_honours_an_explicit_window(any_db: Database) -> None:
    today = today_london()
    certify(any_db, "efaw", "hull", [month_start(today, 6) + timedelta(days=1)])
    window = ReportFilter(date_from=month_start(today, 1), date_to=month_start(today, 3))
    with any_db.read() as tx:
        assert reports.run(tx, "forecast", window).rows == []
        assert len(reports.run(tx, "forecast").rows) == 1
    assert isinstance(window.date_from, date)
