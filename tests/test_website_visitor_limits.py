"""The per-address limits of the public booking page hold against a visitor who turns holds
into unpaid bookings, and against one who sends many holds at once from several pages."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from core.infra.db import Database
from tests.factories import make_session, person
from tests.server_support import add_staff, peer, running_server


def _owner(hold: dict[str, Any]) -> dict[str, Any]:
    return {"hold_id": hold["id"], "hold_token": hold["hold_token"]}


def test_a_visitors_unpaid_bookings_count_against_the_seats_one_address_may_hold(
    any_db: Database,
) -> None:
    first = make_session(any_db, capacity=12)
    second = make_session(any_db, capacity=12, days_ahead=20)
    add_staff(any_db, "reception")

    async def scenario() -> None:
        async with running_server(any_db) as server:
            public = f"ws://127.0.0.1:{server.port}/public"
            async with peer(public) as visitor:
                hold = await visitor.call("holds.create", {"session_id": first, "seats": 1})
                group = [person(n) for n in range(1, 13)]
                booked = await visitor.call("bookings.create", {**_owner(hold), "attendees": group})
                assert booked["status"] == "PENDING_PAYMENT" and booked["seats"] == 12
                # 12 seats wait for this address's payment: no more until it pays or lets go
                again = await visitor.request("holds.create", {"session_id": second, "seats": 1})
                assert again["error"]["code"] == -32015, again
                assert (await visitor.call("sessions.get", {"id": second}))["free"] == 12
            async with peer(server.url) as desk:
                await desk.login("reception@example.org")
                await desk.call("bookings.cancel", {"reference": booked["reference"]})
            async with peer(public) as visitor:  # cancelled: the address may hold seats again
                await visitor.call("holds.create", {"session_id": first, "seats": 6})
                hold = await visitor.call("holds.create", {"session_id": second, "seats": 1})
                # booking more people than were held counts the extra seats too
                bigger = await visitor.request(
                    "bookings.create", {**_owner(hold), "attendees": group[:7]}
                )
                assert bigger["error"]["code"] == -32015, bigger
                assert (await visitor.call("sessions.get", {"id": second}))["free"] == 11
                fits = await visitor.call(
                    "bookings.create", {**_owner(hold), "attendees": group[:6]}
                )
                assert fits["seats"] == 6

    asyncio.run(scenario())


def test_holds_sent_at_once_from_many_pages_of_one_address_stay_within_its_limit(
    pg_db: Database,
) -> None:
    sessions = [make_session(pg_db, capacity=12, days_ahead=14 + n) for n in range(6)]

    async def scenario() -> None:
        async with running_server(pg_db) as server:
            public = f"ws://127.0.0.1:{server.port}/public"
            async with contextlib.AsyncExitStack() as stack:
                pages = [await stack.enter_async_context(peer(public)) for _ in sessions]
                replies = await asyncio.gather(
                    *(
                        page.request("holds.create", {"session_id": sid, "seats": 3})
                        for page, sid in zip(pages, sessions, strict=True)
                    )
                )
            granted = [r for r in replies if "result" in r]
            assert len(granted) == 2, replies
            assert {r["error"]["code"] for r in replies if "error" in r} == {-32015}

    asyncio.run(scenario())
