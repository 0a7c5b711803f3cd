"""Results about sessions: lists, the month calendar, the catalogue, schedules and registers."""

from __future__ import annotations

from datetime import date

from core.api.results.base import Instant, JsonObject, Result


class MarkResult(Result):
    """``attendance.mark.results[]``."""

    op_id: str
    status: str
    current: bool


class Marked(Result):
    """``attendance.mark``."""

    results: list[MarkResult]
    hlc: str


class RegisterDay(Result):
    """``attendance.my_sessions[].days[]``."""

    index: int
    start: Instant
    end: Instant
    hours: float


class TrainerSession(Result):
    """``attendance.my_sessions[]``."""

    id: int
    course: str
    course_name: str
    venue: str
    venue_name: str
    room: str | None
    trainer: str | None
    start: Instant
    end: Instant
    days: list[RegisterDay]
    booked: int
    status: str
    when: str
    records_emergency_contact: bool


class RosterAttendee(Result):
    """``attendance.roster.attendees[]``."""

    id: int
    name: str
    special_requirements: str | None
    emergency_phone: str | None = None
    certificate: str | None


class Roster(Result):
    """``attendance.roster``."""

    session: TrainerSession
    attendees: list[RosterAttendee]
    marks: list[JsonObject]
    hlc: str


class ExpectedAttendee(Result):
    """``schedule.cancel.expected[]``."""

    name: str
    reference: str
    status: str
    due_pence: int
    special_requirements: str | None


class SessionDay(Result):
    """``schedule.cancel.days[]``, ``sessions.get (website).days[]``."""

    start: Instant
    end: Instant


class Session(Result):
    """A session (``sessions.list``, ``sessions.get``, ``schedule.*``...). The website's copy
    leaves out the trainer and the reason for cancelling (``core.api.public.session``)."""

    id: int
    course: str
    course_name: str
    venue: str
    venue_name: str
    room: str | None
    trainer: str | None = None
    trainer_email: str | None = None
    start: Instant
    end: Instant
    days: list[SessionDay]
    capacity: int
    free: int
    held: int
    booked: int
    status: str
    price_pence: int
    colour: str
    version: int
    cancel_reason: str | None = None


class TodaySession(Session):
    """``desk.today.sessions[]``: a session on the board, with the day shown and who is due."""

    on: date
    expected: list[ExpectedAttendee]


class CatalogueCourse(Result):
    """``catalogue.get.courses[]``."""

    id: str
    name: str
    category: str
    description: str
    price_pence: int
    days: int
    day_hours: list[float]
    min_age: int
    certificate_months: int
    colour: str


class CatalogueVenue(Result):
    """``catalogue.get.venues[]``."""

    id: str
    name: str
    address: str
    postcode: str
    latitude: float
    longitude: float
    rooms: list[str]


class Catalogue(Result):
    """``catalogue.get``."""

    courses: list[CatalogueCourse]
    venues: list[CatalogueVenue]


class Course(Result):
    """``catalogue.update_course``."""

    id: str
    name: str
    price_pence: int
    description: str
    min_age: int
    day_hours: list[float]
    certificate_months: int
    max_span_weeks: int | None
    active: bool
    days: int


class Venue(Result):
    """``catalogue.update_venue``."""

    id: str
    name: str
    address: str
    postcode: str
    latitude: float
    longitude: float
    rooms: list[str]
    active: bool


class RuleFailure(Result):
    """One teaching rule a planned session breaks."""

    rule: str
    message: str
    overridable: bool


class ScheduleChecked(Result):
    """``schedule.check``."""

    failures: list[RuleFailure]


class Alternative(Result):
    """``sessions.alternatives (website)[]``."""

    id: int
    course: str
    venue: str
    venue_name: str
    start: Instant
    free: int
    distance_km: float


class Month(Result):
    """``sessions.month``."""

    year: int
    month: int
    days: dict[date, list[MonthEntry]]


class MonthEntry(Result):
    """``sessions.month.days{}[]``."""

    id: int
    course: str
    course_name: str
    venue: str
    venue_name: str
    start: Instant
    free: int
    held: int
    booked: int
    capacity: int
    status: str
    colour: str
    day: int
    """Which of the session's teaching days this is (1 for its first)."""
    day_count: int
    """How many teaching days the session has."""


class OverriddenRule(Result):
    """``schedule.overrides[]``: a teaching rule overridden for a session, by whom and why."""

    rule: str
    failure: str
    reason: str
    actor: str
    at: Instant


class RebookOffer(Result):
    """``schedule.offers[]``: transfer-or-refund offered to a booking of a cancelled or moved
    session."""

    booking_id: int
    change: str
    alternatives: list[int]
    refund_pence: int
    status: str
    created_at: Instant
