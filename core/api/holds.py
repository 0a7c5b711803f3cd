"""``holds.create``, ``holds.get``, ``holds.extend``, ``holds.release``: seats set aside
during a booking.

Holds last ``Settings.hold_minutes``. A hold is its maker's alone: ``holds.create`` returns a
``hold_token`` that ``holds.get``, ``holds.extend``, ``holds.release`` and ``bookings.create``
must present (a waiting-list offer's token travels in its emailed link).
Anyone without it (another API key, another connection, another desk) is told the hold does
not exist, so nobody can learn which holds are live.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.api import public
from core.api.params import Params
from core.api.registry import WEBSITE, Call, method
from core.api.results.bookings import Hold, HoldReleased
from core.infra.actor import Actor
from core.infra.errors import NotFound
from core.models import MAX_CAPACITY, Booking, SeatHold
from core.seats import holds
from core.staff.roles import DESK

HOLDERS = DESK | {WEBSITE}
TOKEN_MAX = 100  # tokens are 43 characters; anything much longer is not one


class CreateParams(Params):
    session_id: int = Field(ge=1)
    seats: int = Field(ge=1, le=MAX_CAPACITY)


class ExtendParams(Params):
    hold_id: str = Field(min_length=1, max_length=36)
    hold_token: str = Field(min_length=1, max_length=TOKEN_MAX)
    seats: int | None = Field(default=None, ge=1, le=MAX_CAPACITY)


class ReleaseParams(Params):
    hold_id: str = Field(min_length=1, max_length=36)
    hold_token: str = Field(min_length=1, max_length=TOKEN_MAX)


def check_owner(tx: Session, hold_id: str, token: str) -> SeatHold:
    """The hold, if ``token`` is its token; NotFound otherwise."""
    hold = tx.get(SeatHold, hold_id)
    if hold is None or not holds.holds_token(hold, token):
        raise NotFound("That seat hold does not exist.")
    return hold


def check_booking_owner(
    tx: Session, actor: Actor | None, booking: Booking, token: str | None
) -> None:
    """Staff may act on any booking; the website only on one made from a hold whose token it has."""
    if not public.is_website(actor):
        return
    made_from = tx.scalars(select(SeatHold).where(SeatHold.booking_id == booking.id)).first()
    if made_from is None or not holds.holds_token(made_from, token):
        raise NotFound(f"There is no booking {booking.reference}.")


@method("holds.create", roles=HOLDERS, params=CreateParams, result=Hold)
def create(call: Call, params: CreateParams) -> dict[str, Any]:
    assert call.actor is not None
    with call.db.write() as tx:
        public.check_visitor_limits(tx, call.actor, params.seats)
        hold = holds.create_hold(
            tx, params.session_id, params.seats, call.actor, call.db.settings.hold_minutes
        )
        return hold.to_json()


@method("holds.get", roles=HOLDERS, params=ReleaseParams, result=Hold)
def get(call: Call, params: ReleaseParams) -> dict[str, Any]:
    """A live hold's ``{id, session_id, seats, expires_at}``, for its token's holder only."""
    with call.db.read() as tx:
        check_owner(tx, params.hold_id, params.hold_token)
        hold = holds.active_hold(tx, params.hold_id)
        return {
            "id": hold.id,
            "session_id": hold.session_id,
            "seats": hold.seats,
            "expires_at": hold.expires_at.isoformat(),
        }


@method("holds.extend", roles=HOLDERS, params=ExtendParams, result=Hold)
def extend(call: Call, params: ExtendParams) -> dict[str, Any]:
    with call.db.write() as tx:
        mine = check_owner(tx, params.hold_id, params.hold_token)
        if params.seats is not None and call.actor is not None:
            public.check_visitor_limits(tx, call.actor, params.seats, replacing=mine.seats)
        hold = holds.extend_hold(
            tx, params.hold_id, call.db.settings.hold_minutes, seats=params.seats
        )
        return hold.to_json()


@method("holds.release", roles=HOLDERS, params=ReleaseParams, result=HoldReleased)
def release(call: Call, params: ReleaseParams) -> dict[str, Any]:
    with call.db.write() as tx:
        check_owner(tx, params.hold_id, params.hold_token)
        holds.release_hold(tx, params.hold_id)
    return {"hold_id": params.hold_id, "released": True}
