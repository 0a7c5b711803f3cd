"""Invoice and credit-note numbers ``INV-YYYY-NNNN`` / ``CN-YYYY-NNNN``: sequential per year,
never reused, safe across server processes (a row lock held until the caller commits)."""

from __future__ import annotations

from typing import Literal

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from core.models.organisations import DocumentCounter

Series = Literal["INV", "CN"]


def next_number(tx: Session, series: Series, year: int) -> str:
    """Take the next number of ``series`` for ``year``; a rolled-back caller gives it back."""
    insert = pg_insert if tx.get_bind().dialect.name == "postgresql" else sqlite_insert
    tx.execute(
        insert(DocumentCounter).values(series=series, year=year, last=0).on_conflict_do_nothing()
    )
    counter = tx.scalars(
        select(DocumentCounter)
        .where(DocumentCounter.series == series, DocumentCounter.year == year)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    counter.last += 1
    tx.flush()
    return f"{series}-{year}-{counter.last:04d}"
