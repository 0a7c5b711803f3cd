"""Waiting lists; each course's requalification grace period and waiting-list offer time.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("courses") as batch:
        batch.add_column(
            sa.Column(
                "requalification_grace_days", sa.Integer(), server_default="28", nullable=False
            )
        )
        batch.add_column(
            sa.Column("waitlist_offer_hours", sa.Integer(), server_default="24", nullable=False)
        )
    op.create_table(
        "waitlist_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.Column("contact_name", sa.Text(), nullable=False),
        sa.Column("contact_email", sa.Text(), nullable=False),
        sa.Column("contact_email_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hold_id", sa.String(length=36), nullable=True),
        sa.Column("offered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("offer_expires", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "seats >= 1 AND seats <= 12", name=op.f("ck_waitlist_entries_seats_1_to_12")
        ),
        sa.CheckConstraint(
            "status IN ('waiting', 'offered', 'accepted', 'expired', 'declined')",
            name=op.f("ck_waitlist_entries_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["hold_id"], ["seat_holds.id"], name=op.f("fk_waitlist_entries_hold_id_seat_holds")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["course_sessions.id"],
            name=op.f("fk_waitlist_entries_session_id_course_sessions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waitlist_entries")),
    )
    with op.batch_alter_table("waitlist_entries") as batch:
        batch.create_index("idx_waitlist_session_status", ["session_id", "status"], unique=False)
        batch.create_index(
            batch.f("ix_waitlist_entries_contact_email_hash"), ["contact_email_hash"], unique=False
        )


def downgrade() -> None:
    op.drop_table("waitlist_entries")
    with op.batch_alter_table("courses") as batch:
        batch.drop_column("waitlist_offer_hours")
        batch.drop_column("requalification_grace_days")
