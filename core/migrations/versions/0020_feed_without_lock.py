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



def _trigger(name: str, lock: str) -> tuple[str, str]:
    """The function and statement trigger ``changes_{name}``, taking the feed's advisory
    lock with ``lock`` before each INSERT into ``changes``."""
    return (
        f"""CREATE FUNCTION rft_changes_{name}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM {lock}({FEED_LOCK_KEY});
        RETURN NULL;
    END $$""",
        f"""CREATE TRIGGER changes_{name} BEFORE INSERT ON changes
    FOR EACH STATEMENT EXECUTE FUNCTION rft_changes_{name}()""",
    )


def _replace(old: str, new: str, lock: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER changes_{old} ON changes")
        op.execute(f"DROP FUNCTION rft_changes_{old}()")
        for statement in _trigger(new, lock):
            op.execute(statement)


def upgrade() -> None:
    _replace("lock", "writer", "pg_advisory_xact_lock_shared")


def downgrade() -> None:
    _replace("writer", "lock", "pg_advisory_xact_lock")
