"""Waiting-list entries: a person or group waiting for seats on a full session."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.models.base import Base, EncryptedText, JSONType, UTCDateTime
from core.models.bookings import Booking, SeatHold
from core.models.sessions import CourseSession

WAITLIST_STATUSES = ("waiting", "offered", "accepted", "expired", "declined")


class WaitlistEntry(Base):
    """Seats wanted on one session, or (``before_date`` set) on any session of its course at
    ``venues`` starting before that date. An offer is a seat hold (``hold_id``) that lasts
    until ``offer_expires``. With ``pay_by_link_agreed_at`` the entry is booked at once
    (``booking_id``) for its ``attendees`` instead. Contact and attendees are personal data,
    stored encrypted."""

    __tablename__ = "waitlist_entries"
    __table_args__ = (
        CheckConstraint("seats >= 1 AND seats <= 12", name="seats_1_to_12"),
        CheckConstraint(
            "status IN ('waiting', 'offered', 'accepted', 'expired', 'declined')",
            name="status_known",
        ),
        Index("idx_waitlist_session_status", "session_id", "status"),
        Index("idx_waitlist_flexible_status", "before_date", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("course_sessions.id"))
    seats: Mapped[int] = mapped_column(Integer)
    contact_name: Mapped[str] = mapped_column(EncryptedText)
    contact_email: Mapped[str] = mapped_column(EncryptedText)
    contact_email_hash: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(16), default="waiting")
    channel: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    hold_id: Mapped[str | None] = mapped_column(ForeignKey("seat_holds.id"))
    offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    offer_expires: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    venues: Mapped[list[str] | None] = mapped_column(JSONType)
    before_date: Mapped[date | None] = mapped_column(Date)
    attendees: Mapped[str | None] = mapped_column(EncryptedText)  # JSON list, encrypted
    pay_by_link_agreed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"))

    session: Mapped[CourseSession] = relationship(lazy="joined", innerjoin=True)
    hold: Mapped[SeatHold | None] = relationship()
    booking: Mapped[Booking | None] = relationship()
