"""Employers: organisations and their contacts, bulk orders, invoices and credit notes."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.models.base import Base, EncryptedText, JSONType, UTCDateTime


class Organisation(Base):
    """An employer that books its staff and is invoiced for them."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(160), unique=True)
    billing_address: Mapped[str] = mapped_column(Text, default="")
    po_required: Mapped[bool] = mapped_column(Boolean, default=False)
    terms_days: Mapped[int] = mapped_column(Integer, default=30)
    vat_number: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    contacts: Mapped[list[OrganisationContact]] = relationship(
        back_populates="organisation", order_by="OrganisationContact.id"
    )


class OrganisationContact(Base):
    """A person at an employer; ``roles`` is a comma list of ``booking``, ``invoice``, ``expiry``.

    Name and email are personal data, encrypted like attendees' (email also as a keyed hash).
    """

    __tablename__ = "organisation_contacts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(EncryptedText)
    email: Mapped[str] = mapped_column(EncryptedText)
    email_hash: Mapped[str] = mapped_column(String(64), index=True)
    roles: Mapped[str] = mapped_column(String(40))

    organisation: Mapped[Organisation] = relationship(back_populates="contacts")


class BulkOrder(Base):
    """Many people on several sessions: seats held first (``HELD``), then ``CONFIRMED`` as one,
    or ``RELEASED``. ``rows`` (the people, encrypted) and ``holds`` keep it between the steps."""

    __tablename__ = "bulk_orders"
    __table_args__ = (
        CheckConstraint("status IN ('HELD', 'CONFIRMED', 'RELEASED')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    po: Mapped[str | None] = mapped_column(String(60))
    rows: Mapped[str] = mapped_column(EncryptedText)
    holds: Mapped[dict[str, str]] = mapped_column(JSONType)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"))


class DocumentCounter(Base):
    """Last number issued per series (``INV``, ``CN``) and year: sequential, never reused."""

    __tablename__ = "document_counters"

    series: Mapped[str] = mapped_column(String(8), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


class Invoice(Base):
    """An invoice (``INV-YYYY-NNNN``) or a credit note against one (``CN-YYYY-NNNN``).

    Written once and never edited: amounts, supplier and customer are copied in at issue;
    only payments recorded against it (``InvoicePayment``) change what is still owed.
    """

    __tablename__ = "invoices"
    __table_args__ = (
        CheckConstraint("kind IN ('invoice', 'credit_note')", name="kind_known"),
        CheckConstraint(
            "net_pence >= 0 AND vat_pence >= 0 AND gross_pence = net_pence + vat_pence",
            name="amounts_add_up",
        ),
        Index("idx_invoices_org", "organisation_id", "issued_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    credits_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"))
    po: Mapped[str | None] = mapped_column(String(60))
    issued_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    vat_rate_bp: Mapped[int] = mapped_column(Integer)
    net_pence: Mapped[int] = mapped_column(Integer)
    vat_pence: Mapped[int] = mapped_column(Integer)
    gross_pence: Mapped[int] = mapped_column(Integer)
    supplier: Mapped[dict[str, str]] = mapped_column(JSONType)
    customer: Mapped[dict[str, str]] = mapped_column(JSONType)
    reason: Mapped[str | None] = mapped_column(String(500))
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    lines: Mapped[list[InvoiceLine]] = relationship(
        order_by="InvoiceLine.id", cascade="all, delete-orphan"
    )
    payments: Mapped[list[InvoicePayment]] = relationship(
        order_by="InvoicePayment.id", cascade="all, delete-orphan"
    )


class InvoiceLine(Base):
    """One attendee on one session (a credit note repeats the lines it credits)."""

    __tablename__ = "invoice_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), index=True)
    attendee_id: Mapped[int | None] = mapped_column(ForeignKey("attendees.id"))
    description: Mapped[str] = mapped_column(String(300))
    gross_pence: Mapped[int] = mapped_column(Integer)


class InvoicePayment(Base):
    """Money received against an invoice: a bank transfer recorded by staff, or a card link."""

    __tablename__ = "invoice_payments"
    __table_args__ = (
        CheckConstraint("amount_pence > 0", name="amount_positive"),
        UniqueConstraint("invoice_id", "reference", name="uq_invoice_payments_reference"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    amount_pence: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(24))
    reference: Mapped[str] = mapped_column(String(80))
    received_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class InvoiceLink(Base):
    """A Stripe Checkout link for what was owed on an invoice when it was made."""

    __tablename__ = "invoice_links"
    __table_args__ = (
        CheckConstraint("amount_pence > 0", name="amount_positive"),
        CheckConstraint(
            "status IN ('pending', 'paid', 'expired', 'canceled')", name="status_known"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    amount_pence: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    provider_ref: Mapped[str | None] = mapped_column(String(255))
    url: Mapped[str | None] = mapped_column(EncryptedText)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    message: Mapped[str | None] = mapped_column(String(255))
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OrganisationReminder(Base):
    """A certificate already listed in an employer's 90- or 30-day expiry email."""

    __tablename__ = "organisation_reminders"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"), primary_key=True)
    days: Mapped[int] = mapped_column(Integer, primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
