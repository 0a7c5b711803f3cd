"""Wiring: the WebSocket endpoint, HTTP routes, the change feed and the hold sweeper.

``SyncServer`` runs inside any event loop (tests start it on port 0); ``run`` is what
``rft server`` calls: it adds signal handling and a readiness line on stdout.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.http11 import Request, Response

from core import widget_origins
from core.api import METHODS, public
from core.background import Workers
from core.infra.db import Database
from core.infra.errors import ConfigError
from core.seats import holds
from core.staff.auth import Identity, signing_secret
from server import http
from server.connection import CLOSE_POLICY, Connection, Limits
from server.feed import Feed
from server.lanes import Lanes
from server.metrics import Metrics
from server.public_answers import PublicAnswers
from server.signins import SignIns
from server.static import StaticSite

log = logging.getLogger(__name__)
DB_THREADS = 4  # the feed, sign-ins and health checks (handlers: server.lanes); pool 10 + 10


@dataclass(frozen=True)
class ServerOptions:
    host: str = "127.0.0.1"
    port: int = 8765
    limits: Limits = field(default_factory=Limits)
    sweep_interval: float = 15.0  # seconds between expired-hold sweeps
    poll_interval: float = 1.0  # safety-net poll of the feed (other processes on SQLite)
    feed_memory: int = 2000  # recent changes kept in memory for subscribers catching up
    feed_gap: float = 0.1  # seconds a burst of commits is gathered for (server.feed)
    close_timeout: float = 3.0
    visitor_connections: int = 8  # open booking-page connections per network address
    address_connections: int = 256  # open connections of any kind per network address
    staff_threads: int = 6  # handler threads for staff calls (server.lanes)
    public_threads: int = 10  # and for the website's; together within the database pool


class SyncServer:
    """The sync server over one open database."""

    def __init__(
        self, db: Database, options: ServerOptions | None = None, workers: Workers | None = None
    ) -> None:
        self.db = db
        self.options = options or ServerOptions()
        self.workers = workers
        self.metrics = Metrics(known_methods=frozenset(METHODS))
        self.feed = Feed(
            db,
            poll_interval=self.options.poll_interval,
            keep=self.options.feed_memory,
            gap=self.options.feed_gap,
        )
        self.sign_ins = SignIns(db)
        self.lanes = Lanes(self.options.staff_threads, self.options.public_threads)
        self.answers = PublicAnswers(self.feed, self.lanes)
        self.feed.follow(self.sign_ins.take)
        self.started = time.monotonic()
        self.site = StaticSite()
        self.visitors: dict[str, int] = {}  # open public connections per address
        self.by_address: dict[str, int] = {}  # open connections of any kind per address
        self._server: Server | None = None
        self._sweeper: asyncio.Task[None] | None = None

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(next(iter(self._server.sockets)).getsockname()[1])

    @property
    def url(self) -> str:
        return f"ws://{self.options.host}:{self.port}{http.WS_PATH}"

    @property
    def http_url(self) -> str:
        """This server's own address for a browser (a wildcard host becomes localhost)."""
        host = self.options.host
        if host in ("", "0.0.0.0", "::"):
            host = "localhost"
        elif ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    async def start(self) -> None:
        await self.feed.start()
        self._sweeper = asyncio.create_task(self._sweep(), name="hold-sweeper")
        if self.workers is not None:
            self.workers.start()
        try:
            self._server = await serve(
                self._connection,
                self.options.host,
                self.options.port,
                process_request=self._http,
                max_size=self.options.limits.max_frame,
                close_timeout=self.options.close_timeout,
            )
        except OSError as exc:  # the port is taken, or the host is not this machine's
            await self.stop()
            reason = exc.strerror.rsplit(": ", 1)[-1] if exc.strerror else str(exc)
            raise ConfigError(
                f"rft server cannot listen on {self.options.host}:{self.options.port}: "
                f"{reason}. Choose another --port (WS_PORT) or --host (WS_HOST)."
            ) from None
        if self.db.settings.public_url is None:  # Checkout returns to this server's page
            self.db.settings = self.db.settings.with_overrides(public_url=self.http_url)

    async def stop(self) -> None:
        """Close every connection (1001 going away), then stop background work."""
        if self._server is not None:
            self._server.close()
            try:
                await asyncio.wait_for(self._server.wait_closed(), self.options.close_timeout * 2)
            except TimeoutError:  # clients that read nothing cannot take a close frame
                for connection in self._server.connections:
                    connection.transport.abort()
                await self._server.wait_closed()
        if self._sweeper is not None:
            self._sweeper.cancel()
            await asyncio.gather(self._sweeper, return_exceptions=True)
        await self.feed.stop()
        self.lanes.close()
        if self.workers is not None:
            await asyncio.to_thread(self.workers.stop)

    async def _connection(self, ws: ServerConnection) -> None:
        visitor = ws.request is not None and ws.request.path.startswith(http.PUBLIC_PATH)
        if visitor and not self._origin_allowed(ws):
            await ws.close(CLOSE_POLICY, http.ORIGIN_REFUSED)
            return
        self.metrics.open_connections += 1
        connection = Connection(
            ws,
            self.db,
            self.feed,
            self.metrics,
            self.options.limits,
            self.sign_ins,
            self.lanes,
            self.answers,
        )
        address = _address(ws)
        if visitor:
            key = signing_secret(self.db.settings)
            connection.identity = Identity(public.visitor(address, key), None)
            connection.signed_out = connection.identity
        counters: tuple[dict[str, int], ...] = (self.by_address,)
        if visitor:
            counters = (self.by_address, self.visitors)
        for counter in counters:
            counter[address] = counter.get(address, 0) + 1
        try:
            await connection.serve()
        finally:
            self.metrics.open_connections -= 1
            for counter in counters:
                counter[address] -= 1
                if not counter[address]:
                    del counter[address]

    async def _http(self, ws: ServerConnection, request: Request) -> Response | None:
        path = request.path.split("?", 1)[0]
        address = _address(ws)
        crowded = self.by_address.get(address, 0) >= self.options.address_connections
        if path in (http.WS_PATH, http.PUBLIC_PATH) and crowded:
            reply = http.too_many_connections()
        elif path == http.WS_PATH:
            return None
        elif path == http.PUBLIC_PATH:
            if self.visitors.get(address, 0) < self.options.visitor_connections:
                return None
            reply = http.too_many_visitors()
        elif self.site.serves(path):
            return self.site.respond(path, request)
        elif path == "/api/health":
            reply = await http.health(self.db, time.monotonic() - self.started, self._services())
        elif path == "/metrics":
            reply = await http.metrics(self.db, self.metrics)
        else:
            reply = http.not_found(path)
        response = ws.respond(reply.status, reply.body)
        del response.headers["Content-Type"]
        response.headers["Content-Type"] = reply.content_type
        response.headers["X-Content-Type-Options"] = "nosniff"  # a 404 echoes the path
        return response

    def _origin_allowed(self, ws: ServerConnection) -> bool:
        """A browser page may use ``/public`` only from this server or an allowed site."""
        assert ws.request is not None
        headers = ws.request.headers
        return widget_origins.browser_may_connect(
            self.db.settings, headers.get("Origin"), headers.get("Host", "")
        )

    def _services(self) -> dict[str, str]:
        workers = self.workers or Workers(self.db, {})
        return {
            "email": workers.state("email"),
            "payment": workers.state("payments"),
            "websocket": "operational",
        }

    def _release_expired(self) -> int:
        with self.db.write() as tx:
            return holds.release_expired(tx)

    async def _sweep(self) -> None:
        """Release expired holds so everyone watching sees the seats come back."""
        while True:
            await asyncio.sleep(self.options.sweep_interval)
            try:
                released = await asyncio.to_thread(self._release_expired)
            except Exception:
                log.exception("releasing expired holds failed")
                continue
            if released:
                log.info("released %d expired hold(s)", released)


def _address(ws: ServerConnection) -> str:
    """The network a visitor's limits are counted by (see ``visitor_network``)."""
    peer = ws.remote_address
    return visitor_network(str(peer[0])) if peer else "unknown"


def visitor_network(address: str) -> str:
    """An IPv4 address as it is; an IPv6 one as its /64, which one household or phone is
    given whole (counting single IPv6 addresses would let one visitor use billions);
    an IPv4-mapped IPv6 address as the IPv4 address."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


async def run(db: Database, options: ServerOptions, workers: Workers | None = None) -> None:
    """Serve until SIGTERM or SIGINT, then close connections and stop cleanly."""
    loop = asyncio.get_running_loop()
    loop.set_default_executor(ThreadPoolExecutor(DB_THREADS, thread_name_prefix="rft-db"))
    server = SyncServer(db, options, workers)
    await server.start()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"rft server listening on {server.url} ({db.dialect})", flush=True)
    await stop.wait()
    print("rft server shutting down", flush=True)
    await server.stop()
