"""``desk.today``, ``customers.get``, ``bookings.timeline``, ``desk.terms``: the reception
desk's home page, a customer's record and a booking's history (all read from what is already
recorded), and the booking terms with this service's refund rule."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import EmailStr, Field

from core.api.bookings import ReferenceParams
from core.api.params import NoParams, Params
from core.api.registry import Call, method
from core.api.results.bookings import CustomerRecord, Terms, Timeline, Today
from core.booking import today
from core.customers import record as customers
from core.customers import timeline
from core.infra import terms
from core.infra.clock import now, today_london
from core.staff.roles import DESK


class TodayParams(Params):
    day: date | None = Field(default=None, ge=date(2000, 1, 1), le=date(2100, 12, 31))
    """London day; today when left out."""


class CustomerParams(Params):
    email: EmailStr = Field(max_length=254)


@method("desk.today", roles=DESK, params=TodayParams, result=Today)
def desk_today(call: Call, params: TodayParams) -> dict[str, Any]:
    with call.db.read() as tx:
        return today.board(tx, params.day or today_london(), now())


@method("customers.get", roles=DESK, params=CustomerParams, result=CustomerRecord)
def customer(call: Call, params: CustomerParams) -> dict[str, Any]:
    with call.db.read() as tx:
        return customers.record(tx, str(params.email))


@method("bookings.timeline", roles=DESK, params=ReferenceParams, result=Timeline)
def booking_timeline(call: Call, params: ReferenceParams) -> dict[str, Any]:
    with call.db.read() as tx:
        return timeline.of_booking(tx, params.reference)


@method("desk.terms", roles=DESK, params=NoParams, result=Terms)
def booking_terms(call: Call, params: NoParams) -> dict[str, str]:
    """The terms read to the customer (Markdown) and the refund rule, as this service
    applies it (``RFT_REFUND_FULL_DAYS``)."""
    days = call.db.settings.refund_full_days
    return {"terms": terms.booking_terms(days), "refund_rule": terms.refund_rule(days)}
