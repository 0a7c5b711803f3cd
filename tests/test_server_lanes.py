"""The desk keeps booking while the website is busy: staff calls have their own worker lane."""

from __future__ import annotations

import asyncio
import dataclasses
import threading

import pytest

from core.api import Call
from core.api.registry import METHODS
from core.infra.db import Database
from core.staff.roles import STAFF
from tests.factories import make_session
from tests.server_support import add_api_key, add_staff, peer, running_server


def test_a_staff_call_is_answered_while_every_website_worker_is_busy(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_session(sqlite_db)
    key = add_api_key(sqlite_db)
    desk = add_staff(sqlite_db, "reception")
    release = threading.Event()
    original = METHODS["sessions.list"]

    def slow_for_the_website(call: Call, params: object) -> object:
        if call.actor is None or call.actor.role not in STAFF:
            release.wait(30)  # a website read that takes its time
        return original.handler(call, params)  # type: ignore[arg-type]

    busy = dataclasses.replace(original, handler=slow_for_the_website)
    monkeypatch.setitem(METHODS, "sessions.list", busy)

    async def scenario() -> None:
        async with (
            running_server(sqlite_db, public_threads=2) as server,
            peer(server.url) as site,
            peer(server.url) as reception,
        ):
            await site.call("auth.authenticate", {"api_key": key})
            await reception.login(desk)
            reads = [asyncio.create_task(site.call("sessions.list")) for _ in range(3)]
            await asyncio.sleep(0)  # the website's reads are sent first
            try:
                listed = await reception.call("sessions.list")
                assert listed and not any(r.done() for r in reads), [
                    r.exception() or r.result() for r in reads if r.done()
                ]
            finally:
                release.set()
            assert all(await asyncio.gather(*reads))

    asyncio.run(scenario())
