"""``waitlist.*`` for staff; ``waitlist.join``, ``sessions.alternatives`` and
``eligibility.check`` also for the website, which gets seats, venues and reasons but never
anyone's contact details."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import EmailStr, Field

from core.alternatives import alternatives
from core.api import public
from core.api.params import Params
from core.api.public import STAFF_OR_WEBSITE
from core.api.registry import WEBSITE, Call, method
from core.eligibility import EligibilityInput, NotEligible, check_people
from core.errors import NotFound
from core.locking import lock_session
from core.models import MAX_CAPACITY, CourseSession
from core.models.base import blind_index
from core.roles import DESK, STAFF
from core.waitlist import entries


class ContactParams(Params):
    name: str = Field(min_length=1, max_length=120)
    email: EmailStr


class AddParams(Params):
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


@method("waitlist.add", roles=DESK, params=AddParams)
def add(call: Call, params: AddParams) -> dict[str, Any]:
    assert call.actor is not None
    contact = entries.Contact(params.contact.name, str(params.contact.email))
    with call.db.write() as tx:
        return entries.add(tx, params.session_id, params.seats, contact, call.actor).to_json()


@method("waitlist.join", roles={WEBSITE}, params=AddParams)
def join(call: Call, params: AddParams) -> dict[str, Any]:
    """A website visitor puts themselves (or their group) on a full session's list.

    Only the name and email typed go in; the answer says nothing about anyone else, not
    even whether that email was already waiting (the earlier entry is then kept as it is).
    """
    assert call.actor is not None
    contact = entries.Contact(params.contact.name, str(params.contact.email))
    with call.db.write() as tx:
        public.check_visitor_waits(tx, call.actor)
        lock_session(tx, params.session_id)  # the duplicate check and the join are one step
        digest = blind_index(contact.email)
        waiting = entries.waiting_or_offered(tx, params.session_id)
        if not any(e.contact_email_hash == digest for e in waiting):
            entries.add(tx, params.session_id, params.seats, contact, call.actor)
    return {
        "session_id": params.session_id,
        "seats": params.seats,
        "message": (
            f"Thank you: you are on the waiting list. If places come free we will hold them "
            f"and email {contact.email} a link to book them."
        ),
    }


@method("waitlist.list", roles=STAFF, params=SessionParams)
def list_(call: Call, params: SessionParams) -> list[dict[str, Any]]:
    with call.db.read() as tx:
        return [e.to_json() for e in entries.list_entries(tx, params.session_id)]


@method("waitlist.accept", roles=DESK, params=EntryParams)
def accept(call: Call, params: EntryParams) -> dict[str, Any]:
    assert call.actor is not None
    with call.db.write() as tx:
        return entries.accept(tx, params.id, call.actor).to_json()


@method("waitlist.decline", roles=DESK, params=EntryParams)
def decline(call: Call, params: EntryParams) -> dict[str, Any]:
    assert call.actor is not None
    with call.db.write() as tx:
        return entries.decline(tx, params.id, call.actor).to_json()


@method("sessions.alternatives", roles=STAFF_OR_WEBSITE, params=AlternativesParams)
def session_alternatives(call: Call, params: AlternativesParams) -> list[dict[str, Any]]:
    with call.db.read() as tx:
        found = alternatives(tx, params.session_id, params.seats, params.before)
        return [a.to_json() for a in found]


@method("eligibility.check", roles=STAFF_OR_WEBSITE, params=CheckParams)
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
