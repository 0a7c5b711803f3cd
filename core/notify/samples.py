"""Sample data for previewing templates (``rft email preview``) without a database.

A template with variables of its own ships ``<name>.sample.json`` next to it; its values
(ISO date-times become aware datetimes) are laid over the shared sample.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from typing import Any

from core.infra.clock import london
from core.infra.resources import resource

SAMPLE_DAY = date(2026, 3, 30)  # the Monday after the clocks go forward


def _revive(value: Any) -> Any:
    if isinstance(value, str) and len(value) > 10 and value[10:11] == "T":
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, list):
        return [_revive(v) for v in value]
    if isinstance(value, dict):
        return {k: _revive(v) for k, v in value.items()}
    return value


def sample_context(template: str) -> dict[str, Any]:
    """Realistic values for every variable the templates use, plus the template's own."""
    extra = resource("templates", "email", f"{template}.sample.json")
    own = _revive(json.loads(extra.read_text(encoding="utf-8"))) if extra.exists() else {}
    return _shared(template) | own


def _shared(template: str) -> dict[str, Any]:
    days = [
        {
            "start": london(SAMPLE_DAY + timedelta(days=i), time(9, 0)),
            "end": london(SAMPLE_DAY + timedelta(days=i), time(16, 0)),
        }
        for i in range(3)
    ]
    return {
        "reference": "RFT-2026-0042",
        "status": "CONFIRMED",
        "customer_name": "Jo Bloggs",
        "name": "Jo Bloggs",
        "attendees": ["Jo Bloggs", "Sam Patel", "Alex Nowak"],
        "seats": 3,
        "course_name": "First Aid at Work",
        "venue_name": "Leeds City Centre",
        "venue_address": "Leeds City Centre, 12 Park Row, Leeds, LS1 5HD",
        "room": "Training Room 1",
        "days": days,
        "start": days[0]["start"],
        "cancel_reason": None,
        "total_pence": 58500,
        "discount_pence": 0,
        "paid_pence": 58500,
        "due_pence": 0 if template == "booking_confirmation" else 58500,
        "url": "https://checkout.stripe.com/c/pay/cs_test_sample",
        "expires_at": london(SAMPLE_DAY - timedelta(days=20), time(17, 30)),
        "refund_pence": 58500,
        "reason": "customer asked",
        "change": "The course has moved to Training Room 2 on the first floor.",
        "cancelled": False,
    }
