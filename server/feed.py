"""The change feed, pushed: one reader per process, one broadcast per change and audience.

The ``Feed`` learns that the feed grew (a write in this process, a PostgreSQL NOTIFY from
another process, or a slow poll as a safety net), reads the new rows by sequence number up
to the first number still to commit (``core.journal.changes.settled``), and keeps the most
recent ones in memory. A write in this process hands over the changes it committed; when
they follow the newest change read, with no number between them missing, they are pushed
without reading them back. A change is read and pushed as soon as its commit is
told, unless commits are outpacing the reads: when a commit newer than the page just read
was told while reading it, the feed waits ``gap`` seconds and reads the whole burst (a busy
desk and hundreds of visitors holding seats) together, one push per gap instead of one per
commit. A commit told twice (its own process's call and its NOTIFY) is read once.
Each new page is encoded once per audience (staff, the website: see
``core.api.changes.audience``) and written with one ``websockets.broadcast`` to every
subscriber that is up to date and has nothing else waiting to be sent. A subscriber
that is behind (it subscribed from an older change, was signed out, or its client reads
slowly) catches up on its own from its cursor through its connection's send queue, from
memory or the database, then rejoins the broadcast; either way in order, with no gaps and
no repeats. Other parts of the server can ``follow`` the feed too (ended sign-ins travel
on it).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from bisect import bisect_right
from collections.abc import Callable
from typing import Any, Protocol

import psycopg
from websockets.asyncio.server import ServerConnection, broadcast

from core.api.changes import audience, shown_to
from core.infra.actor import Actor
from core.infra.db import Database
from core.journal import changes
from server.jsonrpc import encode, notification

log = logging.getLogger(__name__)
PAGE = 200
OWN_NOTICE_GRACE = 0.05  # seconds a NOTIFY of our own commit waits for its hand-over
REPLY_FIRST = 0.0005
"""Seconds the reader gives way before pushing a handed-over change: time for the call that
committed it to write its reply (a few turns of the event loop), so the caller is not kept
waiting behind the fan-out of its own change to every subscriber."""
PUSH_METHOD = "changes.push"
Message = dict[str, Any]


class Subscriber(Protocol):
    """What the feed needs of a subscribed connection."""

    @property
    def actor(self) -> Actor | None:
        """Who it is now; None pauses its pushes (signed out, or its token expired)."""

    async def push(self, frame: str) -> bool:
        """Queue ``frame`` behind whatever else it is sent; False once it is gone."""

    def direct(self) -> ServerConnection | None:
        """Its socket when a frame written to it now arrives in order and on time: nothing
        queued before it, its client keeping up. None otherwise."""

    def pushed(self) -> None:
        """Count one push written to it directly."""


def page_frame(page: list[Message], audience_: str) -> str | None:
    """The ``changes.push`` frame for ``page`` as ``audience_`` sees it, or None when none
    of it is theirs to see."""
    shown = [m for m in (shown_to(msg, audience_) for msg in page) if m is not None]
    if not shown:
        return None
    return encode(notification(PUSH_METHOD, {"changes": shown, "last_seq": page[-1]["seq"]}))


class Feed:
    """Follows the database's change feed: each new page is broadcast to the subscriptions
    that are up to date; the others are woken to catch up."""

    def __init__(
        self, db: Database, *, poll_interval: float = 2.0, keep: int = 2000, gap: float = 0.0
    ) -> None:
        self.db = db
        self.head = 0
        self._poll_interval = poll_interval
        self._gap = gap
        self._keep = keep
        self._recent: list[Message] = []
        self._seqs: list[int] = []  # each of _recent's seq, for bisecting
        self._floor = 0  # every change with floor < seq <= head is in _recent
        self._told = 0  # the newest seq a commit notice has named
        self._handed: dict[int, list[Message]] = {}  # committed here, by their first seq
        self._wake = asyncio.Event()
        self._subscriptions: set[Subscription] = set()
        self._followers: list[Callable[[list[Message]], None]] = []
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        self.head = self._floor = await asyncio.to_thread(self._read_head)
        loop = asyncio.get_running_loop()

        def on_commit(committed: list[Message]) -> None:
            with contextlib.suppress(RuntimeError):  # the loop has already closed
                loop.call_soon_threadsafe(self._committed_here, committed)

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

    def _committed_here(self, committed: list[Message]) -> None:
        """A write in this process committed these changes: keep them for the reader."""
        self._handed[committed[0]["seq"]] = committed
        self._told_of(committed[-1]["seq"])

    def _take_handed(self) -> list[Message]:
        """The changes handed over that follow the head with no number missing, up to a
        page; forgets those already read."""
        rows: list[Message] = []
        expected = self.head + 1
        while (batch := self._handed.get(expected)) is not None:
            numbers = [m["seq"] for m in batch]
            if numbers != list(range(expected, expected + len(batch))):
                break
            if len(rows) + len(batch) > PAGE:
                break
            del self._handed[expected]
            rows += batch
            expected += len(batch)
        for first in [n for n in self._handed if n < expected]:
            del self._handed[first]
        return rows

    def _told_of(self, seq: int) -> None:
        """A commit numbered up to ``seq`` was told; wake the reader unless it has read it."""
        self._told = max(self._told, seq)
        if seq > self.head:
            self._wake.set()

    def _read_head(self) -> int:
        return changes.settled_head(self.db)

    def _read(self, after_seq: int, limit: int) -> list[Message]:
        return [changes.as_message(c) for c in changes.settled(self.db, after_seq, limit)]

    async def after(self, cursor: int, limit: int = PAGE) -> list[Message]:
        """Up to ``limit`` changes after ``cursor``: from memory when it reaches that far."""
        if cursor >= self._floor:
            start = bisect_right(self._seqs, cursor)
            return self._recent[start : start + limit]
        return await asyncio.to_thread(self._read, cursor, limit)

    def _remember(self, rows: list[Message]) -> None:
        """Keep ``rows``; past twice ``keep``, forget all but the newest ``keep``."""
        self._recent += rows
        self._seqs += [m["seq"] for m in rows]
        if len(self._recent) > 2 * self._keep:
            drop = len(self._recent) - self._keep
            self._floor = self._seqs[drop - 1]
            del self._recent[:drop], self._seqs[:drop]

    async def _pump(self) -> None:
        read_to, waited = self.head, 0.0
        while True:
            await self._wake.wait()
            self._wake.clear()
            if self._handed:
                await asyncio.sleep(REPLY_FIRST)
            try:
                await self._catch_up()
            except Exception:
                log.exception("reading the change feed failed; retrying")
                await asyncio.sleep(1.0)
                self._wake.set()
                continue
            await asyncio.sleep(0)  # notices that came in while reading are taken first
            if self._told > self.head:
                # Commits outpace reads (gather the burst), or a number below one told is
                # still to commit: read again, backing off while no read gets further.
                if self.head == read_to:
                    waited = min(max(waited * 2, changes.SETTLE_POLL), self._poll_interval)
                else:
                    waited, read_to = 0.0, self.head
                await asyncio.sleep(max(self._gap, waited))
                self._wake.set()

    async def _catch_up(self) -> None:
        while True:
            rows = self._take_handed() or await asyncio.to_thread(self._read, self.head, PAGE)
            if not rows:
                return
            before = self.head
            self._remember(rows)
            self.head = rows[-1]["seq"]
            for follower in self._followers:  # sign-ins that ended are over before the push
                follower(rows)
            self._fan_out(before, rows)
            if len(rows) < PAGE:
                return

    def _fan_out(self, before: int, page: list[Message]) -> None:
        """Broadcast ``page`` (the changes after ``before``) to each up-to-date subscriber,
        one frame per audience; wake the others to catch up on their own."""
        groups: dict[str, list[tuple[Subscription, ServerConnection]]] = {}
        for sub in self._subscriptions:
            joined = sub.joins_broadcast(before)
            if joined is None:
                sub.wake()
                continue
            actor, socket = joined
            groups.setdefault(audience(actor), []).append((sub, socket))
            sub.cursor = self.head
        for audience_, members in groups.items():
            frame = page_frame(page, audience_)
            if frame is None:
                continue
            broadcast([socket for _sub, socket in members], frame)
            for sub, _socket in members:
                sub.subscriber.pushed()

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
                    async for note in conn.notifies():
                        self._note(note.payload, note.pid)
            except (psycopg.Error, OSError) as exc:
                log.warning("LISTEN %s failed (%s); retrying", changes.NOTIFY_CHANNEL, exc)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 10.0)

    def _note(self, payload: str, pid: int) -> None:
        """A NOTIFY from a commit (its payload the newest seq it added). One made through
        this process's own connections is handed over by its write, usually after the
        NOTIFY has arrived: reading it now would read what is about to be handed over, so
        it counts only if no hand-over has come after a grace period."""
        if not payload.isdecimal():
            self._wake.set()
        elif self.db.is_own_backend(pid):
            asyncio.get_running_loop().call_later(OWN_NOTICE_GRACE, self._told_of, int(payload))
        else:
            self._told_of(int(payload))

    def subscribe(self, after_seq: int, subscriber: Subscriber) -> Subscription:
        sub = Subscription(self, after_seq, subscriber)
        self._subscriptions.add(sub)
        sub.start()
        return sub

    def forget(self, sub: Subscription) -> None:
        self._subscriptions.discard(sub)


class Subscription:
    """One connection's place in the feed: in the broadcast while up to date, otherwise
    catching up on its own through the connection's send queue."""

    def __init__(self, feed: Feed, cursor: int, subscriber: Subscriber) -> None:
        self.feed = feed
        self.cursor = cursor
        self.subscriber = subscriber
        self._wake = asyncio.Event()
        self._catching_up = False
        self._cancelled = False
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._wake.set()
        self._task = asyncio.create_task(self._run(), name="feed-subscription")

    def wake(self) -> None:
        self._wake.set()

    def cancel(self) -> None:
        self._cancelled = True  # even if the task's cancellation is lost in a finished wait
        self.feed.forget(self)
        if self._task is not None:
            self._task.cancel()

    def joins_broadcast(self, before: int) -> tuple[Actor, ServerConnection] | None:
        """Who it is and its socket, when the changes after ``before`` may be written to it
        straight away: it has everything up to ``before``, is signed in, and nothing of
        its own is waiting to be sent."""
        if self._catching_up or self.cursor != before:
            return None
        actor = self.subscriber.actor
        socket = self.subscriber.direct()
        if actor is None or socket is None:
            return None
        return actor, socket

    async def _run(self) -> None:
        try:
            while True:
                await self._wake.wait()
                self._wake.clear()
                self._catching_up = True
                try:
                    delivered = await self._deliver()
                finally:
                    self._catching_up = False
                if not delivered:
                    return
        finally:
            self.feed.forget(self)

    async def _deliver(self) -> bool:
        """Push everything up to the feed's head; False once the connection is gone."""
        while self.cursor < self.feed.head:
            if self.subscriber.actor is None:
                return True  # signed out or token expired: paused, resumes on sign-in
            page = await self.feed.after(self.cursor)
            if self._cancelled:
                return False
            actor = self.subscriber.actor  # as it is now: it may have signed out meanwhile
            if actor is None or not page:
                return True
            frame = page_frame(page, audience(actor))
            if frame is not None and not await self.subscriber.push(frame):
                return False
            self.cursor = page[-1]["seq"]
        return True
