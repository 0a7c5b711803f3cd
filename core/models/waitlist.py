"""Waiting-list entries: a person or group waiting for seats on a full session."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.models.base import Base, EncryptedText, UTCDateTime
from core.models.bookings import SeatHold
from core.models.sessions import CourseSession

WAITLIST_STATUSES = ("waiting", "offered", "accepted", "expired", "declined")


class WaitlistEntry(Base):
    """Seats wanted on one session. An offer is a seat hold (``hold_id``) that lasts until
    ``offer_expires``; the contact is personal data and stored encrypted."""

    __tablename__ = "waitlist_entries"
    __table_args__ = (
        CheckConstraint("seats >= 1 AND seats <= 12", name="seats_1_to_12"),
        CheckConstraint(
            "status IN ('waiting', 'offered', 'accepted', 'expired', 'declined')",
            name="status_known",
        ),
        Index("idx_waitlist_session_status", "session_id", "status"),
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

    session: Mapped[CourseSession] = relationship(lazy="joined", innerjoin=True)
    hold: Mapped[SeatHold | None] = relationship()
