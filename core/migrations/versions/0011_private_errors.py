"""Outbox delivery errors are stored encrypted: an SMTP refusal names the address it refused.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from core.infra import crypto

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_ERRORS = sa.text("SELECT id, last_error FROM outbox WHERE last_error IS NOT NULL")
_SET = sa.text("UPDATE outbox SET last_error = :error WHERE id = :id")


def upgrade() -> None:
    cipher = crypto.cipher()
    conn = op.get_bind()
    for row_id, error in conn.execute(_ERRORS).all():
        if not cipher.sealed(error):
            conn.execute(_SET, {"id": row_id, "error": cipher.encrypt(error)})


def downgrade() -> None:
    cipher = crypto.cipher()
    conn = op.get_bind()
    for row_id, error in conn.execute(_ERRORS).all():
        if cipher.sealed(error):
            conn.execute(_SET, {"id": row_id, "error": cipher.decrypt(error)})
