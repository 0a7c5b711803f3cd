"""Prices: unit price times attendees, 10% off for a group of five or more, in pence."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

GROUP_SIZE = 5
GROUP_DISCOUNT_PERCENT = 10


@dataclass(frozen=True)
class Quote:
    unit_pence: int
    attendees: int
    subtotal_pence: int
    discount_pence: int
    total_pence: int

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def quote(unit_pence: int, attendees: int) -> Quote:
    """Price a booking; the discount is rounded half-up to the penny."""
    if unit_pence < 0 or attendees < 0:
        raise ValueError("price and attendee count cannot be negative")
    subtotal = unit_pence * attendees
    discount = (subtotal * GROUP_DISCOUNT_PERCENT + 50) // 100 if attendees >= GROUP_SIZE else 0
    return Quote(unit_pence, attendees, subtotal, discount, subtotal - discount)
