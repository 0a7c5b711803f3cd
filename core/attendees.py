"""Attendee details as entered at the desk or on the website, validated before anything is saved."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, EmailStr, Field, ValidationError, field_validator

from core.errors import ValidationFailed

PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{6,19}$")
ATTENDEE_SPEC = re.compile(r"^\s*(?P<name>[^<>]+?)\s*<(?P<email>[^<>\s]+)>\s*(?P<dob>\S+)\s*$")


class AttendeeInput(BaseModel):
    """One person on a booking."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=120)
    email: EmailStr
    date_of_birth: date
    phone: str | None = Field(default=None, max_length=24)
    special_requirements: str | None = Field(default=None, max_length=1000)
    emergency_phone: str | None = Field(default=None, max_length=24)

    @field_validator("name")
    @classmethod
    def _real_name(cls, value: str) -> str:
        if not any(ch.isalpha() for ch in value):
            raise ValueError("the name must contain letters")
        return " ".join(value.split())

    @field_validator("phone", "emergency_phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not PHONE.match(value):
            raise ValueError("a phone number has digits, spaces and an optional leading +")
        return value

    @field_validator("special_requirements")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value or None

    @field_validator("date_of_birth")
    @classmethod
    def _plausible_birth(cls, value: date) -> date:
        if value >= date.today():
            raise ValueError("the date of birth must be in the past")
        if value.year < 1900:
            raise ValueError("the date of birth is before 1900")
        return value


def _plain(error: ValidationError, index: int | None) -> str:
    first = error.errors()[0]
    field = ".".join(str(p) for p in first["loc"]) or "details"
    who = f"Attendee {index + 1}" if index is not None else "Attendee"
    msg = str(first["msg"]).removeprefix("Value error, ")
    return f"{who}: {field.replace('_', ' ')} is not valid ({msg})."


def parse_attendees(raw: list[dict[str, Any]] | list[AttendeeInput]) -> list[AttendeeInput]:
    """Validate a list of attendee dicts; the first problem is reported by attendee number."""
    if not raw:
        raise ValidationFailed("A booking needs at least one attendee.")
    if len(raw) > 12:
        raise ValidationFailed("A booking can have at most 12 attendees.")
    out = []
    for i, item in enumerate(raw):
        if isinstance(item, AttendeeInput):
            out.append(item)
            continue
        if not isinstance(item, dict):
            raise ValidationFailed(f"Attendee {i + 1}: details must be an object.")
        try:
            out.append(AttendeeInput.model_validate(item))
        except ValidationError as exc:
            raise ValidationFailed(_plain(exc, i)) from None
    return out


def parse_attendee_spec(spec: str) -> AttendeeInput:
    """``"First Last <email> YYYY-MM-DD"`` as typed on the command line."""
    match = ATTENDEE_SPEC.match(spec)
    if not match:
        raise ValidationFailed(
            f'Attendee {spec!r} is not in the form "First Last <email> YYYY-MM-DD".'
        )
    try:
        return AttendeeInput(
            name=match["name"],
            email=match["email"],
            date_of_birth=match["dob"],  # type: ignore[arg-type]
        )
    except ValidationError as exc:
        raise ValidationFailed(
            _plain(exc, None).replace("Attendee", f"Attendee {spec!r}")
        ) from None


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
