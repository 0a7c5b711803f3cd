"""Attendance registers and certificates, plus a trainer device's offline cache.

Server side: every register operation (``attendance_ops``, the history), the winning mark
per cell (``attendance_marks``) and issued ``certificates``. Device side (same schema in the
device's embedded database): cached rosters, queued operations and small device state.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.models.base import Base, EncryptedText, Slug, UTCDateTime
from core.models.bookings import Attendee


class AttendanceOp(Base):
    """One mark as received, kept forever: the register's history. Applied once by op id."""

    __tablename__ = "attendance_ops"
    __table_args__ = (Index("idx_attendance_ops_cell", "attendee_id", "day_index", "field"),)

    op_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(64))
    hlc: Mapped[str] = mapped_column(String(24))
    session_id: Mapped[int] = mapped_column(ForeignKey("course_sessions.id"), index=True)
    attendee_id: Mapped[int] = mapped_column(ForeignKey("attendees.id", ondelete="CASCADE"))
    day_index: Mapped[int] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(16))
    value: Mapped[str | None] = mapped_column(EncryptedText)
    time: Mapped[str | None] = mapped_column(String(5))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_by: Mapped[str] = mapped_column(String(120))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AttendanceMark(Base):
    """The current value of one register cell: the winning op by the convergence rule."""

    __tablename__ = "attendance_marks"

    attendee_id: Mapped[int] = mapped_column(
        ForeignKey("attendees.id", ondelete="CASCADE"), primary_key=True
    )
    day_index: Mapped[int] = mapped_column(Integer, primary_key=True)
    field: Mapped[str] = mapped_column(String(16), primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("course_sessions.id"), index=True)
    value: Mapped[str | None] = mapped_column(EncryptedText)
    # The attendance value in clear (present/absent/late/left_early: a fact, not free text),
    # only for field "attendance", so reports count no-shows in SQL; None for other fields.
    status: Mapped[str | None] = mapped_column(String(16))
    time: Mapped[str | None] = mapped_column(String(5))
    hlc: Mapped[str] = mapped_column(String(24))
    device_id: Mapped[str] = mapped_column(String(64))
    op_id: Mapped[str] = mapped_column(String(64))
    recorded_by: Mapped[str] = mapped_column(String(120))


class Certificate(Base):
    """A certificate issued for one attendance (one attendee row); never issued twice.

    The holder's name is read from the attendee, so erasing a person's data covers it.
    """

    __tablename__ = "certificates"
    __table_args__ = (Index("idx_certificates_expiry", "expires_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)
    attendee_id: Mapped[int] = mapped_column(ForeignKey("attendees.id"), unique=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("course_sessions.id"), index=True)
    course_id: Mapped[str] = mapped_column(Slug, ForeignKey("courses.id"))
    venue_id: Mapped[str] = mapped_column(Slug, ForeignKey("venues.id"))
    trainer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    course_name: Mapped[str] = mapped_column(String(120))
    trainer_name: Mapped[str | None] = mapped_column(String(120))
    issued_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reminded_90_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_30_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    attendee: Mapped[Attendee] = relationship(lazy="joined", innerjoin=True)


class OfflineRoster(Base):
    """Device side: a cached roster (register included), encrypted as one JSON document."""

    __tablename__ = "offline_rosters"

    session_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    document: Mapped[str] = mapped_column(EncryptedText)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PendingOp(Base):
    """Device side: a mark made on this device; ``synced_at`` is set once the server has it."""

    __tablename__ = "offline_pending_ops"
    __table_args__ = (Index("idx_offline_pending_unsynced", "synced_at", "hlc"),)

    op_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    session_id: Mapped[int] = mapped_column(Integer)
    hlc: Mapped[str] = mapped_column(String(24))
    mark: Mapped[str] = mapped_column(EncryptedText)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    result: Mapped[str | None] = mapped_column(String(255))


class DeviceState(Base):
    """Device side: small named values (device id, last clock reading, feed position)."""

    __tablename__ = "offline_device_state"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(255))
