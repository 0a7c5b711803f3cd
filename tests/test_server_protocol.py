"""The wire protocol against a real server on loopback: errors, batches, and every method
called by every role."""

from __future__ import annotations

import asyncio
import json

from core.api import METHODS
from core.api.registry import ANYONE
from core.infra.db import Database
from server.connection import Limits
from tests.factories import make_session
from tests.server_support import add_api_key, add_staff, peer, running_server

STAFF_ROLES = ("admin", "manager", "reception", "trainer")
CALLERS = ("anonymous", "website", *STAFF_ROLES)
EVERYONE = frozenset(CALLERS)
STAFF = frozenset(STAFF_ROLES)
DESK = frozenset({"admin", "manager", "reception"})
VIEWERS = STAFF | {"website"}

# Who may call what. Methods added by other areas (attendance, payments, ...) that are not
# listed here are still walked: they must refuse the website and anonymous callers (no
# personal data leaves through the public scope) and follow the roles they declare.
EXPECTED: dict[str, frozenset[str]] = {
    "auth.login": EVERYONE,
    "auth.refresh": EVERYONE,
    "auth.logout": EVERYONE,
    "auth.authenticate": EVERYONE,
    "catalogue.get": VIEWERS,
    "sessions.list": VIEWERS,
    "sessions.get": VIEWERS,
    "sessions.month": VIEWERS,
    "pricing.quote": VIEWERS,
    "changes.since": VIEWERS,
    "changes.subscribe": VIEWERS,
    "changes.head": VIEWERS,
    "holds.create": DESK | {"website"},
    "holds.extend": DESK | {"website"},
    "holds.release": DESK | {"website"},
    "holds.get": DESK | {"website"},
    "bookings.create": DESK | {"website"},
    "bookings.status": DESK | {"website"},
    "bookings.get": DESK,
    "bookings.search": DESK,
    "bookings.cancel": DESK,
    "bookings.transfer": DESK,
    "payments.link": DESK | {"website"},
    "sessions.alternatives": VIEWERS,
    "eligibility.check": VIEWERS,
    "waitlist.join": frozenset({"website"}),
}
REFUSED = (-32001, -32003)


def declared(name: str) -> frozenset[str]:
    roles = METHODS[name].roles
    if ANYONE in roles:
        return EVERYONE
    return frozenset(r for r in CALLERS if r in roles)


def test_every_method_checks_every_role(sqlite_db: Database) -> None:
    make_session(sqlite_db)
    key = add_api_key(sqlite_db)
    emails = {role: add_staff(sqlite_db, role) for role in STAFF_ROLES}

    async def scenario() -> dict[tuple[str, str], dict[str, object]]:
        outcomes = {}
        # a walk of every method by every caller, not a test of the rate limit
        async with running_server(sqlite_db, limits=Limits(burst=10_000)) as server:
            for caller in CALLERS:
                async with peer(server.url) as p:
                    if caller == "website":
                        await p.call("auth.authenticate", {"api_key": key})
                    elif caller != "anonymous":
                        await p.login(emails[caller])
                    for name in sorted(METHODS):
                        if name == "auth.logout":
                            continue  # would sign this peer out for the rest of the walk
                        outcomes[(name, caller)] = await p.request(name, {})
                    outcomes[("auth.logout", caller)] = await p.request("auth.logout", {})
        return outcomes

    outcomes = asyncio.run(scenario())
    for name in METHODS:
        allowed = EXPECTED.get(name, declared(name))
        if name not in EXPECTED:
            assert not allowed & {"anonymous", "website"}, f"{name} is open to the public scope"
        assert declared(name) == allowed, f"{name} declares roles {sorted(declared(name))}"
        for caller in CALLERS:
            reply = outcomes[(name, caller)]
            code = reply.get("error", {}).get("code")  # type: ignore[union-attr]
            if caller in allowed:
                assert code not in REFUSED, (name, caller, reply)
            else:
                expected = -32001 if caller == "anonymous" else -32003
                assert code == expected, (name, caller, reply)


def test_protocol_errors_get_standard_codes_and_the_server_keeps_serving(
    sqlite_db: Database,
) -> None:
    add_staff(sqlite_db, "reception")

    async def scenario() -> None:
        async with running_server(sqlite_db) as server, peer(server.url) as p:
            bad_json = await p.send_raw("{oops", None)
            assert bad_json["error"]["code"] == -32700
            not_rpc = await p.send_raw('{"id": 5, "method": "sessions.list"}', 5)
            assert not_rpc["error"]["code"] == -32600
            unknown = await p.request("sessions.delete_everything")
            assert unknown["error"]["code"] == -32601
            await p.login("reception@example.org")
            wrong_type = await p.request("sessions.get", {"id": "seven"})
            assert wrong_type["error"]["code"] == -32602
            assert "id" in wrong_type["error"]["message"]
            extra = await p.request("sessions.list", {"colour": "red"})
            assert extra["error"]["code"] == -32602
            missing = await p.request("sessions.get", {"id": 999})
            assert missing["error"]["code"] == -32004
            assert missing["error"]["data"]["code"] == "not_found"
            positional = await p.send_raw(
                '{"jsonrpc": "2.0", "id": 9, "method": "sessions.get", "params": [1]}', 9
            )
            assert positional["error"]["code"] == -32602
            assert await p.call("catalogue.get")  # still serving after all that

    asyncio.run(scenario())


def test_a_batch_gets_one_array_reply_without_the_notifications(sqlite_db: Database) -> None:
    sid = make_session(sqlite_db)
    add_staff(sqlite_db, "reception")

    async def scenario() -> None:
        async with running_server(sqlite_db) as server, peer(server.url) as p:
            await p.login("reception@example.org")
            batch = [
                {"jsonrpc": "2.0", "id": 1, "method": "sessions.get", "params": {"id": sid}},
                {"jsonrpc": "2.0", "method": "catalogue.get"},
                {"jsonrpc": "2.0", "id": 2, "method": "nope"},
                "junk",
            ]
            reply = await p.send_raw(json.dumps(batch), (1, 2, None))
            assert [r["id"] for r in reply] == [1, 2, None]
            assert reply[0]["result"]["id"] == sid
            assert reply[1]["error"]["code"] == -32601
            assert reply[2]["error"]["code"] == -32600

    asyncio.run(scenario())


def test_the_website_sees_no_personal_data(sqlite_db: Database) -> None:
    sid = make_session(sqlite_db, trainer_email=None)
    key = add_api_key(sqlite_db)
    add_staff(sqlite_db, "reception")

    async def scenario() -> None:
        async with running_server(sqlite_db) as server:
            async with peer(server.url) as desk:
                await desk.login("reception@example.org")
                hold = await desk.call("holds.create", {"session_id": sid, "seats": 1})
                staff_booking = await desk.call(
                    "bookings.create",
                    {
                        "hold_id": hold["id"],
                        "hold_token": hold["hold_token"],
                        "attendees": [
                            {
                                "name": "Jo Staffbooked",
                                "email": "jo@example.com",
                                "date_of_birth": "1980-02-03",
                            }
                        ],
                    },
                )
            async with peer(server.url) as web:
                await web.call("auth.authenticate", {"api_key": key})
                stolen = await web.request(
                    "holds.release", {"hold_id": hold["id"], "hold_token": "guessed"}
                )
                assert stolen["error"]["code"] == -32004
                lookup = await web.request(
                    "bookings.get", {"reference": staff_booking["reference"]}
                )
                assert lookup["error"]["code"] == -32003
                mine = await web.call("holds.create", {"session_id": sid, "seats": 2})
                card = await web.request(
                    "bookings.create",
                    {
                        "hold_id": mine["id"],
                        "hold_token": mine["hold_token"],
                        "attendees": [],
                        "payment": "cash",
                    },
                )
                assert card["error"]["code"] in (-32602, -32003)
                booking = await web.call(
                    "bookings.create",
                    {
                        "hold_id": mine["id"],
                        "hold_token": mine["hold_token"],
                        "attendees": [
                            {
                                "name": "Web One",
                                "email": "w1@example.com",
                                "date_of_birth": "1990-01-01",
                            },
                            {
                                "name": "Web Two",
                                "email": "w2@example.com",
                                "date_of_birth": "1991-01-01",
                            },
                        ],
                    },
                )
                assert booking["status"] == "PENDING_PAYMENT"
                assert booking["payment"] == "link"
                assert booking["attendees"] == 2
                page = await web.call("changes.since", {"after_seq": 0})
                text = json.dumps([booking, page, await web.call("sessions.list")])
                for secret in (
                    "Jo Staffbooked",
                    "jo@example.com",
                    "Web One",
                    "w1@example.com",
                    "1990-01-01",
                    "Front Desk",
                    "Reception Person",
                ):
                    assert secret not in text
                assert {c["kind"] for c in page["changes"]} == {"session"}

    asyncio.run(scenario())
