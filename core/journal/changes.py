"""The change feed: numbered in commit order, so a reader never misses or reorders one.

``append`` only collects a change in the caller's transaction; just before the transaction
commits, its changes are inserted in one statement. On PostgreSQL that INSERT first takes
the feed's transaction-scoped advisory lock (a trigger, migration 0016), so sequence numbers
are drawn in the order transactions commit and a reader that has seen ``seq`` N will never
later find a smaller one appear; the lock is held only from that INSERT to the commit, not
for the whole transaction. The INSERT also NOTIFYs other server processes. SQLite's write
transactions are serial already. The INSERT returns the rows as stored, so the transaction's
own process is handed its committed messages (``Database.on_change``) without reading them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Table, event, func, insert, select
from sqlalchemy.orm import Session

from core.infra.clock import now
from core.infra.db import COMMITTED
from core.models import Change

FEED_LOCK_KEY = 0x52465400  # "RFT\0"; taken by the changes_lock trigger
NOTIFY_CHANNEL = "rft_changes"
_PENDING = "rft_pending_changes"
_TABLE = Change.__table__
assert isinstance(_TABLE, Table)
_INSERT = insert(_TABLE).returning(
    _TABLE.c.seq, _TABLE.c.at, _TABLE.c.kind, _TABLE.c.entity_id, _TABLE.c.payload
)


def append(tx: Session, kind: str, entity_id: str | int, payload: dict[str, Any]) -> None:
    """Record one change in the caller's transaction; it is numbered when that commits."""
    row = {"at": now(), "kind": kind, "entity_id": str(entity_id), "payload": payload}
    tx.info.setdefault(_PENDING, []).append(row)


@event.listens_for(Session, "before_commit")
def _insert_pending(tx: Session) -> None:
    pending = tx.info.pop(_PENDING, None)
    if pending:
        stored = tx.connection().execute(_INSERT, pending).all()
        tx.info[COMMITTED] = sorted((_message(*row) for row in stored), key=lambda m: m["seq"])


@event.listens_for(Session, "after_rollback")
def _drop_pending(tx: Session) -> None:
    tx.info.pop(_PENDING, None)


def since(tx: Session, after_seq: int, limit: int = 1000) -> list[Change]:
    """Changes with a sequence number above ``after_seq``, oldest first."""
    stmt = select(Change).where(Change.seq > after_seq).order_by(Change.seq).limit(limit)
    return list(tx.scalars(stmt))


def last_seq(tx: Session) -> int:
    return int(tx.scalar(select(func.coalesce(func.max(Change.seq), 0))) or 0)


def as_message(change: Change) -> dict[str, Any]:
    return _message(change.seq, change.at, change.kind, change.entity_id, change.payload)


def _message(
    seq: int, at: datetime, kind: str, entity_id: str, payload: dict[str, Any]
) -> dict[str, Any]:
    return {"seq": seq, "at": at.isoformat(), "kind": kind, "id": entity_id, "data": payload}
