"""Parameter models shared by several API modules, and the check that every value in a call's
params fits the database."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from annotated_types import Le, Lt
from pydantic import BaseModel, ConfigDict, Strict
from pydantic.fields import FieldInfo

from core.infra.errors import ValidationFailed
from core.models.base import LARGEST, SMALLEST

FIRST_DATE, LAST_DATE = date(1900, 1, 1), date(2999, 12, 31)


WHOLE_NUMBERS = (int, int | None)


class Params(BaseModel):
    """Base for method params: unknown fields are an error, not silently ignored, and a whole
    number must be sent as one (``true``, ``"3"`` or ``3.0`` for a count or an id is
    refused, not read as 1 or 3)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        loose = [
            info
            for info in cls.model_fields.values()
            if info.annotation in WHOLE_NUMBERS
            and not any(isinstance(m, Strict) for m in info.metadata)
        ]
        for info in loose:
            info.metadata.append(Strict())
        if loose:
            cls.model_rebuild(force=True)


class NoParams(Params):
    """A method that takes no params (``{}`` or none at all)."""


def _bounded(info: FieldInfo) -> bool:
    return any(isinstance(m, Le | Lt) for m in info.metadata)


def _problem(value: Any, bounded: bool) -> str | None:
    if isinstance(value, str) and "\x00" in value:
        return "must not contain a NUL character"
    number = isinstance(value, int) and not isinstance(value, bool)
    if number and not bounded and not SMALLEST <= value <= LARGEST:
        return f"must be a whole number from {SMALLEST} to {LARGEST}"
    day = value.date() if isinstance(value, datetime) else value
    if isinstance(day, date) and not FIRST_DATE <= day <= LAST_DATE:
        return f"must be a date from {FIRST_DATE:%d/%m/%Y} to {LAST_DATE:%d/%m/%Y}"
    return None


def check_storable(params: BaseModel) -> None:
    """Refuse a number too big for its column, a date outside 1900-2999 or text with a NUL
    character anywhere in ``params`` (nested models, lists and objects too), naming the
    parameter: the database would otherwise fail on it mid-call."""
    stack: list[tuple[str, Any, bool]] = [("", params, False)]
    while stack:
        where, value, bounded = stack.pop()
        if isinstance(value, BaseModel):
            for name, info in type(value).model_fields.items():
                path = f"{where}.{name}" if where else name
                stack.append((path, getattr(value, name), _bounded(info)))
        elif isinstance(value, dict):
            stack.extend((f"{where}.{key}", key, False) for key in value)
            stack.extend((f"{where}.{key}", item, False) for key, item in value.items())
        elif isinstance(value, list | tuple | set | frozenset):
            stack.extend((f"{where}.{i}", item, False) for i, item in enumerate(value))
        elif (problem := _problem(value, bounded)) is not None:
            raise ValidationFailed(f"Parameter {where or 'params'!r} {problem}.")
