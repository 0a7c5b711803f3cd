"""``bookings.*``: turn a hold into a booking, find, cancel and move bookings.

The website may only create bookings (always PENDING_PAYMENT, paid by payment link) and
read back, with the hold token, the state of its own: never names, emails or dates of birth.
"""

from __future__ import annotations

from typing import Any

from pydantic import EmailStr, Field, RootModel, field_validator

from core.api import public
from core.api.holds import HOLDERS, TOKEN_MAX, check_booking_owner, check_owner
from core.api.params import Params
from core.api.registry import Call, method
from core.api.results.bookings import Booking, PublicBooking
from core.booking import bookings
from core.booking.attendees import PHONE, AttendeeInput
from core.booking.eligibility import EligibilityInput
from core.booking.payment_methods import PaymentMethod, initial_status
from core.infra.errors import Forbidden
from core.infra.names import real_name
from core.seats import holds
from core.staff.roles import DESK


class CustomerParams(Params):
    """Who pays, when that is not the first attendee (an employer booking staff, say)."""

    name: str = Field(min_length=1, max_length=120)
    email: EmailStr
    phone: str | None = Field(default=None, max_length=24)

    @field_validator("name")
    @classmethod
    def _real_name(cls, value: str) -> str:
        return real_name(value)

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value and not PHONE.match(value):
            raise ValueError("a phone number has digits, spaces and an optional leading +")
        return value or None


class CreateParams(Params):
    hold_id: str = Field(min_length=1, max_length=36)
    hold_token: str = Field(min_length=1, max_length=TOKEN_MAX)
    attendees: list[dict[str, Any]] = Field(min_length=1, max_length=12)
    customer: CustomerParams | None = None
    payment: PaymentMethod | None = None
    eligibility: EligibilityInput | None = None


class ReferenceParams(Params):
    reference: str = Field(min_length=3, max_length=16)


class StatusParams(ReferenceParams):
    hold_token: str | None = Field(default=None, min_length=1, max_length=TOKEN_MAX)


class SearchParams(Params):
    text: str = Field(min_length=2, max_length=200)


class CancelParams(ReferenceParams):
    reason: str | None = Field(default=None, max_length=500)


class TransferParams(ReferenceParams):
    to_session_id: int = Field(ge=1)


def _payer(customer: CustomerParams | None) -> AttendeeInput | None:
    """The booking's payer; only name, email and phone of it are stored."""
    if customer is None:
        return None
    return AttendeeInput.model_construct(
        name=customer.name, email=customer.email, phone=customer.phone, date_of_birth=None
    )


@method("bookings.create", roles=HOLDERS, params=CreateParams, result=Booking)
def create(call: Call, params: CreateParams) -> dict[str, Any]:
    assert call.actor is not None
    website = public.is_website(call.actor)
    payment = params.payment or ("link" if website else "pay_later")
    if website and payment != "link":
        raise Forbidden("Bookings made on the website are paid by payment link.")
    with call.db.write() as tx:
        if call.actor.visitor:  # their limits are counted before the session is locked
            hold = check_owner(tx, params.hold_id, params.hold_token)
            public.check_visitor_limits(tx, call.actor, len(params.attendees), hold.seats)
        booking = bookings.confirm_hold(
            tx,
            params.hold_id,
            params.attendees,
            call.actor,
            status=initial_status(payment),
            customer=_payer(params.customer),
            claims=params.eligibility,
            token=params.hold_token,
        )
        session = holds.published(tx, booking.session_id)
        assert session is not None  # the booking published its session
    data = bookings.view_of(tx, booking, session).to_json()  # after the commit: seats unlocked
    data = public.booking(data) if website else data
    data["payment"] = payment
    return data


@method("bookings.status", roles=HOLDERS, params=StatusParams, result=PublicBooking)
def status(call: Call, params: StatusParams) -> dict[str, Any]:
    """A booking without anyone's personal details: the website only with its hold token
    (the booking page watches this for the payment to arrive)."""
    with call.db.read() as tx:
        booking = bookings.find(tx, params.reference)
        check_booking_owner(tx, call.actor, booking, params.hold_token)
        return public.booking(bookings.view_of(tx, booking).to_json())


@method("bookings.get", roles=DESK, params=ReferenceParams, result=Booking)
def get(call: Call, params: ReferenceParams) -> dict[str, Any]:
    with call.db.read() as tx:
        return bookings.view_of(tx, bookings.find(tx, params.reference)).to_json()


@method("bookings.search", roles=DESK, params=SearchParams, result=RootModel[list[Booking]])
def search(call: Call, params: SearchParams) -> list[dict[str, Any]]:
    with call.db.read() as tx:
        return [
            bookings.view_of(tx, b).to_json() | {"matched": bookings.why_matched(b, params.text)}
            for b in bookings.search(tx, params.text)
        ]


@method("bookings.cancel", roles=DESK, params=CancelParams, result=Booking)
def cancel(call: Call, params: CancelParams) -> dict[str, Any]:
    assert call.actor is not None
    with call.db.write() as tx:
        booking = bookings.cancel(tx, params.reference, call.actor, params.reason)
        return bookings.view_of(tx, booking).to_json()


@method("bookings.transfer", roles=DESK, params=TransferParams, result=Booking)
def transfer(call: Call, params: TransferParams) -> dict[str, Any]:
    assert call.actor is not None
    with call.db.write() as tx:
        booking = bookings.transfer(tx, params.reference, params.to_session_id, call.actor)
        return bookings.view_of(tx, booking).to_json()
