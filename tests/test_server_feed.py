"""The server learns of other processes' commits through PostgreSQL LISTEN/NOTIFY, and of
its own writes' changes by being handed them."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.orm import Session

from core.infra.actor import CLI
from core.infra.db import Database, open_database
from core.journal import changes
from core.models import CourseSession
from core.seats import holds
from tests.factories import make_session
from tests.server_support import add_staff, peer, running_server

STAFF = "reception@example.org"


def feed_head(db: Database) -> int:
    with db.read() as tx:
        return changes.last_seq(tx)


def stored(db: Database, after: int) -> list[dict[str, Any]]:
    with db.read() as tx:
        return [changes.as_message(c) for c in changes.since(tx, after)]


def test_a_commit_by_another_process_is_pushed_without_waiting_for_a_poll(
    pg_db: Database,
) -> None:
    sid = make_session(pg_db)
    add_staff(pg_db, "reception")
    elsewhere = open_database(pg_db.settings)  # its own engine: this server hears nothing direct

    async def scenario() -> None:
        async with (
            running_server(pg_db, poll_interval=3600) as server,
            peer(server.url) as watcher,
        ):
            await watcher.login("reception@example.org")
            await watcher.call("changes.subscribe", {"after_seq": 0})

            def hold_elsewhere() -> None:
                with elsewhere.write() as tx:
                    holds.create_hold(tx, sid, 3, CLI)

            await asyncio.to_thread(hold_elsewhere)
            seen = await watcher.push_until(
                lambda c: c["kind"] == "session" and c["data"]["held"] == 3
            )
            assert seen["data"]["intents"][0]["holder"] == "command line"

    try:
        asyncio.run(scenario())
    finally:
        elsewhere.dispose()


def test_a_change_made_through_this_server_is_pushed_without_reading_the_feed_back(
    any_db: Database,
) -> None:
    """The write hands its committed changes to the feed: the database is asked for no
    changes (one query fewer per change), and what is pushed is what is stored."""
    sid = make_session(any_db)
    add_staff(any_db, "reception")
    feed_reads: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "FROM changes" in statement:
            feed_reads.append(statement)

    async def scenario() -> None:
        async with (
            running_server(any_db, poll_interval=3600) as server,
            peer(server.url) as desk,
            peer(server.url) as watcher,
        ):
            await desk.login(STAFF)
            await watcher.login(STAFF)
            head = feed_head(any_db)
            await watcher.call("changes.subscribe", {"after_seq": head})
            event.listen(any_db.engine, "before_cursor_execute", note)
            try:
                pushed = []
                for seats in (1, 2, 3):
                    await desk.call("holds.create", {"session_id": sid, "seats": seats})
                    pushed.append(await watcher.push_until(lambda c: c["kind"] == "session"))
                await asyncio.sleep(0.1)  # past the grace given to our own NOTIFYs
            finally:
                event.remove(any_db.engine, "before_cursor_execute", note)
            assert feed_reads == []
            assert pushed == stored(any_db, head)
            assert [p["data"]["held"] for p in pushed] == [1, 3, 6]

    asyncio.run(scenario())


def test_changes_of_this_process_and_another_interleaved_arrive_in_order(
    pg_db: Database,
) -> None:
    """Another process's commit between two of ours: our hand-over does not follow the
    feed's newest change, so it waits for the other's to be read first."""
    sids = [make_session(pg_db, days_ahead=10 + i) for i in range(2)]
    add_staff(pg_db, "reception")
    elsewhere = open_database(pg_db.settings)

    def hold(db: Database, sid: int) -> None:
        with db.write() as tx:
            holds.create_hold(tx, sid, 1, CLI)

    async def scenario() -> None:
        async with (
            running_server(pg_db, poll_interval=3600) as server,
            peer(server.url) as watcher,
        ):
            await watcher.login(STAFF)
            head = feed_head(pg_db)
            await watcher.call("changes.subscribe", {"after_seq": head})
            for _ in range(6):
                await asyncio.to_thread(hold, elsewhere, sids[0])
                await asyncio.to_thread(hold, pg_db, sids[1])
            everything = stored(pg_db, head)
            got = [await watcher.push_until(lambda c: True) for _ in everything]
            assert got == everything

    try:
        asyncio.run(scenario())
    finally:
        elsewhere.dispose()


def test_a_commit_on_this_process_s_connections_that_is_not_handed_over_is_still_pushed(
    pg_db: Database,
) -> None:
    """Its NOTIFY comes from one of our own connections; after a short grace for the
    hand-over that never comes, it is read like any other (no waiting for the poll)."""
    sid = make_session(pg_db)
    add_staff(pg_db, "reception")

    def republish_directly() -> None:
        with Session(pg_db.engine) as tx, tx.begin():
            session = tx.get(CourseSession, sid)
            assert session is not None
            holds.publish_session(tx, session)

    async def scenario() -> None:
        async with (
            running_server(pg_db, poll_interval=3600) as server,
            peer(server.url) as watcher,
        ):
            await watcher.login(STAFF)
            await watcher.call("changes.subscribe", {"after_seq": feed_head(pg_db)})
            await asyncio.to_thread(republish_directly)
            seen = await watcher.push_until(lambda c: c["kind"] == "session", timeout=5)
            assert seen["id"] == str(sid)

    asyncio.run(scenario())


APPEND = text(
    "INSERT INTO changes (at, kind, entity_id, payload)"
    " VALUES (now(), 'note', :entity, '{}') RETURNING seq"
)


class Writer:
    """A transaction of another process, appending one change and left open until told."""

    def __init__(self, db: Database, entity: str) -> None:
        self.conn = db.engine.connect()
        self.tx = self.conn.begin()
        self.seq = int(self.conn.execute(APPEND, {"entity": entity}).scalar_one())

    def commit(self) -> None:
        self.tx.commit()
        self.conn.close()

    def roll_back(self) -> None:
        self.tx.rollback()
        self.conn.close()


def test_a_number_still_to_commit_holds_back_the_ones_after_it(pg_db: Database) -> None:
    """Writers do not wait for each other to commit, so a later number can be visible
    before an earlier one: a reader stops below the earlier until it commits."""
    head = changes.settled_head(pg_db)
    elsewhere = open_database(pg_db.settings)
    try:
        first = Writer(elsewhere, "first")
        second = Writer(elsewhere, "second")
        second.commit()
        assert first.seq < second.seq
        assert changes.settled(pg_db, head) == []  # not the second without the first
        first.commit()
        assert [c.entity_id for c in changes.settled(pg_db, head)] == ["first", "second"]
        assert changes.settled_head(pg_db) == second.seq
    finally:
        elsewhere.dispose()


def test_a_number_rolled_back_is_passed_over(pg_db: Database) -> None:
    head = changes.settled_head(pg_db)
    elsewhere = open_database(pg_db.settings)
    try:
        lost = Writer(elsewhere, "lost")
        kept = Writer(elsewhere, "kept")
        kept.commit()
        lost.roll_back()
        assert [c.entity_id for c in changes.settled(pg_db, head)] == ["kept"]
        assert changes.settled_head(pg_db) == kept.seq > lost.seq
    finally:
        elsewhere.dispose()


def test_a_change_committed_after_a_later_one_is_pushed_before_it(pg_db: Database) -> None:
    """Another process commits number N+1 while N is still open; the server pushes
    neither until N commits, then both in order, and nothing is missed."""
    sid = make_session(pg_db)
    add_staff(pg_db, "reception")
    elsewhere = open_database(pg_db.settings)

    async def scenario() -> None:
        async with (
            running_server(pg_db, poll_interval=3600) as server,
            peer(server.url) as desk,
            peer(server.url) as watcher,
        ):
            await desk.login(STAFF)
            await watcher.login(STAFF)
            head = feed_head(pg_db)
            await watcher.call("changes.subscribe", {"after_seq": head})
            first = await asyncio.to_thread(Writer, elsewhere, "first")
            second = await asyncio.to_thread(Writer, elsewhere, "second")
            await asyncio.to_thread(second.commit)
            await desk.call("holds.create", {"session_id": sid, "seats": 1})  # a third, here
            assert watcher.changes.empty()
            await asyncio.to_thread(first.commit)
            everything = stored(pg_db, head)
            got = [await watcher.push_until(lambda c: True) for _ in everything]
            assert [c["id"] for c in got[:2]] == ["first", "second"]
            assert got == everything

    try:
        asyncio.run(scenario())
    finally:
        elsewhere.dispose()


class Bystander:
    """Another transaction with an id, writing nothing to the feed, left open (an admin's
    forgotten psql session)."""

    def __init__(self, db: Database) -> None:
        self.conn = db.engine.connect()
        self.tx = self.conn.begin()
        self.conn.execute(text("SELECT pg_current_xact_id()"))

    def end(self) -> None:
        self.tx.rollback()
        self.conn.close()


def test_a_transaction_that_writes_no_change_keeps_no_reader_waiting(pg_db: Database) -> None:
    """Readers wait only for the transactions between their feed INSERT and their end: an
    open transaction elsewhere neither stalls the head nor holds back a number passed over."""
    head = changes.settled_head(pg_db)
    elsewhere = open_database(pg_db.settings)
    pg_db.settings = pg_db.settings.with_overrides(lock_timeout_s=1.0)
    bystander = Bystander(elsewhere)
    try:
        lost = Writer(elsewhere, "lost")
        kept = Writer(elsewhere, "kept")
        kept.commit()
        lost.roll_back()
        assert changes.settled_head(pg_db) == kept.seq  # not "busy" after a second
        assert [c.entity_id for c in changes.settled(pg_db, head)] == ["kept"]
    finally:
        bystander.end()
        elsewhere.dispose()


class EarlyWriter:
    """A writing transaction that has its id before another's (a booking does its UPDATEs
    first) but appends to the feed after it."""

    def __init__(self, db: Database) -> None:
        self.conn = db.engine.connect()
        self.tx = self.conn.begin()
        self.conn.execute(text("SELECT pg_current_xact_id()"))

    def append_and_commit(self, entity: str) -> int:
        seq = int(self.conn.execute(APPEND, {"entity": entity}).scalar_one())
        self.tx.commit()
        self.conn.close()
        return seq


def test_a_number_open_in_a_newer_transaction_is_not_passed_over(pg_db: Database) -> None:
    """Found by an outside tester: B, whose id is newer than A's, draws N and stays open; A
    draws N+1 and commits. A snapshot lists as running only ids below the newest ended
    one's, so B was not among them and N was taken as rolled back: lost for good."""
    head = changes.settled_head(pg_db)
    elsewhere = open_database(pg_db.settings)
    try:
        early = EarlyWriter(elsewhere)
        first = Writer(elsewhere, "first")
        second = early.append_and_commit("second")
        assert first.seq < second
        assert changes.settled(pg_db, head) == []
        paged, cursor = [], head  # a client paging changes.since one at a time
        for open_ in (True, False):
            if not open_:
                first.commit()
            while page := changes.settled(pg_db, cursor, 1):
                paged.append(page[0].entity_id)
                cursor = page[-1].seq
        assert paged == ["first", "second"]
    finally:
        elsewhere.dispose()


def test_a_subscriber_gets_a_number_from_a_newer_transaction_before_the_next(
    pg_db: Database,
) -> None:
    """The same interleaving through a server, which is told of N+1 (its NOTIFY) while N is
    open: it pushed N+1 and never N."""
    add_staff(pg_db, "reception")
    elsewhere = open_database(pg_db.settings)

    async def scenario() -> None:
        async with (
            running_server(pg_db, poll_interval=0.5) as server,
            peer(server.url) as watcher,
        ):
            await watcher.login(STAFF)
            head = feed_head(pg_db)
            await watcher.call("changes.subscribe", {"after_seq": head})
            early = await asyncio.to_thread(EarlyWriter, elsewhere)
            first = await asyncio.to_thread(Writer, elsewhere, "first")
            await asyncio.to_thread(early.append_and_commit, "second")
            # Time for a reader that would go wrong to do so; no outcome waits on it.
            await asyncio.sleep(0.5)
            await asyncio.to_thread(first.commit)
            got = [await watcher.push_until(lambda c: True) for _ in range(2)]
            assert [c["id"] for c in got] == ["first", "second"]

    try:
        asyncio.run(scenario())
    finally:
        elsewhere.dispose()
