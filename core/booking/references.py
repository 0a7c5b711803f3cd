"""Booking references ``RFT-YYYY-NNNN``: sequential per year, never reused.

PostgreSQL draws the numbers from a sequence, so bookings never wait for each other's commit
(a booking that rolls back leaves a gap): once the year's counter row is known to exist, the
booking's own INSERT draws its number (``_drawn_in_insert``), no statement of its own. SQLite,
with one writer at a time, counts in the year's counter row."""

from __future__ import annotations

from weakref import WeakKeyDictionary

from sqlalchemy import ColumnElement, String, text
from sqlalchemy.orm import Session
from sqlalchemy.pool import Pool

from core.infra.sequences import next_in_sequence
from core.models import ReferenceCounter

SEQUENCE = "booking_numbers"
_NEXT = text(f"SELECT nextval('{SEQUENCE}') - base FROM reference_counters WHERE year = :year")
# The year's first booking fixes where the year's numbers start (waiting, on a tie, for
# the other first booking's commit or rollback).
_FIRST_OF_YEAR = text(
    "INSERT INTO reference_counters (year, last, base)"
    f" VALUES (:year, 0, nextval('{SEQUENCE}') - 1)"
    " ON CONFLICT (year) DO NOTHING RETURNING 1"
)
# The reference as the booking's INSERT works it out: the number padded to four digits,
# longer when it needs more.
_DRAWN = (
    "SELECT 'RFT-' || year || '-' || lpad(n::text, greatest(4, length(n::text)), '0')"
    f" FROM (SELECT year, nextval('{SEQUENCE}') - base AS n"
    " FROM reference_counters WHERE year = :year) AS drawn"
)
# Years whose counter row is committed, per database (rows are never deleted).
_KNOWN_YEARS: WeakKeyDictionary[Pool, set[int]] = WeakKeyDictionary()
_MADE = "rft_reference_years_made"  # years whose row this transaction made


def next_reference(tx: Session, year: int) -> str | ColumnElement[str]:
    """The next reference of ``year``: on PostgreSQL, once the year's counter row is known
    to be committed, the SQL that draws it in the booking's own INSERT."""
    if tx.get_bind().dialect.name != "postgresql":
        return _formatted(year, next_in_sequence(tx, ReferenceCounter, year=year))
    pool = tx.connection().engine.pool
    if year in _KNOWN_YEARS.get(pool, ()):
        return _drawn_in_insert(year)
    made_here = tx.info.setdefault(_MADE, set())
    number = tx.execute(_NEXT, {"year": year}).scalar()
    if number is not None and year not in made_here:  # committed, so here to stay
        _KNOWN_YEARS.setdefault(pool, set()).add(year)
    if number is None:
        number = tx.execute(_FIRST_OF_YEAR, {"year": year}).scalar()
        made_here.add(year)
    if number is None:
        number = tx.execute(_NEXT, {"year": year}).scalar_one()
    return _formatted(year, int(number))


def _drawn_in_insert(year: int) -> ColumnElement[str]:
    """The SQL that draws ``year``'s next reference inside an INSERT."""
    return text(_DRAWN).bindparams(year=year).columns(reference=String).scalar_subquery()


def _formatted(year: int, number: int) -> str:
    return f"RFT-{year}-{number:04d}"
