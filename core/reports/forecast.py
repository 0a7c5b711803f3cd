"""Demand forecast: certificates falling due per month, course and venue, against seats on sale.

A certificate expiring in a month makes its holder due that month for the course's
requalification course (the course itself when it has none), unless the same person has
since been certified again in that course family or is already booked on a future session
of the requalification course. Seats already scheduled are
the unsold seats of future, not cancelled sessions of that course at that venue in that
month; whatever demand is left over needs extra sessions of 12 seats.
"""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from core.infra.clock import london, now, today_london
from core.models import MAX_CAPACITY, Attendee, Booking, Course, CourseSession, Venue
from core.models.attendance import Certificate
from core.models.statuses import BookingStatus, SessionStatus
from core.reports.dimensions import month_label
from core.reports.localtime import date_month, month_key
from core.reports.model import Column, Report, ReportFilter
from core.reports.waitlist_demand import demand

MONTHS = 12
Key = tuple[str, str, str]  # month, course id, venue id


def forecast_window(today: date) -> tuple[date, date]:
    """The rest of this month and the 11 months after it."""
    first = today.replace(day=1)
    year, month = divmod(first.month - 1 + MONTHS, 12)
    return first, date(first.year + year, month + 1, 1) - timedelta(days=1)


def _due(tx: Session, flt: ReportFilter) -> dict[Key, int]:
    """Certificates expiring in the window, less holders who already requalified or rebooked.

    A holder is the same person when an attendee's email (its keyed hash) matches.
    """
    target = func.coalesce(Course.requalification_id, Course.id)
    family = func.coalesce(Course.requalifies_id, Course.id)
    holder = aliased(Attendee)
    later, later_holder, later_course = aliased(Certificate), aliased(Attendee), aliased(Course)
    requalified = exists().where(
        later_holder.id == later.attendee_id,
        later_holder.email_hash == holder.email_hash,
        later_course.id == later.course_id,
        func.coalesce(later_course.requalifies_id, later_course.id) == family,
        later.issued_on > Certificate.issued_on,
    )
    again = aliased(Attendee)
    rebooked = exists().where(
        again.email_hash == holder.email_hash,
        Booking.id == again.booking_id,
        Booking.status != BookingStatus.CANCELLED,
        CourseSession.id == Booking.session_id,
        CourseSession.course_id == target,
        CourseSession.start_at > now(),
    )
    month = date_month(Certificate.expires_on)
    stmt = (
        select(month, target, Certificate.venue_id, func.count(Certificate.id))
        .join(Course, Course.id == Certificate.course_id)
        .join(holder, holder.id == Certificate.attendee_id)
        .where(
            Certificate.expires_on >= flt.date_from,
            Certificate.expires_on <= flt.date_to,
            ~requalified,
            ~rebooked,
        )
        .group_by(month, target, Certificate.venue_id)
    )
    if flt.venue:
        stmt = stmt.where(Certificate.venue_id == flt.venue)
    if flt.course:
        stmt = stmt.where(or_(Certificate.course_id == flt.course, target == flt.course))
    return {(m, c, v): int(n) for m, c, v, n in tx.execute(stmt)}


def _scheduled(tx: Session, flt: ReportFilter) -> dict[Key, tuple[int, int]]:
    assert flt.date_from and flt.date_to
    month = month_key(CourseSession.start_at)
    stmt = (
        select(
            month,
            CourseSession.course_id,
            CourseSession.venue_id,
            func.count(CourseSession.id),
            func.sum(CourseSession.capacity - CourseSession.booked),
        )
        .where(
            CourseSession.status != SessionStatus.CANCELLED,
            CourseSession.start_at > now(),
            CourseSession.start_at >= london(flt.date_from, time.min),
            CourseSession.start_at < london(flt.date_to + timedelta(days=1), time.min),
        )
        .group_by(month, CourseSession.course_id, CourseSession.venue_id)
    )
    if flt.venue:
        stmt = stmt.where(CourseSession.venue_id == flt.venue)
    return {(m, c, v): (int(n), int(free or 0)) for m, c, v, n, free in tx.execute(stmt)}


def forecast(tx: Session, flt: ReportFilter, by: str | None) -> Report:
    flt = flt.with_default_range(*forecast_window(today_london()))
    due = _due(tx, flt)
    scheduled = _scheduled(tx, flt)
    assert flt.date_from and flt.date_to
    waiting = demand(tx, flt.date_from, flt.date_to, flt.venue, flt.course)
    courses = dict(tx.execute(select(Course.id, Course.name)).tuples().all())
    venues = dict(tx.execute(select(Venue.id, Venue.name)).tuples().all())
    rows: list[dict[str, Any]] = []
    for key in sorted(
        due.keys() | waiting.keys(), key=lambda k: (k[0], courses[k[1]], venues[k[2]])
    ):
        month, course, venue = key
        sessions, free = scheduled.get(key, (0, 0))
        people, wanted, converted = waiting.get(key, (0, 0, 0))
        short = max(0, due.get(key, 0) + wanted - free)
        rows.append(
            {
                "group_id": "/".join(key),
                "group": f"{month_label(month)} {courses[course]} at {venues[venue]}",
                "month": month,
                "course_id": course,
                "course": courses[course],
                "venue_id": venue,
                "venue": venues[venue],
                "due": due.get(key, 0),
                "waiting": people,
                "seats_wanted": wanted,
                "converted": converted,
                "sessions": sessions,
                "free_seats": free,
                "shortfall": short,
                "extra_sessions": -(-short // MAX_CAPACITY),
            }
        )
    measures = (
        "due",
        "waiting",
        "seats_wanted",
        "converted",
        "sessions",
        "free_seats",
        "shortfall",
        "extra_sessions",
    )
    totals: dict[str, Any] = {"group_id": "", "group": "Total"}
    totals |= {k: sum(r[k] for r in rows) for k in measures}
    return Report(
        name="forecast",
        title="Requalification demand forecast",
        by=None,
        columns=[
            Column("month", "Month", "month"),
            Column("course", "Course", "text"),
            Column("venue", "Venue", "text"),
            Column("due", "Certificates due"),
            Column("waiting", "People waiting"),
            Column("seats_wanted", "Seats wanted (waiting list)"),
            Column("converted", "Waiting list converted"),
            Column("sessions", "Sessions scheduled"),
            Column("free_seats", "Seats on sale"),
            Column("shortfall", "Seats short"),
            Column("extra_sessions", "Extra sessions needed"),
        ],
        rows=rows,
        chart={
            "type": "bar",
            "x": "month",
            "series": ["due", "free_seats"],
            "aggregate": "sum",
            "x_label": "Month",
            "y_label": "People / seats",
            "kind": "int",
        },
        filters={
            "date_from": flt.date_from.isoformat() if flt.date_from else None,
            "date_to": flt.date_to.isoformat() if flt.date_to else None,
        },
        totals=totals if rows else None,
        notes=[
            "Due: certificates expiring that month, mapped to the requalification course; "
            "people already requalified or rebooked are left out.",
            "Waiting: people on a waiting list for that month's sessions; seats short counts "
            "the seats they want as well as the certificates due.",
            f"Extra sessions: seats short divided by {MAX_CAPACITY}, rounded up.",
        ],
    )
