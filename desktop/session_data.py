"""Sessions as the desk shows them, read from the service API's session JSON.

One place turns ``sessions.list`` / change-feed session payloads into text a receptionist
reads: UK dates, GBP, "5 of 12 free", "Full", "2 being booked now".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import Any

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


def _hhmm(text: str) -> str:
    return f"{to_london(datetime.fromisoformat(text)):%H:%M}"


@dataclass(frozen=True)
class SessionRow:
    """One session, parsed once so models and delegates never re-parse JSON (the date and
    search texts are also worked out once, on first use)."""

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
    raw: dict[str, Any]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SessionRow:
        intents = data.get("intents") or []
        return cls(
            id=int(data["id"]),
            course=data["course"],
            course_name=data.get("course_name", data["course"]),
            venue=data["venue"],
            venue_name=data.get("venue_name", data["venue"]),
            trainer=data.get("trainer") or "",
            start=to_london(datetime.fromisoformat(data["start"])),
            capacity=int(data["capacity"]),
            free=int(data["free"]),
            held=int(data.get("held", 0)),
            booked=int(data.get("booked", 0)),
            status=data["status"],
            price_pence=int(data.get("price_pence", 0)),
            colour=data.get("colour") or "",
            intents=sum(int(i.get("seats", 0)) for i in intents),
            raw=data,
        )

    @property
    def day(self) -> date:
        return self.start.date()

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
        end = self.raw.get("end")
        days = self.raw.get("days") or []
        if days:
            return f"{_hhmm(days[0]['start'])}–{_hhmm(days[0]['end'])}"
        return f"{self.start:%H:%M}" + (f"–{_hhmm(end)}" if end else "")

    @cached_property
    def span_text(self) -> str:
        """``Wed 2 Dec 2026 09:00–16:00 · 3 days``: the date column of a session list."""
        days = len(self.raw.get("days") or [])
        return f"{uk_date(self.day)} {self.times_text}" + (f" · {days} days" if days > 1 else "")

    @property
    def place_text(self) -> str:
        room = self.raw.get("room")
        return self.venue_name + (f", {room}" if room else "")

    @cached_property
    def description(self) -> str:
        """Everything a receptionist tells a caller about the session, one fact a line."""
        days = self.raw.get("days") or []
        if len(days) > 1:
            when = f"{len(days)} days: " + ", ".join(
                f"{uk_date(to_london(datetime.fromisoformat(d['start'])).date())} "
                f"{_hhmm(d['start'])}–{_hhmm(d['end'])}"
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

    def label(self) -> str:
        """``EFAW · Leeds · Tue 3 Mar 2026 09:00``: how a session is named in messages."""
        return f"{self.course_name} at {self.venue_name}, {self.when_text}"


def session_list(result: Any) -> list[dict[str, Any]]:
    """The session dicts in a ``sessions.list`` result."""
    if isinstance(result, dict):
        return list(result.get("sessions", []))
    return list(result)


def session_change(message: dict[str, Any]) -> dict[str, Any] | None:
    """The session payload of a change-feed message, or None for other kinds."""
    if message.get("kind") != "session" or not isinstance(message.get("data"), dict):
        return None
    data: dict[str, Any] = message["data"]
    return data if "id" in data else None


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
