"""Input at the edges: every method, sent boundary values and wrong types, answers with an
error a client can act on (never -32603) and keeps the connection; deep nesting is a parse
error; feed cursors past the newest change are refused; requests sent after a sign-in on one
connection are handled after it."""

from __future__ import annotations

import asyncio
import datetime
import functools
import json
import types
import typing
from typing import Any

from pydantic import BaseModel

from core.api import METHODS
from core.infra.db import Database
from core.journal import changes
from server.connection import Limits
from server.jsonrpc import MAX_DEPTH
from tests.factories import make_session
from tests.server_support import Peer, add_api_key, add_staff, peer, running_server

EDGES: list[Any] = [
    0,
    -1,
    2**31 - 1,
    2**31,
    -(2**31) - 1,
    2**63 - 1,
    2**63,
    2**64,
    1.5,
    True,
    None,
    "",
    "x" * 100_000,
    "nul \x00 inside",
    "2026-02-30",
    [],
    [2**63],
    {},
    {"a": {"b": [2**40]}},
    {"deep": functools.reduce(lambda inner, _: [inner], range(MAX_DEPTH - 4), list[Any]())},
]
UNLIMITED = Limits(rate=100_000, burst=100_000)


def plain(annotation: Any) -> Any:
    """A value of ``annotation``'s type that a method is likely to accept as well-formed."""
    origin = typing.get_origin(annotation)
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if origin in (typing.Union, types.UnionType):
        return plain(args[0])
    if origin is typing.Literal:
        return args[0]
    if origin in (list, tuple, set):
        return []
    if origin is dict or annotation is dict:
        return {}
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return {}
    if annotation is bool:
        return False
    if annotation is int:
        return 1
    if annotation is datetime.datetime:
        return "2026-12-01T09:00:00+00:00"
    if annotation is datetime.date:
        return "2026-12-01"
    if getattr(annotation, "__name__", "") == "EmailStr":
        return "someone@example.org"
    return "scan-value"


def variants(name: str) -> list[dict[str, Any]]:
    """Params for ``name``: well-formed ones, then each field in turn set to each edge."""
    fields = METHODS[name].params.model_fields
    base = {f: plain(info.annotation) for f, info in fields.items() if info.is_required()}
    out: list[dict[str, Any]] = [base]
    for field in fields:
        out += [base | {field: value} for value in EDGES]
    out += [{"not_a_param": value} for value in (1, 2**63)]
    return out


async def no_internal_errors(client: Peer, name: str) -> list[str]:
    bad = []
    for params in variants(name):
        reply = await client.request(name, params)
        if reply.get("error", {}).get("code") == -32603:
            shown = {k: (v if len(repr(v)) < 40 else "<long>") for k, v in params.items()}
            bad.append(f"{name} {shown}")
    return bad


def test_every_method_answers_boundary_values_without_an_internal_error(
    any_db: Database,
) -> None:
    make_session(any_db)
    add_staff(any_db, "admin")
    key = add_api_key(any_db)

    async def scenario() -> list[str]:
        bad: list[str] = []
        async with running_server(any_db, limits=UNLIMITED) as server:
            async with peer(server.url) as admin, peer(server.url) as website:
                await admin.login("admin@example.org")
                await website.call("auth.authenticate", {"api_key": key})
                for name in sorted(n for n in METHODS if not n.startswith("auth.")):
                    bad += await no_internal_errors(admin, name)
                    if "website" in METHODS[name].roles:
                        bad += await no_internal_errors(website, name)
                assert await admin.call("catalogue.get")  # still connected and served
                assert await website.call("catalogue.get")
            for name in sorted(n for n in METHODS if n.startswith("auth.")):
                for params in variants(name):
                    async with peer(server.url) as anonymous:  # wrong sign-ins close after 5
                        reply = await anonymous.request(name, params)
                        if reply.get("error", {}).get("code") == -32603:
                            bad.append(f"{name} {list(params)}")
        return bad

    internal_errors = asyncio.run(scenario())
    assert internal_errors == [], "\n".join(internal_errors)


def test_ids_and_cursors_too_big_for_the_database_are_invalid_params(any_db: Database) -> None:
    add_staff(any_db, "reception")

    async def scenario() -> None:
        async with running_server(any_db) as server, peer(server.url) as desk:
            await desk.login("reception@example.org")
            cases = [
                ("sessions.get", {"id": 2**31}),
                ("holds.create", {"session_id": 2**31, "seats": 1}),
                ("payments.terminal.status", {"payment_id": 2**31}),
                ("changes.since", {"after_seq": 2**63}),
                ("changes.subscribe", {"after_seq": 2**63}),
            ]
            for name, params in cases:
                reply = await desk.request(name, params)
                assert reply["error"]["code"] == -32602, (name, reply)
                assert reply["error"]["data"]["code"] == "invalid_input"

    asyncio.run(scenario())


def test_deeply_nested_json_is_a_parse_error_and_the_connection_stays(
    sqlite_db: Database,
) -> None:
    async def scenario() -> None:
        async with running_server(sqlite_db) as server, peer(server.url) as client:
            for frame in ("[" * 100_000, '{"a":' * 50_000, "[" * 100_000 + "]" * 100_000):
                reply = await client.send_raw(frame, None)
                assert reply["error"]["code"] == -32700
            reply = await client.request("auth.logout")
            assert reply["result"] == {"signed_out": True}

    asyncio.run(scenario())


def test_a_feed_cursor_beyond_the_newest_change_is_refused(sqlite_db: Database) -> None:
    make_session(sqlite_db)
    add_staff(sqlite_db, "reception")
    with sqlite_db.read() as tx:
        head = changes.last_seq(tx)

    async def scenario() -> None:
        async with running_server(sqlite_db) as server, peer(server.url) as desk:
            await desk.login("reception@example.org")
            for name in ("changes.since", "changes.subscribe"):
                reply = await desk.request(name, {"after_seq": head + 5})
                assert reply["error"]["code"] == -32602
                assert reply["error"]["data"]["head"] == head
                assert str(head) in reply["error"]["message"]
                assert "result" in await desk.request(name, {"after_seq": head})

    asyncio.run(scenario())


def test_requests_sent_right_after_a_sign_in_are_handled_after_it(sqlite_db: Database) -> None:
    add_staff(sqlite_db, "reception")
    key = add_api_key(sqlite_db)

    async def scenario() -> None:
        async with running_server(sqlite_db) as server:
            async with peer(server.url) as desk:
                tokens = await desk.login("reception@example.org")
            for attempt in range(20):
                async with peer(server.url) as client:
                    credential = (
                        {"access_token": tokens["access_token"]}
                        if attempt % 2
                        else {"api_key": key}
                    )
                    frames = [
                        {
                            "jsonrpc": "2.0",
                            "id": 1,
                            "method": "auth.authenticate",
                            "params": credential,
                        },
                        {
                            "jsonrpc": "2.0",
                            "id": 2,
                            "method": "changes.subscribe",
                            "params": {"after_seq": 0},
                        },
                        {"jsonrpc": "2.0", "id": 3, "method": "sessions.list"},
                    ]
                    waits = []
                    for frame in frames:
                        future = asyncio.get_running_loop().create_future()
                        client.replies[frame["id"]] = future
                        await client.ws.send(json.dumps(frame))
                        waits.append(future)
                    replies = await asyncio.wait_for(asyncio.gather(*waits), 10)
                    assert all("result" in r for r in replies), replies

    asyncio.run(scenario())
