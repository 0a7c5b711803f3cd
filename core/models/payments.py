"""Outgoing email (the outbox) and the Stripe bookkeeping: processed events and cursors."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, EncryptedText, UTCDateTime

OUTBOX_STATUSES = ("pending", "sending", "sent", "failed", "unconfirmed")


class OutboxMessage(Base):
    """One email, rendered when queued or, for a booking confirmation, when it is sent.

    Recipient and content are personal data and stored encrypted. ``status`` moves
    pending → sending → sent; a failed attempt goes back to pending with a later
    ``next_attempt_at``; a send whose outcome is unknown becomes ``unconfirmed`` and is
    never retried automatically (at most once).
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("idx_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    template: Mapped[str] = mapped_column(String(64))
    recipient: Mapped[str] = mapped_column(EncryptedText)
    subject: Mapped[str] = mapped_column(EncryptedText)
    body_text: Mapped[str] = mapped_column(EncryptedText)
    body_html: Mapped[str] = mapped_column(EncryptedText)
    attachments: Mapped[str] = mapped_column(EncryptedText)
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    message_id: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(EncryptedText)  # refusals name addresses
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A message still to be rendered from this booking when it is sent (subject, bodies and
    # attachments are empty until then); None once rendered, or when rendered on queueing.
    render_booking_id: Mapped[int | None] = mapped_column(Integer)


class StripeEvent(Base):
    """A Stripe event already processed: its id is recorded so it is never applied twice."""

    __tablename__ = "stripe_events"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(80))
    created: Mapped[datetime] = mapped_column(UTCDateTime)
    processed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PaymentState(Base):
    """Small named values the payment jobs keep between runs (e.g. the events cursor)."""

    __tablename__ = "payment_state"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
