"""The server learns of other processes' commits through PostgreSQL LISTEN/NOTIFY."""

from __future__ import annotations

import asyncio

from core.infra.actor import CLI
from core.infra.db import Database, open_database
from core.seats import holds
from tests.factories import make_session
from tests.server_support import add_staff, peer, running_server


def test_a_commit_by_another_process_is_pushed_without_waiting_for_a_poll(
    pg_db: Database,
) -> None:
    sid = make_session(pg_db)
    add_staff(pg_db, "reception")
    elsewhere = open_database(pg_db.settings)  # its own engine: this server hears nothing direct

    async def scenario() -> None:
        async with (
            running_server(pg_db, poll_interval=3600) as server,
            peer(server.url) as watcher,
        ):
            await watcher.login("reception@example.org")
            await watcher.call("changes.subscribe", {"after_seq": 0})

            def hold_elsewhere() -> None:
                with elsewhere.write() as tx:
                    holds.create_hold(tx, sid, 3, CLI)

            await asyncio.to_thread(hold_elsewhere)
            seen = await watcher.push_until(
                lambda c: c["kind"] == "session" and c["data"]["held"] == 3
            )
            assert seen["data"]["intents"][0]["holder"] == "command line"

    try:
        asyncio.run(scenario())
    finally:
        elsewhere.dispose()
