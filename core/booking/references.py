"""Booking references ``RFT-YYYY-NNNN``: sequential per year, never reused.

PostgreSQL draws the numbers from a sequence, so bookings never wait for each other's commit
(a booking that rolls back leaves a gap); SQLite, with one writer at a time, counts in the
year's counter row."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from core.infra.sequences import next_in_sequence
from core.models import ReferenceCounter

SEQUENCE = "booking_numbers"
_NEXT = text(
    f"SELECT nextval('{SEQUENCE}') - base FROM reference_counters WHERE year = :year"
)
# The year's first booking fixes where the year's numbers start (waiting, on a tie, for
# the other first booking's commit or rollback).
_FIRST_OF_YEAR = text(
    "INSERT INTO reference_counters (year, last, base)"
    f" VALUES (:year, 0, nextval('{SEQUENCE}') - 1)"
    " ON CONFLICT (year) DO NOTHING RETURNING 1"
)


def next_reference(tx: Session, year: int) -> str:
    return f"RFT-{year}-{_next_number(tx, year):04d}"


def _next_number(tx: Session, year: int) -> int:
    if tx.get_bind().dialect.name != "postgresql":
        return next_in_sequence(tx, ReferenceCounter, year=year)
    number = tx.execute(_NEXT, {"year": year}).scalar()
    if number is None:
        number = tx.execute(_FIRST_OF_YEAR, {"year": year}).scalar()
    if number is None:
        number = tx.execute(_NEXT, {"year": year}).scalar_one()
    return int(number)
