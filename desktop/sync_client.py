"""A client for the sync server's protocol (docs/protocol.md): JSON-RPC 2.0 over WebSocket.

``SyncClient`` (asyncio) keeps one connection open: it reconnects with exponential backoff,
signs in again with its tokens (or API key), and resubscribes to the change feed from the
last sequence number it saw, so a reconnect loses no change. ``call`` raises ``RpcError``
with the server's code, message and data. ``BlockingSyncClient`` runs a ``SyncClient`` on its
own thread for callers that are not asyncio (the Qt desktop's remote backend).

This module speaks the wire protocol only; it imports neither Qt nor ``core``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import itertools
import json
import logging
import random
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

log = logging.getLogger(__name__)
PUSH_METHOD = "changes.push"
ENDED_METHOD = "auth.ended"
UNAUTHENTICATED = -32001
CONNECTION_LOST = -32099
NOT_CONNECTED = -32098
REFRESH_MARGIN = timedelta(seconds=60)
ChangesCallback = Callable[[list[dict[str, Any]]], None]
StateCallback = Callable[[str], None]


class RpcError(Exception):
    """An error reply: ``code`` (JSON-RPC number), ``message`` (for people), ``data``.

    ``kind`` is the server's short error name, e.g. ``not_enough_seats`` or ``hold_expired``.
    """

    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data

    @property
    def kind(self) -> str | None:
        return self.data.get("code") if isinstance(self.data, dict) else None


class NotConnected(RpcError):
    """The server could not be reached in time; the call was not sent."""

    def __init__(self) -> None:
        super().__init__(
            NOT_CONNECTED,
            "The booking server cannot be reached; check the network and try again.",
            {"code": "not_connected"},
        )


class ConnectionLost(RpcError):
    """The connection dropped before the reply came; the call may or may not have run."""

    def __init__(self) -> None:
        super().__init__(
            CONNECTION_LOST,
            "The connection to the server was lost; check whether the change was made.",
            {"code": "connection_lost"},
        )


TRANSPORT_ERRORS = (ConnectionLost, NotConnected)


class SyncClient:
    """One logical connection to the sync server that survives reconnects.

    ``on_changes(changes)`` gets every change-feed entry exactly once, in sequence order
    (each a dict with seq, at, kind, id, data); ``on_state(state)`` gets "connected",
    "disconnected" and "signed_out". Both run on the client's event loop.
    """

    def __init__(
        self,
        url: str,
        *,
        after_seq: int = 0,
        subscribe: bool = True,
        on_changes: ChangesCallback | None = None,
        on_state: StateCallback | None = None,
        api_key: str | None = None,
        call_timeout: float = 30.0,
        backoff: tuple[float, float] = (0.2, 10.0),
        max_size: int = 16 * 2**20,
    ) -> None:
        self.url = url
        self.last_seq = after_seq
        self.identity: dict[str, Any] | None = None
        self.access_token: str | None = None
        self.refresh_token: str | None = None
        self._subscribe = subscribe
        self._on_changes = on_changes
        self._on_state = on_state
        self._api_key = api_key
        self._call_timeout = call_timeout
        self._backoff = backoff
        self._max_size = max_size
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._ws: ClientConnection | None = None
        self._ready = asyncio.Event()
        self._refreshing = asyncio.Lock()
        self._subscribed = False
        self._closed = False
        self._runner: asyncio.Task[None] | None = None

    # -- life cycle ----------------------------------------------------------------------

    async def start(self) -> None:
        """Start connecting in the background (returns at once)."""
        if self._runner is None:
            self._runner = asyncio.create_task(self._run(), name="sync-client")

    async def wait_connected(self, timeout: float | None = None) -> None:
        await asyncio.wait_for(self._ready.wait(), timeout)

    @property
    def connected(self) -> bool:
        return self._ready.is_set()

    async def close(self) -> None:
        self._closed = True
        if self._ws is not None:
            await self._ws.close()
        if self._runner is not None:
            self._runner.cancel()
            await asyncio.gather(self._runner, return_exceptions=True)
            self._runner = None

    # -- calls ---------------------------------------------------------------------------

    async def call(
        self, method: str, params: dict[str, Any] | None = None, *, timeout: float | None = None
    ) -> Any:
        """Call ``method`` once the connection is up; refresh the sign-in when needed."""
        timeout = self._call_timeout if timeout is None else timeout
        try:
            await asyncio.wait_for(self._ready.wait(), timeout)
        except TimeoutError:
            raise NotConnected() from None
        if not method.startswith("auth.") and self._expiring():
            await self._refresh()
        try:
            return await self._request(method, params, timeout)
        except RpcError as exc:
            if exc.code != UNAUTHENTICATED or method.startswith("auth.") or not self.refresh_token:
                raise
        await self._refresh()
        return await self._request(method, params, timeout)

    async def login(self, email: str, password: str, totp: str | None = None) -> dict[str, Any]:
        """Sign in as a staff member; the tokens are kept for reconnects."""
        params = {"email": email, "password": password}
        if totp:
            params["totp"] = totp
        self._take_tokens(await self.call("auth.login", params))
        await self._ensure_subscribed()
        assert self.identity is not None
        return self.identity

    async def logout(self) -> None:
        await self.call("auth.logout", {"refresh_token": self.refresh_token})
        self.identity = self.access_token = self.refresh_token = None
        self._subscribed = False

    # -- internals -----------------------------------------------------------------------

    def _expiring(self) -> bool:
        if self.refresh_token is None or self.identity is None:
            return False
        expires = self.identity.get("expires_at")
        if not expires:
            return False
        return datetime.fromisoformat(expires) - datetime.now(UTC) < REFRESH_MARGIN

    def _take_tokens(self, result: dict[str, Any]) -> None:
        self.identity = result["identity"]
        if "access_token" in result:
            self.access_token = result["access_token"]
            self.refresh_token = result["refresh_token"]

    async def _refresh(self) -> None:
        """Swap the refresh token; one at a time, because reusing one ends the sign-in."""
        token = self.refresh_token
        async with self._refreshing:
            if self.refresh_token != token or token is None:
                return  # someone else refreshed while we waited
            try:
                result = await self._request("auth.refresh", {"refresh_token": token})
            except RpcError as exc:
                if isinstance(exc, TRANSPORT_ERRORS):
                    raise
                self.identity = self.access_token = self.refresh_token = None
                self._state("signed_out")
                raise
            self._take_tokens(result)

    async def _request(
        self, method: str, params: dict[str, Any] | None, timeout: float | None = None
    ) -> Any:
        ws = self._ws
        if ws is None:
            raise NotConnected()
        request_id = next(self._ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[request_id] = future
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id, "method": method}
        if params is not None:
            message["params"] = params
        try:
            await ws.send(json.dumps(message))
            return await asyncio.wait_for(future, timeout or self._call_timeout)
        except (ConnectionClosed, TimeoutError):
            raise ConnectionLost() from None
        finally:
            self._pending.pop(request_id, None)

    async def _run(self) -> None:
        delay = self._backoff[0]
        while not self._closed:
            try:
                async with connect(self.url, max_size=self._max_size, open_timeout=5) as ws:
                    self._ws = ws
                    reader = asyncio.create_task(self._read(ws))
                    try:
                        await self._resume()
                        self._ready.set()
                        self._state("connected")
                        delay = self._backoff[0]
                        await reader
                    finally:
                        reader.cancel()
            except (OSError, TimeoutError, InvalidHandshake, InvalidURI, ConnectionClosed) as exc:
                log.debug("sync connection failed: %s", exc)
            except RpcError as exc:
                log.warning("could not resume the session: %s", exc.message)
            finally:
                was_ready = self._ready.is_set()
                self._ws = None
                self._ready.clear()
                self._subscribed = False
                for future in self._pending.values():
                    if not future.done():
                        future.set_exception(ConnectionLost())
                if was_ready:
                    self._state("disconnected")
            if self._closed:
                return
            await asyncio.sleep(delay * random.uniform(0.5, 1.0))
            delay = min(delay * 2, self._backoff[1])

    async def _resume(self) -> None:
        """After (re)connecting: sign in again with what we hold, then resubscribe.

        Credentials the server no longer accepts are dropped ("signed_out"); the
        connection stays up so the user can sign in again.
        """
        try:
            if self._api_key:
                params = {"api_key": self._api_key}
                self._take_tokens(await self._request("auth.authenticate", params))
            elif self.access_token and not self._expiring():
                params = {"access_token": self.access_token}
                self._take_tokens(await self._request("auth.authenticate", params))
            elif self.refresh_token:
                await self._refresh()
        except TRANSPORT_ERRORS:
            raise
        except RpcError as exc:
            await self._after_rejected_resume(exc)
        await self._ensure_subscribed()

    async def _after_rejected_resume(self, exc: RpcError) -> None:
        """The access token was refused: try the refresh token, else sign out."""
        if self._api_key:
            log.warning("the server refused the API key: %s", exc.message)
            return
        if self.access_token and self.refresh_token and exc.code == UNAUTHENTICATED:
            self.access_token = None
            try:
                await self._refresh()  # signs out itself if refused
            except TRANSPORT_ERRORS:
                raise
            except RpcError:
                pass
            return
        self.identity = self.access_token = self.refresh_token = None
        self._state("signed_out")

    async def _ensure_subscribed(self) -> None:
        if self._subscribe and not self._subscribed and self.identity is not None:
            try:
                await self._request("changes.subscribe", {"after_seq": self.last_seq})
            except RpcError as exc:
                if not isinstance(exc.data, dict) or "head" not in exc.data:
                    raise
                log.warning("the server's change feed started over; reading it from the start")
                self.last_seq = 0
                await self._request("changes.subscribe", {"after_seq": 0})
            self._subscribed = True

    async def _read(self, ws: ClientConnection) -> None:
        with contextlib.suppress(ConnectionClosed):
            async for frame in ws:
                try:
                    message = json.loads(frame)
                except ValueError:
                    log.warning("ignoring a frame that is not JSON")
                    continue
                for item in message if isinstance(message, list) else [message]:
                    self._dispatch(item)

    def _dispatch(self, item: dict[str, Any]) -> None:
        if item.get("method") == PUSH_METHOD:
            self._deliver(item.get("params") or {})
            return
        if item.get("method") == ENDED_METHOD:  # signed out elsewhere, disabled, reset...
            self.identity = self.access_token = self.refresh_token = None
            self._subscribed = False
            self._state("signed_out")
            return
        future = self._pending.get(item.get("id"))  # type: ignore[arg-type]
        if future is None or future.done():
            if "error" in item:
                log.warning("server error without a pending call: %s", item["error"])
            return
        if "error" in item:
            err = item["error"]
            future.set_exception(
                RpcError(err.get("code", 0), err.get("message", ""), err.get("data"))
            )
        else:
            future.set_result(item.get("result"))

    def _deliver(self, params: dict[str, Any]) -> None:
        fresh = [c for c in params.get("changes", []) if c.get("seq", 0) > self.last_seq]
        self.last_seq = max(
            self.last_seq, int(params.get("last_seq", 0)), *(c["seq"] for c in fresh)
        )
        if fresh and self._on_changes is not None:
            try:
                self._on_changes(fresh)
            except Exception:
                log.exception("on_changes callback failed")

    def _state(self, state: str) -> None:
        if self._on_state is not None:
            try:
                self._on_state(state)
            except Exception:
                log.exception("on_state callback failed")


class BlockingSyncClient:
    """A ``SyncClient`` on its own thread, with blocking and future-returning calls.

    Callbacks run on the client's thread; a Qt caller should re-emit them as signals.
    """

    def __init__(self, url: str, **options: Any) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="sync-client", daemon=True
        )
        self._thread.start()
        self.client = SyncClient(url, **options)
        self._run(self.client.start())

    def _run(self, coro: Any, timeout: float | None = None) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def submit(
        self, method: str, params: dict[str, Any] | None = None
    ) -> concurrent.futures.Future[Any]:
        """Start a call and return a future (raises RpcError from ``result()``)."""
        return asyncio.run_coroutine_threadsafe(self.client.call(method, params), self._loop)

    def call(self, method: str, params: dict[str, Any] | None = None, timeout: float = 60.0) -> Any:
        return self.submit(method, params).result(timeout)

    def login(self, email: str, password: str, totp: str | None = None) -> dict[str, Any]:
        return dict(self._run(self.client.login(email, password, totp), 60.0))

    def wait_connected(self, timeout: float = 30.0) -> None:
        self._run(self.client.wait_connected(timeout), timeout + 1)

    @property
    def last_seq(self) -> int:
        return self.client.last_seq

    def close(self) -> None:
        self._run(self.client.close(), 10.0)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10.0)
        self._loop.close()
