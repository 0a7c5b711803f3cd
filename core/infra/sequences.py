"""Numbers sequential per key (a year, a series and a year), never reused, safe across
server processes: the counter row stays locked until the caller commits, and a rolled-back
caller gives its number back."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import DeclarativeBase, Session


def next_in_sequence(tx: Session, counter: type[DeclarativeBase], **key: Any) -> int:
    """Take the next number from ``counter``'s row for ``key`` (its primary key columns) in
    one statement: the row is made at 1 the first time, else its ``last`` goes up by one."""
    insert = pg_insert if tx.get_bind().dialect.name == "postgresql" else sqlite_insert
    last = counter.__table__.c.last
    upsert = insert(counter).values(**key, last=1)
    stmt = upsert.on_conflict_do_update(index_elements=list(key), set_={"last": last + 1})
    return int(tx.execute(stmt.returning(last)).scalar_one())
