"""Bad clients get an error or a clean close; everyone else keeps being served."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import func, select, update
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from core.infra.clock import now
from core.infra.db import Database
from core.models import Booking, CourseSession, SeatHold
from server.connection import Limits
from tests.factories import make_session, person
from tests.server_support import TIMEOUT, add_staff, peer, running_server


async def until(condition: Callable[[], bool], timeout: float = TIMEOUT) -> None:
    """Wait for a condition the test cannot be told about directly (server-side state)."""
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.02)


def test_a_frame_over_the_size_limit_closes_that_connection_only(sqlite_db: Database) -> None:
    add_staff(sqlite_db, "reception")

    async def scenario() -> None:
        limits = Limits(max_frame=4096)
        async with running_server(sqlite_db, limits=limits) as server, peer(server.url) as other:
            await other.login("reception@example.org")
            async with connect(server.url) as big:
                await big.send(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "x" * 5000}))
                try:
                    await asyncio.wait_for(big.recv(), TIMEOUT)
                    raise AssertionError("the oversize frame was answered")
                except ConnectionClosed as closed:
                    assert closed.rcvd is not None and closed.rcvd.code == 1009
            assert await other.call("catalogue.get")

    asyncio.run(scenario())


def test_a_flood_is_told_to_slow_down_then_cut_off_while_others_are_served(
    sqlite_db: Database,
) -> None:
    add_staff(sqlite_db, "reception")

    async def scenario() -> None:
        limits = Limits(rate=5, burst=10, max_strikes=40)
        async with (
            running_server(sqlite_db, limits=limits) as server,
            peer(server.url) as calm,
            connect(server.url) as flood,
        ):
            await calm.login("reception@example.org")
            request = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "auth.logout"})
            codes: list[int] = []
            try:
                for _ in range(200):
                    await flood.send(request)
                async with asyncio.timeout(TIMEOUT):
                    async for frame in flood:
                        reply = json.loads(frame)
                        codes.append(reply.get("error", {}).get("code", 0))
            except ConnectionClosed:
                pass
            assert flood.close_code == 1008
            assert -32029 in codes and codes.count(0) <= 12
            assert await calm.call("catalogue.get")
            assert server.metrics.errors[-32029] >= 40

    asyncio.run(scenario())


def test_a_client_that_never_reads_is_disconnected_and_others_carry_on(
    sqlite_db: Database,
) -> None:
    for days in range(1, 41):
        make_session(sqlite_db, days_ahead=days)
    add_staff(sqlite_db, "reception")

    async def scenario() -> None:
        limits = Limits(rate=1000, burst=1000, send_queue=4, send_timeout=0.5)
        async with (
            running_server(sqlite_db, limits=limits, close_timeout=0.5) as server,
            peer(server.url) as reader,
        ):
            await reader.login("reception@example.org")
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.connect(("127.0.0.1", server.port))
            async with connect(server.url, sock=sock, max_queue=1, compression=None) as sleeper:
                token = (await reader.login("reception@example.org"))["access_token"]
                await sleeper.send(
                    json.dumps(
                        {
                            "jsonrpc": "2.0",
                            "id": 0,
                            "method": "auth.authenticate",
                            "params": {"access_token": token},
                        }
                    )
                )
                listing = {"jsonrpc": "2.0", "method": "sessions.list", "params": {}}
                with_ids = [json.dumps(listing | {"id": i}) for i in range(1, 400)]
                try:
                    for text in with_ids:
                        await asyncio.wait_for(sleeper.send(text), 2.0)
                except (ConnectionClosed, TimeoutError):
                    pass
                await until(lambda: server.metrics.open_connections == 1)
                assert len(await reader.call("sessions.list")) == 40

    asyncio.run(scenario())


def test_seats_held_by_a_vanished_client_come_back_when_the_hold_expires(
    any_db: Database,
) -> None:
    sid = make_session(any_db, capacity=4)
    add_staff(any_db, "reception")

    async def scenario() -> None:
        async with (
            running_server(any_db, sweep_interval=0.1) as server,
            peer(server.url) as watcher,
        ):
            await watcher.login("reception@example.org")
            await watcher.call("changes.subscribe", {"after_seq": 0})
            async with connect(server.url) as doomed:
                login = {
                    "jsonrpc": "2.0",
                    "id": 1,
                    "method": "auth.login",
                    "params": {
                        "email": "reception@example.org",
                        "password": "correct horse battery",
                    },
                }
                await doomed.send(json.dumps(login))
                await doomed.recv()
                hold = {
                    "jsonrpc": "2.0",
                    "id": 2,
                    "method": "holds.create",
                    "params": {"session_id": sid, "seats": 3},
                }
                await doomed.send(json.dumps(hold))
                await doomed.recv()
                doomed.transport.abort()
            held = await watcher.push_until(lambda c: c["kind"] == "session")
            assert held["data"]["held"] == 3
            assert (await watcher.call("sessions.get", {"id": sid}))["free"] == 1
            with any_db.write() as tx:  # the hold's time runs out
                tx.execute(update(SeatHold).values(expires_at=now() - timedelta(seconds=1)))
            back = await watcher.push_until(lambda c: c["kind"] == "session")
            assert (back["data"]["held"], back["data"]["free"]) == (0, 4)

    asyncio.run(scenario())


def test_hanging_up_mid_booking_leaves_no_half_written_booking(sqlite_db: Database) -> None:
    sid = make_session(sqlite_db, capacity=12)
    add_staff(sqlite_db, "reception")

    async def scenario() -> None:
        async with running_server(sqlite_db) as server, peer(server.url) as desk:
            await desk.login("reception@example.org")
            holds = [
                await desk.call("holds.create", {"session_id": sid, "seats": 2}) for _ in range(4)
            ]
            token = (await desk.login("reception@example.org"))["access_token"]
            async with connect(server.url) as quitter:
                await quitter.send(
                    json.dumps(
                        [
                            {
                                "jsonrpc": "2.0",
                                "id": 0,
                                "method": "auth.authenticate",
                                "params": {"access_token": token},
                            }
                        ]
                        + [
                            {
                                "jsonrpc": "2.0",
                                "id": i + 1,
                                "method": "bookings.create",
                                "params": {
                                    "hold_id": h["id"],
                                    "hold_token": h["hold_token"],
                                    "attendees": [person(1), person(2)],
                                },
                            }
                            for i, h in enumerate(holds)
                        ]
                    )
                )
                quitter.transport.abort()
            await until(lambda: server.metrics.open_connections == 1)  # its calls are over
            with sqlite_db.read() as tx:  # what got done before the hang-up is whole
                booked = tx.scalar(select(CourseSession.booked).where(CourseSession.id == sid))
                seats = tx.scalar(select(func.coalesce(func.sum(Booking.seats), 0)))
                used = tx.scalar(
                    select(func.count())
                    .select_from(SeatHold)
                    .where(SeatHold.booking_id.is_not(None))
                )
            assert booked == seats == 2 * used
            session = await desk.call("sessions.get", {"id": sid})
            assert session["booked"] + session["held"] == 8

    asyncio.run(scenario())


def test_guessing_passwords_gets_the_connection_closed(sqlite_db: Database) -> None:
    add_staff(sqlite_db, "reception")

    async def scenario() -> None:
        async with running_server(sqlite_db, limits=Limits(failed_logins=3)) as server:
            async with peer(server.url) as guesser:
                codes = []
                for guess in range(3):
                    reply = await guesser.request(
                        "auth.login",
                        {"email": "reception@example.org", "password": f"guess{guess}"},
                    )
                    codes.append(reply["error"]["code"])
                await asyncio.wait_for(guesser.ws.wait_closed(), TIMEOUT)
                assert codes == [-32001, -32001, -32001]
                assert guesser.ws.close_code == 1008
            async with peer(server.url) as rightful:
                assert (await rightful.login("reception@example.org"))["access_token"]

    asyncio.run(scenario())
