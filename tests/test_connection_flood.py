"""One address cannot open connections without end (on ``/ws`` as well as ``/public``):
beyond ``address_connections`` it is turned away with 429, and other addresses still get in."""

from __future__ import annotations

import asyncio
import contextlib

from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from core.infra.db import Database
from tests.server_support import TIMEOUT, peer, running_server


def test_an_address_flooding_connections_is_turned_away_and_others_are_not(
    sqlite_db: Database,
) -> None:
    async def scenario() -> None:
        async with running_server(sqlite_db, address_connections=6) as server:
            ws_url = server.url
            public = f"ws://127.0.0.1:{server.port}/public"
            attempts = [connect(ws_url, open_timeout=TIMEOUT) for _ in range(20)]
            attempts += [connect(public, open_timeout=TIMEOUT) for _ in range(4)]
            results = await asyncio.gather(*attempts, return_exceptions=True)
            opened = [r for r in results if not isinstance(r, BaseException)]
            refused = [r for r in results if isinstance(r, InvalidStatus)]
            try:
                assert len(opened) == 6, results
                assert len(refused) == 18
                assert {r.response.status_code for r in refused} == {429}
                assert any(b"Too many connections" in r.response.body for r in refused)
                async with peer(public, local_addr=("127.0.0.2", 0)) as elsewhere:
                    assert (await elsewhere.call("catalogue.get"))["courses"]
            finally:
                for ws in opened:
                    with contextlib.suppress(Exception):
                        await ws.close()
            for _ in range(200):  # bounded wait for the server to see them closed
                if not server.by_address:
                    break
                await asyncio.sleep(0.02)
            async with peer(ws_url) as again:  # closing connections frees places
                assert (await again.request("catalogue.get"))["error"]["code"] == -32001

    asyncio.run(scenario())
