"""Who holds a session's seats right now, as SQL to put inside a write statement.

A write that has just locked its session reads the active holds in the same statement
(an ``INSERT`` or ``UPDATE`` with ``RETURNING``): on PostgreSQL that statement's snapshot
is taken after the lock, so a hold committed while it waited is seen.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ScalarSelect, func, literal_column, select, type_coerce
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Session

from core.availability import active_holds_filter
from core.models import SeatHold

Intent = dict[str, Any]  # {"seats", "channel", "holder"}: one hold, as the change feed shows it


def intent(seats: int, channel: str, holder: str) -> Intent:
    return {"seats": seats, "channel": channel, "holder": holder}


def held_seats_now(session_id: int, at: datetime) -> ScalarSelect[Any]:
    """The seats of the session's active holds at ``at``."""
    return (
        select(func.coalesce(func.sum(SeatHold.seats), 0))
        .where(SeatHold.session_id == session_id, active_holds_filter(at))
        .scalar_subquery()
    )


def holders_now(tx: Session, session_id: int, at: datetime, *, besides: str | None = None) -> Any:
    """The session's active holds at ``at`` (but ``besides``) as a JSON list of intents,
    oldest first."""
    wanted = [SeatHold.session_id == session_id, active_holds_filter(at)]
    if besides is not None:
        wanted.append(SeatHold.id != besides)
    if tx.get_bind().dialect.name == "postgresql":
        each = func.json_build_object(
            "seats", SeatHold.seats, "channel", SeatHold.channel, "holder", SeatHold.holder
        )
        ordered = aggregate_order_by(each, SeatHold.created_at, SeatHold.id)
        listed = func.coalesce(func.json_agg(ordered), literal_column("'[]'::json"))
        return type_coerce(select(listed).where(*wanted).scalar_subquery(), JSON)
    rows = (
        select(SeatHold.seats, SeatHold.channel, SeatHold.holder)
        .where(*wanted)
        .order_by(SeatHold.created_at, SeatHold.id)
        .subquery()
    )
    each = func.json_object(
        "seats", rows.c.seats, "channel", rows.c.channel, "holder", rows.c.holder
    )
    return type_coerce(select(func.json_group_array(each)).scalar_subquery(), JSON)
