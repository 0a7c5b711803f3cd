"""A real ``rft server`` process delivers email and reads Stripe on its own."""

from __future__ import annotations

import asyncio
import json
import urllib.request

from core.infra.db import Database
from tests.factories import make_session, person
from tests.mailbox import Mailbox, free_port
from tests.server_support import ServerProcess, add_staff, peer, server_env

WAIT = 30.0


def _env(db: Database, mailbox: Mailbox) -> dict[str, str]:
    return server_env(
        db.settings.database_url,
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(mailbox.port),
        STRIPE_API_BASE="local-double",
        STRIPE_SECRET_KEY="sk_test_local",
        RFT_WORKER_INTERVAL="0.2",
    )


def test_a_desk_booking_through_the_server_emails_the_customer(sqlite_db: Database) -> None:
    mailbox = Mailbox(port=free_port())
    mailbox.start()
    sid = make_session(sqlite_db)
    email = add_staff(sqlite_db, "reception")
    try:
        with ServerProcess(_env(sqlite_db, mailbox)) as server:
            health = json.loads(
                urllib.request.urlopen(f"http://127.0.0.1:{server.port}/api/health").read()
            )
            assert health["services"]["email"] == "operational"
            assert health["services"]["payment"] == "operational"

            async def book() -> str:
                async with peer(server.url) as desk:
                    await desk.login(email)
                    hold = await desk.call("holds.create", {"session_id": sid, "seats": 1})
                    booking = await desk.call(
                        "bookings.create",
                        {
                            "hold_id": hold["id"],
                            "hold_token": hold["hold_token"],
                            "attendees": [person(1)],
                            "payment": "cash",
                        },
                    )
                    return str(booking["reference"])

            reference = asyncio.run(book())
            with mailbox.arrived:
                assert mailbox.arrived.wait_for(lambda: mailbox.messages, WAIT)
    finally:
        mailbox.stop()
    message = mailbox.messages[0]
    assert message["To"] == "person1@example.com"
    assert reference in message["Subject"]
