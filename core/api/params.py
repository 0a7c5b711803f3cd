"""Parameter models shared by several API modules."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

INT_MAX = 2**31 - 1  # the database's INTEGER: ids, seats, pence
BIGINT_MAX = 2**63 - 1  # its BIGINT: change-feed sequence numbers
FIRST_DATE = date(1900, 1, 1)
LAST_DATE = date(2999, 12, 31)


def _unstorable(value: Any, limit: int) -> str | None:
    """Why ``value`` cannot be stored or compared in the database, or None when it can."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and not -limit - 1 <= value <= limit:
        return f"should be a number between {-limit - 1} and {limit}"
    if isinstance(value, str) and "\x00" in value:
        return "should not contain a NUL character"
    if isinstance(value, date) and not FIRST_DATE <= value <= LAST_DATE:
        return f"should be a date from {FIRST_DATE} to {LAST_DATE}"
    if isinstance(value, list | tuple | set):
        return next((why for why in (_unstorable(v, limit) for v in value) if why), None)
    if isinstance(value, dict):
        found = (_unstorable(v, limit) for v in (*value.keys(), *value.values()))
        return next((why for why in found if why), None)
    return None


class Params(BaseModel):
    """Base for method params: unknown fields are an error, not silently ignored, and every
    value fits the database (numbers in range, no NUL characters, dates 1900-2999), so
    hostile input is refused as invalid rather than failing inside the database."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    wide_ints: ClassVar[frozenset[str]] = frozenset()  # fields stored as BIGINT

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value: Any, info: ValidationInfo) -> Any:
        limit = BIGINT_MAX if info.field_name in cls.wide_ints else INT_MAX
        why = _unstorable(value, limit)
        if why:
            raise PydanticCustomError("unstorable", why)
        return value


class NoParams(Params):
    """A method that takes no params (``{}`` or none at all)."""
