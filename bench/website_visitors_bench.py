"""Benchmark: 200 booking-page visitors browsing while the desk books, against a baseline.

Starts ``rft server`` (its own process) on a fresh SQLite file with two months of sessions
at three venues, and runs two phases of ``--seconds`` each while one desk signs in and
books one attendee after another:

- **baseline**: no visitors; one probe asks for this month's sessions every 0.1 s,
  ``sessions.list`` and ``sessions.month`` in turn;
- **visitors**: ``--visitors`` anonymous visitors on ``/public`` (spread over loopback
  addresses 127.0.0.x, four to an address, so the per-address limits apply as they would on
  the internet): each loads the catalogue, subscribes to changes and keeps asking for the
  month's sessions, now and then holding and releasing a seat.

Prints p50/p99 of the month's sessions (``sessions.list`` for the month's dates, as the
page's calendar asks, and ``sessions.month``) in each phase, the desk's booking times, errors
(expected 0; a hold refused by a per-address limit or for want of seats is counted apart as
a refusal, which is the page working as designed) and pushes. A benchmark to read, not a
test.

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
from dataclasses import dataclass, field
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
from tests.server_support import ServerProcess, server_env  # noqa: E402

PASSWORD = "bench-password-123"


REFUSALS = {-32010, -32015}  # no seats left / a per-address limit: the page tells the visitor


def build(db: Database) -> list[int]:
    with db.write() as tx:
        catalogue.install(tx, catalogue.default_catalogue())
        auth.add_user(tx, "desk@example.org", "Bench Desk", "reception", PASSWORD)
        courses = [tx.get_one(Course, c) for c in ("efaw", "faw", "paediatric")]
        venues = [tx.get_one(Venue, v) for v in ("leeds", "york", "sheffield")]
        ids = [
            add_session(tx, course, venue, today_london() + timedelta(days=d), None, 12).id
            for d in range(1, 61)
            for course, venue in zip(courses, venues, strict=True)
        ]
    return ids


def this_month() -> dict[str, dict[str, Any]]:
    """The two ways of asking for a month: the booking page's calendar asks
    ``sessions.list`` for the month's dates; ``sessions.month`` is the month view's call."""
    first = today_london().replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return {
        "sessions.list": {"date_from": first.isoformat(), "date_to": last.isoformat()},
        "sessions.month": {"year": first.year, "month": first.month},
    }


MONTH_CALLS = tuple(this_month())


@dataclass
class Seen:
    """What one phase's clients saw."""

    latency_s: dict[str, list[float]] = field(  # the month's sessions, by method
        default_factory=lambda: {name: [] for name in MONTH_CALLS}
    )
    replies: Counter[str] = field(default_factory=Counter)  # "ok", "refused" or error code
    failed: list[BaseException] = field(default_factory=list)  # clients that broke off
    pushes: list[int] = field(default_factory=list)
    desk_s: list[float] = field(default_factory=list)

    def note(self, reply: dict[str, Any]) -> None:
        if "result" in reply:
            self.replies["ok"] += 1
        elif reply["error"]["code"] in REFUSALS:
            self.replies["refused"] += 1
        else:
            self.replies[str(reply["error"]["code"])] += 1

    @property
    def errors(self) -> int:
        return sum(n for k, n in self.replies.items() if k not in ("ok", "refused"))


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


async def month(client: Client, seen: Seen, method: str) -> None:
    started = time.perf_counter()
    reply = await client.call(method, this_month()[method])
    seen.latency_s[method].append(time.perf_counter() - started)
    seen.note(reply)


async def visitor(n: int, url: str, sessions: list[int], until: float, seen: Seen) -> None:
    rng = random.Random(n)
    host = f"127.0.0.{2 + n // 4}"
    async with connect(url, local_addr=(host, 0)) as ws:
        client = Client(ws)
        for method, params in (("catalogue.get", None), ("changes.head", None)):
            reply = await client.call(method, params)
            seen.note(reply)
        await client.call("changes.subscribe", {"after_seq": reply["result"]["head"]})
        while time.monotonic() < until:
            if rng.random() < 0.1:
                reply = await client.call(
                    "holds.create", {"session_id": rng.choice(sessions), "seats": 1}
                )
                seen.note(reply)
                if "result" in reply:
                    hold = reply["result"]
                    owner = {"hold_id": hold["id"], "hold_token": hold["hold_token"]}
                    seen.note(await client.call("holds.release", owner))
            else:
                await month(client, seen, rng.choice(MONTH_CALLS))
            await asyncio.sleep(rng.uniform(0.5, 1.5))
        client.reader.cancel()
        seen.pushes.append(client.pushes)


async def probe(url: str, until: float, seen: Seen) -> None:
    """The baseline: the same month's sessions, asked by one client every 0.1 s."""
    async with connect(url) as ws:
        client = Client(ws)
        n = 0
        while time.monotonic() < until:
            await month(client, seen, MONTH_CALLS[n % len(MONTH_CALLS)])
            n += 1
            await asyncio.sleep(0.1)
        client.reader.cancel()


async def desk(url: str, sessions: list[int], until: float, seen: Seen) -> None:
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
                seen.desk_s.append(time.perf_counter() - started)
            await asyncio.sleep(0.2)
        client.reader.cancel()


async def phase(base: str, sessions: list[int], visitors: int, seconds: float) -> Seen:
    seen = Seen()
    until = time.monotonic() + seconds
    browsing = [visitor(n, base + "/public", sessions, until, seen) for n in range(visitors)]
    results = await asyncio.gather(
        desk(base + "/ws", sessions, until, seen),
        *(browsing or [probe(base + "/public", until, seen)]),
        return_exceptions=True,
    )
    seen.failed = [r for r in results if isinstance(r, BaseException)]
    return seen


def ms(values: list[float], q: int) -> str:
    if len(values) < 2:
        return "n/a"
    return f"{statistics.quantiles(values, n=100, method='inclusive')[q - 1] * 1000:.0f} ms"


def report(name: str, seen: Seen) -> None:
    print(f"{name}:")
    for method, took in seen.latency_s.items():
        print(f"  {method:15s} month: {len(took):5d} calls, p50 {ms(took, 50)}, p99 {ms(took, 99)}")
    print(
        f"  desk bookings: {len(seen.desk_s)}, p50 {ms(seen.desk_s, 50)}, p99 {ms(seen.desk_s, 99)}"
    )
    print(
        f"  replies {dict(seen.replies)}; errors {seen.errors}; "
        f"clients broken off {len(seen.failed)} {[repr(f) for f in seen.failed[:3]]}"
    )
    if seen.pushes:
        print(
            f"  pushes per visitor: min {min(seen.pushes)}, median {statistics.median(seen.pushes)}"
        )


async def main(visitors: int, seconds: float) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.db"
        os.environ.update(DATABASE_URL=url, RFT_DATA_DIR=folder)
        db = open_database(load_settings())
        migrate(db)
        sessions = build(db)
        db.dispose()
        # A real `rft server` process, so the 200 clients here do not share its event loop.
        with ServerProcess(server_env(url, RFT_DATA_DIR=folder)) as server:
            base = f"ws://127.0.0.1:{server.port}"
            quiet = await phase(base, sessions, 0, seconds)
            busy = await phase(base, sessions, visitors, seconds)
    print(f"{len(sessions)} sessions; {seconds:.0f} s a phase; os.cpu_count() {os.cpu_count()}")
    report("baseline", quiet)
    report(f"{visitors} visitors", busy)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visitors", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    asyncio.run(main(args.visitors, args.seconds))
