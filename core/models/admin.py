"""Admin records: trainer profiles, qualifications and days off, the audit log, rule overrides,
co-trainers on a session, and the transfer-or-refund offers made when a session changes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.models.base import Base, JSONType, UTCDateTime
from core.models.users import User


class TrainerProfile(Base):
    """A trainer's staff record: which courses the office lets them teach."""

    __tablename__ = "trainer_profiles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    courses: Mapped[list[str]] = mapped_column(JSONType, default=list)
    phone: Mapped[str | None] = mapped_column(String(24))
    notes: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User] = relationship(lazy="joined", innerjoin=True)


class TrainerQualification(Base):
    """A trainer's own qualification (e.g. an FAW trainer award): the courses it covers and
    the date it runs out."""

    __tablename__ = "trainer_qualifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(String(160))
    courses: Mapped[list[str]] = mapped_column(JSONType, default=list)
    expires_on: Mapped[date] = mapped_column(Date)


class TrainerUnavailability(Base):
    """A day a trainer cannot teach (holiday, other work)."""

    __tablename__ = "trainer_unavailability"
    __table_args__ = (UniqueConstraint("user_id", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(String(200))


class SessionTrainer(Base):
    """A second (or further) trainer on a session; the lead is ``CourseSession.trainer_id``."""

    __tablename__ = "session_trainers"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("course_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)

    user: Mapped[User] = relationship(lazy="joined", innerjoin=True)


class AuditEntry(Base):
    """One administrative action: who, what, when, and the record before and after."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("idx_audit_at", "at"),
        Index("idx_audit_entity", "entity", "entity_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(120))
    actor_role: Mapped[str | None] = mapped_column(String(16))
    actor_user_id: Mapped[int | None] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(48), index=True)
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    reason: Mapped[str | None] = mapped_column(Text)


class RuleOverride(Base):
    """A teaching rule an admin chose to override for a session, with their written reason."""

    __tablename__ = "rule_overrides"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("course_sessions.id", ondelete="CASCADE"), index=True
    )
    rule: Mapped[str] = mapped_column(String(48))
    failure: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class RebookingOffer(Base):
    """After a session is cancelled or moved: a booking's choice of transfer or refund."""

    __tablename__ = "rebooking_offers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("course_sessions.id"), index=True)
    change: Mapped[str] = mapped_column(String(16))
    alternatives: Mapped[list[int]] = mapped_column(JSONType, default=list)
    refund_pence: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="OPEN")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
