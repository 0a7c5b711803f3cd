"""A session that is cancelled tells the people waiting for it: their entries end with an
email giving the reason and other dates; a flexible entry offered seats on it waits again."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.booking import bookings
from core.booking.waitlist import entries
from core.infra.clock import today_london
from core.infra.db import Database
from core.models import OutboxMessage
from core.scheduling.cancel import cancel_session
from tests.factories import make_session
from tests.waitlist_support import DESK, full_session, join, statuses


def cancelled_mails(db: Database) -> dict[str, str]:
    with db.read() as tx:
        rows = tx.scalars(
            select(OutboxMessage).where(OutboxMessage.template == "waitlist_cancelled")
        )
        return {r.recipient: r.body_text for r in rows}


def test_everyone_waiting_for_a_cancelled_session_is_told_and_their_entry_ends(
    any_db: Database,
) -> None:
    sid, refs = full_session(any_db, [1, 2], days_ahead=20)
    make_session(any_db, days_ahead=27, capacity=6)  # another date with places
    offered = join(any_db, sid, 1, "solo")
    waiting = join(any_db, sid, 2, "pairco")
    with any_db.write() as tx:
        bookings.cancel(tx, refs[0], DESK)
    assert statuses(any_db, sid)[offered][0] == "offered"
    with any_db.write() as tx:
        cancel_session(tx, DESK, sid, "Trainer taken ill")
    assert {k: v[0] for k, v in statuses(any_db, sid).items()} == {
        offered: "expired",
        waiting: "expired",
    }
    mails = cancelled_mails(any_db)
    assert sorted(mails) == ["Pairco <pairco@example.com>", "Solo <solo@example.com>"]
    for body in mails.values():
        assert "Trainer taken ill" in body
        assert "6 places free" in body


def test_a_flexible_entry_offered_the_cancelled_session_waits_for_the_others(
    any_db: Database,
) -> None:
    sid, refs = full_session(any_db, [1, 1], days_ahead=20)
    with any_db.write() as tx:
        wish = entries.Wish(before=today_london() + timedelta(days=60))
        contact = entries.Contact("Flex", "flex@example.com")
        flexible = entries.add(tx, sid, 1, contact, DESK, wish).id
    with any_db.write() as tx:
        bookings.cancel(tx, refs[0], DESK)
    assert statuses(any_db, sid)[flexible][0] == "offered"
    with any_db.write() as tx:
        cancel_session(tx, DESK, sid, "Venue flooded")
    assert statuses(any_db, sid)[flexible][0] == "waiting"
    assert cancelled_mails(any_db) == {}
