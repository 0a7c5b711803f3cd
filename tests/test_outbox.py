"""The outbox: written with the booking, delivered over real SMTP once, never lost or doubled."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import select, text, update

from core.booking import bookings
from core.infra.actor import CLI
from core.infra.clock import now
from core.infra.config import load_settings
from core.infra.db import Database
from core.infra.errors import ConfigError
from core.models import OutboxMessage
from core.notify import outbox, sender
from core.notify.booking_emails import send_confirmation
from core.notify.samples import sample_context
from tests.factories import make_session, person
from tests.mailbox import Mailbox, free_port, parts


def _statuses(db: Database) -> list[str]:
    with db.read() as tx:
        return list(tx.scalars(select(OutboxMessage.status).order_by(OutboxMessage.id)))


def test_booking_confirmation_is_queued_with_the_booking_and_delivered_once(
    any_db: Database, mailbox: Mailbox
) -> None:
    sid = make_session(any_db, course="faw", first_day=date(2027, 7, 5))
    with any_db.write() as tx:
        ref = bookings.book_now(tx, sid, [person(1), person(2)], CLI).reference
    assert _statuses(any_db) == ["pending"]

    report = sender.flush(any_db, mailbox.config())
    assert (report.sent, report.retrying) == (1, 0)
    assert sender.flush(any_db, mailbox.config()).sent == 0
    assert len(mailbox.messages) == 1

    message = mailbox.messages[0]
    assert message["To"] == "person1@example.com"
    assert ref in message["Subject"]
    body = parts(message)
    assert ref in body["text"] and ref in body["html"]
    # three teaching days in July: 09:00 London time (BST), not 08:00 UTC
    assert "Mon 5 Jul 2027, 09:00" in body["text"]
    assert "Wed 7 Jul 2027, 09:00" in body["text"]
    content_type, ics = body["attachments"][f"{ref}.ics"]
    assert content_type == "text/calendar"
    assert ics.count(b"BEGIN:VEVENT") == 3
    assert b"DTSTART;TZID=Europe/London:20270705T090000" in ics
    assert b"BEGIN:VTIMEZONE" in ics
    assert _statuses(any_db) == ["sent"]


def test_cancelling_a_booking_queues_a_cancellation(sqlite_db: Database) -> None:
    sid = make_session(sqlite_db)
    with sqlite_db.write() as tx:
        ref = bookings.book_now(tx, sid, [person(1)], CLI).reference
    with sqlite_db.write() as tx:
        bookings.cancel(tx, ref, CLI, "customer asked")
    with sqlite_db.read() as tx:
        rows = list(tx.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
    assert [r.template for r in rows] == ["booking_confirmation", "booking_cancelled"]
    assert "customer asked" in rows[1].body_text


def test_a_dedupe_key_queues_the_message_once(sqlite_db: Database) -> None:
    sid = make_session(sqlite_db)
    with sqlite_db.write() as tx:
        first = bookings.book_now(tx, sid, [person(1)], CLI)
    with sqlite_db.write() as tx:
        again = send_confirmation(tx, bookings.find(tx, first.reference))
    assert len(_statuses(sqlite_db)) == 1
    with sqlite_db.read() as tx:
        assert again == tx.scalar(select(OutboxMessage.id))


def test_recipient_and_content_are_encrypted_at_rest(sqlite_db: Database) -> None:
    with sqlite_db.write() as tx:
        outbox.enqueue(
            tx,
            template="payment_link_expired",
            to="jo.bloggs@example.com",
            context=_sample_context(),
        )
    with sqlite_db.engine.connect() as conn:
        raw = conn.execute(text("SELECT recipient, subject, body_text FROM outbox")).one()
    assert all("jo.bloggs" not in value and "RFT-2026-0042" not in value for value in raw)
    with sqlite_db.read() as tx:  # stored, not dropped: the outbox reads it back whole
        kept = tx.scalars(select(OutboxMessage)).one()
        assert kept.recipient == "jo.bloggs@example.com" and "RFT-2026-0042" in kept.body_text


def test_smtp_down_for_an_hour_loses_nothing_and_sends_nothing_twice(
    sqlite_db: Database,
) -> None:
    sid = make_session(sqlite_db)
    with sqlite_db.write() as tx:
        for n in range(3):
            bookings.book_now(tx, sid, [person(n)], CLI)
    box = Mailbox(port=free_port())  # not started yet: nothing listening
    start = now()
    for minute in range(0, 61, 1):
        sender.flush(sqlite_db, box.config(), at=start + timedelta(minutes=minute))
    with sqlite_db.read() as tx:
        rows = list(tx.scalars(select(OutboxMessage)))
    assert {r.status for r in rows} == {"pending"}
    assert max(r.attempts for r in rows) <= 7  # backed off, not hammering every minute
    assert all(r.last_error for r in rows if r.attempts)

    box.start()
    try:
        later = start + timedelta(minutes=61)
        for minute in range(0, 120, 5):
            sender.flush(sqlite_db, box.config(), at=later + timedelta(minutes=minute))
    finally:
        box.stop()
    assert sorted(m["To"] for m in box.messages) == [f"person{n}@example.com" for n in range(3)]
    assert _statuses(sqlite_db) == ["sent"] * 3


def test_a_send_interrupted_by_a_killed_sender_is_not_resent(
    sqlite_db: Database, mailbox: Mailbox
) -> None:
    with sqlite_db.write() as tx:
        outbox.enqueue(
            tx, template="payment_link_expired", to="a@example.com", context=_sample_context()
        )
    with sqlite_db.write() as tx:  # as a sender killed after claiming it leaves it
        tx.execute(
            update(OutboxMessage).values(status="sending", claimed_at=now() - timedelta(hours=1))
        )
    report = sender.flush(sqlite_db, mailbox.config())
    assert report.unconfirmed == 1 and report.sent == 0
    assert mailbox.messages == []
    assert _statuses(sqlite_db) == ["unconfirmed"]


def test_a_refused_recipient_fails_without_retrying(sqlite_db: Database, mailbox: Mailbox) -> None:
    mailbox.refuse.add("gone@example.com")
    with sqlite_db.write() as tx:
        outbox.enqueue(
            tx, template="payment_link_expired", to="gone@example.com", context=_sample_context()
        )
        outbox.enqueue(
            tx, template="payment_link_expired", to="here@example.com", context=_sample_context()
        )
    report = sender.flush(sqlite_db, mailbox.config())
    assert (report.sent, report.failed) == (1, 1)
    assert _statuses(sqlite_db) == ["failed", "sent"]


def test_smtp_settings_are_checked_at_start_up_naming_the_variable() -> None:
    with pytest.raises(ConfigError, match="SMTP_HOST is not set"):
        sender.check_smtp(load_settings({}))
    with pytest.raises(ConfigError, match="SMTP_PASS"):
        sender.check_smtp(load_settings({"SMTP_HOST": "smtp.example.com", "SMTP_USER": "u"}))
    with pytest.raises(ConfigError, match="SMTP_HOST must be a host name"):
        sender.check_smtp(load_settings({"SMTP_HOST": "smtp://mail.example.com"}))
    with pytest.raises(ConfigError, match="SMTP_PORT"):
        load_settings({"SMTP_HOST": "smtp.example.com", "SMTP_PORT": "abc"})
    ok = sender.check_smtp(
        load_settings({"SMTP_HOST": "smtp.example.com", "SMTP_USER": "u", "SMTP_PASS": "p"})
    )
    assert (ok.host, ok.port, ok.user) == ("smtp.example.com", 587, "u")


def test_a_wrong_smtp_host_is_reported_at_start_up() -> None:
    config = Mailbox(port=free_port()).config()
    with pytest.raises(ConfigError, match="SMTP_HOST=127.0.0.1 SMTP_PORT"):
        sender.verify_smtp(config)


def _sample_context() -> dict[str, object]:
    return sample_context("payment_link_expired")


def test_two_senders_at_once_deliver_each_message_once(any_db: Database, mailbox: Mailbox) -> None:
    with any_db.write() as tx:
        for n in range(12):
            outbox.enqueue(
                tx,
                template="payment_link_expired",
                to=f"p{n}@example.com",
                context=sample_context("payment_link_expired"),
            )
    start = threading.Barrier(2)
    reports: list[sender.FlushReport] = []

    def run() -> None:
        start.wait(timeout=10)
        reports.append(sender.flush(any_db, mailbox.config()))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sum(r.sent for r in reports) == 12
    assert sorted(m["To"] for m in mailbox.messages) == sorted(
        f"p{n}@example.com" for n in range(12)
    )


def test_old_sent_mail_is_pruned_and_a_customer_can_be_forgotten(
    sqlite_db: Database, mailbox: Mailbox
) -> None:
    with sqlite_db.write() as tx:
        for to in ("keep@example.com", "Gone@Example.com"):
            outbox.enqueue(tx, template="payment_link_expired", to=to, context=sample_context("x"))
    sender.flush(sqlite_db, mailbox.config())
    assert sender.prune_sent(sqlite_db, at=now() + timedelta(days=29)) == 0
    with sqlite_db.write() as tx:
        assert outbox.forget_recipient(tx, "gone@example.com") == 1
    assert sender.prune_sent(sqlite_db, at=now() + timedelta(days=31)) == 1
    assert _statuses(sqlite_db) == []


def test_a_password_is_never_sent_without_tls() -> None:
    box = Mailbox(port=free_port(), host="127.0.0.2")  # not "this machine", and no STARTTLS
    box.start()
    try:
        config = replace(box.config(), user="desk", password="secret")
        with pytest.raises(ConfigError, match="STARTTLS"):
            sender.verify_smtp(config)
    finally:
        box.stop()
