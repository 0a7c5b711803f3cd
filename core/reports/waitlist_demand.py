"""Waiting-list demand by month, course and venue, for the forecast report.

People waiting counts entries still waiting or holding an offer; seats wanted is what they
asked for; converted counts entries that accepted an offer. Months are the sessions'.
"""

from __future__ import annotations

from datetime import date, time, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from core.infra.clock import london
from core.models import CourseSession, WaitlistEntry
from core.reports.localtime import month_key

Key = tuple[str, str, str]  # month, course id, venue id


def demand(
    tx: Session, first: date, last: date, venue: str | None = None, course: str | None = None
) -> dict[Key, tuple[int, int, int]]:
    """(people waiting, seats wanted, converted) per month, course and venue."""
    month = month_key(CourseSession.start_at)
    open_ = WaitlistEntry.status.in_(("waiting", "offered"))
    stmt = (
        select(
            month,
            CourseSession.course_id,
            CourseSession.venue_id,
            func.sum(case((open_, 1), else_=0)),
            func.sum(case((open_, WaitlistEntry.seats), else_=0)),
            func.sum(case((WaitlistEntry.status == "accepted", 1), else_=0)),
        )
        .join(CourseSession, CourseSession.id == WaitlistEntry.session_id)
        .where(
            CourseSession.start_at >= london(first, time.min),
            CourseSession.start_at < london(last + timedelta(days=1), time.min),
        )
        .group_by(month, CourseSession.course_id, CourseSession.venue_id)
    )
    if venue:
        stmt = stmt.where(CourseSession.venue_id == venue)
    if course:
        stmt = stmt.where(CourseSession.course_id == course)
    return {
        (m, c, v): (int(people or 0), int(seats or 0), int(won or 0))
        for m, c, v, people, seats, won in tx.execute(stmt)
    }
