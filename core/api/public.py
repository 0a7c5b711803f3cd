"""What the public website may see: availability, never personal data of anyone.

Every handler that serves the website passes its result through these functions.
"""

from __future__ import annotations

from typing import Any

from core.actor import Actor
from core.api.registry import WEBSITE
from core.roles import STAFF

STAFF_OR_WEBSITE = STAFF | {WEBSITE}


def is_website(actor: Actor | None) -> bool:
    return actor is not None and not actor.is_staff


def session(data: dict[str, Any]) -> dict[str, Any]:
    """A session without staff contact details."""
    return {k: v for k, v in data.items() if k != "trainer_email"}


def intents(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Booking intents without the holder's name."""
    return [{k: v for k, v in item.items() if k != "holder"} for item in items]


def booking(data: dict[str, Any]) -> dict[str, Any]:
    """A booking as its web customer may see it right after making it: no names, no emails."""
    kept = ("reference", "status", "channel", "seats", "unit_price_pence", "subtotal_pence")
    out = {k: data[k] for k in (*kept, "discount_pence", "total_pence", "created_at")}
    out["session"] = session(data["session"])
    out["attendees"] = len(data["attendees"])
    return out
