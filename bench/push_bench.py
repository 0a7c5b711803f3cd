"""Push latency: how long a change takes to reach every subscriber, against a bare broadcast.

Project: N staff connections subscribed to ``changes.push``; a driver makes one change at a
time (``holds.create`` on a fresh session) and each subscriber notes when the push for that
session arrives. Baseline: the same N clients on ``bench/bare_broadcast.py``; the driver
sends a frame of the same size (a copy of a real push) and the bare server broadcasts it.
Both are timed from the driver's send to each arrival; the p99 is over all arrivals. The
project's time so includes the write that makes the change; that call's own time (request to
reply) is reported beside it, and so is the p99 from each change's ``at`` (stamped when the
write appended it, before its commit; same machine, same clock) to its arrival: the commit
and the fan-out without the rest of the write.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg
from websockets.asyncio.client import ClientConnection, connect

from bench.server_harness import STAFF, psycopg_url
from core.infra.db import Database
from core.models import CourseSession
from core.seats import holds
from tests.server_support import peer

ARRIVAL_TIMEOUT = 30.0
CONNECTING_AT_ONCE = 50
# Subscribers come from several loopback addresses, as desks do from several machines: the
# server admits at most 256 connections from one address.
PER_ADDRESS = 200


class Subscriber:
    """One receiving client: when each change (by entity id) arrived, and the seqs seen."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.arrived: dict[str, float] = {}
        self.after_append: dict[str, float] = {}  # ms from the change's ``at`` to arrival
        self.seqs: list[int] = []
        self.last_frame = ""
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for frame in self.ws:
            at = time.perf_counter()
            wall = time.time()
            message = json.loads(frame)
            if message.get("method") != "changes.push":
                continue
            for change in message["params"]["changes"]:
                self.arrived.setdefault(change["id"], at)
                appended = datetime.fromisoformat(change["at"]).timestamp()
                self.after_append.setdefault(change["id"], (wall - appended) * 1000)
                self.seqs.append(change["seq"])
            self.last_frame = str(frame)


async def _call(ws: ClientConnection, method: str, params: dict[str, Any]) -> Any:
    """One request before the subscriber starts reading (no pushes can come yet)."""
    await ws.send(json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}))
    reply = json.loads(await asyncio.wait_for(ws.recv(), ARRIVAL_TIMEOUT))
    if "error" in reply:
        raise RuntimeError(f"{method} failed: {reply['error']}")
    return reply["result"]


@asynccontextmanager
async def subscribers(
    count: int, url: str, setup: Callable[[ClientConnection], Awaitable[None]]
) -> AsyncIterator[list[Subscriber]]:
    """``count`` connections to ``url``, each made ready by ``setup``, then reading."""
    gate = asyncio.Semaphore(CONNECTING_AT_ONCE)
    sockets: list[ClientConnection] = []

    async def one(n: int) -> Subscriber:
        async with gate:
            ws = await connect(
                url,
                open_timeout=ARRIVAL_TIMEOUT,
                max_size=None,
                local_addr=(f"127.0.0.{2 + n // PER_ADDRESS}", 0),
            )
            sockets.append(ws)
            await setup(ws)
            return Subscriber(ws)

    try:
        yield list(await asyncio.gather(*(one(n) for n in range(count))))
    finally:
        await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)


async def _arrivals(subs: list[Subscriber], key: str, sent: float) -> list[float]:
    """Milliseconds from ``sent`` to each subscriber's arrival of ``key`` (bounded wait)."""
    deadline = time.perf_counter() + ARRIVAL_TIMEOUT
    while any(key not in s.arrived for s in subs) and time.perf_counter() < deadline:
        await asyncio.sleep(0.002)
    return [(s.arrived[key] - sent) * 1000 for s in subs if key in s.arrived]


def p99(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100)[98]


def feed_head(db_url: str) -> int:
    with psycopg.connect(psycopg_url(db_url)) as conn:
        row = conn.execute("SELECT coalesce(max(seq), 0) FROM changes").fetchone()
    assert row is not None
    return int(row[0])


def warm(db: Database, session_ids: list[int], count: int) -> None:
    """Make the server busy first: ``count`` real session changes (each session's seats
    republished), written from here in transactions of 100, which the server reads from
    the feed as it would another process's."""
    for first in range(0, count, 100):
        with db.write() as tx:
            for n in range(first, min(first + 100, count)):
                session = tx.get(CourseSession, session_ids[n % len(session_ids)])
                assert session is not None
                holds.publish_session(tx, session)


class Result:
    """p99 per round, pushes that never arrived, and a frame the baseline can copy."""

    def __init__(self) -> None:
        self.p99s: list[float] = []
        self.writes: list[float] = []  # ms for the call that makes each change (project)
        self.after_append: list[float] = []  # p99 per round from each change's append
        self.lost = 0
        self.out_of_order = 0
        self.frame = ""


async def project(
    url: str, db_url: str, count: int, sessions: list[list[int]], result: Result
) -> None:
    """One round per list in ``sessions``: a hold on each session in turn, pushes timed."""
    async with peer(url) as driver:
        token = (await driver.login(STAFF))["access_token"]
        head = feed_head(db_url)

        async def setup(ws: ClientConnection) -> None:
            await _call(ws, "auth.authenticate", {"access_token": token})
            await _call(ws, "changes.subscribe", {"after_seq": head})

        async with subscribers(count, url, setup) as subs:
            for round_sessions in sessions:
                samples: list[float] = []
                since_append: list[float] = []
                for sid in round_sessions:
                    sent = time.perf_counter()
                    await driver.call("holds.create", {"session_id": sid, "seats": 1})
                    result.writes.append((time.perf_counter() - sent) * 1000)
                    got = await _arrivals(subs, str(sid), sent)
                    result.lost += count - len(got)
                    samples += got
                    since_append += [
                        s.after_append[str(sid)] for s in subs if str(sid) in s.arrived
                    ]
                result.p99s.append(p99(samples))
                result.after_append.append(p99(since_append))
            result.out_of_order += sum(s.seqs != sorted(set(s.seqs)) for s in subs)
            result.frame = subs[0].last_frame


@asynccontextmanager
async def bare_server() -> AsyncIterator[str]:
    script = Path(__file__).with_name("bare_broadcast.py")
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = await asyncio.to_thread(proc.stdout.readline)
        yield f"ws://127.0.0.1:{line.split()[-1]}"
    finally:
        proc.terminate()
        proc.wait(10)


async def baseline(count: int, rounds: int, per_round: int, frame: str, result: Result) -> None:
    """The same pattern through the bare broadcast server, with copies of ``frame``."""
    template = json.loads(frame)

    async def setup(ws: ClientConnection) -> None:
        return None

    async with (
        bare_server() as url,
        subscribers(count, url, setup) as subs,
        connect(url) as driver,
    ):
        marker = 0
        for _ in range(rounds):
            samples: list[float] = []
            for _ in range(per_round):
                marker += 1
                template["params"]["changes"][0]["id"] = f"bare-{marker}"
                text = json.dumps(template)
                sent = time.perf_counter()
                await driver.send(text)
                got = await _arrivals(subs, f"bare-{marker}", sent)
                result.lost += count - len(got)
                samples += got
            result.p99s.append(p99(samples))
