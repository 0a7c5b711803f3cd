"""Results about organisations, their orders, invoices and certificates."""

from __future__ import annotations

from datetime import date

from core.api.results.base import Instant, JsonObject, Result
from core.api.results.bookings import Booking
from core.api.results.sessions import Session


class Certificate(Result):
    """``certificates.list[]``."""

    number: str
    attendee: str
    attendee_id: int
    course: str
    course_id: str
    venue: str
    trainer: str
    session_id: int
    issued: date
    expires: date


class NumberedPdf(Result):
    """``certificates.pdf``, ``invoices.pdf``."""

    number: str
    filename: str
    pdf_base64: str


class InvoiceLine(Result):
    """``invoices.get.lines[]``."""

    description: str
    attendee: str
    reference: str
    gross_pence: int


class InvoiceParty(Result):
    """``invoices.get.customer``, ``invoices.get.supplier``."""

    name: str
    address: str
    vat_number: str


class InvoicePayment(Result):
    """``invoices.get.payments[]``."""

    amount_pence: int
    method: str
    reference: str
    received: date


class Invoice(Result):
    """``invoices.get``, ``invoices.list[]``, ``invoices.pay``."""

    number: str
    kind: str
    org: str
    org_id: int
    issued: date
    due: date
    net_pence: int
    vat_pence: int
    gross_pence: int
    paid_pence: int
    credited_pence: int
    outstanding_pence: int
    status: str
    vat_rate: str
    po: str | None
    credits: str | None
    reason: str | None
    supplier: InvoiceParty
    customer: InvoiceParty
    lines: list[InvoiceLine]
    payments: list[InvoicePayment]


class InvoiceLink(Result):
    """``invoices.link``."""

    number: str
    url: str
    amount_pence: int
    expires_at: Instant
    status: str
    outstanding_pence: int


class OrgContact(Result):
    """``organisations.add.contacts[]``."""

    id: int
    name: str
    email: str
    roles: list[str]


class Organisation(Result):
    """An organisation; ``organisations.get`` adds its bookings, invoices and compliance."""

    id: int
    name: str
    billing_address: str
    po_required: bool
    terms_days: int
    vat_number: str | None
    contacts: list[OrgContact]
    bookings: int
    booking_list: list[Booking] | None = None
    invoices: list[Invoice] | None = None
    compliance: list[JsonObject] | None = None


class ComplianceRow(Result):
    """``organisations.compliance[]``."""

    attendee: str
    email: str
    course: str
    certificate: str
    expires: date
    status: str
    next: str
    days_left: int


class ComplianceExport(Result):
    """``organisations.compliance_export``."""

    filename: str
    pdf_base64: str | None = None
    csv: str | None = None


class OrderPerson(Result):
    """Someone on an order: the whole row while held, name and email once booked."""

    row: int | None = None
    session: int | None = None
    name: str
    email: str
    date_of_birth: date | None = None
    phone: str | None = None
    special_requirements: str | None = None


class Quote(Result):
    """``pricing.quote``, ``organisations.order.confirm.sessions[].quote``."""

    unit_pence: int
    attendees: int
    subtotal_pence: int
    discount_pence: int
    total_pence: int


class OrderSession(Result):
    """One session of an order: its hold while held, its booking reference once booked."""

    session: Session
    hold_id: str | None = None
    hold_expires_at: Instant | None = None
    reference: str | None = None
    people: list[OrderPerson]
    quote: Quote


class Order(Result):
    """A group order across sessions (``organisations.order.*``)."""

    id: int
    org_id: int
    org: str
    status: str
    po: str
    expires_at: Instant
    sessions: list[OrderSession]
    seats: int
    net_pence: int
    vat_pence: int
    gross_pence: int
    references: list[str]
    invoice: str | None
    not_read: list[str] = []  # organisations.order.start from CSV: columns it did not keep
