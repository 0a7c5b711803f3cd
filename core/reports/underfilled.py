"""Under-filled sessions: at most half full with a week or less to go, so someone should act."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.infra.clock import now
from core.models import Course, CourseSession, User, Venue
from core.models.statuses import SessionStatus
from core.reports.localtime import clock_time, day_key
from core.reports.model import Column, Report, ReportFilter, percent

WARNING_DAYS = 7


def short_date(iso: str) -> str:
    """``Thu 26 Nov`` for a chart label."""
    day = date.fromisoformat(iso)
    return f"{day:%a} {day.day} {day:%b}"


def underfilled(tx: Session, flt: ReportFilter, by: str | None) -> Report:
    """Sessions not yet started, starting within a week, with booked seats <= half capacity."""
    at = now()
    stmt = ReportFilter(venue=flt.venue, course=flt.course).apply(  # dates: always next week
        select(
            CourseSession.id,
            day_key(CourseSession.start_at),
            clock_time(CourseSession.start_at),
            Course.name,
            Venue.name,
            User.name,
            CourseSession.capacity,
            CourseSession.booked,
        )
        .join(Course, Course.id == CourseSession.course_id)
        .join(Venue, Venue.id == CourseSession.venue_id)
        .outerjoin(User, User.id == CourseSession.trainer_id)
        .where(
            CourseSession.status != SessionStatus.CANCELLED,
            CourseSession.start_at > at,
            CourseSession.start_at <= at + timedelta(days=WARNING_DAYS),
            CourseSession.booked * 2 <= CourseSession.capacity,
        )
        .order_by(CourseSession.start_at, CourseSession.id)
    )
    rows = [
        {
            "group_id": str(sid),
            "group": f"{short_date(day)}, {venue}",
            "session_id": sid,
            "date": day,
            "start_time": start,
            "course": course,
            "venue": venue,
            "trainer": trainer or "(no trainer)",
            "capacity": capacity,
            "booked": booked,
            "free": capacity - booked,
            "fill_pct": percent(booked, capacity),
        }
        for sid, day, start, course, venue, trainer, capacity, booked in tx.execute(stmt)
    ]
    return Report(
        name="underfilled",
        title="Under-filled sessions needing action",
        by=None,
        columns=[
            Column("session_id", "Session"),
            Column("date", "Date", "date"),
            Column("start_time", "Start", "text"),
            Column("course", "Course", "text"),
            Column("venue", "Venue", "text"),
            Column("trainer", "Trainer", "text"),
            Column("capacity", "Seats"),
            Column("booked", "Booked"),
            Column("free", "Unsold"),
            Column("fill_pct", "Full", "pct"),
        ],
        rows=rows,
        chart={
            "type": "bar",
            "x": "group",
            "series": ["fill_pct"],
            "x_label": "Session",
            "y_label": "Seats booked (% of capacity)",
            "kind": "pct",
        },
        filters={"date_from": None, "date_to": None},
        notes=[
            f"Sessions starting in the next {WARNING_DAYS} days that are at most half full.",
            "Cancelled sessions are excluded.",
        ],
    )
