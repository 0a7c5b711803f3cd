"""Booking numbers from a PostgreSQL sequence: no booking waits for another's commit.

The per-year counter row was locked from a booking's number to its commit, so every booking
on the server queued behind the one before it. On PostgreSQL a number is now
``nextval('booking_numbers') - base`` for the year (``reference_counters.base``, written by
the year's first booking); a booking that rolls back leaves a gap and no number is ever
reused. SQLite, which has one writer at a time anyway, keeps counting in ``last``.

Revision ID: 0018_reference_numbers
Revises: 0017_outbox_deferred
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018_reference_numbers"
down_revision = "0017_outbox_deferred"
branch_labels = None
depends_on = None

SEQUENCE = "booking_numbers"  # core.booking.references.SEQUENCE


def upgrade() -> None:
    with op.batch_alter_table("reference_counters") as batch:
        batch.add_column(sa.Column("base", sa.BigInteger(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE SEQUENCE {SEQUENCE}")
        # The sequence starts at 1: each year's next number stays its last plus one.
        op.execute("UPDATE reference_counters SET base = -last")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "UPDATE reference_counters SET last = (SELECT CASE WHEN is_called"
            f" THEN last_value ELSE 0 END FROM {SEQUENCE}) - base"
        )
        op.execute(f"DROP SEQUENCE {SEQUENCE}")
    with op.batch_alter_table("reference_counters") as batch:
        batch.drop_column("base")
