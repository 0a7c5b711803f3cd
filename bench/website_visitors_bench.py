"""Benchmark: many booking-page visitors browsing while the desk books.

Starts a sync server on a fresh SQLite file with a month of sessions, then runs
``--visitors`` anonymous visitors on ``/public`` (spread over loopback addresses 127.0.0.x,
four to an address, so the per-address limits apply as they would on the internet): each
loads the catalogue, subscribes to changes and keeps listing sessions, now and then holding
and releasing a seat. Meanwhile one desk signs in and books one attendee after another.
Prints what every visitor saw (calls, errors by code, pushes) and the desk's booking times.
A benchmark to read, not a test.

    .venv/bin/python bench/website_visitors_bench.py [--visitors 200] [--seconds 30]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from websockets.asyncio.client import ClientConnection, connect  # noqa: E402

from core.catalogue import specs as catalogue  # noqa: E402
from core.demo.sessions import add_session  # noqa: E402
from core.infra.clock import today_london  # noqa: E402
from core.infra.config import load_settings  # noqa: E402
from core.infra.db import Database, migrate, open_database  # noqa: E402
from core.models import Course, Venue  # noqa: E402
from core.staff import auth  # noqa: E402
from server.app import ServerOptions, SyncServer  # noqa: E402

PASSWORD = "bench-password-123"


def build(db: Database) -> list[int]:
    with db.write() as tx:
        catalogue.install(tx, catalogue.default_catalogue())
        auth.add_user(tx, "desk@example.org", "Bench Desk", "reception", PASSWORD)
        course, venue = tx.get_one(Course, "efaw"), tx.get_one(Venue, "leeds")
        ids = [
            add_session(tx, course, venue, today_london() + timedelta(days=d), None, 12).id
            for d in range(3, 33)
        ]
    return ids


class Client:
    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.next = 1
        self.waiting: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.pushes = 0
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for frame in self.ws:
            message = json.loads(frame)
            if message.get("method") == "changes.push":
                self.pushes += 1
            elif message.get("id") in self.waiting:
                self.waiting.pop(message["id"]).set_result(message)

    async def call(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        rid, self.next = self.next, self.next + 1
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.waiting[rid] = future
        await self.ws.send(
            json.dumps({"jsonrpc": "2.0", "id": rid, "method": method, "params": params or {}})
        )
        return await asyncio.wait_for(future, 30)


async def visitor(n: int, url: str, sessions: list[int], until: float, seen: Counter[str]) -> int:
    rng = random.Random(n)
    host = f"127.0.0.{2 + n // 4}"
    async with connect(url, local_addr=(host, 0)) as ws:
        client = Client(ws)
        for method, params in (("catalogue.get", None), ("changes.head", None)):
            reply = await client.call(method, params)
        await client.call("changes.subscribe", {"after_seq": reply["result"]["head"]})
        while time.monotonic() < until:
            if rng.random() < 0.1:
                reply = await client.call(
                    "holds.create", {"session_id": rng.choice(sessions), "seats": 1}
                )
                if "result" in reply:
                    hold = reply["result"]
                    await client.call(
                        "holds.release", {"hold_id": hold["id"], "hold_token": hold["hold_token"]}
                    )
            else:
                reply = await client.call("sessions.list", {"course": "efaw"})
            seen["ok" if "result" in reply else str(reply["error"]["code"])] += 1
            await asyncio.sleep(rng.uniform(0.5, 1.5))
        client.reader.cancel()
        return client.pushes


async def desk(url: str, sessions: list[int], until: float) -> list[float]:
    times = []
    async with connect(url) as ws:
        client = Client(ws)
        await client.call("auth.login", {"email": "desk@example.org", "password": PASSWORD})
        n = 0
        while time.monotonic() < until:
            n += 1
            started = time.perf_counter()
            hold = await client.call(
                "holds.create", {"session_id": sessions[n % len(sessions)], "seats": 1}
            )
            if "result" in hold:
                person = {
                    "name": f"Bench Person{n}",
                    "email": f"b{n}@example.com",
                    "date_of_birth": "1990-01-01",
                }
                await client.call(
                    "bookings.create",
                    {
                        "hold_id": hold["result"]["id"],
                        "hold_token": hold["result"]["hold_token"],
                        "attendees": [person],
                        "payment": "cash",
                    },
                )
                times.append(time.perf_counter() - started)
            await asyncio.sleep(0.2)
        client.reader.cancel()
    return times


async def main(visitors: int, seconds: float) -> None:
    with tempfile.TemporaryDirectory() as folder:
        os.environ.update(DATABASE_URL=f"sqlite:///{folder}/bench.db", RFT_DATA_DIR=folder)
        db = open_database(load_settings())
        migrate(db)
        sessions = build(db)
        server = SyncServer(db, ServerOptions(port=0))
        await server.start()
        base = f"ws://127.0.0.1:{server.port}"
        seen: Counter[str] = Counter()
        until = time.monotonic() + seconds
        results = await asyncio.gather(
            desk(base + "/ws", sessions, until),
            *(visitor(n, base + "/public", sessions, until, seen) for n in range(visitors)),
            return_exceptions=True,
        )
        await server.stop()
        db.dispose()
    booked, *pushes = results
    failed = [r for r in pushes if isinstance(r, BaseException)]
    print(
        f"{visitors} visitors for {seconds:.0f} s: calls {dict(seen)}, "
        f"{len(failed)} visitors failed"
    )
    counts = [p for p in pushes if isinstance(p, int)]
    if counts:
        print(f"pushes per visitor: min {min(counts)}, median {statistics.median(counts)}")
    if isinstance(booked, list) and booked:
        print(
            f"desk bookings: {len(booked)}, median {statistics.median(booked) * 1000:.0f} ms, "
            f"max {max(booked) * 1000:.0f} ms"
        )
    else:
        print(f"desk: {booked!r}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visitors", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    asyncio.run(main(args.visitors, args.seconds))
