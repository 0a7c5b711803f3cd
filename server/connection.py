"""One WebSocket connection: who it is, what it may send, and what it is sent.

Frames are parsed by ``server.jsonrpc``; handlers run in worker threads through the
service API (``core.api.dispatch``). Each connection has a token-bucket rate limit and a
bounded send queue: a client that floods is told to slow down and then hung up on, and a
client that stops reading is disconnected once its queue stays full.

Requests sent after a sign-in request (any ``auth.*``) are handled after it, so a client may
send ``auth.authenticate`` and ``changes.subscribe`` back to back. Every call made as a staff
sign-in first asks whether that sign-in is still live; when it ends (on any server process)
the connection becomes anonymous and its client is told by an ``auth.ended`` notification.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from core.api import METHODS, Call, dispatch
from core.infra.actor import Actor
from core.infra.db import Database
from core.infra.errors import DomainError, Unauthenticated
from core.staff import signins
from core.staff.auth import Identity
from core.staff.sign_in_limits import FAILED_LOGINS_PER_CONNECTION
from server import jsonrpc
from server.feed import Feed, Subscription
from server.lanes import Lanes
from server.metrics import Metrics
from server.public_answers import PublicAnswers
from server.signins import SignIns

log = logging.getLogger(__name__)
IDENTITY_METHODS = frozenset({"auth.login", "auth.refresh", "auth.authenticate"})
ENDED_METHOD = "auth.ended"
CLOSE_POLICY = 1008


@dataclass(frozen=True)
class Limits:
    """Per-connection limits; the defaults suit a desk, a laptop or the website backend."""

    max_frame: int = 256 * 1024
    rate: float = 30.0  # requests per second, sustained
    burst: int = 60
    max_strikes: int = 100  # rate-limited requests in a row before hanging up
    send_queue: int = 64  # messages waiting to be written
    send_timeout: float = 10.0  # how long the queue may stay full
    in_flight: int = 8  # frames being handled at once
    failed_logins: int = FAILED_LOGINS_PER_CONNECTION  # wrong passwords or codes before hanging up


class TokenBucket:
    """``rate`` tokens a second, at most ``burst`` saved up; one token per request (a batch
    costs one per request in it, at most ``burst``, so any batch can eventually pass)."""

    def __init__(self, rate: float, burst: int, now: float) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = float(burst)
        self.at = now

    def take(self, now: float, requests: int = 1) -> bool:
        cost = max(1, min(requests, self.burst))
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= cost:
            self.tokens -= cost
            return True
        return False


class Connection:
    """Serves one client until it goes away."""

    def __init__(
        self,
        ws: ServerConnection,
        db: Database,
        feed: Feed,
        metrics: Metrics,
        limits: Limits,
        sign_ins: SignIns,
        lanes: Lanes,
        answers: PublicAnswers,
    ) -> None:
        self.ws = ws
        self.lanes = lanes
        self.answers = answers
        self.db = db
        self.feed = feed
        self.sign_ins = sign_ins
        self.metrics = metrics
        self.limits = limits
        self.id = uuid.uuid4().hex[:12]
        self.identity: Identity | None = None
        self._ended_message: str | None = None  # why the last sign-in ended, until the next
        self._unwatch: Callable[[], None] = _nothing
        self._sign_in_frame: asyncio.Task[None] | None = None  # later frames wait for it
        self._telling: set[asyncio.Task[bool]] = set()
        self.signed_out: Identity | None = None  # who it is after auth.logout (a visitor)
        self._bucket = TokenBucket(limits.rate, limits.burst, time.monotonic())
        self._strikes = 0
        self._failed_logins = 0
        self._hang_up_after_reply: str | None = None
        self._queue: asyncio.Queue[str] = asyncio.Queue(limits.send_queue)
        self._slots = asyncio.Semaphore(limits.in_flight)
        self._subscription: Subscription | None = None
        self._subscribe_from: int | None = None
        self._closing = False
        self._gone = False
        self._writing = False  # the write loop is sending a frame
        self._close_task: asyncio.Task[None] | None = None

    @property
    def actor(self) -> Actor | None:
        if self.identity is None or not self.identity.valid():
            return None
        return self.identity.actor

    async def serve(self) -> None:
        writer = asyncio.create_task(self._write_loop(), name=f"writer-{self.id}")
        handlers: set[asyncio.Task[None]] = set()
        try:
            async for frame in self.ws:
                if self._closing:
                    break
                parsed = jsonrpc.parse(frame)
                if not self._bucket.take(time.monotonic(), len(parsed.items)):
                    await self._reject_flood(parsed)
                    continue
                self._strikes = 0
                await self._slots.acquire()
                task = asyncio.create_task(self._handle_frame(parsed, self._sign_in_frame))
                handlers.add(task)
                task.add_done_callback(handlers.discard)
                if _signs_in(parsed):
                    self._sign_in_frame = task
        except ConnectionClosed:
            pass
        finally:
            self._gone = True
            self._unwatch()
            if self._subscription is not None:
                self._subscription.cancel()
            # A call already running finishes its transaction (its reply is dropped); the
            # rest of its batch is skipped.
            await asyncio.gather(*handlers, return_exceptions=True)
            writer.cancel()
            if self._close_task is not None:
                await self._close_task  # close with our code before the handler returns

    async def _reject_flood(self, parsed: jsonrpc.Parsed) -> None:
        self._strikes += 1
        self.metrics.error(jsonrpc.RATE_LIMITED)
        if self._strikes > self.limits.max_strikes:
            self.hang_up("rate limit exceeded")
            return
        message = "Too many requests; please slow down."
        replies = [
            jsonrpc.error(item.id, jsonrpc.RATE_LIMITED, message, {"code": "rate_limited"})
            for item in parsed.items
            if isinstance(item, jsonrpc.Request) and not item.notification
        ]
        if replies:
            await self.send(replies if parsed.batch else replies[0])

    async def _handle_frame(self, parsed: jsonrpc.Parsed, after: asyncio.Task[None] | None) -> None:
        try:
            if after is not None:
                await asyncio.wait({after})
            replies = []
            for item in parsed.items:
                if self._gone:
                    return
                replies.append(await self._handle(item))
            out = jsonrpc.batch_frame(parsed, replies)
            if out is not None:
                await self._enqueue(out)
            if self._hang_up_after_reply:
                self.hang_up(self._hang_up_after_reply)
            if self._subscribe_from is not None and not self._gone:
                self._start_subscription(self._subscribe_from)
        finally:
            self._slots.release()

    async def _handle(self, item: jsonrpc.Item) -> str | None:
        """The encoded response to one request, or None for a notification."""
        if isinstance(item, jsonrpc.Invalid):
            self.metrics.error(item.response["error"]["code"])
            return jsonrpc.encode(item.response)
        started = time.perf_counter()
        code = None
        try:
            frame = jsonrpc.result_frame(item.id, await self._answer(item))
        except Exception as exc:
            if not isinstance(exc, DomainError):
                log.exception("%s failed", item.method)
            response = jsonrpc.error_reply(item, exc)
            code = response["error"]["code"]
            frame = jsonrpc.encode(response)
        self.metrics.observe(item.method, time.perf_counter() - started, code)
        return None if item.notification else frame

    async def _answer(self, request: jsonrpc.Request) -> str:
        """The encoded result: the website's month reads are shared (``PublicAnswers``)."""
        call = Call(self.db, await self._live_actor(request.method), self.id)
        if self.answers.shares(request.method, call.actor):
            return await self.answers.answer(call, request.method, request.params)
        return jsonrpc.encode(await self._call(call, request))

    async def _call(self, call: Call, request: jsonrpc.Request) -> Any:
        try:
            value = await self.lanes.run(call.actor, dispatch, call, request.method, request.params)
        except Unauthenticated as exc:
            if request.method == "auth.login" and exc.code == Unauthenticated.code:
                self._failed_logins += 1
                if self._failed_logins >= self.limits.failed_logins:
                    self._hang_up_after_reply = "too many failed sign-ins"
            raise
        if request.method in IDENTITY_METHODS:
            self._become(Identity.from_json(value["identity"]))
            if self._subscription is not None:
                self._subscription.wake()
        elif request.method == "auth.logout":
            self._become(self.signed_out)
        elif request.method == "changes.subscribe":
            if self._subscription is not None:  # replaced: nothing more of it after the reply
                self._subscription.cancel()
                self._subscription = None
            self._subscribe_from = int(value["after_seq"])
        return value

    async def _live_actor(self, method: str) -> Actor | None:
        """Who calls ``method``: nobody once the sign-in has ended, which a method that
        needs one is told in so many words."""
        identity = self.identity
        if (
            identity is not None
            and identity.signin
            and identity.actor.user_id is not None
            and not await self.sign_ins.live(identity.signin, identity.actor.user_id)
        ):
            self._ended(identity.signin, self.sign_ins.reason(identity.signin), tell=False)
        found = METHODS.get(method)
        if self.identity is None and self._ended_message and found and not found.allows(None):
            raise Unauthenticated(self._ended_message)
        return self.actor

    def _become(self, identity: Identity | None) -> None:
        """Act as ``identity`` from now on, watching its sign-in for its end."""
        self._unwatch()
        self._unwatch = _nothing
        self.identity = identity
        self._ended_message = None
        if identity is not None and identity.signin:
            family = identity.signin
            self._unwatch = self.sign_ins.watch(
                family, lambda reason: self._ended(family, reason, tell=True)
            )

    def _ended(self, family: str, reason: str | None, *, tell: bool) -> None:
        """The sign-in ``family`` has ended: become anonymous (pushes pause) and, when
        ``tell``, send the client an ``auth.ended`` notification."""
        if self.identity is None or self.identity.signin != family:
            return
        self._become(None)
        self._ended_message = signins.message(reason)
        if tell:
            note = jsonrpc.notification(
                ENDED_METHOD, {"reason": reason, "message": self._ended_message}
            )
            task = asyncio.create_task(self.send(note))
            self._telling.add(task)
            task.add_done_callback(self._telling.discard)

    def _start_subscription(self, after_seq: int) -> None:
        """Start pushing once the subscribe reply is queued, so it arrives first."""
        self._subscribe_from = None
        if self._subscription is not None:
            self._subscription.cancel()
        self._subscription = self.feed.subscribe(after_seq, self)

    async def push(self, frame: str) -> bool:
        """Queue an encoded ``changes.push`` frame (a subscription catching up)."""
        sent = await self._enqueue(frame)
        if sent:
            self.pushed()
        return sent

    def pushed(self) -> None:
        self.metrics.pushes += 1

    def direct(self) -> ServerConnection | None:
        """The socket, when a frame written to it now goes out after everything queued
        before it (the queue is empty and nothing is being written) and the client is
        reading (its unsent bytes are within the transport's limit). A client that stops
        reading drops out of the broadcast, its pushes queue up, and it is hung up on
        once the queue stays full."""
        if self._closing or self._gone or self._writing or not self._queue.empty():
            return None
        transport = self.ws.transport
        if transport.get_write_buffer_size() > transport.get_write_buffer_limits()[1]:
            return None
        return self.ws

    async def send(self, message: Any) -> bool:
        """Queue a message; a queue that stays full means the client stopped reading."""
        return await self._enqueue(jsonrpc.encode(message))

    async def _enqueue(self, frame: str) -> bool:
        if self._closing or self._gone:
            return False
        try:
            await asyncio.wait_for(self._queue.put(frame), self.limits.send_timeout)
        except TimeoutError:
            self.hang_up("too slow: messages were not read")
            return False
        return True

    def hang_up(self, reason: str) -> None:
        if self._closing:
            return
        self._closing = True
        log.warning("closing connection %s: %s", self.id, reason)
        self._close_task = asyncio.create_task(self._close(reason))

    async def _close(self, reason: str) -> None:
        """Close with a reason; a client that reads nothing cannot take the close frame,
        so after the send timeout the connection is dropped."""
        try:
            await asyncio.wait_for(self.ws.close(CLOSE_POLICY, reason), self.limits.send_timeout)
        except TimeoutError:
            self.ws.transport.abort()

    async def _write_loop(self) -> None:
        try:
            while True:
                frame = await self._queue.get()
                self._writing = True
                await self.ws.send(frame)
                self._writing = False
        except ConnectionClosed:
            pass


def _nothing() -> None:
    """Nothing to stop watching."""


def _signs_in(parsed: jsonrpc.Parsed) -> bool:
    return any(
        isinstance(item, jsonrpc.Request) and item.method.startswith("auth.")
        for item in parsed.items
    )
