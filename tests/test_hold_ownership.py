"""A hold is its maker's alone: without the hold token, another API key, another connection
with the same key, or another desk cannot extend, release or book it, nor fetch the payment
link of the booking made from it (issue 12 item 8)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from core.api import Call, dispatch
from core.demo.stripe_double import StripeDouble
from core.infra.db import Database
from core.models import SeatHold
from tests.factories import make_session, person
from tests.payments_support import DESK
from tests.server_support import Peer, add_api_key, add_staff, peer, running_server


@pytest.fixture
def db(sqlite_db: Database) -> Iterator[Database]:
    double = StripeDouble()
    double.start()
    sqlite_db.settings = sqlite_db.settings.with_overrides(
        stripe_secret_key="sk_test_owner", stripe_api_base=double.url
    )
    yield sqlite_db
    double.stop()


async def _attempts(other: Peer, hold: dict[str, Any], reference: str) -> list[int | None]:
    """What ``other`` gets for extend/release/book/link on someone else's hold and booking."""
    codes = []
    for token_given in ({}, {"hold_token": "not-the-token"}):
        for method, params in (
            ("holds.extend", {"hold_id": hold["id"], **token_given}),
            ("holds.release", {"hold_id": hold["id"], **token_given}),
            ("bookings.create", {"hold_id": hold["id"], "attendees": [person(9)], **token_given}),
            ("payments.link", {"reference": reference, **token_given}),
        ):
            reply = await other.request(method, params)
            codes.append(reply.get("error", {}).get("code"))
    return codes


def test_only_the_client_holding_the_token_can_use_its_hold_or_link(db: Database) -> None:
    sid = make_session(db, capacity=6)
    first_key, second_key = add_api_key(db, "shop one"), add_api_key(db, "shop two")
    add_staff(db, "reception")

    async def scenario() -> None:
        async with running_server(db) as server:
            async with (
                peer(server.url) as owner,
                peer(server.url) as same_key,
                peer(server.url) as other_key,
            ):
                for client, key in (
                    (owner, first_key),
                    (same_key, first_key),
                    (other_key, second_key),
                ):
                    await client.call("auth.authenticate", {"api_key": key})
                hold = await owner.call("holds.create", {"session_id": sid, "seats": 2})
                booked_hold = await owner.call("holds.create", {"session_id": sid, "seats": 1})
                token = booked_hold["hold_token"]
                booking = await owner.call(
                    "bookings.create",
                    {"hold_id": booked_hold["id"], "hold_token": token, "attendees": [person(1)]},
                )
                for other in (same_key, other_key):
                    codes = await _attempts(other, hold, booking["reference"])
                    # without a token the params are refused; with a wrong one the hold
                    # and the booking look as if they did not exist
                    assert codes == [-32602, -32602, -32602, -32004] + [-32004] * 4
                assert (await owner.call("sessions.get", {"id": sid}))["free"] == 3
                link = await owner.call(
                    "payments.link", {"reference": booking["reference"], "hold_token": token}
                )
                assert link["url"].startswith("http://127.0.0.1:")
                grown = await owner.call(
                    "holds.extend",
                    {"hold_id": hold["id"], "hold_token": hold["hold_token"], "seats": 3},
                )
                assert grown["seats"] == 3 and "hold_token" not in grown
            async with peer(server.url) as desk:
                await desk.login("reception@example.org")
                stranger = await desk.request(
                    "holds.release", {"hold_id": hold["id"], "hold_token": token}
                )
                assert stranger["error"]["code"] == -32004
                again = await desk.call("payments.link", {"reference": booking["reference"]})
                assert again["url"] == link["url"]

    asyncio.run(scenario())


def test_the_token_is_stored_only_as_a_hash(db: Database) -> None:
    hold = dispatch(Call(db, DESK), "holds.create", {"session_id": make_session(db), "seats": 1})
    with db.read() as tx:
        stored = tx.get(SeatHold, hold["id"])
        assert stored is not None and stored.token_hash
        assert hold["hold_token"] not in stored.token_hash and len(hold["hold_token"]) >= 40
