"""Booking references ``RFT-YYYY-NNNN``: sequential per year, never reused."""

from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from core.models import ReferenceCounter


def next_reference(tx: Session, year: int) -> str:
    """Take the next number for ``year`` in one statement; the counter's row stays locked
    until the caller commits, so a rolled-back booking gives its number back."""
    insert = pg_insert if tx.get_bind().dialect.name == "postgresql" else sqlite_insert
    upsert = insert(ReferenceCounter).values(year=year, last=1)
    stmt = upsert.on_conflict_do_update(
        index_elements=[ReferenceCounter.year], set_={"last": ReferenceCounter.last + 1}
    ).returning(ReferenceCounter.last)
    number = tx.execute(stmt).scalar_one()
    return f"RFT-{year}-{number:04d}"
