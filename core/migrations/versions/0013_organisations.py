"""organisations: employers, their contacts, bulk orders, invoices and credit notes, payments
against invoices, employer expiry reminders, and the employer a booking is for

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "organisations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=160), nullable=False),
        sa.Column("billing_address", sa.Text(), nullable=False),
        sa.Column("po_required", sa.Boolean(), nullable=False),
        sa.Column("terms_days", sa.Integer(), nullable=False),
        sa.Column("vat_number", sa.String(length=32), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisations")),
        sa.UniqueConstraint("name", name=op.f("uq_organisations_name")),
    )
    op.create_table(
        "organisation_contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("email_hash", sa.String(length=64), nullable=False),
        sa.Column("roles", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_organisation_contacts_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation_contacts")),
    )
    op.create_index(
        op.f("ix_organisation_contacts_organisation_id"),
        "organisation_contacts",
        ["organisation_id"],
    )
    op.create_index(
        op.f("ix_organisation_contacts_email_hash"), "organisation_contacts", ["email_hash"]
    )
    op.create_table(
        "document_counters",
        sa.Column("series", sa.String(length=8), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("series", "year", name=op.f("pk_document_counters")),
    )
    op.create_table(
        "invoices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("credits_id", sa.Integer(), nullable=True),
        sa.Column("po", sa.String(length=60), nullable=True),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("vat_rate_bp", sa.Integer(), nullable=False),
        sa.Column("net_pence", sa.Integer(), nullable=False),
        sa.Column("vat_pence", sa.Integer(), nullable=False),
        sa.Column("gross_pence", sa.Integer(), nullable=False),
        sa.Column("supplier", JSON, nullable=False),
        sa.Column("customer", JSON, nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.CheckConstraint(
            "kind IN ('invoice', 'credit_note')", name=op.f("ck_invoices_kind_known")
        ),
        sa.CheckConstraint(
            "net_pence >= 0 AND vat_pence >= 0 AND gross_pence = net_pence + vat_pence",
            name=op.f("ck_invoices_amounts_add_up"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_invoices_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["credits_id"], ["invoices.id"], name=op.f("fk_invoices_credits_id_invoices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoices")),
        sa.UniqueConstraint("number", name=op.f("uq_invoices_number")),
    )
    op.create_index("idx_invoices_org", "invoices", ["organisation_id", "issued_on"])
    op.create_table(
        "invoice_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("attendee_id", sa.Integer(), nullable=True),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("gross_pence", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoices.id"], name=op.f("fk_invoice_lines_invoice_id_invoices")
        ),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["bookings.id"], name=op.f("fk_invoice_lines_booking_id_bookings")
        ),
        sa.ForeignKeyConstraint(
            ["attendee_id"], ["attendees.id"], name=op.f("fk_invoice_lines_attendee_id_attendees")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_lines")),
    )
    op.create_index(op.f("ix_invoice_lines_invoice_id"), "invoice_lines", ["invoice_id"])
    op.create_index(op.f("ix_invoice_lines_booking_id"), "invoice_lines", ["booking_id"])
    op.create_table(
        "invoice_payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("amount_pence", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=24), nullable=False),
        sa.Column("reference", sa.String(length=80), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.CheckConstraint("amount_pence > 0", name=op.f("ck_invoice_payments_amount_positive")),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoices.id"], name=op.f("fk_invoice_payments_invoice_id_invoices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_payments")),
        sa.UniqueConstraint("invoice_id", "reference", name="uq_invoice_payments_reference"),
    )
    op.create_index(op.f("ix_invoice_payments_invoice_id"), "invoice_payments", ["invoice_id"])
    op.create_table(
        "bulk_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("po", sa.String(length=60), nullable=True),
        sa.Column("rows", sa.Text(), nullable=False),
        sa.Column("holds", JSON, nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("expires_at", WHEN, nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('HELD', 'CONFIRMED', 'RELEASED')", name=op.f("ck_bulk_orders_status_known")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_bulk_orders_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoices.id"], name=op.f("fk_bulk_orders_invoice_id_invoices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bulk_orders")),
    )
    op.create_index(op.f("ix_bulk_orders_organisation_id"), "bulk_orders", ["organisation_id"])
    op.create_table(
        "organisation_reminders",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("certificate_id", sa.Integer(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("sent_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_organisation_reminders_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["certificate_id"],
            ["certificates.id"],
            name=op.f("fk_organisation_reminders_certificate_id_certificates"),
        ),
        sa.PrimaryKeyConstraint(
            "organisation_id", "certificate_id", "days", name=op.f("pk_organisation_reminders")
        ),
    )
    with op.batch_alter_table("bookings") as batch:
        batch.add_column(sa.Column("organisation_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_bookings_organisation_id_organisations"),
            "organisations",
            ["organisation_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("bookings") as batch:
        batch.drop_constraint(op.f("fk_bookings_organisation_id_organisations"), type_="foreignkey")
        batch.drop_column("organisation_id")
    for table in (
        "organisation_reminders",
        "bulk_orders",
        "invoice_payments",
        "invoice_lines",
        "invoices",
        "document_counters",
        "organisation_contacts",
        "organisations",
    ):
        op.drop_table(table)
