"""A website visitor joins a full session's waiting list over ``/public``: name, email and
seats in, nothing about anyone else out, and a limit per address."""

from __future__ import annotations

import asyncio
from typing import Any

from core.booking.waitlist import entries
from core.infra.db import Database
from core.scheduling.cancel import cancel_session
from tests.factories import make_session
from tests.server_support import peer, running_server
from tests.waitlist_support import DESK, full_session, join


def test_a_visitor_joins_a_full_sessions_waiting_list(sqlite_db: Database) -> None:
    sid, _ = full_session(sqlite_db, [2, 2])
    open_sid = make_session(sqlite_db, capacity=4, days_ahead=30)

    async def scenario() -> None:
        async with (
            running_server(sqlite_db) as server,
            peer(f"ws://127.0.0.1:{server.port}/public") as visitor,
        ):

            async def join(session: int, seats: int, who: str) -> dict[str, Any]:
                contact = {"name": who.title(), "email": f"{who}@example.com"}
                params = {"session_id": session, "seats": seats, "contact": contact}
                return await visitor.request("waitlist.join", params)

            joined = await join(sid, 3, "group")
            assert set(joined["result"]) == {"session_id", "seats", "message"}
            assert "group@example.com" in joined["result"]["message"]
            again = await join(sid, 1, "group")
            assert again["result"]["message"] == joined["result"]["message"]  # no hint given
            free = await join(open_sid, 2, "early")
            assert "book them now" in free["error"]["message"]
            too_big = await join(sid, 13, "crowd")
            assert too_big["error"]["code"] == -32602
            await join(sid, 1, "second")
            await join(sid, 1, "third")
            limited = await join(sid, 1, "fourth")
            assert limited["error"]["code"] == -32015
            staff_only = await visitor.request("waitlist.list", {"session_id": sid})
            assert staff_only["error"]["code"] == -32003

    asyncio.run(scenario())
    with sqlite_db.read() as tx:
        listed = entries.list_entries(tx, sid)
    assert [(e.contact_email, e.seats, e.position) for e in listed] == [
        ("group@example.com", 3, 1),
        ("second@example.com", 1, 2),
        ("third@example.com", 1, 3),
    ]


def test_a_cancelled_session_refuses_every_visitor_alike(sqlite_db: Database) -> None:
    """Whether an email was already waiting makes no difference to the answer: a cancelled
    session refuses it too, so the page can neither join nor learn who was waiting."""
    sid, _ = full_session(sqlite_db, [2])
    join(sqlite_db, sid, 1, "waiting")
    with sqlite_db.write() as tx:
        cancel_session(tx, DESK, sid, "Trainer unwell")

    async def scenario() -> list[dict[str, Any]]:
        async with (
            running_server(sqlite_db) as server,
            peer(f"ws://127.0.0.1:{server.port}/public") as visitor,
        ):
            answers = []
            for who in ("waiting", "stranger"):
                contact = {"name": who.title(), "email": f"{who}@example.com"}
                params = {"session_id": sid, "seats": 1, "contact": contact}
                answers.append((await visitor.request("waitlist.join", params))["error"])
            return answers

    known, unknown = asyncio.run(scenario())
    assert known == unknown
    assert known["code"] == -32012 and "cancelled" in known["message"]


def test_a_visitors_name_on_the_waiting_list_follows_the_attendee_name_rule(
    sqlite_db: Database,
) -> None:
    """Found by the attack: ``contact.name`` took "1234" or a right-to-left override, to be
    greeted by it in the offer's email; the waiting list now refuses what a booking would."""
    sid, _ = full_session(sqlite_db, [2, 2])

    async def scenario() -> None:
        async with (
            running_server(sqlite_db) as server,
            peer(f"ws://127.0.0.1:{server.port}/public") as visitor,
        ):
            for name in ("1234", "Ann\u202eeeL", "Ann \x07Lee"):
                contact = {"name": name, "email": "ann@example.com"}
                params = {"session_id": sid, "seats": 1, "contact": contact}
                refused = await visitor.request("waitlist.join", params)
                assert refused["error"]["code"] == -32602, refused
                assert refused["error"]["message"].startswith("contact.name: the name")
            contact = {"name": "Ann\n  Lee", "email": "ann@example.com"}
            params = {"session_id": sid, "seats": 1, "contact": contact}
            assert "result" in await visitor.request("waitlist.join", params)

    asyncio.run(scenario())
    with sqlite_db.read() as tx:
        [entry] = entries.list_entries(tx, sid)
    assert entry.contact_name == "Ann Lee"
