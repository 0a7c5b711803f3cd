"""Numbers sequential per key (a year, a series and a year), never reused, safe across
server processes: the counter row stays locked until the caller commits, and a rolled-back
caller gives its number back."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import DeclarativeBase, Session


def next_in_sequence(tx: Session, counter: type[DeclarativeBase], **key: Any) -> int:
    """Take the next number from ``counter``'s row for ``key`` (its primary key columns;
    the row is made at 0 the first time). The table keeps the last number in ``last``."""
    insert = pg_insert if tx.get_bind().dialect.name == "postgresql" else sqlite_insert
    tx.execute(insert(counter).values(**key, last=0).on_conflict_do_nothing())
    columns = counter.__table__.c
    where = [columns[name] == value for name, value in key.items()]
    last = int(tx.execute(select(columns.last).where(*where).with_for_update()).scalar_one()) + 1
    tx.execute(update(counter).where(*where).values(last=last))
    return last
