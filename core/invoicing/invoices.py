"""Invoices and credit notes for employers: issued once, never edited.

An order's invoice has one line per attendee per session; a cancelled booking is credited
by a credit note repeating its lines. Payments received (bank transfer recorded by staff, or
a card payment link) are recorded against the invoice; what is owed is gross − credited −
paid, and an invoice still owing after its due date is overdue.
"""

from __future__ import annotations

import unicodedata
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from core.infra.actor import Actor
from core.infra.clock import LONDON, now, today_london, uk_date
from core.infra.config import Settings
from core.infra.errors import NotFound, ValidationFailed
from core.infra.money import gbp
from core.invoicing import vat
from core.invoicing.numbering import next_number
from core.journal import changes
from core.models import Attendee, Booking
from core.models.organisations import Invoice, InvoiceLine, InvoicePayment, Organisation
from core.notify.outbox import Attachment, enqueue
from core.organisations.directory import contacts_for

PAYMENT_METHODS = ("bank_transfer", "link", "cheque", "card")
MAX_PAYMENT_PENCE = 10_000_000


def supplier(settings: Settings) -> dict[str, str]:
    return {
        "name": settings.supplier_name,
        "address": settings.supplier_address,
        "vat_number": settings.vat_number or "",
    }


def customer(org: Organisation) -> dict[str, str]:
    return {"name": org.name, "address": org.billing_address, "vat_number": org.vat_number or ""}


def _shares(total: int, parts: int) -> list[int]:
    """Split a booking's total over its attendees; the first take the odd pennies."""
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def _description(booking: Booking) -> str:
    s = booking.session
    start = uk_date(s.start_at.astimezone(LONDON).date())
    text = f"{s.course.name}, {s.venue.name}, {start} ({booking.reference})"
    return text + (", group discount applied" if booking.discount_pence else "")


def issue_invoice(
    tx: Session,
    settings: Settings,
    org: Organisation,
    booked: list[Booking],
    po: str | None,
    actor: Actor,
    billing_address: str | None = None,
) -> Invoice:
    """Invoice ``booked`` to ``org`` today, due after the organisation's terms, and email it.

    ``billing_address``, when given, is the address on this invoice instead of the
    organisation's."""
    today = today_london()
    lines = [
        InvoiceLine(
            booking_id=b.id, attendee_id=a.id, description=_description(b), gross_pence=share
        )
        for b in booked
        for a, share in zip(b.attendees, _shares(b.total_pence, len(b.attendees)), strict=True)
    ]
    amounts = vat.split(sum(line.gross_pence for line in lines), vat.rate_bp(settings))
    invoice = Invoice(
        number=next_number(tx, "INV", today.year),
        kind="invoice",
        organisation_id=org.id,
        po=po,
        issued_on=today,
        due_on=today + timedelta(days=org.terms_days),
        vat_rate_bp=amounts.rate_bp,
        net_pence=amounts.net_pence,
        vat_pence=amounts.vat_pence,
        gross_pence=amounts.gross_pence,
        supplier=supplier(settings),
        customer=customer(org) | ({"address": billing_address} if billing_address else {}),
        created_by=actor.label,
        created_at=now(),
        lines=lines,
    )
    tx.add(invoice)
    tx.flush()
    _publish(tx, invoice)
    send(tx, invoice, org)
    return invoice


def credit_booking(tx: Session, booking: Booking, actor: Actor, reason: str) -> Invoice | None:
    """Credit a cancelled booking's invoice lines not yet credited (None when nothing is)."""
    rows = tx.execute(
        select(InvoiceLine, Invoice.kind)
        .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
        .where(InvoiceLine.booking_id == booking.id)
    ).all()
    invoiced = [line for line, kind in rows if kind == "invoice"]
    if not invoiced or any(kind == "credit_note" for _, kind in rows):
        return None
    original = tx.get_one(Invoice, invoiced[0].invoice_id)
    today = today_london()
    amounts = vat.split(sum(ln.gross_pence for ln in invoiced), original.vat_rate_bp)
    note = Invoice(
        number=next_number(tx, "CN", today.year),
        kind="credit_note",
        organisation_id=original.organisation_id,
        credits_id=original.id,
        po=original.po,
        issued_on=today,
        due_on=today,
        vat_rate_bp=amounts.rate_bp,
        net_pence=amounts.net_pence,
        vat_pence=amounts.vat_pence,
        gross_pence=amounts.gross_pence,
        supplier=original.supplier,
        customer=original.customer,
        reason=reason[:500],
        created_by=actor.label,
        created_at=now(),
        lines=[
            InvoiceLine(
                booking_id=ln.booking_id,
                attendee_id=ln.attendee_id,
                description=ln.description,
                gross_pence=ln.gross_pence,
            )
            for ln in invoiced
        ],
    )
    tx.add(note)
    tx.flush()
    _publish(tx, note)
    send(tx, note, tx.get_one(Organisation, original.organisation_id))
    return note


def _publish(tx: Session, invoice: Invoice) -> None:
    changes.append(
        tx,
        "invoice",
        invoice.number,
        {"number": invoice.number, "organisation_id": invoice.organisation_id},
    )


def find(tx: Session, number: str) -> Invoice:
    found = tx.scalar(
        select(Invoice)
        .where(Invoice.number == number.strip().upper())
        .options(selectinload(Invoice.lines), selectinload(Invoice.payments))
    )
    if found is None:
        raise NotFound(f"There is no invoice or credit note numbered {number.strip()!r}.")
    return found


def credited_pence(tx: Session, invoice: Invoice) -> int:
    notes = tx.scalars(select(Invoice.gross_pence).where(Invoice.credits_id == invoice.id))
    return sum(notes)


def status_of(invoice: Invoice, credited: int, today: date) -> str:
    """``credit`` for a credit note; else credited, paid, overdue, part_paid or open."""
    if invoice.kind == "credit_note":
        return "credit"
    paid = sum(p.amount_pence for p in invoice.payments)
    if credited >= invoice.gross_pence:
        return "credited"
    if paid + credited >= invoice.gross_pence:
        return "paid"
    if invoice.due_on < today:
        return "overdue"
    return "part_paid" if paid else "open"


def invoice_json(tx: Session, invoice: Invoice, today: date | None = None) -> dict[str, Any]:
    """The stable keys of ``rft invoice list --json`` plus the lines and parties."""
    today = today or today_london()
    credited = credited_pence(tx, invoice)
    paid = sum(p.amount_pence for p in invoice.payments)
    credits = tx.get(Invoice, invoice.credits_id) if invoice.credits_id else None
    return {
        "number": invoice.number,
        "kind": invoice.kind,
        "org": invoice.customer["name"],
        "org_id": invoice.organisation_id,
        "issued": invoice.issued_on.isoformat(),
        "due": invoice.due_on.isoformat(),
        "net_pence": invoice.net_pence,
        "vat_pence": invoice.vat_pence,
        "gross_pence": invoice.gross_pence,
        "paid_pence": paid,
        "credited_pence": credited,
        "outstanding_pence": max(0, invoice.gross_pence - paid - credited)
        if invoice.kind == "invoice"
        else 0,
        "status": status_of(invoice, credited, today),
        "vat_rate": vat.rate_text(invoice.vat_rate_bp),
        "po": invoice.po,
        "credits": credits.number if credits else None,
        "reason": invoice.reason,
        "supplier": invoice.supplier,
        "customer": invoice.customer,
        "lines": [_line_json(tx, ln) for ln in invoice.lines],
        "payments": [
            {
                "amount_pence": p.amount_pence,
                "method": p.method,
                "reference": p.reference,
                "received": p.received_on.isoformat(),
            }
            for p in invoice.payments
        ],
    }


def _line_json(tx: Session, line: InvoiceLine) -> dict[str, Any]:
    person = tx.get(Attendee, line.attendee_id) if line.attendee_id else None
    booking = tx.get_one(Booking, line.booking_id)
    return {
        "description": line.description,
        "attendee": person.name if person else "",
        "reference": booking.reference,
        "gross_pence": line.gross_pence,
    }


def list_invoices(
    tx: Session, org_id: int | None = None, overdue: bool = False, today: date | None = None
) -> list[dict[str, Any]]:
    """Invoices and credit notes, newest first; ``overdue`` keeps unpaid ones past due."""
    today = today or today_london()
    stmt = select(Invoice).options(selectinload(Invoice.lines), selectinload(Invoice.payments))
    if org_id is not None:
        stmt = stmt.where(Invoice.organisation_id == org_id)
    if overdue:
        stmt = stmt.where(Invoice.kind == "invoice", Invoice.due_on < today)
    found = [invoice_json(tx, inv, today) for inv in tx.scalars(stmt.order_by(Invoice.id.desc()))]
    return [i for i in found if i["status"] == "overdue"] if overdue else found


def record_payment(
    tx: Session,
    number: str,
    amount_pence: int,
    actor: Actor,
    *,
    method: str = "bank_transfer",
    reference: str,
    received_on: date | None = None,
) -> Invoice:
    """Money received against an invoice: whole pence, more than nothing, at most what is owed.

    The same payment reference twice on one invoice is refused, whatever its case or spacing
    (a payment is never counted twice)."""
    if isinstance(amount_pence, bool) or not isinstance(amount_pence, int) or amount_pence <= 0:
        raise ValidationFailed("A payment must be a whole number of pence more than 0.")
    if method not in PAYMENT_METHODS:
        raise ValidationFailed(f"Payment method must be one of {', '.join(PAYMENT_METHODS)}.")
    reference = (reference or "").strip()
    if not reference or len(reference) > 80:
        raise ValidationFailed("Give the payment's reference (1 to 80 characters).")
    if received_on is not None and received_on > today_london():
        raise ValidationFailed(
            f"A payment received on {received_on.isoformat()} has not come yet; give the day "
            "the money arrived (today or earlier)."
        )
    invoice = find(tx, number)
    tx.execute(select(Invoice.id).where(Invoice.id == invoice.id).with_for_update())
    tx.refresh(invoice, ["payments"])
    if invoice.kind != "invoice":
        raise ValidationFailed(f"{invoice.number} is a credit note; payments go on invoices.")
    owed = invoice.gross_pence - credited_pence(tx, invoice)
    owed -= sum(p.amount_pence for p in invoice.payments)
    if any(_reference_key(p.reference) == _reference_key(reference) for p in invoice.payments):
        raise ValidationFailed(f"Payment {reference!r} is already recorded on {invoice.number}.")
    if amount_pence > owed:
        raise ValidationFailed(
            f"{gbp(amount_pence)} is more than the {gbp(max(owed, 0))} still owed on "
            f"{invoice.number}."
        )
    invoice.payments.append(
        InvoicePayment(
            amount_pence=amount_pence,
            method=method,
            reference=reference,
            received_on=received_on or today_london(),
            recorded_by=actor.label,
            created_at=now(),
        )
    )
    tx.flush()
    _publish(tx, invoice)
    return invoice


def _reference_key(reference: str) -> str:
    """A reference as it reads: compatibility-normalised (composed accents, full-width
    letters), invisible format characters (zero-width spaces) dropped, spacing collapsed,
    case folded."""
    text = unicodedata.normalize("NFKC", reference)
    text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    return unicodedata.normalize("NFKC", " ".join(text.split()).casefold())


def pdf_for(tx: Session, invoice: Invoice) -> bytes:
    # reportlab loads with the first invoice, not with the app
    from core.invoicing.pdf import render

    return render(invoice_json(tx, invoice))


def send(tx: Session, invoice: Invoice, org: Organisation) -> None:
    """Queue the document (PDF attached) to the organisation's invoice contacts, once each."""
    view = invoice_json(tx, invoice)
    pdf = pdf_for(tx, invoice)
    label = "Credit note" if invoice.kind == "credit_note" else "Invoice"
    attachment = Attachment(f"{invoice.number}.pdf", "application/pdf", pdf)
    for contact in contacts_for(org, "invoice"):
        enqueue(
            tx,
            template="invoice_issued",
            to=contact.email,
            context={
                "name": contact.name,
                "label": label,
                "number": invoice.number,
                "org": org.name,
                "po": invoice.po,
                "issued": uk_date(invoice.issued_on),
                "due": uk_date(invoice.due_on),
                "gross_pence": invoice.gross_pence,
                "vat_pence": invoice.vat_pence,
                "credits": view["credits"],
                "lines": len(invoice.lines),
            },
            attachments=(attachment,),
            dedupe_key=f"invoice:{invoice.number}:{contact.id}",
        )
