"""Emails rendered when they are sent, and a change feed numbered at commit.

``outbox.render_booking_id``: a queued message still to be rendered from this booking (the
booking confirmation is queued this way, so the booking's transaction does not render it).

PostgreSQL: every INSERT into ``changes`` first takes the feed's transaction-scoped advisory
lock (so sequence numbers are drawn, and become visible, in commit order) and afterwards
NOTIFYs the other server processes. ``core.journal.changes`` inserts a transaction's changes
in one statement just before it commits, so the lock is held only from there to the commit.

Revision ID: 0017_outbox_deferred
Revises: 0016_waitlist_flexible
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017_outbox_deferred"
down_revision = "0016_waitlist_flexible"
branch_labels = None
depends_on = None

FEED_LOCK_KEY = 0x52465400  # the feed's lock, until migration 0020
NOTIFY_CHANNEL = "rft_changes"  # core.journal.changes.NOTIFY_CHANNEL

FEED_TRIGGERS = (
    f"""CREATE FUNCTION rft_changes_lock() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_advisory_xact_lock({FEED_LOCK_KEY});
        RETURN NULL;
    END $$""",
    f"""CREATE FUNCTION rft_changes_notify() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_notify('{NOTIFY_CHANNEL}', (SELECT max(seq)::text FROM added));
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER changes_lock BEFORE INSERT ON changes
    FOR EACH STATEMENT EXECUTE FUNCTION rft_changes_lock()""",
    """CREATE TRIGGER changes_notify AFTER INSERT ON changes REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION rft_changes_notify()""",
)

DROP_FEED_TRIGGERS = (
    "DROP TRIGGER changes_notify ON changes",
    "DROP TRIGGER changes_lock ON changes",
    "DROP FUNCTION rft_changes_notify()",
    "DROP FUNCTION rft_changes_lock()",
)


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("render_booking_id", sa.Integer(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        for statement in FEED_TRIGGERS:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in DROP_FEED_TRIGGERS:
            op.execute(statement)
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("render_booking_id")
