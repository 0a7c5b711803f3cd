"""The change feed: append in commit order, read what a client missed.

On PostgreSQL the append takes a transaction-scoped advisory lock, so sequence numbers
become visible in the order they were assigned, and a NOTIFY tells other server processes.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from core.infra.clock import now
from core.models import Change

FEED_LOCK_KEY = 0x52465400  # "RFT\0"
NOTIFY_CHANNEL = "rft_changes"


def append(tx: Session, kind: str, entity_id: str | int, payload: dict[str, Any]) -> int:
    """Record one change in the caller's transaction and return its sequence number."""
    postgres = tx.get_bind().dialect.name == "postgresql"
    if postgres:
        tx.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": FEED_LOCK_KEY})
    change = Change(at=now(), kind=kind, entity_id=str(entity_id), payload=payload)
    tx.add(change)
    tx.flush()
    if postgres:
        tx.execute(text("SELECT pg_notify(:c, :s)"), {"c": NOTIFY_CHANNEL, "s": str(change.seq)})
    tx.info["last_seq"] = change.seq
    return change.seq


def since(tx: Session, after_seq: int, limit: int = 1000) -> list[Change]:
    """Changes with a sequence number above ``after_seq``, oldest first."""
    stmt = select(Change).where(Change.seq > after_seq).order_by(Change.seq).limit(limit)
    return list(tx.scalars(stmt))


def last_seq(tx: Session) -> int:
    return int(tx.scalar(select(func.coalesce(func.max(Change.seq), 0))) or 0)


def as_message(change: Change) -> dict[str, Any]:
    return {
        "seq": change.seq,
        "at": change.at.isoformat(),
        "kind": change.kind,
        "id": change.entity_id,
        "data": change.payload,
    }
