"""Frames nested deeper than any request needs (100,000 ``[``, or 900 objects inside one
another in params) get a parse error and the connection carries on; nothing reaches a
handler or the server's stack limit."""

from __future__ import annotations

import asyncio
import json

from core.infra.db import Database
from tests.server_support import peer, running_server


def test_deeply_nested_frames_get_a_parse_error_and_the_connection_carries_on(
    sqlite_db: Database,
) -> None:
    nested_params = '{"a":' * 900 + "1" + "}" * 900
    frames = [
        "[" * 100_000,
        "[" * 100_000 + "]" * 100_000,
        '{"jsonrpc":"2.0","id":1,"method":"sessions.list","params":' + nested_params + "}",
        '{"jsonrpc":"2.0","id":1,"method":"bookings.create","params":{"attendees":'
        + "[" * 40
        + "]" * 40
        + "}}",
    ]

    async def scenario() -> None:
        async with (
            running_server(sqlite_db) as server,
            peer(f"ws://127.0.0.1:{server.port}/public") as visitor,
        ):
            for frame in frames:
                reply = await visitor.send_raw(frame, expect_id=None)
                assert reply["error"]["code"] == -32700, (frame[:60], reply)
                assert "levels deep" in reply["error"]["message"]
            assert (await visitor.call("catalogue.get"))["courses"]
            assert server.metrics.errors.get(-32603, 0) == 0
            ok = json.dumps({"jsonrpc": "2.0", "id": 9, "method": "changes.head"})
            assert "result" in await visitor.send_raw(ok, expect_id=9)

    asyncio.run(scenario())
