"""Stripe payment links for invoices.

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "invoice_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("amount_pence", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("provider_ref", sa.String(length=255), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("expires_at", WHEN, nullable=False),
        sa.Column("message", sa.String(length=255), nullable=True),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.CheckConstraint("amount_pence > 0", name=op.f("ck_invoice_links_amount_positive")),
        sa.CheckConstraint(
            "status IN ('pending', 'paid', 'expired', 'canceled')",
            name=op.f("ck_invoice_links_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoices.id"], name=op.f("fk_invoice_links_invoice_id_invoices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_links")),
    )
    op.create_index(op.f("ix_invoice_links_invoice_id"), "invoice_links", ["invoice_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_invoice_links_invoice_id"), table_name="invoice_links")
    op.drop_table("invoice_links")
