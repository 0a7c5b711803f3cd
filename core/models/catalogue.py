"""Courses and venues as database rows, seeded from ``resources/catalogue.json``."""

from __future__ import annotations

from sqlalchemy import Boolean, CheckConstraint, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, JSONType, Slug


class Course(Base):
    __tablename__ = "courses"
    __table_args__ = (CheckConstraint("price_pence > 0", name="price_positive"),)

    id: Mapped[str] = mapped_column(Slug, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    category: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text)
    price_pence: Mapped[int] = mapped_column(Integer)
    day_hours: Mapped[list[float]] = mapped_column(JSONType)
    min_age: Mapped[int] = mapped_column(Integer)
    certificate_months: Mapped[int | None] = mapped_column(Integer)
    requalification_id: Mapped[str | None] = mapped_column(Slug)
    requalifies_id: Mapped[str | None] = mapped_column(Slug)
    full_course_after_expiry: Mapped[bool] = mapped_column(Boolean, default=False)
    records_emergency_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    max_span_weeks: Mapped[int | None] = mapped_column(Integer)
    requalification_grace_days: Mapped[int] = mapped_column(Integer, default=28)
    waitlist_offer_hours: Mapped[int] = mapped_column(Integer, default=24)
    colour: Mapped[str] = mapped_column(String(9), default="#1f77b4")
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    @property
    def days(self) -> int:
        return len(self.day_hours)


class Venue(Base):
    __tablename__ = "venues"

    id: Mapped[str] = mapped_column(Slug, primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    address: Mapped[str] = mapped_column(Text)
    postcode: Mapped[str] = mapped_column(String(10))
    latitude: Mapped[float]
    longitude: Mapped[float]
    rooms: Mapped[list[str]] = mapped_column(JSONType)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
