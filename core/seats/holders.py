"""Who holds a session's seats right now, as SQL to put inside a write statement.

A write that has just locked its session reads the active holds in the same statement
(an ``INSERT`` or ``UPDATE`` with ``RETURNING``): on PostgreSQL that statement's snapshot
is taken after the lock, so a hold committed while it waited is seen. The expressions take
their values from bind parameters (``SESSION``, ``AT``, ``BESIDES``), so statements built
from them are built once.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    and_,
    bindparam,
    func,
    literal_column,
    select,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by

from core.models import SeatHold

Intent = dict[str, Any]  # {"seats", "channel", "holder"}: one hold, as the change feed shows it

SESSION = bindparam("holders_session", type_=SeatHold.session_id.type)
AT = bindparam("holders_at", type_=SeatHold.expires_at.type)
BESIDES = bindparam("holders_besides", type_=SeatHold.id.type)  # a hold left out


def intent(seats: int, channel: str, holder: str) -> Intent:
    return {"seats": seats, "channel": channel, "holder": holder}


def _active() -> ColumnElement[bool]:
    return and_(
        SeatHold.session_id == SESSION,
        SeatHold.released_at.is_(None),
        SeatHold.booking_id.is_(None),
        SeatHold.expires_at > AT,
        SeatHold.id != BESIDES,
    )


@cache
def held_seats_now() -> Any:
    """The seats of the session's active holds at ``AT``, but ``BESIDES``."""
    return select(func.coalesce(func.sum(SeatHold.seats), 0)).where(_active()).scalar_subquery()


@cache
def holders_now(dialect: str) -> Any:
    """The session's active holds at ``AT`` (but ``BESIDES``) as a JSON list of intents,
    oldest first."""
    if dialect == "postgresql":
        each = func.json_build_object(
            "seats", SeatHold.seats, "channel", SeatHold.channel, "holder", SeatHold.holder
        )
        ordered = aggregate_order_by(each, SeatHold.created_at, SeatHold.id)
        listed = func.coalesce(func.json_agg(ordered), literal_column("'[]'::json"))
        return type_coerce(select(listed).where(_active()).scalar_subquery(), JSON)
    rows = (
        select(SeatHold.seats, SeatHold.channel, SeatHold.holder)
        .where(_active())
        .order_by(SeatHold.created_at, SeatHold.id)
        .subquery()
    )
    each = func.json_object(
        "seats", rows.c.seats, "channel", rows.c.channel, "holder", rows.c.holder
    )
    return type_coerce(select(func.json_group_array(each)).scalar_subquery(), JSON)
