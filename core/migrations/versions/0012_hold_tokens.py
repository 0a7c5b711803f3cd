"""Seat holds carry the SHA-256 of a hold token that only the client that made them knows.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("seat_holds") as batch:
        batch.add_column(sa.Column("token_hash", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("seat_holds") as batch:
        batch.drop_column("token_hash")
