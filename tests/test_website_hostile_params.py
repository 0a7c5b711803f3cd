"""Numbers the database cannot hold, whole numbers sent as text or ``true``, NUL characters
and dates far from now, sent by a public visitor to every method the booking page may call,
are refused as invalid input (-32602, naming the parameter) instead of failing inside the
database (-32603) or being read as another number."""

from __future__ import annotations

import asyncio
from typing import Any

from core.infra.db import Database
from tests.factories import make_session
from tests.server_support import peer, running_server

HOSTILE: list[tuple[str, dict[str, Any], str]] = [
    ("sessions.get", {"id": 2**31}, "id"),
    ("sessions.get", {"id": 2**63}, "id"),
    ("holds.create", {"session_id": 2**31, "seats": 1}, "session_id"),
    ("sessions.list", {"date_from": "0001-01-01"}, "date_from"),
    ("sessions.list", {"date_to": "9999-12-31"}, "date_to"),
    ("sessions.list", {"search": "first\u0000aid"}, "search"),
    ("sessions.list", {"course": "efaw\u0000"}, "course"),
    ("sessions.month", {"year": 2026, "month": 12, "venue": "\u0000"}, "venue"),
    ("changes.since", {"after_seq": 2**63}, "after_seq"),
    ("changes.subscribe", {"after_seq": 2**64}, "after_seq"),
    ("bookings.status", {"reference": "RFT-\u0000", "hold_token": "x"}, "reference"),
    ("payments.link", {"reference": "RFT-2026-0001", "hold_token": "\u0000"}, "hold_token"),
    ("holds.release", {"hold_id": "\u0000", "hold_token": "x"}, "hold_id"),
    ("payments.link", {"reference": "RFT-2026-0001", "hold_token": "x", "amount": 1}, "amount"),
    # a count or an id sent as anything but a whole number is not read as one
    ("holds.create", {"session_id": 1, "seats": True}, "seats"),
    ("holds.create", {"session_id": 1, "seats": "3"}, "seats"),
    ("holds.create", {"session_id": 1, "seats": 2.0}, "seats"),
    ("sessions.get", {"id": "1"}, "id"),
    ("waitlist.join", {"session_id": 1, "seats": False, "contact": {}}, "seats"),
]


def test_values_the_database_cannot_hold_are_refused_as_invalid_input(any_db: Database) -> None:
    sid = make_session(any_db, capacity=12)

    async def scenario() -> None:
        async with (
            running_server(any_db) as server,
            peer(f"ws://127.0.0.1:{server.port}/public") as visitor,
        ):
            for method, params, field in HOSTILE:
                reply = await visitor.request(method, params)
                assert "error" in reply, (method, params, reply)
                assert reply["error"]["code"] == -32602, (method, params, reply)
                assert field in reply["error"]["message"], reply
            # the largest values that fit are answered normally
            missing = await visitor.request("sessions.get", {"id": 2**31 - 1})
            assert missing["error"]["code"] == -32004
            far = await visitor.request("changes.since", {"after_seq": 2**63 - 1})
            assert far["error"]["code"] == -32602  # beyond the newest change: start from 0
            assert far["error"]["data"]["head"] >= 0
            assert (await visitor.call("sessions.get", {"id": sid}))["free"] == 12

    asyncio.run(scenario())
