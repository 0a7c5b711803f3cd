"""The convergence rule for register marks, as pure functions over plain data.

A register cell is one field (attendance, outcome or note) of one attendee on one course
day. Every mark is an operation; the cell shows the operation with the greatest
``(hlc, device_id, op_id)``: last writer wins per field by hybrid logical clock, ties broken
by device id, then by operation id. The order is total and the same on every device, so
applying the same set of operations in any order, any number of times, gives the same
register (see docs/attendance.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

ATTENDANCE = ("present", "absent", "late", "left_early")
OUTCOMES = ("competent", "not_yet_competent", "referred")
FIELDS = ("attendance", "outcome", "note")
TIMED = ("late", "left_early")
NOTE_MAX = 500
CLOCK_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")

CellKey = tuple[int, int, str]


@dataclass(frozen=True)
class Mark:
    """One register operation as every device and the server hold it."""

    op_id: str
    device_id: str
    hlc: str
    attendee_id: int
    day_index: int
    field: str
    value: str | None
    time: str | None = None

    @property
    def cell(self) -> CellKey:
        return (self.attendee_id, self.day_index, self.field)

    @property
    def order(self) -> tuple[str, str, str]:
        return (self.hlc, self.device_id, self.op_id)

    @property
    def content(self) -> tuple[Any, ...]:
        """What the op says, for telling a resent op from a different op reusing an id."""
        return (
            self.device_id,
            self.hlc,
            self.attendee_id,
            self.day_index,
            self.field,
            self.value,
            self.time,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "op_id": self.op_id,
            "device_id": self.device_id,
            "hlc": self.hlc,
            "attendee_id": self.attendee_id,
            "day_index": self.day_index,
            "field": self.field,
            "value": self.value,
            "time": self.time,
        }


def problem(mark: Mark) -> str | None:
    """Why a mark's field, value or time is not acceptable, or None when it is."""
    if mark.field not in FIELDS:
        return f"unknown field {mark.field!r} (expected one of {', '.join(FIELDS)})"
    if mark.day_index < 0:
        return "day_index must be 0 or more"
    if mark.field == "attendance":
        if mark.value is not None and mark.value not in ATTENDANCE:
            return f"attendance must be one of {', '.join(ATTENDANCE)}, not {mark.value!r}"
        if mark.value in TIMED:
            if mark.time is None or not CLOCK_TIME.match(mark.time):
                return f"{mark.value.replace('_', ' ')} needs a time as HH:MM"
        elif mark.time is not None:
            return f"a time only goes with late or left early, not {mark.value!r}"
    elif mark.time is not None:
        return f"the {mark.field} field takes no time"
    if mark.field == "outcome" and mark.value is not None and mark.value not in OUTCOMES:
        return f"outcome must be one of {', '.join(OUTCOMES)}, not {mark.value!r}"
    if mark.field == "note" and mark.value is not None and len(mark.value) > NOTE_MAX:
        return f"a note is at most {NOTE_MAX} characters"
    return None


def wins(candidate: Mark, current: Mark | None) -> bool:
    """Does ``candidate`` replace ``current`` in its cell?"""
    return current is None or candidate.order > current.order


def apply(register: dict[CellKey, Mark], mark: Mark) -> bool:
    """Merge one mark into a register in place; True when the cell changed."""
    if wins(mark, register.get(mark.cell)):
        register[mark.cell] = mark
        return True
    return False


def converge(marks: Iterable[Mark]) -> dict[CellKey, Mark]:
    """The register a set of operations determines, whatever order they arrive in."""
    register: dict[CellKey, Mark] = {}
    for mark in marks:
        apply(register, mark)
    return register


def overridden(history: Iterable[Mark], winner: Mark) -> list[Mark]:
    """Marks in a cell that another device's later mark replaced (shown to the trainer)."""
    return sorted(
        (
            m
            for m in history
            if m.cell == winner.cell and m.device_id != winner.device_id and m.op_id != winner.op_id
        ),
        key=lambda m: m.order,
    )
