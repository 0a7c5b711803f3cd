"""Live availability: what one desk does reaches every subscribed connection promptly."""

from __future__ import annotations

import asyncio

from core.infra.db import Database
from core.journal import changes
from tests.factories import make_session, person
from tests.server_support import add_api_key, add_staff, peer, running_server


def head(db: Database) -> int:
    with db.read() as tx:
        return changes.last_seq(tx)


def about(session_id: int):  # type: ignore[no-untyped-def]
    return lambda c: c["kind"] == "session" and c["id"] == str(session_id)


def test_holds_bookings_and_cancellations_reach_the_other_desk_and_the_website(
    any_db: Database,
) -> None:
    sid = make_session(any_db, capacity=6)
    add_staff(any_db, "reception", "front@example.org")
    add_staff(any_db, "manager", "office@example.org")
    key = add_api_key(any_db)
    start = head(any_db)

    async def scenario() -> None:
        async with (
            running_server(any_db) as server,
            peer(server.url) as desk,
            peer(server.url) as office,
            peer(server.url) as web,
        ):
            await desk.login("front@example.org")
            await office.login("office@example.org")
            await web.call("auth.authenticate", {"api_key": key})
            for watcher in (office, web):
                reply = await watcher.call("changes.subscribe", {"after_seq": start})
                assert reply["after_seq"] == start

            hold = await desk.call("holds.create", {"session_id": sid, "seats": 2})
            seen = await office.push_until(about(sid))
            assert (seen["data"]["held"], seen["data"]["free"]) == (2, 4)
            assert seen["data"]["intents"] == [
                {"seats": 2, "channel": "desk", "holder": "Reception Person"}
            ]
            public = await web.push_until(about(sid))
            assert public["seq"] == seen["seq"]
            assert public["data"]["intents"] == [{"seats": 2, "channel": "desk"}]

            booking = await desk.call(
                "bookings.create",
                {
                    "hold_id": hold["id"],
                    "hold_token": hold["hold_token"],
                    "attendees": [person(1), person(2)],
                },
            )
            made = await office.push_until(lambda c: c["kind"] == "booking")
            assert made["data"] == {
                "reference": booking["reference"],
                "status": "CONFIRMED",
                "session_id": sid,
                "seats": 2,
            }
            after = await office.push_until(about(sid))
            assert (after["data"]["booked"], after["data"]["held"]) == (2, 0)
            assert after["data"]["intents"] == []

            await desk.call("bookings.cancel", {"reference": booking["reference"]})
            gone = await office.push_until(lambda c: c["kind"] == "booking")
            assert gone["data"]["status"] == "CANCELLED"
            freed = await web.push_until(
                lambda c: about(sid)(c) and c["data"]["booked"] == 0 and c["seq"] > after["seq"]
            )
            assert freed["data"]["free"] == 6

    asyncio.run(scenario())


def test_a_late_subscriber_gets_every_missed_change_in_order_then_live_ones(
    sqlite_db: Database,
) -> None:
    sid = make_session(sqlite_db)
    add_staff(sqlite_db, "reception")

    async def scenario() -> None:
        async with running_server(sqlite_db) as server, peer(server.url) as desk:
            await desk.login("reception@example.org")
            holds = [
                await desk.call("holds.create", {"session_id": sid, "seats": 1}) for _ in range(5)
            ]
            missed = head(sqlite_db)
            async with peer(server.url) as late:
                await late.login("reception@example.org")
                reply = await late.call("changes.subscribe", {"after_seq": 0})
                assert reply["head"] == missed
                seqs: list[int] = []
                while not seqs or seqs[-1] < missed:
                    push = await late.next_push()
                    assert push["method"] == "changes.push"
                    seqs += [c["seq"] for c in push["params"]["changes"]]
                assert seqs == sorted(set(seqs)) and seqs[-1] == missed
                await desk.call(
                    "holds.release",
                    {"hold_id": holds[0]["id"], "hold_token": holds[0]["hold_token"]},
                )
                live = await late.push_until(lambda c: c["seq"] > missed)
                assert about(sid)(live) and live["data"]["held"] == 4

    asyncio.run(scenario())
