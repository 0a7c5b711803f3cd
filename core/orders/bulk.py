"""Bulk orders: many staff of one employer on several sessions, all or nothing.

The order keeps its people (encrypted) only while its seats are held: once confirmed they
live with the bookings, and a released order forgets them.

``start_order`` checks every row, then holds every seat on every session through the
ordinary seat holds (one write transaction: one session that cannot take its people and no
seat is held anywhere). ``review`` shows the order; ``confirm_order`` turns every hold into a
booking through ``bookings.confirm_hold`` and issues one invoice, again in one transaction:
if any hold has run out, nothing is booked. ``release_order`` gives the seats back.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.booking import bookings, eligibility
from core.booking.attendees import AttendeeInput
from core.booking.pricing import quote
from core.infra.actor import Actor
from core.infra.clock import now
from core.infra.config import Settings
from core.infra.errors import DomainError, NotFound, ValidationFailed
from core.invoicing import vat
from core.invoicing.invoices import issue_invoice
from core.models import Booking, SeatHold
from core.models.organisations import BulkOrder, Invoice, Organisation
from core.notify import booking_emails
from core.orders.order_csv import OrderRow, parse_row
from core.organisations import directory
from core.payments.ledger import add_payment
from core.seats import holds
from core.seats.availability import get_session
from core.seats.locking import lock_session


def _by_session(rows: list[OrderRow]) -> dict[int, list[OrderRow]]:
    grouped: dict[int, list[OrderRow]] = defaultdict(list)
    for r in rows:
        grouped[r.session_id].append(r)
    return dict(sorted(grouped.items()))


def _rows_text(rows: list[OrderRow]) -> str:
    return ", ".join(str(r.row) for r in rows)


def _refused(
    exc: DomainError, sid: int, group: list[OrderRow], then: str = "Nothing was booked."
) -> DomainError:
    """``exc`` again, its message naming the rows (of session ``sid``) it is about."""
    return type(exc)(f"Rows {_rows_text(group)} (session {sid}): {exc.message} {then}", **exc.data)


def _booker(org: Organisation) -> AttendeeInput:
    """The employer's booking contact, as the customer on each booking (no date of birth)."""
    found = directory.contacts_for(org, "booking")
    if not found:
        raise ValidationFailed(f"{org.name} has no contacts; add a booking contact first.")
    return AttendeeInput.model_construct(name=found[0].name, email=found[0].email, phone=None)


def start_order(
    tx: Session,
    settings: Settings,
    org_id: int,
    rows: list[OrderRow],
    po: str | None,
    actor: Actor,
) -> BulkOrder:
    """Check every row and hold every seat; raises (holding nothing) on the first problem."""
    org = directory.get(tx, org_id)
    po = directory.check_po(org, po)
    _booker(org)
    grouped = _by_session(rows)
    for sid, group in grouped.items():
        try:
            session = lock_session(tx, sid)
        except NotFound as exc:
            raise ValidationFailed(
                f"Row {group[0].row}, field session: {exc.message} Nothing was booked.",
                row=group[0].row,
            ) from None
        for r in group:
            try:
                bookings.check_ages(session, [r.person])
            except ValidationFailed as exc:
                raise ValidationFailed(
                    f"Row {r.row}, field date_of_birth: "
                    f"{exc.message.removeprefix('Attendee 1 ')} Nothing was booked.",
                    row=r.row,
                ) from None
        try:  # a requalification needs each person's certificate: refused before any hold
            eligibility.check_people(tx, session, [r.person for r in group], actor)
        except DomainError as exc:
            raise _refused(exc, sid, group) from None
    held: dict[str, str] = {}
    expiry = None
    for sid, group in grouped.items():
        try:
            hold = holds.create_hold(tx, sid, len(group), actor, settings.hold_minutes)
        except DomainError as exc:
            raise _refused(exc, sid, group) from None
        held[str(sid)] = hold.id
        expiry = hold.expires_at if expiry is None else min(expiry, hold.expires_at)
    assert expiry is not None
    order = BulkOrder(
        organisation_id=org.id,
        status="HELD",
        po=po,
        rows=json.dumps([r.to_json() for r in rows]),
        holds=held,
        created_by=actor.label,
        created_at=now(),
        expires_at=expiry,
    )
    tx.add(order)
    tx.flush()
    return order


def order_rows(order: BulkOrder) -> list[OrderRow]:
    return [parse_row(item["row"], item) for item in json.loads(order.rows)]


def _locked_order(tx: Session, order_id: int) -> BulkOrder:
    order = tx.scalar(
        select(BulkOrder)
        .where(BulkOrder.id == order_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if order is None:
        raise NotFound(f"There is no bulk order number {order_id}.")
    return order


def _held_parts(tx: Session, order: BulkOrder) -> list[dict[str, Any]]:
    parts = []
    for sid, group in _by_session(order_rows(order)).items():
        view = get_session(tx, sid)
        hold = tx.get_one(SeatHold, order.holds[str(sid)])
        parts.append(
            {
                "session": view.to_json(),
                "hold_id": hold.id,
                "hold_expires_at": hold.expires_at.isoformat(),
                "people": [r.to_json() for r in group],
                "quote": quote(view.price_pence, len(group)).to_json(),
            }
        )
    return parts


def _booked_parts(tx: Session, order: BulkOrder) -> list[dict[str, Any]]:
    """A confirmed order as booked: its people now live (and are erased) with the bookings."""
    return [
        {
            "session": get_session(tx, b.session_id).to_json(),
            "reference": b.reference,
            "people": [{"name": a.name, "email": a.email} for a in b.attendees],
            "quote": {
                "unit_pence": b.unit_price_pence,
                "attendees": b.seats,
                "subtotal_pence": b.subtotal_pence,
                "discount_pence": b.discount_pence,
                "total_pence": b.total_pence,
            },
        }
        for b in _bookings(tx, order)
    ]


def review(tx: Session, settings: Settings, order_id: int) -> dict[str, Any]:
    """The order as one review: each session with its people and price, and the totals."""
    order = tx.get(BulkOrder, order_id)
    if order is None:
        raise NotFound(f"There is no bulk order number {order_id}.")
    org = tx.get_one(Organisation, order.organisation_id)
    invoice = tx.get(Invoice, order.invoice_id) if order.invoice_id else None
    parts = _booked_parts(tx, order) if invoice else _held_parts(tx, order)
    gross = sum(p["quote"]["total_pence"] for p in parts)
    rate = invoice.vat_rate_bp if invoice else vat.rate_bp(settings)
    amounts = vat.split(gross, rate)
    return {
        "id": order.id,
        "org_id": org.id,
        "org": org.name,
        "status": order.status,
        "po": order.po,
        "expires_at": order.expires_at.isoformat(),
        "sessions": parts,
        "seats": sum(len(p["people"]) for p in parts),
        "net_pence": amounts.net_pence,
        "vat_pence": amounts.vat_pence,
        "gross_pence": amounts.gross_pence,
        "references": [b.reference for b in _bookings(tx, order)],
        "invoice": invoice.number if invoice else None,
    }


def _bookings(tx: Session, order: BulkOrder) -> list[Booking]:
    ids = tx.scalars(select(SeatHold.booking_id).where(SeatHold.id.in_(order.holds.values())))
    found = [i for i in ids if i is not None]
    if not found:
        return []
    return list(tx.scalars(select(Booking).where(Booking.id.in_(found)).order_by(Booking.id)))


def pending_for(tx: Session, email: str) -> list[dict[str, Any]]:
    """For a subject access request: ``email``'s rows in orders whose seats are still held."""
    wanted = email.strip().casefold()
    found = []
    for order in tx.scalars(select(BulkOrder).where(BulkOrder.status == "HELD")):
        found += [
            r.to_json() | {"order": order.id}
            for r in order_rows(order)
            if str(r.person.email).casefold() == wanted
        ]
    return found


def forget_person(tx: Session, email: str) -> int:
    """Erasure: an order still holding seats that lists ``email`` is released (its seats go
    back and its people are forgotten); returns how many orders."""
    orders = sorted({row["order"] for row in pending_for(tx, email)})
    for order_id in orders:
        release_order(tx, order_id)
    return len(orders)


def _usable(order: BulkOrder) -> None:
    if order.status == "CONFIRMED":
        raise ValidationFailed(f"Bulk order {order.id} is already confirmed.")
    if order.status == "RELEASED":
        raise ValidationFailed(f"Bulk order {order.id} was cancelled; its seats were released.")


def confirm_order(
    tx: Session, settings: Settings, order_id: int, actor: Actor
) -> tuple[list[Booking], Invoice]:
    """Book every held seat and issue the invoice, all in the caller's transaction."""
    order = _locked_order(tx, order_id)
    _usable(order)
    org = directory.get(tx, order.organisation_id)
    customer = _booker(org)
    booked = []
    for sid, group in _by_session(order_rows(order)).items():
        try:
            booking = bookings.confirm_hold(
                tx, order.holds[str(sid)], [r.person for r in group], actor, customer=customer
            )
        except DomainError as exc:
            raise _refused(
                exc, sid, group, "Nothing was booked; release the order and start again."
            ) from None
        booking.organisation_id = org.id
        booked.append(booking)
    tx.flush()
    invoice = issue_invoice(tx, settings, org, booked, order.po, actor)
    for booking in booked:
        add_payment(
            tx,
            booking,
            method="invoice",
            status="invoiced",
            amount_pence=booking.total_pence,
            recorded_by=actor.label,
            company=org.name,
            invoice=invoice.number,
            po_number=order.po,
        )
        booking_emails.refresh_confirmation(tx, booking)
    order.status = "CONFIRMED"
    order.invoice_id = invoice.id
    order.rows = "[]"
    tx.flush()
    return booked, invoice


def extend_order(tx: Session, settings: Settings, order_id: int) -> BulkOrder:
    """Keep every seat held for another ``RFT_HOLD_MINUTES`` while the review goes on; a hold
    that has already run out cannot be revived (``HoldExpired``: release and start again)."""
    order = _locked_order(tx, order_id)
    _usable(order)
    expiry = None
    for hold_id in order.holds.values():
        hold = holds.extend_hold(tx, hold_id, settings.hold_minutes)
        expiry = hold.expires_at if expiry is None else min(expiry, hold.expires_at)
    assert expiry is not None
    order.expires_at = expiry
    tx.flush()
    return order


def release_order(tx: Session, order_id: int) -> BulkOrder:
    """Give back every seat the order holds (an order already released stays so)."""
    order = _locked_order(tx, order_id)
    if order.status == "CONFIRMED":
        raise ValidationFailed(f"Bulk order {order.id} is confirmed; cancel its bookings instead.")
    for hold_id in order.holds.values():
        holds.release_hold(tx, hold_id)
    order.status = "RELEASED"
    order.rows = "[]"
    tx.flush()
    return order


def organisation_bookings(tx: Session, org_id: int) -> list[dict[str, Any]]:
    """The employer's bookings, newest first, as the booking service shows them."""
    found = tx.scalars(
        select(Booking).where(Booking.organisation_id == org_id).order_by(Booking.id.desc())
    )
    return [bookings.view_of(tx, b).to_json() for b in found]
