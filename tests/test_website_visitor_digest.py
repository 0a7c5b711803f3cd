"""The per-address limits count a public visitor by a digest of their network address that
cannot be traced back to the address from the database alone."""

from __future__ import annotations

import asyncio
import hashlib

from sqlalchemy import select

from core.infra.db import Database
from core.models import SeatHold
from tests.factories import make_session
from tests.server_support import peer, running_server


def test_a_visitors_stored_digest_cannot_be_recomputed_from_their_address(
    sqlite_db: Database,
) -> None:
    sid = make_session(sqlite_db, capacity=12)

    async def scenario() -> None:
        async with (
            running_server(sqlite_db) as server,
            peer(f"ws://127.0.0.1:{server.port}/public") as visitor,
        ):
            await visitor.call("holds.create", {"session_id": sid, "seats": 1})

    asyncio.run(scenario())
    with sqlite_db.read() as tx:
        holder = tx.scalars(select(SeatHold.holder)).one()
    assert holder.startswith("website visitor ")
    digest = holder.removeprefix("website visitor ")
    # anyone with the database could hash all 2^32 IPv4 addresses; an unkeyed digest of
    # the address in any obvious spelling would be found that way
    for spelling in ("127.0.0.1", "rft-visitor:127.0.0.1", "::ffff:127.0.0.1"):
        unkeyed = hashlib.sha256(spelling.encode()).hexdigest()
        assert not unkeyed.startswith(digest), spelling
