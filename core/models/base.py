"""Declarative base and the column types every model shares."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, MetaData, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeDecorator

from core.infra import crypto

SMALLEST, LARGEST = -(2**31), 2**31 - 1
"""Whole numbers a database id or count column holds; a field that may go further (the
feed's 64-bit sequence numbers) declares its own upper bound."""

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

JSONType = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on SQLite as well as PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class utc_wall_clock(FunctionElement[datetime]):  # noqa: N801 (a SQL function's name)
    """A ``UTCDateTime`` column read as a naive UTC datetime, as SQLite stores it.

    For reads of many rows that only group or format times: an aware datetime works out its
    offset whenever it is hashed or compared, a naive one does not."""

    type = DateTime()
    inherit_cache = True


@compiles(utc_wall_clock)
def _utc_wall_clock(element: utc_wall_clock, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(utc_wall_clock, "postgresql")
def _utc_wall_clock_postgresql(element: utc_wall_clock, compiler: SQLCompiler, **kw: Any) -> str:
    return f"timezone('UTC', {compiler.process(element.clauses, **kw)})"


class EncryptedText(TypeDecorator[str]):
    """Personal data: stored as AES-GCM ciphertext, read back as plain text."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else crypto.cipher().encrypt(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else crypto.cipher().decrypt(value)


class EncryptedDate(TypeDecorator[date]):
    """A date of birth, encrypted like any other personal field."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: date | None, dialect: Dialect) -> str | None:
        return None if value is None else crypto.cipher().encrypt(value.isoformat())

    def process_result_value(self, value: str | None, dialect: Dialect) -> date | None:
        return None if value is None else date.fromisoformat(crypto.cipher().decrypt(value))


def blind_index(value: str) -> str:
    return crypto.cipher().blind_index(value)


Slug = String(48)
