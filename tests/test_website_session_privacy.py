"""What staff write about a cancelled session stays with staff: the public booking page sees
that the session is cancelled, never the reason (which often names a trainer or a client)."""

from __future__ import annotations

import asyncio

from core.infra.db import Database
from tests.factories import make_session
from tests.server_support import add_staff, peer, running_server

REASON = "Trainer Sarah Holt is ill; Acme Ltd asked for sarah.holt@example.org to call"


def test_a_cancelled_sessions_reason_never_reaches_a_visitor(sqlite_db: Database) -> None:
    sid = make_session(sqlite_db, capacity=12)
    add_staff(sqlite_db, "manager")

    async def scenario() -> None:
        async with (
            running_server(sqlite_db) as server,
            peer(f"ws://127.0.0.1:{server.port}/public") as visitor,
        ):
            head = await visitor.call("changes.head")
            await visitor.call("changes.subscribe", {"after_seq": head["head"]})
            async with peer(server.url) as office:
                await office.login("manager@example.org")
                done = await office.call("schedule.cancel", {"id": sid, "reason": REASON})
                assert done["cancel_reason"] == REASON  # staff still see it
            pushed = await visitor.push_until(lambda c: c["kind"] == "session")
            listed = await visitor.call("sessions.list")
            one = await visitor.call("sessions.get", {"id": sid})
            feed = await visitor.call("changes.since", {"after_seq": head["head"]})
            for seen in (pushed["data"], listed[0], one):
                assert seen["status"] == "CANCELLED"
            for seen in (pushed, listed, one, feed):
                assert "Sarah" not in str(seen) and "Acme" not in str(seen), seen

    asyncio.run(scenario())
