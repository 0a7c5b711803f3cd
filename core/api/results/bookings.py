"""Results about holds, bookings, the desk's day, customers and the waiting list."""

from __future__ import annotations

from datetime import date

from core.api.results.base import Instant, Result
from core.api.results.sessions import Session, TodaySession


class Attendee(Result):
    """``bookings.cancel.attendees[]``."""

    id: int
    name: str
    email: str
    phone: str | None
    date_of_birth: date
    special_requirements: str | None


class Payer(Result):
    """``bookings.cancel.customer``."""

    name: str
    email: str
    phone: str | None


class PaymentLine(Result):
    """``bookings.cancel.payments[]``."""

    id: int
    kind: str
    method: str
    status: str
    amount_pence: int
    created_at: Instant


class Booking(Result):
    """A booking as the desk sees it (``bookings.get``, ``.create``, ``.cancel``...)."""

    id: int
    reference: str
    status: str
    channel: str
    session: Session
    seats: int
    unit_price_pence: int
    subtotal_pence: int
    discount_pence: int
    total_pence: int
    customer: Payer
    attendees: list[Attendee]
    payments: list[PaymentLine]
    paid_pence: int
    due_pence: int
    created_at: Instant
    cancelled_at: Instant | None
    payment: str | None = None
    matched: str | None = None


class PublicBooking(Result):
    """``bookings.create (website)``, ``bookings.status (website)``."""

    reference: str
    status: str
    channel: str
    seats: int
    unit_price_pence: int
    subtotal_pence: int
    discount_pence: int
    total_pence: int
    created_at: Instant
    session: Session
    attendees: int
    payment: str | None = None


class ConfirmationResent(Result):
    """``bookings.resend_confirmation``."""

    reference: str
    outbox_id: int
    to: str


class TimelineEvent(Result):
    """``bookings.timeline.events[]``."""

    at: Instant
    what: str
    detail: str
    by: str


class Timeline(Result):
    """``bookings.timeline``."""

    reference: str
    events: list[TimelineEvent]


class BookingSummary(Result):
    """``customers.get.bookings[]``, ``desk.today.recent[]``."""

    reference: str
    status: str
    customer: str
    customer_email: str
    course_name: str
    session_id: int
    session_start: Instant
    seats: int
    total_pence: int
    due_pence: int
    created_at: Instant
    role: str | None = None


class CustomerPayment(Result):
    """``customers.get.payments[]``."""

    reference: str
    kind: str
    method: str
    status: str
    amount_pence: int
    created_at: Instant


class CustomerCertificate(Result):
    """``customers.get.certificates[]``."""

    number: str
    course_name: str
    issued_on: date
    expires_on: date | None


class CustomerRecord(Result):
    """``customers.get``."""

    name: str
    email: str
    phone: str | None
    bookings: list[BookingSummary]
    payments: list[CustomerPayment]
    certificates: list[CustomerCertificate]


class Terms(Result):
    """``desk.terms``."""

    terms: str
    refund_rule: str


class AwaitingPayment(Result):
    """``desk.today.awaiting_payment``."""

    bookings: list[BookingSummary]
    count: int
    due_pence: int


class Today(Result):
    """``desk.today``."""

    day: date
    at: Instant
    sessions: list[TodaySession]
    awaiting_payment: AwaitingPayment
    recent: list[BookingSummary]


class Eligibility(Result):
    """``eligibility.check (website)``."""

    eligible: bool
    reason: str | None


class Hold(Result):
    """Seats held for a while (``holds.*``); the token only when created."""

    id: str
    session_id: int
    seats: int
    expires_at: Instant
    channel: str | None = None
    hold_token: str | None = None


class HoldReleased(Result):
    """``holds.release``."""

    hold_id: str
    released: bool


class Contact(Result):
    """``waitlist.accept.contact``."""

    name: str
    email: str


class WaitlistJoined(Result):
    """``waitlist.join`` (a website visitor): nothing about the list or anyone on it."""

    session_id: int
    seats: int
    message: str


class FlexibleWish(Result):
    """``waitlist.*.flexible``: any session of the course at these venues before a date."""

    venues: list[str]
    before: str


class WaitlistEntry(Result):
    """``waitlist.accept``, ``waitlist.add``, ``waitlist.decline``, ``waitlist.list[]``."""

    id: int
    session_id: int
    seats: int
    position: int | None
    status: str
    offer_expires: Instant | None
    hold_id: str | None
    contact: Contact
    offered_session_id: int | None = None
    """The session the offer holds seats on (another one for a flexible entry)."""
    flexible: FlexibleWish | None = None
    auto_enrol: bool = False
    booking: str | None = None
    """The reference of the booking an automatic enrolment made."""
