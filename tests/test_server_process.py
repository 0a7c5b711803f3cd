"""``rft server`` as a real process: configuration errors, SIGTERM, and two processes on one
PostgreSQL sharing live changes without overselling."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from core.infra.db import Database
from tests.conftest import sqlite_url
from tests.factories import make_session
from tests.server_support import (
    JWT_SECRET,
    ROOT,
    TIMEOUT,
    ServerProcess,
    add_staff,
    peer,
    server_env,
)

pytestmark = pytest.mark.slow


def start_fails(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "core.cli", "server", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    return result.stderr


@pytest.mark.parametrize(
    ("setting", "value", "words"),
    [
        ("JWT_SECRET", "", "JWT_SECRET is not set"),
        ("JWT_SECRET", "too-short", "JWT_SECRET must be at least 32 characters"),
        ("JWT_EXPIRES_IN", "a while", "JWT_EXPIRES_IN must be a duration"),
        ("WS_PORT", "eighty", "WS_PORT must be a whole number"),
        ("DATABASE_URL", "mysql://db/rft", "DATABASE_URL must start with"),
        ("SMTP_HOST", "mail server.example.com", "SMTP_HOST must be a host name"),
        ("STRIPE_SECRET_KEY", "pk_live_oops", "STRIPE_SECRET_KEY"),
        ("WS_RATE_LIMIT", "lots", "WS_RATE_LIMIT must be a number of requests per second"),
        ("WS_RATE_LIMIT", "0", "WS_RATE_LIMIT must be between 0.1 and 100000.0"),
        ("WS_RATE_BURST", "-5", "WS_RATE_BURST must be between 1 and 100000"),
    ],
)
def test_a_missing_or_malformed_setting_stops_the_start_naming_it(
    tmp_path: Path, setting: str, value: str, words: str
) -> None:
    env = server_env(sqlite_url(tmp_path), **{setting: value})
    assert words in start_fails(env)


def test_a_bad_port_flag_is_refused(tmp_path: Path) -> None:
    assert "not a port number" in start_fails(server_env(sqlite_url(tmp_path)), "--port", "http")


def test_a_port_in_use_or_a_host_not_here_stops_the_start_in_one_line(tmp_path: Path) -> None:
    """Found by the attack: both printed a Python traceback ending in OSError."""
    env = server_env(sqlite_url(tmp_path))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        [line] = start_fails(env, "--host", "127.0.0.1", "--port", port).splitlines()[-1:]
        assert line.startswith(f"rft: rft server cannot listen on 127.0.0.1:{port}"), line
        assert "address already in use" in line
        assert "Traceback" not in start_fails(env, "--port", port)
    for host in ("192.0.2.1", "nosuchhost.invalid"):  # TEST-NET-1: never this machine's
        stderr = start_fails(env, "--host", host, "--port", "0")
        assert "Traceback" not in stderr, stderr
        assert f"rft: rft server cannot listen on {host}:0" in stderr


@pytest.mark.parametrize(
    ("flag", "value", "words"),
    [
        (
            "--rate-limit",
            "fast",
            "'fast' is not a number of requests per second from 0.1 to 100000",
        ),
        ("--rate-limit", "nan", "'nan' is not a number of requests per second"),
        ("--rate-burst", "0", "'0' is not a whole number of requests from 1 to 100000"),
        ("--rate-burst", "2.5", "'2.5' is not a whole number of requests"),
    ],
)
def test_a_bad_rate_limit_flag_is_refused(
    tmp_path: Path, flag: str, value: str, words: str
) -> None:
    assert words in start_fails(server_env(sqlite_url(tmp_path)), flag, value)


async def rate_limited_of(url: str, requests: int) -> int:
    """Send ``requests`` requests at once on one connection; how many were told to slow down."""
    async with connect(url, open_timeout=TIMEOUT) as ws:
        for rid in range(requests):
            await ws.send(json.dumps({"jsonrpc": "2.0", "id": rid, "method": "auth.logout"}))
        replies = [json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT)) for _ in range(requests)]
    assert sorted(r["id"] for r in replies) == list(range(requests))
    return sum(r.get("error", {}).get("code") == -32029 for r in replies)


def test_the_rate_limit_is_a_setting_and_a_flag_overrides_it(tmp_path: Path) -> None:
    env = server_env(sqlite_url(tmp_path), WS_RATE_LIMIT="1000", WS_RATE_BURST="500")
    with ServerProcess(env) as roomy:
        assert asyncio.run(rate_limited_of(roomy.url, 200)) == 0  # the default refuses most
    with ServerProcess(env, flags=("--rate-limit", "1", "--rate-burst", "3")) as strict:
        assert asyncio.run(rate_limited_of(strict.url, 20)) >= 15


def test_sigterm_closes_connections_and_exits_cleanly(sqlite_db: Database, tmp_path: Path) -> None:
    add_staff(sqlite_db, "reception")
    env = server_env(sqlite_url(tmp_path))

    async def scenario(server: ServerProcess) -> int | None:
        async with peer(server.url) as desk:
            await desk.login("reception@example.org")
            await desk.call("changes.subscribe", {"after_seq": 0})
            server.proc.terminate()
            with contextlib.suppress(ConnectionClosed):
                await asyncio.wait_for(desk.ws.wait_closed(), TIMEOUT)
            return desk.ws.close_code

    with ServerProcess(env) as server:
        assert asyncio.run(scenario(server)) == 1001  # going away
        assert server.proc.wait(TIMEOUT) == 0
        assert server.proc.stdout is not None
        assert "shutting down" in server.proc.stdout.read()


def test_two_processes_share_live_changes_and_never_oversell(
    pg_db: Database, postgres_url: str
) -> None:
    sid = make_session(pg_db, capacity=3)
    add_staff(pg_db, "reception", "leeds@example.org")
    add_staff(pg_db, "reception", "york@example.org")
    env = server_env(postgres_url)

    async def scenario(leeds: ServerProcess, york: ServerProcess) -> None:
        async with peer(leeds.url) as watcher, peer(york.url) as desk:
            await watcher.login("leeds@example.org")
            await desk.login("york@example.org")
            await watcher.call("changes.subscribe", {"after_seq": 0})
            hold = await desk.call("holds.create", {"session_id": sid, "seats": 1})
            seen = await watcher.push_until(
                lambda c: c["kind"] == "session" and c["data"]["held"] == 1
            )
            assert seen["data"]["intents"] == [
                {"seats": 1, "channel": "desk", "holder": "Reception Person"}
            ]
            await desk.call(
                "holds.release", {"hold_id": hold["id"], "hold_token": hold["hold_token"]}
            )
            await watcher.push_until(lambda c: c["kind"] == "session" and c["data"]["held"] == 0)

            async def grab(url: str, email: str) -> str:
                async with peer(url) as p:
                    await p.login(email)
                    reply = await p.request("holds.create", {"session_id": sid, "seats": 1})
                    return "ok" if "result" in reply else reply["error"]["data"]["code"]

            outcomes = await asyncio.gather(
                *[grab(leeds.url, "leeds@example.org") for _ in range(4)],
                *[grab(york.url, "york@example.org") for _ in range(4)],
            )
            assert sorted(outcomes) == ["not_enough_seats"] * 5 + ["ok"] * 3
            session = await watcher.call("sessions.get", {"id": sid})
            assert (session["held"], session["free"]) == (3, 0)

    with ServerProcess(env) as leeds, ServerProcess(env) as york:
        asyncio.run(scenario(leeds, york))
        assert leeds.terminate() == 0 and york.terminate() == 0


def test_jwt_secret_is_shared_so_a_token_from_one_process_works_on_the_other(
    pg_db: Database, postgres_url: str
) -> None:
    add_staff(pg_db, "manager")
    env = server_env(postgres_url)

    async def scenario(one: ServerProcess, two: ServerProcess) -> None:
        async with peer(one.url) as first:
            tokens = await first.login("manager@example.org")
        async with peer(two.url) as second:
            identity = await second.call(
                "auth.authenticate", {"access_token": tokens["access_token"]}
            )
            assert identity["identity"]["role"] == "manager"
            assert await second.call("catalogue.get")

    with ServerProcess(env) as one, ServerProcess(env) as two:
        asyncio.run(scenario(one, two))
    assert len(JWT_SECRET) >= 32
