"""``pricing.quote``: what a number of seats on a session costs, group discount included."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from core.api.params import Params
from core.api.public import STAFF_OR_WEBSITE
from core.api.registry import Call, method
from core.api.results.organisations import Quote
from core.booking.pricing import quote as price
from core.infra.errors import NotFound
from core.models import MAX_CAPACITY, CourseSession


class QuoteParams(Params):
    session_id: int = Field(ge=1)
    seats: int = Field(ge=1, le=MAX_CAPACITY)


@method("pricing.quote", roles=STAFF_OR_WEBSITE, params=QuoteParams, result=Quote)
def quote(call: Call, params: QuoteParams) -> dict[str, Any]:
    with call.db.read() as tx:
        session = tx.get(CourseSession, params.session_id)
        if session is None:
            raise NotFound(f"There is no session number {params.session_id}.")
        return price(session.unit_price_pence, params.seats).to_json()
