"""Counts written as a person would: ``1 attendee``, ``3 attendees``, ``2 people``."""

from __future__ import annotations


def plural(count: int, one: str, many: str | None = None) -> str:
    """``count`` and the word for it: ``plural(1, "seat")`` is ``1 seat``."""
    return f"{count} {one if count == 1 else (many or one + 's')}"
