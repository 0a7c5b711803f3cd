"""Waiting-list demand joins the forecast, so managers see where to add sessions."""

from __future__ import annotations

from core import reports
from core.booking import bookings
from core.booking.waitlist import entries
from core.infra.clock import LONDON
from core.infra.db import Database
from core.models import CourseSession
from core.reports import ReportFilter
from tests.waitlist_support import DESK, full_session, join


def test_people_waiting_seats_wanted_and_converted_show_by_course_and_venue(
    any_db: Database,
) -> None:
    sid, refs = full_session(any_db, [2, 2], venue="york", days_ahead=20)
    first = join(any_db, sid, 2, "first")
    join(any_db, sid, 3, "group")
    join(any_db, sid, 1, "single")
    with any_db.write() as tx:
        bookings.cancel(tx, refs[0], DESK)  # offered to "first" (2 seats)
    with any_db.write() as tx:
        entries.accept(tx, first, DESK)
    with any_db.read() as tx:
        start = tx.get_one(CourseSession, sid).start_at.astimezone(LONDON)
        report = reports.run(tx, "forecast", ReportFilter(venue="york"))
    [row] = report.rows
    assert (row["month"], row["course_id"], row["venue_id"]) == (
        start.strftime("%Y-%m"),
        "efaw",
        "york",
    )
    assert (row["waiting"], row["seats_wanted"], row["converted"]) == (2, 4, 1)
    # the 2 seats given back are on sale (held for "first"); 4 wanted - 2 = 2 short
    assert (row["due"], row["free_seats"], row["shortfall"], row["extra_sessions"]) == (0, 2, 2, 1)
    assert "waiting" in [c.key for c in report.columns]
