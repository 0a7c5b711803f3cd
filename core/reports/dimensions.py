"""The ways a report can be grouped (``--by``): SQL key expressions plus how to label them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, case, literal_column
from sqlalchemy.sql.elements import ColumnElement

from core.infra.errors import ValidationFailed
from core.models import Booking, Course, CourseSession, User, Venue
from core.reports.localtime import clock_time, days_between, month_key, week_key, weekday_no
from core.reports.model import Column, Kind

WEEKDAYS = ("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat")
LEAD_BUCKETS = ((7, "0-6 days"), (14, "7-13 days"), (28, "2-3 weeks"), (56, "4-7 weeks"))
LEAD_LAST = "8 weeks or more"


@dataclass(frozen=True)
class Dimension:
    """One grouping: key expressions to SELECT and GROUP BY, joins they need, and labels."""

    name: str
    title: str
    kind: Kind
    keys: Callable[[], list[Any]]  # SQL expressions
    join: Callable[[Select[Any]], Select[Any]]
    describe: Callable[[Sequence[Any]], tuple[str, str]]  # key values -> (group_id, group)
    extra: Callable[[Sequence[Any]], dict[str, Any]] = lambda _: {}
    order: Callable[[dict[str, Any]], Any] = lambda r: (
        r["group"][:1] == "(",
        r["group"].casefold(),
    )


def by_id(row: dict[str, Any]) -> Any:
    return row["group_id"]


def _same(stmt: Select[Any]) -> Select[Any]:
    return stmt


def lead_days() -> ColumnElement[int]:
    """Days from the booking being made to the course's first day (London dates)."""
    return days_between(CourseSession.start_at, Booking.created_at)


def lead_bucket(days: ColumnElement[int]) -> ColumnElement[Any]:
    """0-4: the index of the lead-time band ``days`` falls in (see LEAD_BUCKETS)."""
    return case(
        *(
            (days < literal_column(str(limit)), literal_column(str(i)))
            for i, (limit, _) in enumerate(LEAD_BUCKETS)
        ),
        else_=literal_column(str(len(LEAD_BUCKETS))),
    )


def _bucket_label(index: int) -> str:
    return LEAD_BUCKETS[index][1] if index < len(LEAD_BUCKETS) else LEAD_LAST


def _weekday_label(values: Sequence[Any]) -> tuple[str, str]:
    day, at = int(values[0]), values[1]
    iso_day = 7 if day == 0 else day
    return f"{iso_day}-{at}", f"{WEEKDAYS[day]} {at}"


def _catalogue_entry(
    name: str, title: str, model: type[Venue] | type[Course], session_fk: Any
) -> Dimension:
    """Group by a catalogue entry (venue or course) the session points at, labelled by name."""
    return Dimension(
        name,
        title,
        "text",
        lambda: [model.name, session_fk],
        lambda s: s.join(model, model.id == session_fk),
        lambda v: (v[1], v[0]),
    )


def _start_period(
    name: str, title: str, kind: Kind, key: Callable[[Any], ColumnElement[str]]
) -> Dimension:
    """Group by the period (month, week) the session starts in, in time order."""
    return Dimension(
        name,
        title,
        kind,
        lambda: [key(CourseSession.start_at)],
        _same,
        lambda v: (v[0], v[0]),
        order=by_id,
    )


DIMENSIONS: dict[str, Dimension] = {
    d.name: d
    for d in (
        _catalogue_entry("venue", "Venue", Venue, CourseSession.venue_id),
        _catalogue_entry("course", "Course", Course, CourseSession.course_id),
        _start_period("month", "Month", "month", month_key),
        _start_period("week", "Week beginning", "date", week_key),
        Dimension(
            "trainer",
            "Trainer",
            "text",
            lambda: [User.name, CourseSession.trainer_id],
            lambda s: s.outerjoin(User, User.id == CourseSession.trainer_id),
            lambda v: (str(v[1] or ""), v[0] or "(no trainer)"),
        ),
        Dimension(
            "weekday-time",
            "Weekday and start time",
            "text",
            lambda: [weekday_no(CourseSession.start_at), clock_time(CourseSession.start_at)],
            _same,
            _weekday_label,
            lambda v: {
                "weekday": WEEKDAYS[int(v[0])],
                "weekday_no": 7 if int(v[0]) == 0 else int(v[0]),
                "start_time": v[1],
            },
            order=lambda r: (r["weekday_no"], r["start_time"]),
        ),
        Dimension(
            "lead-time",
            "Days booked ahead",
            "text",
            lambda: [lead_bucket(lead_days())],
            _same,
            lambda v: (str(v[0]), _bucket_label(int(v[0]))),
            order=lambda r: int(r["group_id"]),
        ),
    )
}
SESSION_DIMENSIONS = ("venue", "course", "month", "week", "trainer", "weekday-time")


def dimension(by: str | None, allowed: Sequence[str], default: str) -> Dimension:
    name = by or default
    if name not in allowed:
        raise ValidationFailed(
            f"This report cannot be grouped by {name!r}; choose one of {', '.join(allowed)}."
        )
    return DIMENSIONS[name]


def month_label(key: str) -> str:
    """``2026-03`` -> ``Mar 2026``."""
    return f"{date.fromisoformat(key + '-01'):%b %Y}"


def chart_for(dim: Dimension, series: list[str], y_label: str, kind: Kind) -> dict[str, Any]:
    """Bars for categories, a line for time, a heat map for weekday x start time."""
    if dim.name == "weekday-time":
        shape: dict[str, Any] = {
            "type": "heatmap",
            "x": "start_time",
            "y": "weekday",
            "value": series[0],
        }
    else:
        shape = {"type": "line" if dim.name in ("month", "week") else "bar", "x": "group"}
    return shape | {"series": series, "x_label": dim.title, "y_label": y_label, "kind": kind}


def group_columns(dim: Dimension) -> list[Column]:
    """The leading columns naming each row's group."""
    first = [Column("group", dim.title, dim.kind)]
    if dim.name == "weekday-time":
        first += [Column("weekday", "Weekday", "text"), Column("start_time", "Start", "text")]
    return first
