"""The states a booking and a session can be in, named once.

They are ``StrEnum``s: each member *is* its stored string, so the database, the JSON and
the change feed carry exactly the text they always have.
"""

from __future__ import annotations

from enum import StrEnum


class BookingStatus(StrEnum):
    PENDING_PAYMENT = "PENDING_PAYMENT"  # seats kept until the payment deadline
    CONFIRMED = "CONFIRMED"
    CANCELLED = "CANCELLED"


class SessionStatus(StrEnum):
    SCHEDULED = "SCHEDULED"
    FULL = "FULL"  # every seat booked (held seats do not make a session FULL)
    CANCELLED = "CANCELLED"
