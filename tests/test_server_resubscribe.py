"""Found by an outside tester: ``changes.subscribe`` sent again while the first subscription
was still catching up replaced it only after its reply was queued, so the old catch-up kept
sending pages after the new reply: changes at or before the new ``after_seq`` (repeats the
client had said it has), and, when the new ``after_seq`` was older, pages out of order."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from websockets.asyncio.client import connect

from core.api import Call, dispatch
from core.infra.actor import Actor
from core.infra.db import Database
from core.journal import changes
from tests.factories import make_session
from tests.server_support import PASSWORD, TIMEOUT, add_staff, running_server

DESK = Actor("Front Desk", "reception", "desk", None)


def many_changes(db: Database, count: int) -> int:
    """``count`` hold-and-release pairs on one session; the feed's head afterwards."""
    sid = make_session(db)
    for _ in range(count):
        hold = dispatch(Call(db, DESK), "holds.create", {"session_id": sid, "seats": 1})
        params = {"hold_id": hold["id"], "hold_token": hold["hold_token"]}
        dispatch(Call(db, DESK), "holds.release", params)
    with db.read() as tx:
        return changes.last_seq(tx)


def request(rid: int, method: str, params: dict[str, Any]) -> str:
    return json.dumps({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})


@pytest.mark.parametrize("again_after", ["near_head", "early"])
def test_subscribing_again_mid_catch_up_pushes_only_what_follows_the_new_after_seq(
    sqlite_db: Database, again_after: str
) -> None:
    head = many_changes(sqlite_db, 1000)  # ten pages to catch up on
    after = head - 2 if again_after == "near_head" else 100
    email = add_staff(sqlite_db, "reception")

    async def scenario() -> list[int]:
        async with running_server(sqlite_db) as server, connect(server.url) as ws:
            login = {"email": email, "password": PASSWORD}
            await ws.send(request(1, "auth.login", login))
            await ws.send(request(2, "changes.subscribe", {"after_seq": 0}))
            async with asyncio.timeout(TIMEOUT):
                while json.loads(await ws.recv()).get("id") != 2:
                    pass
                await ws.send(request(3, "changes.subscribe", {"after_seq": after}))
                while json.loads(await ws.recv()).get("id") != 3:
                    pass  # the first subscription's pages sent before the reply
                seqs: list[int] = []
                while not seqs or seqs[-1] < head:
                    message = json.loads(await ws.recv())
                    assert message["method"] == "changes.push"
                    seqs += [c["seq"] for c in message["params"]["changes"]]
            return seqs

    assert asyncio.run(scenario()) == list(range(after + 1, head + 1))
