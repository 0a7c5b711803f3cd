"""A booking's history read from what is already recorded: the booking row, the change feed
(status and session moves, payment steps) and the outbox (emails queued, sent or failed)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.booking.bookings import find
from core.infra.clock import uk_datetime
from core.infra.money import gbp
from core.models import Booking, Change, OutboxMessage
from core.models.admin import AuditEntry
from core.models.statuses import BookingStatus
from core.seats.availability import get_session

STATUS_EVENTS: dict[str, str] = {
    BookingStatus.CONFIRMED: "Confirmed",
    BookingStatus.CANCELLED: "Cancelled",
}
EMAIL_SCAN = 5000  # outbox rows looked at after the booking was made
EMAILS = {
    "booking_confirmation": "Confirmation email",
    "booking_cancelled": "Cancellation email",
    "booking_moved": "New-dates email",
    "payment_link": "Payment link email",
    "payment_link_expired": "Link-expired email",
    "refund_notice": "Refund email",
    "session_changed": "Session-change email",
}
EMAIL_STATES = {
    "pending": "queued",
    "sending": "being sent",
    "sent": "sent",
    "failed": "failed",
    "unconfirmed": "may not have been sent (the mail server did not answer)",
}


def _event(at: datetime, what: str, detail: str = "", by: str = "") -> dict[str, Any]:
    return {"at": at.isoformat(), "what": what, "detail": detail, "by": by}


def _session_label(tx: Session, session_id: int) -> str:
    view = get_session(tx, session_id)
    return f"{view.course_name}, {view.venue_name}, {uk_datetime(view.start)}"


def _booking_changes(tx: Session, booking: Booking) -> list[dict[str, Any]]:
    rows = tx.scalars(
        select(Change)
        .where(Change.kind == "booking", Change.entity_id == booking.reference)
        .order_by(Change.seq)
    )
    events = []
    status, session_id = None, None
    for change in rows:
        data = change.payload
        if status is not None and data.get("session_id") != session_id:
            events.append(
                _event(change.at, "Moved", f"to {_session_label(tx, int(data['session_id']))}")
            )
        if status is not None and data.get("status") != status:
            what = STATUS_EVENTS.get(str(data.get("status")), str(data.get("status")))
            detail = (
                booking.cancel_reason or "" if data.get("status") == BookingStatus.CANCELLED else ""
            )
            events.append(_event(change.at, what, detail))
        status, session_id = data.get("status"), data.get("session_id")
    return events


def _payment_changes(tx: Session, booking: Booking) -> list[dict[str, Any]]:
    ids = [str(p.id) for p in booking.payments]
    if not ids:
        return []
    rows = tx.scalars(
        select(Change)
        .where(Change.kind == "payment", Change.entity_id.in_(ids))
        .order_by(Change.seq)
    )
    events = []
    last: dict[str, str] = {}
    for change in rows:
        data = change.payload
        state = str(data.get("status"))
        if last.get(change.entity_id) == state:
            continue
        last[change.entity_id] = state
        kind = "Refund" if data.get("kind") == "refund" else "Payment"
        method = str(data.get("method", "")).replace("_", " ")
        amount = gbp(int(data.get("amount_pence", 0)))
        events.append(
            _event(change.at, f"{kind} {state.replace('_', ' ')}", f"{amount} by {method}")
        )
    return events


def _emails(tx: Session, booking: Booking) -> list[dict[str, Any]]:
    stmt = (
        select(OutboxMessage)
        .where(
            OutboxMessage.created_at >= booking.created_at,
            OutboxMessage.template.in_(list(EMAILS)),
        )
        .order_by(OutboxMessage.id)
        .limit(EMAIL_SCAN)
    )
    events = []
    for message in tx.scalars(stmt):
        ours = message.render_booking_id == booking.id or booking.reference in message.subject
        if not ours:
            continue
        state = EMAIL_STATES.get(message.status, message.status)
        at = message.sent_at or message.created_at
        detail = f"to {message.recipient}: {state}"
        if message.status in ("pending", "failed") and message.last_error:
            detail += f" ({message.last_error})"
        events.append(_event(at, EMAILS[message.template], detail))
    return events


def _session_audit(tx: Session, booking: Booking) -> list[dict[str, Any]]:
    """Changes the office made to the booking's session (moved, cancelled) since it was made."""
    rows = tx.scalars(
        select(AuditEntry)
        .where(
            AuditEntry.entity == "session",
            AuditEntry.entity_id == str(booking.session_id),
            AuditEntry.at >= booking.created_at,
        )
        .order_by(AuditEntry.id)
    )
    return [
        _event(
            row.at,
            "Session " + row.action.rsplit(".", 1)[-1].replace("_", " "),
            row.reason or "",
            row.actor,
        )
        for row in rows
    ]


def of_booking(tx: Session, reference: str) -> dict[str, Any]:
    """Everything that happened to the booking, oldest first, as JSON."""
    booking = find(tx, reference)
    created = _event(
        booking.created_at,
        "Booked",
        f"{booking.seats} seat{'s' if booking.seats != 1 else ''} on "
        f"{_session_label(tx, booking.session_id)}, {gbp(booking.total_pence)}"
        f" ({booking.channel})",
        booking.created_by,
    )
    events = [
        created,
        *_booking_changes(tx, booking),
        *_payment_changes(tx, booking),
        *_emails(tx, booking),
        *_session_audit(tx, booking),
    ]
    events.sort(key=lambda e: e["at"])
    return {"reference": booking.reference, "events": events}
