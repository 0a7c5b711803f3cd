"""Attendee details as entered at the desk or on the website, validated before anything is saved."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, EmailStr, Field, ValidationError, field_validator

from core.infra.errors import ValidationFailed
from core.infra.names import hides_text, real_name

PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{6,19}$")
ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
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
        return real_name(value)

    @field_validator("phone", "emergency_phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not PHONE.match(value):
            raise ValueError("that is not a phone number")
        return value

    @field_validator("special_requirements")
    @classmethod
    def _plain_text(cls, value: str | None) -> str | None:
        """Blank is none; line breaks and tabs are kept, a control or invisible character
        (a bell, a right-to-left override, a zero-width space) is refused, as in a name:
        the trainer's register and the Today view show this text."""
        if value and hides_text(value, allowed="\n\r\t"):
            raise ValueError("it has a control or invisible character")
        return value or None

    @field_validator("date_of_birth", mode="before")
    @classmethod
    def _a_written_date(cls, value: object) -> object:
        """Only a date written as a date: 0 or 631152000 is a number, not 1970 or 1990."""
        if isinstance(value, date):
            return value
        if isinstance(value, str) and ISO_DATE.match(value.strip()):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                raise ValueError("there is no such day") from None
        raise ValueError("it is not a date")

    @field_validator("date_of_birth")
    @classmethod
    def _plausible_birth(cls, value: date) -> date:
        if value >= date.today():
            raise ValueError("the date of birth must be in the past")
        if value.year < 1900:
            raise ValueError("the date of birth is before 1900")
        return value


HOW_TO_TYPE = {
    "name": "type the person's full name (up to 120 characters), e.g. Amelia Barker",
    "email": "type an email address such as amelia@example.co.uk",
    "date_of_birth": "type a real date of birth as YYYY-MM-DD, e.g. 1990-05-17",
    "phone": "type digits and spaces, e.g. 07700 900123 (at most 24 characters)",
    "emergency_phone": "type digits and spaces, e.g. 07700 900123 (at most 24 characters)",
    "special_requirements": "keep it to plain text under 1,000 characters",
}
"""What to type in each attendee field, said whenever what was typed is not accepted."""


def attendee_problems(data: dict[str, Any]) -> dict[str, str]:
    """Field → a plain sentence saying what is wrong and what to type (empty when valid).
    No validation library's wording is passed on."""
    try:
        AttendeeInput.model_validate(data)
    except ValidationError as exc:
        problems: dict[str, str] = {}
        for err in exc.errors():
            field = str(err["loc"][0]) if err["loc"] else ""
            problems.setdefault(field, _sentence(field, err))
        return problems
    return {}


def _sentence(field: str, err: Any) -> str:
    if field not in HOW_TO_TYPE:
        return f"{field!r} is not an attendee detail; leave it out."
    how = HOW_TO_TYPE[field]
    why = err.get("ctx", {}).get("error")
    if err["type"] == "value_error" and field != "email" and why:  # our own checks above
        why = str(why)
        return f"{why[0].upper()}{why[1:]}: {how}."
    return f"{how[0].upper()}{how[1:]}."


def _plain(problems: dict[str, str], who: str) -> str:
    field, text = next(iter(problems.items()))
    return f"{who}: {field.replace('_', ' ')} is not valid. {text}"


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
        problems = attendee_problems(item)
        if problems:
            raise ValidationFailed(_plain(problems, f"Attendee {i + 1}"))
        out.append(AttendeeInput.model_validate(item))
    return out


def parse_attendee_spec(spec: str) -> AttendeeInput:
    """``"First Last <email> YYYY-MM-DD"`` as typed on the command line."""
    match = ATTENDEE_SPEC.match(spec)
    quoted = repr(spec if len(spec) <= 80 else f"{spec[:80]}...")
    if not match:
        raise ValidationFailed(
            f'Attendee {quoted} is not in the form "First Last <email> YYYY-MM-DD".'
        )
    data = {"name": match["name"], "email": match["email"], "date_of_birth": match["dob"]}
    problems = attendee_problems(data)
    if problems:
        raise ValidationFailed(_plain(problems, f"Attendee {quoted}"))
    return AttendeeInput.model_validate(data)


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


@dataclass(frozen=True)
class AgeLimit:
    """A course's minimum age on its first day: the one age rule, for the service and the
    desk's cells alike (pure, no IO)."""

    course_name: str
    min_age: int
    day: date

    def problem(self, birth: date) -> str | None:
        """``will be 12 on the course date; … is for people aged 16 or over.``, or None."""
        age = age_on(birth, self.day)
        if age >= self.min_age:
            return None
        return (
            f"will be {age} on the course date; "
            f"{self.course_name} is for people aged {self.min_age} or over."
        )
