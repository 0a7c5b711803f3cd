"""What the sync server gives the public website: the page and widget over HTTP (CSP,
caching, gzip), and the anonymous visitor's WebSocket with its per-address limits."""

from __future__ import annotations

import asyncio
import gzip
import http.client
from typing import Any

import pytest
from websockets.exceptions import InvalidStatus

from core.infra.db import Database
from server.app import SyncServer
from tests.factories import make_session, person
from tests.server_support import add_staff, peer, running_server


def get(server: SyncServer, path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request("GET", path, headers=headers)
        reply = conn.getresponse()
        return reply.status, {k.lower(): v for k, v in reply.getheaders()}, reply.read()
    finally:
        conn.close()


def public_url(server: SyncServer) -> str:
    return f"ws://127.0.0.1:{server.port}/public"


def test_the_page_and_widget_are_served_with_csp_caching_and_gzip(sqlite_db: Database) -> None:
    async def scenario() -> None:
        async with running_server(sqlite_db) as server:
            status, headers, body = await asyncio.to_thread(get, server, "/book/")
            assert status == 200 and b'<div id="alert"' in body
            csp = headers["content-security-policy"]
            assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
            assert f"ws://127.0.0.1:{server.port}" in csp and "frame-ancestors *" in csp
            assert headers["cache-control"] == "no-cache"
            again = await asyncio.to_thread(
                get, server, "/book/", **{"If-None-Match": headers["etag"]}
            )
            assert again[0] == 304 and again[2] == b""
            status, headers, packed = await asyncio.to_thread(
                get, server, "/web/book.js", **{"Accept-Encoding": "gzip, br"}
            )
            assert status == 200 and headers["content-encoding"] == "gzip"
            assert headers["etag"].endswith('-gz"')  # not the uncompressed file's tag
            assert headers["content-type"].startswith("text/javascript")
            assert b"holds.create" in gzip.decompress(packed)
            assert "max-age" in headers["cache-control"]
            status, headers, widget = await asyncio.to_thread(get, server, "/widget.js")
            assert status == 200 and b"data-rft-booking" in widget
            status, headers, _ = await asyncio.to_thread(get, server, "/book")
            assert (status, headers["location"]) == (301, "/book/")
            for hostile in ("/web/../app.py", "/web/%2e%2e/app.py", "/web/missing.js"):
                assert (await asyncio.to_thread(get, server, hostile))[0] == 404
            bad_host = await asyncio.to_thread(get, server, "/book/", Host="x; script-src *")
            assert "script-src *" not in bad_host[1]["content-security-policy"]

    asyncio.run(scenario())


def test_a_visitor_books_anonymously_and_sees_nobody_elses_details(sqlite_db: Database) -> None:
    sid = make_session(sqlite_db, capacity=6, trainer_email=add_staff(sqlite_db, "trainer"))
    add_staff(sqlite_db, "reception")

    async def scenario() -> None:
        async with running_server(sqlite_db) as server:
            async with peer(server.url) as desk:
                await desk.login("reception@example.org")
                staff_hold = await desk.call("holds.create", {"session_id": sid, "seats": 1})
                await desk.call(
                    "bookings.create",
                    {**_owner(staff_hold), "attendees": [person(7)], "payment": "cash"},
                )
            async with peer(public_url(server)) as visitor:
                head = await visitor.call("changes.head")
                await visitor.call("changes.subscribe", {"after_seq": head["head"]})
                sessions = await visitor.call("sessions.list")
                assert sessions[0]["id"] == sid and "Trainer Person" not in str(sessions)
                hold = await visitor.call("holds.create", {"session_id": sid, "seats": 2})
                pushed = await visitor.push_until(lambda c: c["kind"] == "session")
                assert pushed["data"]["intents"] == [{"seats": 2, "channel": "website"}]
                assert "Trainer Person" not in str(pushed) and "trainer" not in pushed["data"]
                booking = await visitor.call(
                    "bookings.create", {**_owner(hold), "attendees": [person(1), person(2)]}
                )
                assert booking["status"] == "PENDING_PAYMENT" and booking["attendees"] == 2
                status = await visitor.call(
                    "bookings.status",
                    {"reference": booking["reference"], "hold_token": hold["hold_token"]},
                )
                assert status["reference"] == booking["reference"]
                assert "person1@example.com" not in str(status)
                others = await visitor.request("bookings.status", {"reference": "RFT-2026-0001"})
                assert others["error"]["code"] == -32004
                refused = await visitor.request("bookings.search", {"text": "person7"})
                assert refused["error"]["code"] == -32003

    asyncio.run(scenario())


def _owner(hold: dict[str, Any]) -> dict[str, Any]:
    return {"hold_id": hold["id"], "hold_token": hold["hold_token"]}


def test_a_visitor_flooding_holds_is_limited_without_affecting_others(any_db: Database) -> None:
    sid = make_session(any_db, capacity=12)
    other_session = make_session(any_db, capacity=12, days_ahead=20)

    async def scenario() -> None:
        async with running_server(any_db) as server:
            async with peer(public_url(server)) as one, peer(public_url(server)) as two:
                await one.call("holds.create", {"session_id": sid, "seats": 8})
                too_many_seats = await two.request("holds.create", {"session_id": sid, "seats": 5})
                assert too_many_seats["error"]["code"] == -32015
                assert "At most 12 seats" in too_many_seats["error"]["message"]
                small = await two.call("holds.create", {"session_id": other_session, "seats": 1})
                third = await one.request("holds.create", {"session_id": sid, "seats": 1})
                assert third["error"]["code"] == -32015
                grow = await two.request("holds.extend", {**_owner(small), "seats": 5})
                assert grow["error"]["code"] == -32015
                await two.call("holds.release", _owner(small))
                assert (await one.call("holds.create", {"session_id": sid, "seats": 1}))[
                    "seats"
                ] == 1
            # the limits are per address: a staff desk on the same machine is not limited
            add_staff(any_db, "reception")
            async with peer(server.url) as desk:
                await desk.login("reception@example.org")
                for _ in range(3):
                    await desk.call("holds.create", {"session_id": other_session, "seats": 1})

    asyncio.run(scenario())


def test_too_many_open_pages_from_one_address_are_turned_away_others_are_not(
    sqlite_db: Database,
) -> None:
    async def scenario() -> None:
        async with running_server(sqlite_db, visitor_connections=2) as server:
            async with peer(public_url(server)) as a, peer(public_url(server)) as b:
                with pytest.raises(InvalidStatus) as refused:
                    async with peer(public_url(server)):
                        pass
                assert refused.value.response.status_code == 429
                assert b"Too many booking pages" in refused.value.response.body
                assert (await a.call("catalogue.get"))["courses"]
                assert (await b.call("sessions.list")) is not None
                async with peer(public_url(server), local_addr=("127.0.0.2", 0)) as elsewhere:
                    assert (await elsewhere.call("catalogue.get"))["courses"]
            for _ in range(200):  # bounded wait for the server to see both pages closed
                if not server.visitors:
                    break
                await asyncio.sleep(0.02)
            async with peer(public_url(server)) as again:  # closing pages frees places
                assert (await again.call("catalogue.get"))["courses"]

    asyncio.run(scenario())


def test_hostile_booking_input_from_a_visitor_is_refused_and_changes_nothing(
    sqlite_db: Database,
) -> None:
    sid = make_session(sqlite_db, capacity=4)

    async def scenario() -> None:
        async with running_server(sqlite_db) as server, peer(public_url(server)) as visitor:
            hold = await visitor.call("holds.create", {"session_id": sid, "seats": 1})
            child = person(1, born="2020-01-01")
            for attendees, words in (
                ([child], "aged 16 or over"),
                ([person(1, name="x" * 5000)], "name"),
                ([{"name": "<script>alert(1)</script>", "email": "not-an-email"}], "email"),
                ([person(n) for n in range(20)], "attendees"),
            ):
                reply = await visitor.request(
                    "bookings.create", {**_owner(hold), "attendees": attendees}
                )
                assert reply["error"]["code"] == -32602, reply
                assert words in reply["error"]["message"], reply["error"]["message"]
            for params in ({"session_id": sid, "seats": 0}, {"session_id": -1, "seats": 1}):
                reply = await visitor.request("holds.create", params)
                assert reply["error"]["code"] == -32602
            session = await visitor.call("sessions.get", {"id": sid})
            assert (session["booked"], session["held"]) == (0, 1)

    asyncio.run(scenario())


def test_gzip_refused_with_q0_is_not_sent_and_etags_match_whole_tags(sqlite_db: Database) -> None:
    async def scenario() -> None:
        async with running_server(sqlite_db) as server:
            for refused in ("gzip;q=0", "gzip; q=0.0, identity", "*;q=0", "br"):
                status, headers, body = await asyncio.to_thread(
                    get, server, "/web/book.js", **{"Accept-Encoding": refused}
                )
                assert status == 200 and "content-encoding" not in headers, refused
                assert b"holds.create" in body
            for allowed in ("gzip", "deflate, gzip;q=0.5", "*", "GZIP"):
                headers = (
                    await asyncio.to_thread(
                        get, server, "/web/book.js", **{"Accept-Encoding": allowed}
                    )
                )[1]
                assert headers.get("content-encoding") == "gzip", allowed
            etag = (await asyncio.to_thread(get, server, "/book/"))[1]["etag"]
            for fresh in (etag, f"W/{etag}", f'"other", {etag}', "*"):
                status = (
                    await asyncio.to_thread(get, server, "/book/", **{"If-None-Match": fresh})
                )[0]
                assert status == 304, fresh
            part = etag[:-3] + '"'  # a prefix of the real tag is another tag
            stale = await asyncio.to_thread(get, server, "/book/", **{"If-None-Match": part})
            assert stale[0] == 200

    asyncio.run(scenario())


def test_every_plain_http_reply_forbids_content_sniffing(sqlite_db: Database) -> None:
    async def scenario() -> None:
        async with running_server(sqlite_db) as server:
            for path in ("/<script>alert(1)</script>", "/api/health", "/metrics"):
                status, headers, _ = await asyncio.to_thread(get, server, path)
                assert headers.get("x-content-type-options") == "nosniff", (path, status)
            status, headers, body = await asyncio.to_thread(get, server, "/<b>x</b>")
            assert status == 404 and headers["content-type"].startswith("text/plain")

    asyncio.run(scenario())


def test_signing_out_on_the_booking_pages_socket_leaves_an_anonymous_visitor(
    sqlite_db: Database,
) -> None:
    sid = make_session(sqlite_db, capacity=12)
    add_staff(sqlite_db, "reception")

    async def scenario() -> None:
        async with running_server(sqlite_db) as server, peer(public_url(server)) as page:
            await page.call("auth.logout")
            assert (await page.call("sessions.get", {"id": sid}))["free"] == 12
            await page.login("reception@example.org")  # staff may sign in here too
            await page.call("auth.logout")  # and signing out leaves a visitor, limits and all
            for _ in range(2):
                await page.call("holds.create", {"session_id": sid, "seats": 1})
            third = await page.request("holds.create", {"session_id": sid, "seats": 1})
            assert third["error"]["code"] == -32015

    asyncio.run(scenario())
