"""Found in review: a subscription catching up read who its connection was before reading a
page of changes, and pushed the page as that after the read; a connection that signed out
while the page was being read was still sent it as staff (holders' names and all)."""

from __future__ import annotations

import asyncio

from websockets.asyncio.server import ServerConnection

from core.api import Call, dispatch
from core.infra.actor import Actor
from core.infra.db import Database
from server.feed import PAGE, Feed, Message
from tests.factories import make_session

DESK = Actor("Front Desk", "reception")


class Desk:
    """A subscribed connection that signs out while the feed reads a page for it."""

    def __init__(self) -> None:
        self.signed_in = True
        self.frames: list[str] = []
        self.asked_after_sign_out = asyncio.Event()

    @property
    def actor(self) -> Actor | None:
        if not self.signed_in:
            self.asked_after_sign_out.set()
        return DESK if self.signed_in else None

    async def push(self, frame: str) -> bool:
        self.frames.append(frame)
        return True

    def direct(self) -> ServerConnection | None:
        return None  # catching up, through its own queue

    def pushed(self) -> None:
        """Counted by the connection in the server; nothing to count here."""


def test_a_page_read_while_the_connection_signs_out_is_not_sent_to_it(
    sqlite_db: Database,
) -> None:
    sid = make_session(sqlite_db)
    for _ in range(3):  # changes from before the feed started: read from the database
        dispatch(Call(sqlite_db, DESK), "holds.create", {"session_id": sid, "seats": 1})
    desk = Desk()

    class SignsOutWhileReading(Feed):
        async def after(self, cursor: int, limit: int = PAGE) -> list[Message]:
            page = await super().after(cursor, limit)
            desk.signed_in = False  # auth.logout, answered while the page was read
            return page

    async def scenario() -> list[str]:
        feed = SignsOutWhileReading(sqlite_db)
        await feed.start()
        try:
            feed.subscribe(0, desk)
            async with asyncio.timeout(10):
                await desk.asked_after_sign_out.wait()
            return desk.frames
        finally:
            await feed.stop()

    assert asyncio.run(scenario()) == []
