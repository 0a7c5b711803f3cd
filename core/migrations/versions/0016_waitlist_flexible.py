"""Flexible waiting-list entries (any session of the course at these venues before a date)
and automatic enrolment (the attendees, the pay-by-link agreement and the booking made).

Revision ID: 0016_waitlist_flexible
Revises: 0015
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0016_waitlist_flexible"
down_revision = "0015"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("waitlist_entries") as batch:
        batch.add_column(sa.Column("venues", JSON, nullable=True))
        batch.add_column(sa.Column("before_date", sa.Date(), nullable=True))
        batch.add_column(sa.Column("attendees", sa.Text(), nullable=True))
        batch.add_column(
            sa.Column("pay_by_link_agreed_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch.add_column(sa.Column("booking_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_waitlist_entries_booking_id_bookings"), "bookings", ["booking_id"], ["id"]
        )
        batch.create_index("idx_waitlist_flexible_status", ["before_date", "status"])


def downgrade() -> None:
    with op.batch_alter_table("waitlist_entries") as batch:
        batch.drop_index("idx_waitlist_flexible_status")
        batch.drop_constraint(
            batch.f("fk_waitlist_entries_booking_id_bookings"), type_="foreignkey"
        )
        for column in ("booking_id", "pay_by_link_agreed_at", "attendees", "before_date", "venues"):
            batch.drop_column(column)
