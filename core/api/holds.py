"""``holds.create``, ``holds.extend``, ``holds.release``: seats set aside during a booking.

Holds last ``Settings.hold_minutes``. The website may only touch holds it made itself.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field
from sqlalchemy.orm import Session

from core import holds
from core.actor import Actor
from core.api import public
from core.api.params import Params
from core.api.registry import WEBSITE, Call, method
from core.errors import NotFound
from core.models import MAX_CAPACITY, SeatHold
from core.roles import DESK

HOLDERS = DESK | {WEBSITE}


class CreateParams(Params):
    session_id: int = Field(ge=1)
    seats: int = Field(ge=1, le=MAX_CAPACITY)


class ExtendParams(Params):
    hold_id: str = Field(min_length=1, max_length=36)
    seats: int | None = Field(default=None, ge=1, le=MAX_CAPACITY)


class ReleaseParams(Params):
    hold_id: str = Field(min_length=1, max_length=36)


def check_owner(tx: Session, actor: Actor | None, hold_id: str) -> None:
    """The website sees only its own holds; anything else looks like a hold that is not there."""
    hold = tx.get(SeatHold, hold_id)
    if hold is None or (public.is_website(actor) and hold.channel != "website"):
        raise NotFound("That seat hold does not exist.")


@method("holds.create", roles=HOLDERS, params=CreateParams)
def create(call: Call, params: CreateParams) -> dict[str, Any]:
    assert call.actor is not None
    with call.db.write() as tx:
        hold = holds.create_hold(
            tx, params.session_id, params.seats, call.actor, call.db.settings.hold_minutes
        )
        return hold.to_json()


@method("holds.extend", roles=HOLDERS, params=ExtendParams)
def extend(call: Call, params: ExtendParams) -> dict[str, Any]:
    with call.db.write() as tx:
        check_owner(tx, call.actor, params.hold_id)
        hold = holds.extend_hold(
            tx, params.hold_id, call.db.settings.hold_minutes, seats=params.seats
        )
        return hold.to_json()


@method("holds.release", roles=HOLDERS, params=ReleaseParams)
def release(call: Call, params: ReleaseParams) -> dict[str, Any]:
    with call.db.write() as tx:
        check_owner(tx, call.actor, params.hold_id)
        holds.release_hold(tx, params.hold_id)
    return {"hold_id": params.hold_id, "released": True}
