"""Scheduled course sessions and their teaching days."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.models.base import Base, Slug, UTCDateTime
from core.models.catalogue import Course, Venue
from core.models.statuses import SessionStatus
from core.models.users import User

MAX_CAPACITY = 12
SESSION_STATUSES = tuple(SessionStatus)


class CourseSession(Base):
    """One run of a course at a venue. ``booked`` counts confirmed and pending-payment seats."""

    __tablename__ = "course_sessions"
    __table_args__ = (
        CheckConstraint(f"capacity >= 1 AND capacity <= {MAX_CAPACITY}", name="capacity_1_to_12"),
        CheckConstraint("booked >= 0 AND booked <= capacity", name="booked_within_capacity"),
        CheckConstraint("status IN ('SCHEDULED', 'FULL', 'CANCELLED')", name="status_known"),
        CheckConstraint("end_at > start_at", name="ends_after_start"),
        Index("idx_sessions_date_course", "start_at", "course_id"),
        Index("idx_sessions_availability", "status", "booked"),
        Index("idx_sessions_venue_date", "venue_id", "start_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_id: Mapped[str] = mapped_column(Slug, ForeignKey("courses.id"))
    venue_id: Mapped[str] = mapped_column(Slug, ForeignKey("venues.id"))
    room: Mapped[str | None] = mapped_column(String(80))
    trainer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int] = mapped_column(Integer)
    booked: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default=SessionStatus.SCHEDULED)
    price_pence: Mapped[int | None] = mapped_column(Integer)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    course: Mapped[Course] = relationship(lazy="joined", innerjoin=True)
    venue: Mapped[Venue] = relationship(lazy="joined", innerjoin=True)
    trainer: Mapped[User | None] = relationship(lazy="joined")
    days: Mapped[list[SessionDay]] = relationship(
        back_populates="session", order_by="SessionDay.day_index", cascade="all, delete-orphan"
    )

    @property
    def unit_price_pence(self) -> int:
        return self.price_pence if self.price_pence is not None else self.course.price_pence


class SessionDay(Base):
    """One teaching day of a session (a multi-day course has several)."""

    __tablename__ = "session_days"
    __table_args__ = (CheckConstraint("end_at > start_at", name="day_ends_after_start"),)

    session_id: Mapped[int] = mapped_column(
        ForeignKey("course_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    day_index: Mapped[int] = mapped_column(Integer, primary_key=True)
    start_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)

    session: Mapped[CourseSession] = relationship(back_populates="days")
