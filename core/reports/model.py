"""What a report is: filters in, columns and aggregated rows out, plus hints for a chart."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Literal, TypeVar

from sqlalchemy import Select
from sqlalchemy.orm import Session

from core.infra.clock import london, today_london
from core.infra.errors import ValidationFailed
from core.models import Course, CourseSession, Venue

Kind = Literal["text", "int", "pct", "money", "days", "date", "month"]
DEFAULT_WEEKS = 12
S = TypeVar("S", bound="Select[*tuple[Any, ...]]")


@dataclass(frozen=True)
class ReportFilter:
    """Which sessions a report covers: by London start date, venue and course.

    Dates left empty default to the last 12 weeks and the next 12 weeks (the forecast
    chooses its own default: the next 12 months).
    """

    date_from: date | None = None
    date_to: date | None = None
    venue: str | None = None
    course: str | None = None

    def with_default_range(self, start: date, end: date) -> ReportFilter:
        """Fill the missing dates; a given date beyond the other's default is refused,
        never turned into an empty report."""
        made = ReportFilter(self.date_from or start, self.date_to or end, self.venue, self.course)
        assert made.date_from and made.date_to
        if made.date_from > made.date_to:
            raise ValidationFailed(
                f"The 'from' date ({made.date_from.isoformat()}) is after the 'to' date "
                f"({made.date_to.isoformat()}, the default); give both --from and --to."
            )
        return made

    def resolved(self) -> ReportFilter:
        today = today_london()
        weeks = timedelta(weeks=DEFAULT_WEEKS)
        return self.with_default_range(today - weeks, today + weeks)

    def check(self, tx: Session) -> None:
        """Unknown ids and backwards ranges are errors, never empty reports."""
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValidationFailed(
                f"The 'from' date ({self.date_from.isoformat()}) is after the 'to' date "
                f"({self.date_to.isoformat()})."
            )
        if self.venue and tx.get(Venue, self.venue) is None:
            raise ValidationFailed(f"There is no venue with id {self.venue!r}.")
        if self.course and tx.get(Course, self.course) is None:
            raise ValidationFailed(f"There is no course with id {self.course!r}.")

    def apply(self, stmt: S) -> S:
        """Restrict a statement that already involves ``CourseSession`` to the filter."""
        if self.date_from:
            stmt = stmt.where(CourseSession.start_at >= london(self.date_from, time.min))
        if self.date_to:
            stmt = stmt.where(
                CourseSession.start_at < london(self.date_to + timedelta(days=1), time.min)
            )
        if self.venue:
            stmt = stmt.where(CourseSession.venue_id == self.venue)
        if self.course:
            stmt = stmt.where(CourseSession.course_id == self.course)
        return stmt


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: Kind = "int"


@dataclass
class Report:
    """A finished report. Money is integer pence, dates ISO strings, percentages floats."""

    name: str
    title: str
    by: str | None
    columns: list[Column]
    rows: list[dict[str, Any]]
    chart: dict[str, Any]
    filters: dict[str, Any]
    totals: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)
    generated_at: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Report:
        fields = dict(data)
        fields["columns"] = [Column(**c) for c in data["columns"]]
        return cls(**fields)


def percent(part: int, whole: int) -> float:
    """``part / whole`` as a percentage rounded to one decimal place (0 when empty)."""
    return round(100 * part / whole, 1) if whole else 0.0


def filters_json(flt: ReportFilter) -> dict[str, Any]:
    return {
        "date_from": flt.date_from.isoformat() if flt.date_from else None,
        "date_to": flt.date_to.isoformat() if flt.date_to else None,
        "venue": flt.venue,
        "course": flt.course,
    }


def stamp(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat()
