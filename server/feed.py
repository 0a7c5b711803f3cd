"""The change feed, pushed: one reader per process, one pump per subscribed connection.

The ``Feed`` learns that the feed grew (a write in this process, a PostgreSQL NOTIFY from
another process, or a slow poll as a safety net), reads the new rows by sequence number and
keeps the most recent ones in memory. Each ``Subscription`` walks from its own cursor:
first what its client missed (from memory, or from the database when it is further
behind), then every new change, in order, with no gaps and no repeats. Other parts of the
server can ``follow`` the feed too (ended sign-ins travel on it).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

import psycopg

from core.api.changes import visible
from core.infra.actor import Actor
from core.infra.db import Database
from core.journal import changes
from server.jsonrpc import notification

log = logging.getLogger(__name__)
PAGE = 200
PUSH_METHOD = "changes.push"
Message = dict[str, Any]


class Feed:
    """Follows the database's change feed and wakes subscriptions when it grows."""

    def __init__(self, db: Database, *, poll_interval: float = 2.0, keep: int = 2000) -> None:
        self.db = db
        self.head = 0
        self._poll_interval = poll_interval
        self._keep = keep
        self._recent: deque[Message] = deque()
        self._floor = 0  # every change with floor < seq <= head is in _recent
        self._wake = asyncio.Event()
        self._subscriptions: set[Subscription] = set()
        self._followers: list[Callable[[list[Message]], None]] = []
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        self.head = self._floor = await asyncio.to_thread(self._read_head)
        loop = asyncio.get_running_loop()

        def on_commit(_seq: int) -> None:
            with contextlib.suppress(RuntimeError):  # the loop has already closed
                loop.call_soon_threadsafe(self._wake.set)

        self.db.on_change(on_commit)
        self._tasks.append(asyncio.create_task(self._pump(), name="feed-pump"))
        self._tasks.append(asyncio.create_task(self._poll(), name="feed-poll"))
        if self.db.dialect == "postgresql":
            self._tasks.append(asyncio.create_task(self._listen(), name="feed-listen"))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for sub in list(self._subscriptions):
            sub.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()

    def follow(self, follower: Callable[[list[Message]], None]) -> None:
        """Hand ``follower`` every new page of changes as it is read, on the event loop."""
        self._followers.append(follower)

    def _read_head(self) -> int:
        with self.db.read() as tx:
            return changes.last_seq(tx)

    def _read(self, after_seq: int, limit: int) -> list[Message]:
        with self.db.read() as tx:
            return [changes.as_message(c) for c in changes.since(tx, after_seq, limit)]

    async def after(self, cursor: int, limit: int = PAGE) -> list[Message]:
        """Up to ``limit`` changes after ``cursor``: from memory when it reaches that far."""
        if cursor >= self._floor:
            return [m for m in self._recent if m["seq"] > cursor][:limit]
        return await asyncio.to_thread(self._read, cursor, limit)

    async def _pump(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                await self._catch_up()
            except Exception:
                log.exception("reading the change feed failed; retrying")
                await asyncio.sleep(1.0)
                self._wake.set()

    async def _catch_up(self) -> None:
        while True:
            rows = await asyncio.to_thread(self._read, self.head, PAGE)
            if not rows:
                return
            self._recent.extend(rows)
            self.head = rows[-1]["seq"]
            while len(self._recent) > self._keep:
                self._floor = self._recent.popleft()["seq"]
            for sub in self._subscriptions:
                sub.wake()
            for follower in self._followers:
                follower(rows)
            if len(rows) < PAGE:
                return

    async def _poll(self) -> None:
        """A safety net for changes nobody told us about (e.g. another process on SQLite)."""
        while True:
            await asyncio.sleep(self._poll_interval)
            self._wake.set()

    async def _listen(self) -> None:
        """LISTEN for other processes' commits on PostgreSQL; reconnect with backoff."""
        url = self.db.engine.url.set(drivername="postgresql")
        dsn = url.render_as_string(hide_password=False)
        backoff = 0.5
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {changes.NOTIFY_CHANNEL}")
                    backoff = 0.5
                    self._wake.set()  # anything committed while we were not listening
                    async for _note in conn.notifies():
                        self._wake.set()
            except (psycopg.Error, OSError) as exc:
                log.warning("LISTEN %s failed (%s); retrying", changes.NOTIFY_CHANNEL, exc)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 10.0)

    def subscribe(
        self,
        after_seq: int,
        actor: Callable[[], Actor | None],
        push: Callable[[Message], Awaitable[bool]],
    ) -> Subscription:
        sub = Subscription(self, after_seq, actor, push)
        self._subscriptions.add(sub)
        sub.start()
        return sub

    def forget(self, sub: Subscription) -> None:
        self._subscriptions.discard(sub)


class Subscription:
    """One connection's place in the feed; pushes ``changes.push`` notifications."""

    def __init__(
        self,
        feed: Feed,
        cursor: int,
        actor: Callable[[], Actor | None],
        push: Callable[[Message], Awaitable[bool]],
    ) -> None:
        self.feed = feed
        self.cursor = cursor
        self._actor = actor
        self._push = push
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._wake.set()
        self._task = asyncio.create_task(self._run(), name="feed-subscription")

    def wake(self) -> None:
        self._wake.set()

    def cancel(self) -> None:
        self.feed.forget(self)
        if self._task is not None:
            self._task.cancel()

    async def _run(self) -> None:
        try:
            while True:
                await self._wake.wait()
                self._wake.clear()
                if not await self._deliver():
                    return
        finally:
            self.feed.forget(self)

    async def _deliver(self) -> bool:
        """Push everything up to the feed's head; False once the connection is gone."""
        while self.cursor < self.feed.head:
            actor = self._actor()
            if actor is None:
                return True  # signed out or token expired: paused, resumes on sign-in
            page = await self.feed.after(self.cursor)
            if not page:
                return True
            shown = [m for m in (visible(msg, actor) for msg in page) if m is not None]
            last = page[-1]["seq"]
            if shown:
                message = notification(PUSH_METHOD, {"changes": shown, "last_seq": last})
                if not await self._push(message):
                    return False
            self.cursor = last
        return True
