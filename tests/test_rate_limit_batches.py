"""The request-rate limit counts requests, not frames: a client cannot multiply its rate
fifty times by packing requests into batches."""

from __future__ import annotations

import asyncio
import json

from websockets.asyncio.client import connect

from core.infra.db import Database
from server.connection import Limits, TokenBucket
from tests.server_support import TIMEOUT, running_server


def test_each_request_in_a_batch_counts_against_the_rate_limit(sqlite_db: Database) -> None:
    async def scenario() -> None:
        limits = Limits(rate=5, burst=20)
        async with (
            running_server(sqlite_db, limits=limits) as server,
            connect(f"ws://127.0.0.1:{server.port}/public") as visitor,
        ):
            for frame in range(10):
                batch = [
                    {"jsonrpc": "2.0", "id": frame * 10 + i, "method": "changes.head"}
                    for i in range(10)
                ]
                await visitor.send(json.dumps(batch))
            answered = limited = 0
            async with asyncio.timeout(TIMEOUT):
                for _ in range(10):
                    for reply in json.loads(await visitor.recv()):
                        if "result" in reply:
                            answered += 1
                        elif reply["error"]["code"] == -32029:
                            limited += 1
            assert answered + limited == 100
            assert answered <= 30, answered  # the burst of 20, plus what 5 a second adds
            assert limited >= 70

    asyncio.run(scenario())


def test_a_batch_bigger_than_the_burst_can_still_pass() -> None:
    bucket = TokenBucket(rate=1, burst=4, now=0.0)
    assert bucket.take(0.0, 50)  # costs the whole burst, not more than it can ever save
    assert not bucket.take(0.5, 1)
    assert bucket.take(4.0, 50)
