"""Helpers for sync-server tests: an in-process server on port 0, a raw JSON-RPC client,
staff users and API keys, and real ``rft server`` processes."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

from core.infra.db import Database
from core.staff import auth
from server.app import ServerOptions, SyncServer
from server.connection import Limits

ROOT = Path(__file__).resolve().parent.parent
JWT_SECRET = "test-secret-" + "x" * 40
PASSWORD = "correct horse battery"
TIMEOUT = 10.0


@asynccontextmanager
async def running_server(db: Database, **options: Any) -> AsyncIterator[SyncServer]:
    limits = options.pop("limits", Limits())
    db.settings = db.settings.with_overrides(jwt_secret=JWT_SECRET)
    server = SyncServer(db, ServerOptions(port=0, limits=limits, **options))
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


def add_staff(db: Database, role: str, email: str | None = None) -> str:
    email = email or f"{role}@example.org"
    with db.write() as tx:
        auth.add_user(tx, email, role.capitalize() + " Person", role, PASSWORD)
    return email


def add_api_key(db: Database, name: str = "website") -> str:
    with db.write() as tx:
        return auth.add_api_key(tx, name)


class Peer:
    """A raw protocol client: sends requests, keeps pushes apart from replies."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.ids = itertools.count(1)
        self.pushes: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.changes: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.notes: asyncio.Queue[dict[str, Any]] = asyncio.Queue()  # other notifications
        self.push_frames: list[str] = []  # each ``changes.push`` exactly as it arrived
        self.replies: dict[Any, asyncio.Future[Any]] = {}
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for frame in self.ws:
            message = json.loads(frame)
            if isinstance(message, dict) and "method" in message:
                if message["method"] != "changes.push":
                    await self.notes.put(message)
                    continue
                self.push_frames.append(str(frame))
                await self.pushes.put(message)
                for change in message["params"]["changes"]:
                    await self.changes.put(change)
                continue
            key = (
                tuple(m.get("id") for m in message)
                if isinstance(message, list)
                else message.get("id")
            )
            future = self.replies.pop(key, None)
            if future is None:
                future = asyncio.get_running_loop().create_future()
                self.replies[("unmatched", key)] = future
            future.set_result(message)

    async def send_raw(self, text: str, expect_id: Any = None) -> Any:
        future = asyncio.get_running_loop().create_future()
        self.replies[expect_id] = future
        await self.ws.send(text)
        return await asyncio.wait_for(future, TIMEOUT)

    async def request(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """The whole reply object (``result`` or ``error``)."""
        rid = next(self.ids)
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": rid, "method": method}
        if params is not None:
            message["params"] = params
        return dict(await self.send_raw(json.dumps(message), rid))

    async def call(self, method: str, params: dict[str, Any] | None = None) -> Any:
        reply = await self.request(method, params)
        assert "error" not in reply, reply["error"]
        return reply["result"]

    async def login(self, email: str, password: str = PASSWORD) -> dict[str, Any]:
        return dict(await self.call("auth.login", {"email": email, "password": password}))

    async def next_push(self, timeout: float = TIMEOUT) -> dict[str, Any]:
        """The next whole ``changes.push`` notification (use either this or push_until)."""
        return await asyncio.wait_for(self.pushes.get(), timeout)

    async def push_until(self, predicate: Any, timeout: float = TIMEOUT) -> dict[str, Any]:
        """The next pushed change matching ``predicate``; the ones before it are skipped."""
        async with asyncio.timeout(timeout):
            while True:
                change = await self.changes.get()
                if predicate(change):
                    return dict(change)


@asynccontextmanager
async def peer(url: str, **kwargs: Any) -> AsyncIterator[Peer]:
    async with connect(url, open_timeout=TIMEOUT, **kwargs) as ws:
        p = Peer(ws)
        try:
            yield p
        finally:
            p.reader.cancel()


def server_env(database_url: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"DATABASE_URL": database_url, "JWT_SECRET": JWT_SECRET})
    env.update(extra)
    return env


class ServerProcess:
    """A real ``python -m core.cli server`` child process."""

    def __init__(self, env: dict[str, str], port: int = 0, flags: tuple[str, ...] = ()) -> None:
        self.log = tempfile.TemporaryFile("w+")  # noqa: SIM115 (closed in __exit__)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "core.cli", "server", "--port", str(port), *flags],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()  # the readiness line, or EOF if start-up failed
        if "listening on" not in line:
            self.proc.wait(TIMEOUT)
            raise RuntimeError(f"server did not start: {line} {self.errors()}")
        self.url = line.split("listening on ", 1)[1].split()[0]
        self.port = int(self.url.rsplit(":", 1)[1].split("/")[0])

    def errors(self) -> str:
        self.log.seek(0)
        return self.log.read()

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(TIMEOUT)

    def terminate(self) -> int:
        self.proc.terminate()
        return self.proc.wait(TIMEOUT)

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc.poll() is None:
            self.kill()
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self.log.close()
