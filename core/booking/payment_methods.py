"""The ways a booking can be paid, and the status each makes a new booking start in."""

from __future__ import annotations

from typing import Literal

from core.models.statuses import BookingStatus

PaymentMethod = Literal["cash", "pay_later", "link", "invoice", "card"]
# Methods whose money arrives later through the payments service (link, card reader).
AWAITING_PAYMENT = frozenset({"link", "card"})


def initial_status(method: PaymentMethod) -> BookingStatus:
    """PENDING_PAYMENT while the money is yet to come through the payments service (a link
    or the card reader); CONFIRMED for cash, pay later and invoice."""
    if method in AWAITING_PAYMENT:
        return BookingStatus.PENDING_PAYMENT
    return BookingStatus.CONFIRMED
