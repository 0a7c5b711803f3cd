"""admin: trainer profiles, qualifications, unavailability, co-trainers, audit log,
rule overrides, rebooking offers

Revision ID: 0005
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0001"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "trainer_profiles",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("courses", JSON, nullable=False),
        sa.Column("phone", sa.String(length=24), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_trainer_profiles_user_id_users")
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_trainer_profiles")),
    )
    op.create_table(
        "trainer_qualifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=160), nullable=False),
        sa.Column("courses", JSON, nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_trainer_qualifications_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trainer_qualifications")),
    )
    op.create_index(
        op.f("ix_trainer_qualifications_user_id"), "trainer_qualifications", ["user_id"]
    )
    op.create_table(
        "trainer_unavailability",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_trainer_unavailability_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trainer_unavailability")),
        sa.UniqueConstraint("user_id", "day", name=op.f("uq_trainer_unavailability_user_id")),
    )
    op.create_index(
        op.f("ix_trainer_unavailability_user_id"), "trainer_unavailability", ["user_id"]
    )
    op.create_table(
        "session_trainers",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["course_sessions.id"],
            name=op.f("fk_session_trainers_session_id_course_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_session_trainers_user_id_users")
        ),
        sa.PrimaryKeyConstraint("session_id", "user_id", name=op.f("pk_session_trainers")),
    )
    op.create_index(op.f("ix_session_trainers_user_id"), "session_trainers", ["user_id"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("actor_role", sa.String(length=16), nullable=True),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("action", sa.String(length=48), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("before", JSON, nullable=True),
        sa.Column("after", JSON, nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("idx_audit_at", "audit_log", ["at"])
    op.create_index("idx_audit_entity", "audit_log", ["entity", "entity_id"])
    op.create_index(op.f("ix_audit_log_action"), "audit_log", ["action"])
    op.create_table(
        "rule_overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=48), nullable=False),
        sa.Column("failure", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["course_sessions.id"],
            name=op.f("fk_rule_overrides_session_id_course_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rule_overrides")),
    )
    op.create_index(op.f("ix_rule_overrides_session_id"), "rule_overrides", ["session_id"])
    op.create_table(
        "rebooking_offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("change", sa.String(length=16), nullable=False),
        sa.Column("alternatives", JSON, nullable=False),
        sa.Column("refund_pence", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["bookings.id"], name=op.f("fk_rebooking_offers_booking_id_bookings")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["course_sessions.id"],
            name=op.f("fk_rebooking_offers_session_id_course_sessions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rebooking_offers")),
    )
    op.create_index(op.f("ix_rebooking_offers_booking_id"), "rebooking_offers", ["booking_id"])
    op.create_index(op.f("ix_rebooking_offers_session_id"), "rebooking_offers", ["session_id"])


def downgrade() -> None:
    for table in (
        "rebooking_offers",
        "rule_overrides",
        "audit_log",
        "session_trainers",
        "trainer_unavailability",
        "trainer_qualifications",
        "trainer_profiles",
    ):
        op.drop_table(table)
