"""Booking references ``RFT-YYYY-NNNN``: sequential per year, never reused."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from core.models import ReferenceCounter


def next_reference(tx: Session, year: int) -> str:
    """Take the next number for ``year`` under a row lock held until the caller commits."""
    insert = pg_insert if tx.get_bind().dialect.name == "postgresql" else sqlite_insert
    tx.execute(insert(ReferenceCounter).values(year=year, last=0).on_conflict_do_nothing())
    counter = tx.scalars(
        select(ReferenceCounter)
        .where(ReferenceCounter.year == year)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    counter.last += 1
    tx.flush()
    return f"RFT-{year}-{counter.last:04d}"
