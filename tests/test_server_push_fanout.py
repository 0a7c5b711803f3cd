"""Live fan-out: one encoding per change and audience, the same bytes to every subscriber,
each role shown only its own view, and a client that stops reading holding nobody up."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import pytest
from websockets.asyncio.server import ServerConnection

from core.api.changes import shown_to
from core.infra.db import Database
from core.journal import changes
from core.models import CourseSession
from core.seats import holds
from server import jsonrpc
from server.app import SyncServer
from server.connection import Limits
from server.feed import PUSH_METHOD
from tests.factories import make_session, person
from tests.server_support import Peer, add_api_key, add_staff, peer, running_server

STAFF = "reception@example.org"


def feed_head(db: Database) -> int:
    with db.read() as tx:
        return changes.last_seq(tx)


def expected_frame(db: Database, after: int, role: str) -> str:
    """The push a client of ``role`` should get for the changes after ``after``, encoded
    as the server always has: ``changes.since``'s changes in a ``changes.push``."""
    with db.read() as tx:
        page = [changes.as_message(c) for c in changes.since(tx, after)]
    shown = [m for m in (shown_to(msg, role) for msg in page) if m is not None]
    params = {"changes": shown, "last_seq": page[-1]["seq"]}
    return jsonrpc.encode(jsonrpc.notification(PUSH_METHOD, params))


def republish(db: Database, session_id: int, times: int) -> None:
    """``times`` session changes in one transaction (what a busy desk adds up to)."""
    with db.write() as tx:
        session = tx.get(CourseSession, session_id)
        assert session is not None
        for _ in range(times):
            holds.publish_session(tx, session)


def seqs_after(db: Database, after: int) -> list[int]:
    with db.read() as tx:
        return [c.seq for c in changes.since(tx, after, 100_000)]


async def seqs_until(watcher: Peer, last: int) -> list[int]:
    """The seqs of the changes ``watcher`` is pushed, up to and including ``last``."""
    seen = [(await watcher.push_until(lambda c: True))["seq"]]
    while seen[-1] < last:
        seen.append((await watcher.push_until(lambda c: True))["seq"])
    return seen


@asynccontextmanager
async def signed_in(url: str, token: str, count: int) -> AsyncIterator[list[Peer]]:
    async with AsyncExitStack() as stack:
        peers = [await stack.enter_async_context(peer(url)) for _ in range(count)]
        for each in peers:
            await each.call("auth.authenticate", {"access_token": token})
        yield peers


@asynccontextmanager
async def websites(url: str, key: str, count: int) -> AsyncIterator[list[Peer]]:
    async with AsyncExitStack() as stack:
        peers = [await stack.enter_async_context(peer(url)) for _ in range(count)]
        for each in peers:
            await each.call("auth.authenticate", {"api_key": key})
        yield peers


def test_a_change_is_encoded_once_per_audience_and_everyone_gets_the_same_bytes(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    sid = make_session(sqlite_db)
    add_staff(sqlite_db, "reception")
    key = add_api_key(sqlite_db)
    encoded: list[int] = []
    dumps = json.dumps

    def counting(obj: Any, *args: Any, **kwargs: Any) -> str:
        if isinstance(obj, dict) and obj.get("method") == PUSH_METHOD:
            encoded.append(obj["params"]["last_seq"])
        return dumps(obj, *args, **kwargs)

    monkeypatch.setattr(json, "dumps", counting)

    async def scenario() -> None:
        async with running_server(sqlite_db) as server, peer(server.url) as desk:
            token = (await desk.login(STAFF))["access_token"]
            async with (
                signed_in(server.url, token, 12) as staff,
                websites(server.url, key, 4) as web,
            ):
                start = feed_head(sqlite_db)
                for watcher in staff + web:
                    await watcher.call("changes.subscribe", {"after_seq": start})
                await desk.call("holds.create", {"session_id": sid, "seats": 2})
                last = feed_head(sqlite_db)
                for watcher in staff + web:
                    await seqs_until(watcher, last)
            assert encoded == [last, last]  # one for the staff, one for the website
            for role, watchers in (("staff", staff), ("website", web)):
                frames = {frame for w in watchers for frame in w.push_frames}
                assert frames == {expected_frame(sqlite_db, start, role)}

    asyncio.run(scenario())


def test_each_role_is_pushed_only_what_it_may_see(sqlite_db: Database) -> None:
    sid = make_session(sqlite_db, capacity=6)
    other = make_session(sqlite_db, days_ahead=21)
    add_staff(sqlite_db, "reception")
    key = add_api_key(sqlite_db)

    async def scenario() -> None:
        async with running_server(sqlite_db) as server, peer(server.url) as desk:
            token = (await desk.login(STAFF))["access_token"]
            async with (
                signed_in(server.url, token, 2) as (office, leaver),
                websites(server.url, key, 1) as (web,),
            ):
                start = feed_head(sqlite_db)
                for watcher in (office, leaver, web):
                    await watcher.call("changes.subscribe", {"after_seq": start})
                await leaver.call("auth.logout")
                hold = await desk.call("holds.create", {"session_id": sid, "seats": 2})
                await desk.call(
                    "bookings.create",
                    {
                        "hold_id": hold["id"],
                        "hold_token": hold["hold_token"],
                        "attendees": [person(1), person(2)],
                    },
                )
                await desk.call("holds.create", {"session_id": other, "seats": 1})
                last = feed_head(sqlite_db)
                await seqs_until(office, last)
                await web.push_until(lambda c: c["id"] == str(other))
            pushed = [m for w in office.push_frames for m in json.loads(w)["params"]["changes"]]
            public = [m for w in web.push_frames for m in json.loads(w)["params"]["changes"]]
            assert {"session", "booking"} <= {m["kind"] for m in pushed}
            assert {m["kind"] for m in public} == {"session"}
            assert [m["seq"] for m in public] == [
                m["seq"] for m in pushed if m["kind"] == "session"
            ]
            for change in public:
                assert "trainer" not in change["data"] and "trainer_email" not in change["data"]
                assert all("holder" not in i for i in change["data"]["intents"])
            assert leaver.push_frames == []  # signed out: nothing, not even the website view

    asyncio.run(scenario())


def _small_window() -> socket.socket:
    """A client socket with a tiny receive buffer, so a client that stops reading backs up
    the server quickly."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    return sock


def _squeeze(server: SyncServer, client: socket.socket) -> Any:
    """The server's side of ``client``'s connection, its kernel send buffer made tiny (as
    on a slow link), so what the client does not read backs up in the server's process."""
    port = client.getsockname()[1]
    (conn,) = [c for c in server_connections(server) if c.remote_address[1] == port]
    conn.transport.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    return conn


def test_a_client_that_stops_reading_delays_nobody_and_then_gets_everything(
    sqlite_db: Database,
) -> None:
    sid = make_session(sqlite_db)
    add_staff(sqlite_db, "reception")
    # Long enough that, were anyone waiting on the stalled client, this test would time out.
    limits = Limits(send_queue=4, send_timeout=3600)

    async def scenario() -> None:
        async with running_server(sqlite_db, limits=limits) as server:
            host, port = server.options.host, server.port
            stalled_sock = _small_window()
            stalled_sock.connect((host, port))
            stalled_sock.setblocking(False)
            async with (
                peer(server.url) as brisk,
                peer(server.url, sock=stalled_sock, compression=None) as stalled,
            ):
                await brisk.login(STAFF)
                await stalled.login(STAFF)
                start = feed_head(sqlite_db)
                for watcher in (brisk, stalled):
                    await watcher.call("changes.subscribe", {"after_seq": start})
                stalled.ws.transport.pause_reading()
                backed_up = _squeeze(server, stalled_sock).transport
                for _ in range(12):
                    await asyncio.to_thread(republish, sqlite_db, sid, 200)
                last = feed_head(sqlite_db)
                everything = seqs_after(sqlite_db, start)
                assert await seqs_until(brisk, last) == everything
                assert stalled.push_frames == []
                # What it has not read waits in its queue as a few pages, not as every frame
                # written into its socket's buffer.
                assert backed_up.get_write_buffer_size() < 400_000
                stalled.ws.transport.resume_reading()
                assert await seqs_until(stalled, last) == everything

    asyncio.run(scenario())


def server_connections(server: SyncServer) -> list[ServerConnection]:
    assert server._server is not None
    return list(server._server.connections)


def test_no_push_is_lost_or_reordered_while_writers_race_and_a_late_subscriber_catches_up(
    any_db: Database,
) -> None:
    sessions = [make_session(any_db, days_ahead=14 + i) for i in range(3)]
    add_staff(any_db, "reception")
    key = add_api_key(any_db)

    def writer(sid: int, rounds: int, done: Callable[[], None]) -> None:
        for n in range(rounds):
            republish(any_db, sid, 1 + n % 4)
        done()

    async def scenario() -> None:
        async with (
            running_server(any_db, feed_memory=20) as server,
            peer(server.url) as desk,
        ):
            token = (await desk.login(STAFF))["access_token"]
            start = feed_head(any_db)
            async with (
                signed_in(server.url, token, 2) as (live, late),
                websites(server.url, key, 1) as (web,),
            ):
                for watcher in (live, web):
                    await watcher.call("changes.subscribe", {"after_seq": start})
                finished = threading.Semaphore(0)
                threads = [
                    threading.Thread(target=writer, args=(sid, 25, finished.release))
                    for sid in sessions
                ]
                for thread in threads:
                    thread.start()
                await asyncio.to_thread(finished.acquire)  # one writer done, two still going
                await late.call("changes.subscribe", {"after_seq": start})
                for thread in threads:
                    await asyncio.to_thread(thread.join)
                last = feed_head(any_db)
                everything = seqs_after(any_db, start)
                for watcher in (live, late):
                    assert await seqs_until(watcher, last) == everything
                assert await seqs_until(web, last) == everything  # all are session changes

    asyncio.run(scenario())
