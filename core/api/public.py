"""What the public website may see: availability, never personal data of anyone.

Every handler that serves the website passes its result through these functions.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.api.registry import WEBSITE
from core.infra.actor import Actor
from core.infra.clock import now
from core.infra.errors import LimitReached
from core.models import Booking, SeatHold, WaitlistEntry
from core.models.statuses import BookingStatus
from core.seats.availability import active_holds_filter
from core.seats.locking import lock_holder
from core.staff.roles import STAFF

STAFF_OR_WEBSITE = STAFF | {WEBSITE}
VISITOR_HOLDS = 2  # live holds one address may have at once
VISITOR_SEATS = 12  # seats one address may hold at once (one full group)
VISITOR_WAITS = 3  # waiting-list entries one address may have waiting or offered at once


def visitor(address: str, key: str) -> Actor:
    """The anonymous public booking page, as seen from one network address.

    The address itself is not stored: holds carry a digest of it keyed with ``key`` (a
    server secret, the same on every server process), which is what the per-address limits
    count by. Without the key the digest cannot be traced back to an address by trying
    every address.
    """
    digest = hmac.new(key.encode(), f"rft-visitor:{address}".encode(), hashlib.sha256)
    return Actor(
        label=f"website visitor {digest.hexdigest()[:16]}",
        role=None,
        channel="website",
        visitor=True,
    )


def check_visitor_limits(tx: Session, actor: Actor, seats: int, replacing: int = 0) -> None:
    """Refuse a visitor more than ``VISITOR_HOLDS`` live holds or ``VISITOR_SEATS`` seats.

    A booking made from one of the visitor's holds that still waits for payment keeps its
    seats, so it counts as one of their holds. ``replacing`` is the size of a hold of theirs
    that ``seats`` will replace (a resize, or a booking made from it). The visitor's writes
    are serialised first, so pages sending holds at once cannot all pass the count.
    """
    if not actor.visitor:
        return
    lock_holder(tx, actor.label)
    count, held = tx.execute(
        select(func.count(), func.coalesce(func.sum(SeatHold.seats), 0)).where(
            active_holds_filter(now()), SeatHold.holder == actor.label
        )
    ).one()
    unpaid, booked = tx.execute(
        select(func.count(), func.coalesce(func.sum(Booking.seats), 0))
        .join(SeatHold, SeatHold.booking_id == Booking.id)
        .where(SeatHold.holder == actor.label, Booking.status == BookingStatus.PENDING_PAYMENT)
    ).one()
    count, held = count + unpaid, held + booked
    if not replacing and count >= VISITOR_HOLDS:
        raise LimitReached(
            f"You already have {count} bookings in progress (seats held or waiting for "
            "payment). Finish one, or let its hold or payment link run out, before starting "
            "another."
        )
    if held - replacing + seats > VISITOR_SEATS:
        raise LimitReached(
            f"At most {VISITOR_SEATS} seats can be held at once from one place. "
            "For bigger groups please call us."
        )


def check_visitor_waits(tx: Session, actor: Actor) -> None:
    """Refuse a visitor more than ``VISITOR_WAITS`` live waiting-list entries (their writes
    serialised as for holds)."""
    if not actor.visitor:
        return
    lock_holder(tx, actor.label)
    live = tx.scalar(
        select(func.count()).where(
            WaitlistEntry.created_by == actor.label,
            WaitlistEntry.status.in_(("waiting", "offered")),
        )
    )
    if (live or 0) >= VISITOR_WAITS:
        raise LimitReached(
            f"At most {VISITOR_WAITS} waiting-list requests can be made from one place at a "
            "time. Please call us to join more lists."
        )


def is_website(actor: Actor | None) -> bool:
    return actor is not None and not actor.is_staff


STAFF_ONLY = ("trainer", "trainer_email", "cancel_reason")


def session(data: dict[str, Any]) -> dict[str, Any]:
    """A session without the trainer's name or email (staff personal data) or the reason
    staff gave for cancelling it (free text that often names a trainer or a client)."""
    return {k: v for k, v in data.items() if k not in STAFF_ONLY}


def intents(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Booking intents without the holder's name."""
    return [{k: v for k, v in item.items() if k != "holder"} for item in items]


def booking(data: dict[str, Any]) -> dict[str, Any]:
    """A booking as its web customer may see it right after making it: no names, no emails."""
    kept = ("reference", "status", "channel", "seats", "unit_price_pence", "subtotal_pence")
    out = {k: data[k] for k in (*kept, "discount_pence", "total_pence", "created_at")}
    out["session"] = session(data["session"])
    out["attendees"] = len(data["attendees"])
    return out
