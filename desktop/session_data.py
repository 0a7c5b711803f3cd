"""Sessions as the desk shows them, read from the service API's session JSON.

One place turns ``sessions.list`` results and change-feed session payloads into text a receptionist
reads: UK dates, GBP, "5 of 12 free", "Full", "2 being booked now".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import Any

from core.api.results.sessions import Session
from core.infra.clock import now, to_london, uk_date
from core.infra.money import gbp
from core.models.statuses import SessionStatus
from core.seats.availability import SessionView

STATUS_TEXT: dict[str, str] = {
    SessionStatus.SCHEDULED: "Open",
    SessionStatus.FULL: "Full",
    SessionStatus.CANCELLED: "Cancelled",
}
LINK_WORDS = frozenset({"at", "and", "of", "the", "for"})


def course_code(name: str) -> str:
    """A short code that tells courses apart without colour: ``Emergency First Aid at Work``
    is ``EFAW``, ``FAW Requalification`` ``FAWR``, ``CPR and AED`` ``CPRA``."""
    words = [w for w in name.replace("-", " ").split() if w.casefold() not in LINK_WORDS]
    if not words:
        return "?"
    first, rest = words[0], words[1:]
    return (first if first.isupper() else first[0].upper()) + "".join(w[0].upper() for w in rest)


def _hhmm(moment: datetime) -> str:
    return f"{to_london(moment):%H:%M}"


@dataclass(frozen=True)
class SessionRow:
    """One session (the ``core.api`` result model) with what the lists sort and filter on
    worked out once, so models and delegates never re-read it (the date and search texts
    are also worked out once, on first use)."""

    id: int
    course: str
    course_name: str
    venue: str
    venue_name: str
    trainer: str
    start: datetime
    capacity: int
    free: int
    held: int
    booked: int
    status: str
    price_pence: int
    colour: str
    intents: int
    session: Session

    @classmethod
    def of(cls, s: Session, intents: int = 0) -> SessionRow:
        """A row for a session from a typed call; ``intents``: seats being booked now."""
        return cls(
            id=s.id,
            course=s.course,
            course_name=s.course_name,
            venue=s.venue,
            venue_name=s.venue_name,
            trainer=s.trainer or "",
            start=to_london(s.start),
            capacity=s.capacity,
            free=s.free,
            held=s.held,
            booked=s.booked,
            status=s.status,
            price_pence=s.price_pence,
            colour=s.colour,
            intents=intents,
            session=s,
        )

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SessionRow:
        """A row for a session's JSON (a change-feed payload, a booking's session)."""
        intents = data.get("intents") or []
        return cls.of(Session.model_validate(data), sum(int(i.get("seats", 0)) for i in intents))

    @property
    def raw(self) -> dict[str, Any]:
        """The session's JSON, for screens that still take a dict."""
        return self.session.model_dump(mode="json")

    @property
    def day(self) -> date:
        return self.start.date()

    @cached_property
    def teaching_days(self) -> list[date]:
        """The London date of each of its days, first to last."""
        return [to_london(d.start).date() for d in self.session.days]

    @cached_property
    def when_text(self) -> str:
        return f"{uk_date(self.day)} {self.start:%H:%M}"

    @cached_property
    def search_text(self) -> str:
        """What the keyword search looks in, folded for case-blind matching."""
        words = (self.course_name, self.course, self.place_text, self.trainer, self.when_text)
        return " ".join(words).casefold()

    @property
    def price_text(self) -> str:
        return gbp(self.price_pence)

    @property
    def free_text(self) -> str:
        if self.status == SessionStatus.CANCELLED:
            return "–"
        return f"{self.free} of {self.capacity}"

    @property
    def status_text(self) -> str:
        text = STATUS_TEXT.get(self.status, self.status.title())
        if self.intents and self.status != SessionStatus.CANCELLED:
            text += f" · {self.intents} being booked now"
        return text

    @property
    def bookable(self) -> bool:
        """Open for booking: scheduled, a seat free, and not yet started."""
        return self.status == SessionStatus.SCHEDULED and self.free > 0 and self.start > now()

    @property
    def code(self) -> str:
        return course_code(self.course_name)

    @cached_property
    def times_text(self) -> str:
        """``09:00–16:00``: the first teaching day's hours, 24-hour."""
        days = self.session.days
        if days:
            return f"{_hhmm(days[0].start)}–{_hhmm(days[0].end)}"
        return f"{self.start:%H:%M}–{_hhmm(self.session.end)}"

    @cached_property
    def span_text(self) -> str:
        """``Wed 2 Dec 2026 09:00–16:00 · 3 days``: the date column of a session list."""
        days = len(self.session.days)
        return f"{uk_date(self.day)} {self.times_text}" + (f" · {days} days" if days > 1 else "")

    @property
    def place_text(self) -> str:
        room = self.session.room
        return self.venue_name + (f", {room}" if room else "")

    @cached_property
    def description(self) -> str:
        """Everything a receptionist tells a caller about the session, one fact a line."""
        days = self.session.days
        if len(days) > 1:
            when = f"{len(days)} days: " + ", ".join(
                f"{uk_date(to_london(d.start).date())} {_hhmm(d.start)}–{_hhmm(d.end)}"
                for d in days
            )
        else:
            when = f"{uk_date(self.day)} {self.times_text}"
        seats = (
            "Cancelled"
            if self.status == SessionStatus.CANCELLED
            else f"{self.free} of {self.capacity} seats free"
        )
        return "\n".join(
            (
                f"{self.course_name} ({self.code})",
                when,
                self.place_text,
                f"Trainer: {self.trainer or 'not assigned yet'}",
                f"{seats} · {self.price_text} per person",
            )
        )

    @property
    def brief(self) -> str:
        """``Emergency First Aid at Work · Wed 2 Dec 2026 09:00–16:00 · Hull, Marina Suite``:
        a session named in one line of a table."""
        return f"{self.course_name} · {self.span_text} · {self.place_text}"

    def label(self) -> str:
        """``EFAW · Leeds · Tue 3 Mar 2026 09:00``: how a session is named in messages."""
        return f"{self.course_name} at {self.venue_name}, {self.when_text}"


def session_change(message: dict[str, Any]) -> SessionRow | None:
    """The session a change-feed message carries, or None for other kinds."""
    if message.get("kind") != "session" or not isinstance(message.get("data"), dict):
        return None
    data: dict[str, Any] = message["data"]
    return SessionRow.from_json(data) if "id" in data else None


def session_view(data: dict[str, Any]) -> SessionView:
    """A ``core.seats.availability.SessionView`` back from its JSON (for calendar invites)."""
    return SessionView(
        id=int(data["id"]),
        course=data["course"],
        course_name=data["course_name"],
        venue=data["venue"],
        venue_name=data["venue_name"],
        room=data.get("room"),
        trainer=data.get("trainer"),
        trainer_email=data.get("trainer_email"),
        start=datetime.fromisoformat(data["start"]),
        end=datetime.fromisoformat(data["end"]),
        days=[
            (datetime.fromisoformat(d["start"]), datetime.fromisoformat(d["end"]))
            for d in data.get("days", [])
        ],
        capacity=int(data["capacity"]),
        booked=int(data.get("booked", 0)),
        held=int(data.get("held", 0)),
        status=data["status"],
        price_pence=int(data.get("price_pence", 0)),
        colour=data.get("colour") or "",
        version=int(data.get("version", 1)),
        cancel_reason=data.get("cancel_reason"),
    )
