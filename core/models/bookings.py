"""Seat holds, bookings, attendees, payments and the per-year reference counter."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    FetchedValue,
    ForeignKey,
    Index,
    Integer,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.models.base import Base, EncryptedDate, EncryptedText, UTCDateTime
from core.models.sessions import CourseSession
from core.models.statuses import BookingStatus

BOOKING_STATUSES = tuple(BookingStatus)
CHANNELS = ("desk", "website", "cli")
LIVE_HOLD = "released_at IS NULL AND booking_id IS NULL"


class SeatHold(Base):
    """Seats set aside while someone books. Active while unreleased, unconverted and unexpired."""

    __tablename__ = "seat_holds"
    __table_args__ = (
        CheckConstraint("seats >= 1 AND seats <= 12", name="seats_1_to_12"),
        Index("idx_holds_session_expiry", "session_id", "expires_at"),
        # The live holds alone, so counting held seats does not read every hold ever made.
        Index(
            "idx_holds_live",
            "session_id",
            "expires_at",
            "seats",
            postgresql_where=text(LIVE_HOLD),
            sqlite_where=text(LIVE_HOLD),
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("course_sessions.id"))
    seats: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(16))
    holder: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"))
    # SHA-256 of the hold token given once to the client that made the hold (NULL before 0012).
    token_hash: Mapped[str | None] = mapped_column(String(64))


class Booking(Base):
    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint(
            "status IN ('PENDING_PAYMENT', 'CONFIRMED', 'CANCELLED')", name="status_known"
        ),
        CheckConstraint("total_pence >= 0 AND discount_pence >= 0", name="money_not_negative"),
        Index("idx_bookings_user", "customer_email_hash", "created_at"),
        Index("idx_bookings_session", "session_id", "status"),
    )
    __mapper_args__ = {"eager_defaults": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # FetchedValue: a reference drawn by the INSERT itself (core.booking.references) is read
    # back in its RETURNING (eager_defaults), not by a SELECT of its own.
    reference: Mapped[str] = mapped_column(String(16), unique=True, server_default=FetchedValue())
    session_id: Mapped[int] = mapped_column(ForeignKey("course_sessions.id"))
    status: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))
    seats: Mapped[int] = mapped_column(Integer)
    unit_price_pence: Mapped[int] = mapped_column(Integer)
    subtotal_pence: Mapped[int] = mapped_column(Integer)
    discount_pence: Mapped[int] = mapped_column(Integer)
    total_pence: Mapped[int] = mapped_column(Integer)
    customer_name: Mapped[str] = mapped_column(EncryptedText)
    customer_email: Mapped[str] = mapped_column(EncryptedText)
    customer_email_hash: Mapped[str] = mapped_column(String(64))
    customer_phone: Mapped[str | None] = mapped_column(EncryptedText)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(String(500))
    # added by migration 0010: when an unpaid (PENDING_PAYMENT) booking gives its seats back
    pay_by: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # added by migration 0013 (organisations): the employer the booking is for
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))

    session: Mapped[CourseSession] = relationship(lazy="joined", innerjoin=True)
    attendees: Mapped[list[Attendee]] = relationship(
        back_populates="booking", order_by="Attendee.id", cascade="all, delete-orphan"
    )
    payments: Mapped[list[Payment]] = relationship(
        back_populates="booking", order_by="Payment.id", cascade="all, delete-orphan"
    )


class Attendee(Base):
    """A person on a booking. Every personal field is encrypted at rest."""

    __tablename__ = "attendees"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    booking_id: Mapped[int] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(EncryptedText)
    email: Mapped[str] = mapped_column(EncryptedText)
    email_hash: Mapped[str] = mapped_column(String(64), index=True)
    phone: Mapped[str | None] = mapped_column(EncryptedText)
    date_of_birth: Mapped[date] = mapped_column(EncryptedDate)
    special_requirements: Mapped[str | None] = mapped_column(EncryptedText)
    emergency_phone: Mapped[str | None] = mapped_column(EncryptedText)

    booking: Mapped[Booking] = relationship(back_populates="attendees")


class Payment(Base):
    """Money taken or owed for a booking; refunds are negative-direction rows of kind 'refund'."""

    __tablename__ = "payments"
    __table_args__ = (Index("idx_payments_status", "status", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="charge")
    method: Mapped[str] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(24))
    amount_pence: Mapped[int] = mapped_column(Integer)
    provider_ref: Mapped[str | None] = mapped_column(String(255))
    idempotency_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    recorded_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # added by migration 0003 (payments): the saga's step-by-step record
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reader_id: Mapped[str | None] = mapped_column(String(64))
    message: Mapped[str | None] = mapped_column(String(255))
    details: Mapped[str | None] = mapped_column(EncryptedText)

    booking: Mapped[Booking] = relationship(back_populates="payments")


class ReferenceCounter(Base):
    """Where each year's booking numbers stand (``core.booking.references``): on SQLite the
    last number issued, on PostgreSQL the ``base`` taken from the sequence's numbers."""

    __tablename__ = "reference_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer)
    base: Mapped[int | None] = mapped_column(BigInteger)
