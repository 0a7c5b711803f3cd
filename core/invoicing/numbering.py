"""Invoice and credit-note numbers ``INV-YYYY-NNNN`` / ``CN-YYYY-NNNN``: sequential per year,
never reused, safe across server processes (a row lock held until the caller commits)."""

from __future__ import annotations

from typing import Literal

from sqlalchemy.orm import Session

from core.infra.sequences import next_in_sequence
from core.models.organisations import DocumentCounter

Series = Literal["INV", "CN"]


def next_number(tx: Session, series: Series, year: int) -> str:
    """Take the next number of ``series`` for ``year``; a rolled-back caller gives it back."""
    number = next_in_sequence(tx, DocumentCounter, series=series, year=year)
    return f"{series}-{year}-{number:04d}"
