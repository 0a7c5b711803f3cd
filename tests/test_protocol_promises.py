"""What docs/protocol.md promises a client, checked against a running server: the wrong
sign-in rule (five per connection, ten per account) and what happens to held seats that a
booking does not use."""

from __future__ import annotations

import asyncio

from core.infra.db import Database
from tests.factories import make_session, person
from tests.server_support import PASSWORD, TIMEOUT, add_staff, peer, running_server

EMAIL = "reception@example.org"


def test_five_wrong_sign_ins_close_a_connection_and_ten_lock_the_account(
    sqlite_db: Database,
) -> None:
    add_staff(sqlite_db, "reception")

    async def scenario() -> None:
        async with running_server(sqlite_db) as server:
            for connection in range(2):
                async with peer(server.url) as guesser:
                    for guess in range(5):
                        reply = await guesser.request(
                            "auth.login", {"email": EMAIL, "password": f"guess {connection}{guess}"}
                        )
                        assert reply["error"]["code"] == -32001
                    await asyncio.wait_for(guesser.ws.wait_closed(), TIMEOUT)
                    assert guesser.ws.close_code == 1008
            async with peer(server.url) as rightful:
                reply = await rightful.request("auth.login", {"email": EMAIL, "password": PASSWORD})
                assert reply["error"]["code"] == -32001
                assert "locked for 15 more minutes" in reply["error"]["message"]

    asyncio.run(scenario())


def test_held_seats_a_booking_does_not_use_are_free_again_at_once(sqlite_db: Database) -> None:
    sid = make_session(sqlite_db, capacity=6)
    add_staff(sqlite_db, "reception")

    async def scenario() -> None:
        async with running_server(sqlite_db) as server, peer(server.url) as desk:
            await desk.login(EMAIL)
            hold = await desk.call("holds.create", {"session_id": sid, "seats": 4})
            assert (await desk.call("sessions.get", {"id": sid}))["free"] == 2
            await desk.call(
                "bookings.create",
                {
                    "hold_id": hold["id"],
                    "hold_token": hold["hold_token"],
                    "attendees": [person(1), person(2)],
                },
            )
            session = await desk.call("sessions.get", {"id": sid})
            assert (session["booked"], session["held"], session["free"]) == (2, 0, 4)
            reply = await desk.request(
                "holds.extend", {"hold_id": hold["id"], "hold_token": hold["hold_token"]}
            )
            assert reply["error"]["code"] == -32011  # the hold is used up

    asyncio.run(scenario())


def test_a_payers_name_is_held_to_the_rule_an_attendees_name_is(sqlite_db: Database) -> None:
    """Found by the attack: `customer.name` took "1234", a bell or a right-to-left override
    (and kept a newline) where an attendee's name would have been refused."""
    sid = make_session(sqlite_db, capacity=6)
    add_staff(sqlite_db, "reception")

    async def scenario() -> None:
        async with running_server(sqlite_db) as server, peer(server.url) as desk:
            await desk.login(EMAIL)
            hold = await desk.call("holds.create", {"session_id": sid, "seats": 1})
            booking = {"hold_id": hold["id"], "hold_token": hold["hold_token"]}
            booking["attendees"] = [person(1)]
            for name, why in [
                ("1234", "the name must contain letters"),
                ("Acme\u202edtL", "the name has a character that cannot be seen"),
                ("Acme \x07Ltd", "the name has a character that cannot be seen"),
            ]:
                payer = {"name": name, "email": "accounts@example.org"}
                reply = await desk.request("bookings.create", {**booking, "customer": payer})
                assert reply["error"]["code"] == -32602, reply
                assert reply["error"]["message"].startswith(f"customer.name: {why}"), reply
            payer = {"name": "Acme\n Training  Ltd", "email": "accounts@example.org"}
            made = await desk.call("bookings.create", {**booking, "customer": payer})
            assert made["customer"]["name"] == "Acme Training Ltd"

    asyncio.run(scenario())
