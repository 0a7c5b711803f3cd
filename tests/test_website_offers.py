"""A waiting-list offer as the public website meets it: the emailed link goes to this
booking server's page, and the visitor's page cannot shorten the offer's hold."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime

from sqlalchemy import select

from core.booking import bookings
from core.infra.db import Database
from core.models import OutboxMessage
from tests.server_support import peer, running_server
from tests.waitlist_support import DESK, full_session, join


def offer_link(db: Database) -> re.Match[str]:
    with db.read() as tx:
        [email] = tx.scalars(
            select(OutboxMessage.body_text).where(OutboxMessage.template == "waitlist_offer")
        )
    found = re.search(r"(\S+)\?offer=([\w-]+)&token=([\w-]+)", email)
    assert found is not None, email
    return found


def test_an_offer_email_links_to_the_public_booking_page(sqlite_db: Database) -> None:
    sqlite_db.settings = sqlite_db.settings.with_overrides(public_url="https://book.example.co.uk")
    sid, refs = full_session(sqlite_db, [2, 2])
    join(sqlite_db, sid, 2, "pair")
    with sqlite_db.write() as tx:
        bookings.cancel(tx, refs[0], DESK)
    assert offer_link(sqlite_db)[1] == "https://book.example.co.uk/book/"


def test_extending_an_offer_hold_from_the_page_never_shortens_it(sqlite_db: Database) -> None:
    sid, refs = full_session(sqlite_db, [2, 2], days_ahead=20)
    join(sqlite_db, sid, 2, "pair")
    with sqlite_db.write() as tx:
        bookings.cancel(tx, refs[0], DESK)
    link = offer_link(sqlite_db)
    owner = {"hold_id": link[2], "hold_token": link[3]}

    async def scenario() -> None:
        async with (
            running_server(sqlite_db) as server,
            peer(f"ws://127.0.0.1:{server.port}/public") as visitor,
        ):
            offered = await visitor.call("holds.get", owner)
            kept = await visitor.call("holds.extend", owner)
            same_seats = await visitor.call("holds.extend", {**owner, "seats": 2})
            after = await visitor.call("holds.get", owner)
        hours = (
            datetime.fromisoformat(after["expires_at"]) - datetime.now().astimezone()
        ).total_seconds() / 3600
        assert hours > 23, after  # the offer's 24 hours, not the 15 minutes of a page hold
        assert kept["expires_at"] == same_seats["expires_at"] == offered["expires_at"]

    asyncio.run(scenario())
