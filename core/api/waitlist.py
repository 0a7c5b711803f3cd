"""``waitlist.*`` for staff; ``waitlist.join``, ``sessions.alternatives`` and
``eligibility.check`` also for the website, which gets seats, venues and reasons but never
anyone's contact details."""

from __future__ import annotations

from contextlib import suppress
from datetime import date
from typing import Any, Literal

from pydantic import EmailStr, Field, RootModel, field_validator

from core.api import public
from core.api.params import Params
from core.api.public import STAFF_OR_WEBSITE
from core.api.registry import WEBSITE, Call, method
from core.api.results.bookings import Eligibility, WaitlistEntry, WaitlistJoined
from core.api.results.sessions import Alternative
from core.booking.alternatives import alternatives
from core.booking.attendees import parse_attendees
from core.booking.eligibility import EligibilityInput, NotEligible, check_people
from core.booking.waitlist import entries
from core.infra.errors import NotFound
from core.infra.names import real_name
from core.models import MAX_CAPACITY, CourseSession
from core.staff.roles import DESK, STAFF


class ContactParams(Params):
    name: str = Field(min_length=1, max_length=120)
    email: EmailStr

    @field_validator("name")
    @classmethod
    def _real_name(cls, value: str) -> str:
        return real_name(value)


class AutoEnrolParams(Params):
    """Book automatically when seats come free, paid by link: the person agreed to it."""

    agreed_to_pay_by_link: Literal[True]
    attendees: list[dict[str, Any]] = Field(min_length=1, max_length=MAX_CAPACITY)


class AddParams(Params):
    session_id: int = Field(ge=1)
    seats: int = Field(ge=1, le=MAX_CAPACITY)
    contact: ContactParams
    before: date | None = None
    venues: list[str] = Field(default_factory=list, max_length=entries.MAX_VENUES)
    auto_enrol: AutoEnrolParams | None = None


class JoinParams(Params):
    """A website visitor's own wait: no flexible dates or automatic enrolment from a browser."""

    session_id: int = Field(ge=1)
    seats: int = Field(ge=1, le=MAX_CAPACITY)
    contact: ContactParams


class SessionParams(Params):
    session_id: int = Field(ge=1)


class EntryParams(Params):
    id: int = Field(ge=1)


class AlternativesParams(Params):
    session_id: int = Field(ge=1)
    seats: int = Field(ge=1, le=MAX_CAPACITY)
    before: date | None = None


class CheckParams(Params):
    session_id: int = Field(ge=1)
    attendees: list[ContactParams] = Field(min_length=1, max_length=MAX_CAPACITY)
    eligibility: EligibilityInput | None = None


@method("waitlist.add", roles=DESK, params=AddParams, result=WaitlistEntry)
def add(call: Call, params: AddParams) -> dict[str, Any]:
    assert call.actor is not None
    contact = entries.Contact(params.contact.name, str(params.contact.email))
    enrol = None
    if params.auto_enrol is not None:
        entries.check_links(call.db.settings)
        enrol = parse_attendees(params.auto_enrol.attendees)
    wish = entries.Wish(before=params.before, venues=params.venues, enrol=enrol)
    with call.db.write() as tx:
        entry = entries.add(tx, params.session_id, params.seats, contact, call.actor, wish)
        return entry.to_json()


@method("waitlist.join", roles={WEBSITE}, params=JoinParams, result=WaitlistJoined)
def join(call: Call, params: JoinParams) -> dict[str, Any]:
    """A website visitor puts themselves (or their group) on a full session's list.

    Only the name and email typed go in; the answer says nothing about anyone else, not
    even whether that email was already waiting (the earlier entry is then kept as it is).
    """
    assert call.actor is not None
    contact = entries.Contact(params.contact.name, str(params.contact.email))
    with call.db.write() as tx:
        public.check_visitor_waits(tx, call.actor)
        # every refusal of the session comes first, so the answer is the same for any email;
        # an email already waiting keeps its earlier entry as it is
        with suppress(entries.AlreadyWaiting):
            entries.add(tx, params.session_id, params.seats, contact, call.actor)
    return {
        "session_id": params.session_id,
        "seats": params.seats,
        "message": (
            f"Thank you: you are on the waiting list. If places come free we will hold them "
            f"and email {contact.email} a link to book them."
        ),
    }


@method("waitlist.list", roles=STAFF, params=SessionParams, result=RootModel[list[WaitlistEntry]])
def list_(call: Call, params: SessionParams) -> list[dict[str, Any]]:
    with call.db.read() as tx:
        return [e.to_json() for e in entries.list_entries(tx, params.session_id)]


@method("waitlist.accept", roles=DESK, params=EntryParams, result=WaitlistEntry)
def accept(call: Call, params: EntryParams) -> dict[str, Any]:
    assert call.actor is not None
    with call.db.write() as tx:
        return entries.accept(tx, params.id, call.actor).to_json()


@method("waitlist.decline", roles=DESK, params=EntryParams, result=WaitlistEntry)
def decline(call: Call, params: EntryParams) -> dict[str, Any]:
    assert call.actor is not None
    with call.db.write() as tx:
        return entries.decline(tx, params.id, call.actor).to_json()


@method(
    "sessions.alternatives",
    roles=STAFF_OR_WEBSITE,
    params=AlternativesParams,
    result=RootModel[list[Alternative]],
)
def session_alternatives(call: Call, params: AlternativesParams) -> list[dict[str, Any]]:
    with call.db.read() as tx:
        found = alternatives(tx, params.session_id, params.seats, params.before)
        return [a.to_json() for a in found]


@method("eligibility.check", roles=STAFF_OR_WEBSITE, params=CheckParams, result=Eligibility)
def check(call: Call, params: CheckParams) -> dict[str, Any]:
    """Whether these people may book the session; the website sees no dates on record."""
    assert call.actor is not None
    people = [entries.Contact(a.name, str(a.email)) for a in params.attendees]
    with call.db.read() as tx:
        session = tx.get(CourseSession, params.session_id)
        if session is None:
            raise NotFound(f"There is no session number {params.session_id}.")
        try:
            check_people(tx, session, people, call.actor, params.eligibility)
        except NotEligible as refused:
            return {"eligible": False, "reason": refused.message, **refused.data}
    return {"eligible": True, "reason": None}
