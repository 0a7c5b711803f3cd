"""The change feed without its commit-order lock.

Migration 0017's trigger took one advisory lock from a transaction's INSERT into
``changes`` to its commit, so numbers became visible in the order they were drawn: every
writer's last statement and commit waited for the one before. Now the trigger takes the
same lock in shared mode before the INSERT draws its numbers, which no writer waits for: it
only shows readers which transactions are between their feed INSERT and their end. Readers
stop at a number not yet visible while such a transaction may still commit it
(``core.journal.changes.settled``).

Revision ID: 0020_feed_without_lock
Revises: 0019_live_holds_index
"""

from __future__ import annotations

from alembic import op

revision = "0020_feed_without_lock"
down_revision = "0019_live_holds_index"
branch_labels = None
depends_on = None

FEED_LOCK_KEY = 0x52465400  # core.journal.changes.FEED_WRITERS_KEY

XID_FIRST = (
    f"""CREATE FUNCTION rft_changes_writer() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_advisory_xact_lock_shared({FEED_LOCK_KEY});
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER changes_writer BEFORE INSERT ON changes
    FOR EACH STATEMENT EXECUTE FUNCTION rft_changes_writer()""",
)
LOCK = (
    f"""CREATE FUNCTION rft_changes_lock() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_advisory_xact_lock({FEED_LOCK_KEY});
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER changes_lock BEFORE INSERT ON changes
    FOR EACH STATEMENT EXECUTE FUNCTION rft_changes_lock()""",
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER changes_lock ON changes")
        op.execute("DROP FUNCTION rft_changes_lock()")
        for statement in XID_FIRST:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER changes_writer ON changes")
        op.execute("DROP FUNCTION rft_changes_writer()")
        for statement in LOCK:
            op.execute(statement)
