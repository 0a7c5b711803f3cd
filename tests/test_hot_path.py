"""The server's hot path: few statements per booking, the confirmation rendered when it is
sent (never lost), and a change feed that stays in commit order across processes."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from typing import Any

from sqlalchemy import event, select

from core.api import Call, dispatch
from core.booking import bookings
from core.infra.actor import Actor
from core.infra.db import Database
from core.journal import changes
from core.models import Change, OutboxMessage
from core.notify import sender
from tests.factories import make_session, person
from tests.mailbox import Mailbox, parts
from tests.server_support import ROOT, TIMEOUT, add_staff, peer, running_server

DESK = Actor("Front Desk", "reception")
ATTENDEE = {"name": "Ava Statement", "email": "ava@example.org", "date_of_birth": "1990-05-17"}
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK")


def _statements(db: Database, work: Any) -> list[str]:
    """The SQL statements ``work()`` sends, leaving out BEGIN and COMMIT."""
    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if not statement.lstrip().upper().startswith(TRANSACTION_CONTROL):
            sent.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        work()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return sent


def test_a_hold_and_its_booking_take_ten_statements_on_postgresql(any_db: Database) -> None:
    """Ten on PostgreSQL, where the booking's INSERT draws its reference; SQLite counts the
    year's references in a statement of its own."""
    sid = make_session(any_db)
    call = Call(any_db, DESK)

    def hold_and_book() -> int:
        hold = dispatch(call, "holds.create", {"session_id": sid, "seats": 1})
        params = {"hold_id": hold["id"], "hold_token": hold["hold_token"], "attendees": [ATTENDEE]}
        booking = dispatch(call, "bookings.create", params)
        assert booking["status"] == "CONFIRMED"
        return int(booking["session"]["booked"])

    assert hold_and_book() == 1  # the year's first booking also creates its reference counter
    assert hold_and_book() == 2  # and the next learns that it is committed
    sent = _statements(any_db, lambda: hold_and_book() == 3)
    assert len(sent) <= (10 if any_db.dialect == "postgresql" else 11), "\n".join(sent)


def test_a_confirmation_committed_by_a_process_that_died_is_rendered_and_sent(
    any_db: Database, mailbox: Mailbox
) -> None:
    sid = make_session(any_db)
    done = subprocess.run(
        [sys.executable, "-m", "tests.hot_path_worker", "book", str(sid)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr
    reference = done.stdout.strip()
    with any_db.read() as tx:  # the booking's transaction only recorded what to send
        (queued,) = tx.scalars(select(OutboxMessage))
        assert queued.render_booking_id is not None and queued.body_text == ""

    assert sender.flush(any_db, mailbox.config()).sent == 1
    (message,) = mailbox.messages
    assert reference in message["Subject"]
    body = parts(message)
    assert "Killed Worker" in body["text"] and "Killed Worker" in body["html"]
    content_type, invite = body["attachments"][f"{reference}.ics"]
    assert content_type == "text/calendar" and b"BEGIN:VTIMEZONE" in invite


def test_two_writing_processes_reach_a_subscriber_complete_and_in_order(
    pg_db: Database,
) -> None:
    sessions = [make_session(pg_db, days_ahead=10 + i) for i in range(2)]
    add_staff(pg_db, "reception")
    each = 40

    async def scenario() -> list[int]:
        async with (
            running_server(pg_db, poll_interval=3600) as server,  # NOTIFY only
            peer(server.url) as watcher,
        ):
            await watcher.login("reception@example.org")
            start = (await watcher.call("changes.subscribe", {"after_seq": 0}))["head"]
            writers = [
                await asyncio.create_subprocess_exec(
                    sys.executable,
                    "-m",
                    "tests.hot_path_worker",
                    "holds",
                    str(sid),
                    str(each),
                    cwd=ROOT,
                )
                for sid in sessions
            ]
            assert [await w.wait() for w in writers] == [0, 0]
            with pg_db.read() as tx:
                head = changes.last_seq(tx)
            seen: list[dict[str, Any]] = []
            while not seen or seen[-1]["seq"] < head:
                seen.append(await asyncio.wait_for(watcher.changes.get(), TIMEOUT))
            assert watcher.changes.empty()
            return [c["seq"] for c in seen if c["kind"] == "session" and c["seq"] > start]

    seen = asyncio.run(scenario())
    with pg_db.read() as tx:
        stored = list(
            tx.scalars(select(Change.seq).where(Change.kind == "session").order_by(Change.seq))
        )
    assert len(stored) == 2 * 2 * each
    assert seen == stored  # every change once, in order


def test_a_confirmation_that_cannot_be_rendered_fails_alone(
    sqlite_db: Database, mailbox: Mailbox
) -> None:
    sid = make_session(sqlite_db)
    with sqlite_db.write() as tx:
        for n in (1, 2):
            bookings.book_now(tx, sid, [person(n)], DESK)
        first = tx.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).first()
        assert first is not None
        first.render_booking_id = 999_999  # a booking that is not there

    report = sender.flush(sqlite_db, mailbox.config())
    assert (report.sent, len(mailbox.messages)) == (1, 1)
    with sqlite_db.read() as tx:
        broken = tx.get_one(OutboxMessage, first.id)
        assert broken.status == "failed" and "could not be rendered" in (broken.last_error or "")
