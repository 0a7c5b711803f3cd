"""The desktop's protocol client: calls, errors, pushes, and reconnects that lose nothing."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path
from typing import Any

import pytest

from core.infra.actor import CLI
from core.infra.db import Database
from core.journal import changes
from core.seats import holds
from core.staff import auth
from desktop.sync_client import BlockingSyncClient, NotConnected, RpcError, SyncClient
from tests.conftest import sqlite_url
from tests.factories import make_session, person
from tests.server_support import (
    PASSWORD,
    TIMEOUT,
    ServerProcess,
    add_api_key,
    add_staff,
    running_server,
    server_env,
)


def all_seqs(db: Database, after: int) -> list[int]:
    with db.read() as tx:
        return [c.seq for c in changes.since(tx, after, 100000)]


class Inbox:
    """Collects pushed changes and lets a test wait until it has seen a given seq."""

    def __init__(self) -> None:
        self.seqs: list[int] = []
        self.states: list[str] = []
        self._grew = asyncio.Event()

    def on_changes(self, batch: list[dict[str, Any]]) -> None:
        self.seqs += [c["seq"] for c in batch]
        self._grew.set()

    def on_state(self, state: str) -> None:
        self.states.append(state)
        self._grew.set()

    async def until(self, seq: int = 0, state: str | None = None) -> None:
        async with asyncio.timeout(TIMEOUT * 2):
            while (self.seqs[-1] if self.seqs else 0) < seq or (state and state not in self.states):
                self._grew.clear()
                await self._grew.wait()


def test_calls_return_results_and_domain_errors_carry_code_message_and_data(
    sqlite_db: Database,
) -> None:
    sid = make_session(sqlite_db, capacity=2)
    add_staff(sqlite_db, "reception")

    async def scenario() -> None:
        async with running_server(sqlite_db) as server:
            client = SyncClient(server.url)
            await client.start()
            try:
                identity = await client.login("reception@example.org", PASSWORD)
                assert identity["role"] == "reception"
                assert (await client.call("sessions.get", {"id": sid}))["free"] == 2
                with pytest.raises(RpcError) as full:
                    await client.call("holds.create", {"session_id": sid, "seats": 3})
                assert full.value.code == -32010
                assert full.value.kind == "not_enough_seats"
                assert full.value.data["free"] == 2
                assert "only 2 seats left" in full.value.message
                with pytest.raises(RpcError) as unknown:
                    await client.call("sessions.nope")
                assert unknown.value.code == -32601
            finally:
                await client.close()

    asyncio.run(scenario())


def test_concurrent_calls_with_an_expiring_token_refresh_once_and_all_succeed(
    sqlite_db: Database,
) -> None:
    add_staff(sqlite_db, "manager")

    async def scenario() -> None:
        async with running_server(sqlite_db) as server:
            sqlite_db.settings = sqlite_db.settings.with_overrides(jwt_expires_in="30s")
            client = SyncClient(server.url)
            await client.start()
            try:
                await client.login("manager@example.org", PASSWORD)
                first_refresh = client.refresh_token
                results = await asyncio.gather(*[client.call("catalogue.get") for _ in range(10)])
                assert all(r["courses"] for r in results)
                assert client.refresh_token != first_refresh  # rotated, and not revoked
                assert await client.call("catalogue.get")
            finally:
                await client.close()

    asyncio.run(scenario())


def test_website_client_signs_in_with_its_api_key(sqlite_db: Database) -> None:
    sid = make_session(sqlite_db)
    key = add_api_key(sqlite_db)

    async def scenario() -> None:
        async with running_server(sqlite_db) as server:
            client = SyncClient(server.url, api_key=key, subscribe=False)
            await client.start()
            try:
                await client.wait_connected(TIMEOUT)
                assert client.identity is not None and client.identity["channel"] == "website"
                hold = await client.call("holds.create", {"session_id": sid, "seats": 1})
                booking = await client.call(
                    "bookings.create",
                    {
                        "hold_id": hold["id"],
                        "hold_token": hold["hold_token"],
                        "attendees": [person(1)],
                    },
                )
                assert booking["status"] == "PENDING_PAYMENT"
            finally:
                await client.close()

    asyncio.run(scenario())


def test_a_killed_and_restarted_server_loses_no_change(sqlite_db: Database, tmp_path: Path) -> None:
    sid = make_session(sqlite_db, capacity=12)
    add_staff(sqlite_db, "reception")
    env = server_env(sqlite_url(tmp_path))
    start = max(all_seqs(sqlite_db, 0), default=0)
    inbox = Inbox()

    async def scenario() -> None:
        server = ServerProcess(env)
        client = SyncClient(
            server.url,
            after_seq=start,
            on_changes=inbox.on_changes,
            on_state=inbox.on_state,
            backoff=(0.05, 0.5),
        )
        await client.start()
        try:
            await client.login("reception@example.org", PASSWORD)
            await client.call("holds.create", {"session_id": sid, "seats": 1})
            await inbox.until(all_seqs(sqlite_db, start)[-1])

            server.kill()  # SIGKILL: no goodbye
            await inbox.until(state="disconnected")
            with sqlite_db.write() as tx:  # the desks carry on while it is down
                for _ in range(3):
                    holds.create_hold(tx, sid, 1, CLI)
            server.__exit__(None, None, None)
            server = ServerProcess(env, port=server.port)
            await inbox.until(all_seqs(sqlite_db, start)[-1])
            assert (await client.call("sessions.get", {"id": sid}))["held"] == 4

            await client.call("holds.create", {"session_id": sid, "seats": 2})
            await inbox.until(all_seqs(sqlite_db, start)[-1])
            assert inbox.seqs == all_seqs(sqlite_db, start)  # every change, once, in order
            assert inbox.states.count("connected") == 2
        finally:
            await client.close()
            server.__exit__(None, None, None)

    asyncio.run(scenario())


def test_the_blocking_client_works_from_plain_threads(sqlite_db: Database, tmp_path: Path) -> None:
    sid = make_session(sqlite_db, capacity=3)
    add_staff(sqlite_db, "reception")
    seen: list[int] = []
    with ServerProcess(server_env(sqlite_url(tmp_path))) as server:
        client = BlockingSyncClient(
            server.url, on_changes=lambda batch: seen.extend(c["seq"] for c in batch)
        )
        try:
            client.wait_connected()
            client.login("reception@example.org", PASSWORD)
            future = client.submit("holds.create", {"session_id": sid, "seats": 2})
            assert future.result(TIMEOUT)["seats"] == 2
            with pytest.raises(RpcError) as full:
                client.call("holds.create", {"session_id": sid, "seats": 2})
            assert full.value.kind == "not_enough_seats"
            assert client.call("sessions.get", {"id": sid})["held"] == 2
        finally:
            client.close()
    assert client.last_seq >= max(seen, default=0)


def test_a_call_to_an_unreachable_server_says_so_and_was_not_sent() -> None:
    async def scenario() -> None:
        with socket.socket() as spare:  # a port nobody listens on
            spare.bind(("127.0.0.1", 0))
            port = spare.getsockname()[1]
        client = SyncClient(f"ws://127.0.0.1:{port}/ws", backoff=(0.05, 0.1))
        await client.start()
        try:
            with pytest.raises(NotConnected) as down:
                await client.call("catalogue.get", timeout=0.5)
            assert down.value.kind == "not_connected" and not client.connected
        finally:
            await client.close()

    asyncio.run(scenario())


def test_a_sign_in_ended_elsewhere_signs_the_client_out_at_once(sqlite_db: Database) -> None:
    add_staff(sqlite_db, "reception")
    inbox = Inbox()

    async def scenario() -> None:
        async with running_server(sqlite_db) as server:
            client = SyncClient(server.url, on_state=inbox.on_state)
            await client.start()
            try:
                await client.login("reception@example.org", PASSWORD)
                with sqlite_db.write() as tx:
                    auth.disable_user(tx, "reception@example.org")
                await inbox.until(state="signed_out")
                assert (client.identity, client.refresh_token) == (None, None)
                with pytest.raises(RpcError) as refused:
                    await client.call("sessions.list")
                assert refused.value.code == -32001
                assert "disabled" in refused.value.message
            finally:
                await client.close()

    asyncio.run(scenario())


def test_a_cursor_beyond_the_servers_feed_is_read_again_from_the_start(
    sqlite_db: Database,
) -> None:
    sid = make_session(sqlite_db)
    add_staff(sqlite_db, "reception")
    for _ in range(3):
        with sqlite_db.write() as tx:
            holds.create_hold(tx, sid, 1, CLI)
    head = all_seqs(sqlite_db, 0)[-1]
    inbox = Inbox()

    async def scenario() -> None:
        async with running_server(sqlite_db) as server:
            client = SyncClient(server.url, after_seq=head + 1000, on_changes=inbox.on_changes)
            await client.start()
            try:
                await client.login("reception@example.org", PASSWORD)
                await inbox.until(seq=head)
                assert client.last_seq == head
            finally:
                await client.close()

    asyncio.run(scenario())
    assert inbox.seqs == all_seqs(sqlite_db, 0)
