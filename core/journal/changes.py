"""The change feed: numbered changes that a reader never misses or sees out of order.

``append`` only collects a change in the caller's transaction; just before the transaction
commits, its changes are inserted in one statement, which draws their numbers and NOTIFYs
other server processes. The INSERT returns the rows as stored, so the transaction's own
process is handed its committed messages (``Database.on_change``) without reading them.

SQLite's write transactions are serial, so numbers become visible in order. On PostgreSQL
writers do not wait for each other: one may commit number N+1 while N is still to commit,
or is about to be rolled back. A trigger (migration 0020) has each writing transaction take
the feed's advisory lock in shared mode before it draws numbers, holding it to its end (no
writer waits for that; it shows readers who is between a feed INSERT and its end). Readers
read ``settled``: up to the first number not yet visible while a transaction that held
the lock as they read still holds it. Transactions that write nothing to the feed, however
long they stay open, keep no reader waiting; one left open between its feed INSERT and its
end holds back the numbers after the first one missing until it ends.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from sqlalchemy import Select, Table, event, func, insert, literal_column, select, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnClause

from core.infra.clock import now
from core.infra.db import COMMITTED, Database
from core.infra.errors import LockTimeout
from core.models import Change

NOTIFY_CHANNEL = "rft_changes"
FEED_WRITERS_KEY = 0x52465400  # held shared from a transaction's feed INSERT to its end
SETTLE_POLL = 0.002  # seconds between looks at whether the feed's writers have ended
_WRITER = (  # a lock of pg_locks (as l) that is the feed's, held by a writer
    "l.locktype = 'advisory' AND l.granted AND l.classid = 0 AND l.objsubid = 1"
    f" AND l.objid = {FEED_WRITERS_KEY}"
)
_WRITERS = (  # the transactions between their feed INSERT and their end, now
    f"SELECT coalesce(array_agg(l.virtualtransaction), '{{}}') FROM pg_locks l WHERE {_WRITER}"
)
_WRITERS_THEN: ColumnClause[list[str]] = literal_column(f"({_WRITERS})")
_WRITERS_NOW = text(_WRITERS)
_STILL_HOLDING = text(
    f"SELECT count(*) FROM pg_locks l WHERE {_WRITER} AND l.virtualtransaction = ANY(:vxids)"
)
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
    """Changes with a sequence number above ``after_seq``, oldest first (on PostgreSQL,
    ``settled`` is what a reader that must not miss one reads)."""
    return list(tx.scalars(_since(after_seq, limit)))


def _since(after_seq: int, limit: int) -> Select[Change]:
    return select(Change).where(Change.seq > after_seq).order_by(Change.seq).limit(limit)


_LAST_SEQ = select(func.coalesce(func.max(Change.seq), 0))


def last_seq(tx: Session) -> int:
    """The newest number visible: on PostgreSQL a smaller one may still appear below it
    (``settled_head`` is the newest a reader can take as complete)."""
    return int(tx.scalar(_LAST_SEQ) or 0)


def settled(db: Database, after_seq: int, limit: int = 1000) -> list[Change]:
    """Changes above ``after_seq``, oldest first, up to the first number that may still
    appear: one missing while a transaction that was between its feed INSERT and its end
    when it was read still is. A number missing once those have ended was rolled back and
    is passed over."""
    rows, writing = _read(db, after_seq, limit)
    complete = _up_to_gap(after_seq, rows, after_seq)
    if len(complete) == len(rows) or (writing and _count(db, _STILL_HOLDING, vxids=writing)):
        return complete
    # Whoever drew a missing number below the newest read took the lock before drawing it,
    # so was among ``writing`` or had ended: read again, and what is missing below that
    # newest now was rolled back.
    again, _ = _read(db, after_seq, limit)
    return _up_to_gap(after_seq, again, rows[-1].seq)


def settled_head(db: Database) -> int:
    """The newest number below which no change can still appear: the newest visible, once
    the transactions then between their feed INSERT and their end have ended (a moment;
    at most the lock timeout)."""
    with db.glance() as tx:
        head = last_seq(tx)
        if db.dialect != "postgresql":
            return head
    with db.glance() as tx:  # after the head was read: every writer that drew below it
        writers = list(tx.scalar(_WRITERS_NOW) or [])
    deadline = time.monotonic() + db.settings.lock_timeout_s
    while writers and _count(db, _STILL_HOLDING, vxids=writers):
        if time.monotonic() > deadline:
            raise LockTimeout(
                "The booking system is busy; please try again in a moment.",
                waited_s=db.settings.lock_timeout_s,
            )
        time.sleep(SETTLE_POLL)
    return head


def _read(db: Database, after_seq: int, limit: int) -> tuple[list[Change], list[str]]:
    """Changes above ``after_seq`` and the feed's writers as they were read, in one
    statement (SQLite: none, its writers are serial)."""
    with db.glance() as tx:
        if db.dialect != "postgresql":
            return since(tx, after_seq, limit), []
        found = tx.execute(_since(after_seq, limit).add_columns(_WRITERS_THEN)).all()
    return [row[0] for row in found], (list(found[0][1]) if found else [])


def _count(db: Database, query: Any, **params: list[str]) -> int:
    with db.glance() as tx:
        return int(tx.scalar(query, params) or 0)


def _up_to_gap(after_seq: int, rows: list[Change], settled_to: int) -> list[Change]:
    """``rows`` up to the first missing number above ``settled_to``."""
    expected, kept = after_seq + 1, []
    for row in rows:
        if row.seq != expected and row.seq - 1 > settled_to:
            break
        kept.append(row)
        expected = row.seq + 1
    return kept


def as_message(change: Change) -> dict[str, Any]:
    return _message(change.seq, change.at, change.kind, change.entity_id, change.payload)


def _message(
    seq: int, at: datetime, kind: str, entity_id: str, payload: dict[str, Any]
) -> dict[str, Any]:
    return {"seq": seq, "at": at.isoformat(), "kind": kind, "id": entity_id, "data": payload}
