"""Booking references ``RFT-YYYY-NNNN``: sequential per year, never reused."""

from __future__ import annotations

from sqlalchemy.orm import Session

from core.infra.sequences import next_in_sequence
from core.models import ReferenceCounter


def next_reference(tx: Session, year: int) -> str:
    """Take the next number for ``year`` under a row lock held until the caller commits."""
    return f"RFT-{year}-{next_in_sequence(tx, ReferenceCounter, year=year):04d}"
