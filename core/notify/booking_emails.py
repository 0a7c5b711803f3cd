"""The emails a booking causes, each queued in the caller's transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from core.models import Booking, OutboxMessage, Venue
from core.models.statuses import BookingStatus, SessionStatus
from core.notify.invites import session_invite
from core.notify.outbox import Attachment, encode_attachments, enqueue, enqueue_unrendered
from core.notify.render import render
from core.seats.availability import SessionView, get_session

CONFIRMATION = "booking_confirmation"


def venue_address(tx: Session, venue_id: str) -> str:
    venue = tx.get(Venue, venue_id)
    return f"{venue.name}, {venue.address}, {venue.postcode}" if venue else venue_id


def session_context(tx: Session, session: SessionView) -> dict[str, Any]:
    return {
        "course_name": session.course_name,
        "venue_name": session.venue_name,
        "venue_address": venue_address(tx, session.venue),
        "room": session.room,
        "days": [{"start": s, "end": e} for s, e in session.days],
        "start": session.start,
        "cancel_reason": session.cancel_reason,
    }


def booking_context(tx: Session, booking: Booking) -> dict[str, Any]:
    session = get_session(tx, booking.session_id)
    paid = sum(
        p.amount_pence if p.kind == "charge" else -p.amount_pence
        for p in booking.payments
        if p.status == "succeeded"
    )
    return session_context(tx, session) | {
        "reference": booking.reference,
        "status": booking.status,
        "customer_name": booking.customer_name,
        "attendees": [a.name for a in booking.attendees],
        "seats": booking.seats,
        "total_pence": booking.total_pence,
        "discount_pence": booking.discount_pence,
        "paid_pence": paid,
        "due_pence": max(0, booking.total_pence - paid),
    }


def _invite(
    tx: Session,
    booking: Booking,
    *,
    cancelled: bool = False,
    session_id: int | None = None,
    filename: str | None = None,
) -> Attachment:
    session = get_session(tx, session_id or booking.session_id)
    data = session_invite(
        session,
        reference=booking.reference,
        location=venue_address(tx, session.venue),
        cancelled=cancelled,
    )
    name = filename or f"{booking.reference}.ics"
    return Attachment(name, "text/calendar; charset=utf-8", data)


def send_confirmation(
    tx: Session, booking: Booking, *, resend: bool = False, new: bool = False
) -> int:
    """The booking confirmation with its calendar invite, sent once unless ``resend``.

    Queued unrendered: the sender renders it from the booking when it sends it
    (``render_queued``). ``new``: the booking was made in this transaction."""
    if resend:
        return enqueue(
            tx,
            template=CONFIRMATION,
            to=booking.customer_email,
            context=booking_context(tx, booking),
            attachments=[_invite(tx, booking)],
        )
    return enqueue_unrendered(
        tx,
        template=CONFIRMATION,
        to=booking.customer_email,
        booking_id=booking.id,
        dedupe_key=f"{CONFIRMATION}:{booking.reference}",
        new=new,
    )


def render_queued(tx: Session, row: OutboxMessage) -> None:
    """Render a message queued by ``enqueue_unrendered`` from its booking as it is now, and
    keep what was rendered (a retry sends the same text)."""
    booking = tx.scalars(
        select(Booking)
        .where(Booking.id == row.render_booking_id)
        .options(selectinload(Booking.attendees), selectinload(Booking.payments))
    ).one()
    rendered = render(row.template, booking_context(tx, booking))
    row.subject, row.body_text, row.body_html = rendered.subject, rendered.text, rendered.html
    row.attachments = encode_attachments([_invite(tx, booking)])
    row.render_booking_id = None
    tx.flush()


def refresh_confirmation(tx: Session, booking: Booking) -> bool:
    """Re-render a confirmation still waiting in the outbox, so it shows the payment just
    taken (the desk confirms a booking, then records the cash a moment later). One queued
    unrendered shows it anyway when it is rendered."""
    row = tx.scalar(
        select(OutboxMessage).where(
            OutboxMessage.dedupe_key == f"{CONFIRMATION}:{booking.reference}",
            OutboxMessage.status == "pending",
        )
    )
    if row is None:
        return False
    if row.render_booking_id is not None:
        return True
    rendered = render(CONFIRMATION, booking_context(tx, booking))
    row.subject, row.body_text, row.body_html = rendered.subject, rendered.text, rendered.html
    tx.flush()
    return True


def send_cancellation(tx: Session, booking: Booking) -> int:
    return enqueue(
        tx,
        template="booking_cancelled",
        to=booking.customer_email,
        context=booking_context(tx, booking) | {"reason": booking.cancel_reason},
        attachments=[_invite(tx, booking, cancelled=True)],
        dedupe_key=f"booking_cancelled:{booking.reference}",
    )


def send_moved(tx: Session, booking: Booking, from_session_id: int) -> int:
    """The booking's new dates, with an invite for them and one withdrawing the old ones."""
    old = get_session(tx, from_session_id)
    return enqueue(
        tx,
        template="booking_moved",
        to=booking.customer_email,
        context=booking_context(tx, booking) | {"moved_from": old.start},
        attachments=[
            _invite(tx, booking),
            _invite(
                tx,
                booking,
                cancelled=True,
                session_id=from_session_id,
                filename=f"{booking.reference}-old-dates.ics",
            ),
        ],
        dedupe_key=f"booking_moved:{booking.reference}:{from_session_id}:{booking.session_id}",
    )


def send_payment_link(tx: Session, booking: Booking, url: str, expires_at: datetime) -> int:
    return enqueue(
        tx,
        template="payment_link",
        to=booking.customer_email,
        context=booking_context(tx, booking) | {"url": url, "expires_at": expires_at},
        dedupe_key=f"payment_link:{url}",
    )


def send_link_expired(tx: Session, booking: Booking) -> int:
    return enqueue(
        tx,
        template="payment_link_expired",
        to=booking.customer_email,
        context=booking_context(tx, booking),
        dedupe_key=f"payment_link_expired:{booking.reference}",
    )


def send_refund_notice(tx: Session, booking: Booking, amount_pence: int, key: str) -> int:
    return enqueue(
        tx,
        template="refund_notice",
        to=booking.customer_email,
        context=booking_context(tx, booking) | {"refund_pence": amount_pence},
        dedupe_key=f"refund_notice:{key}",
    )


def send_session_changed(tx: Session, session_id: int, change: str, *, key: str) -> int:
    """Tell every attendee (and each booking's customer) of a live booking about a change.

    ``change`` is a sentence for the customer ("The course has moved to Room 2."); ``key``
    identifies this change so a retried caller does not alert people twice. Returns how many
    people were addressed. A cancelled session sends the calendar cancellation.
    """
    session = get_session(tx, session_id)
    cancelled = session.status == SessionStatus.CANCELLED
    invite = Attachment(
        f"session-{session.id}.ics",
        "text/calendar; charset=utf-8",
        session_invite(session, location=venue_address(tx, session.venue), cancelled=cancelled),
    )
    base = session_context(tx, session) | {"change": change, "cancelled": cancelled}
    bookings = tx.scalars(
        select(Booking).where(
            Booking.session_id == session_id, Booking.status != BookingStatus.CANCELLED
        )
    )
    count = 0
    for booking in bookings:
        people = {a.email.casefold(): a.name for a in booking.attendees}
        people.setdefault(booking.customer_email.casefold(), booking.customer_name)
        for email, name in people.items():
            enqueue(
                tx,
                template="session_changed",
                to=email,
                context=base | {"name": name, "reference": booking.reference},
                attachments=[invite],
                dedupe_key=f"session_changed:{key}:{booking.id}:{email}",
            )
            count += 1
    return count
