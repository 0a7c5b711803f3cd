"""Stripe events: each applied exactly once, however late, often or out of order it comes;
every Stripe write idempotent."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from core.demo.stripe_double import StripeDouble
from core.infra.db import Database
from core.models import PaymentState, StripeEvent
from core.payments import events, links, terminal
from core.payments.gateway import PaymentRejected, PaymentUnavailable, StripeClient
from tests.payments_support import (
    DESK,
    booking_state,
    emails,
    pay_link,
    pending_booking,
    present_card,
)


def _recorded(db: Database) -> int:
    with db.read() as tx:
        return int(tx.scalar(select(func.count()).select_from(StripeEvent)) or 0)


def test_duplicated_and_reordered_events_are_applied_once(
    any_db: Database, double: StripeDouble, gateway: StripeClient
) -> None:
    double.duplicate_events = True
    double.reverse_events = True
    ref = pending_booking(any_db)
    link = links.create_link(any_db, gateway, ref, DESK)
    pay_link(double, link)

    applied = events.poll_events(any_db, gateway)
    assert applied == len(double.events) == _recorded(any_db)
    assert events.cursor(any_db) == double.events[-1]["id"]
    assert events.poll_events(any_db, gateway) == 0
    assert booking_state(any_db, ref)[0] == "CONFIRMED"
    assert [t for t, _ in emails(any_db)] == ["payment_link", "booking_confirmation"]


def test_events_after_the_cursor_are_picked_up_after_downtime(
    sqlite_db: Database, double: StripeDouble, gateway: StripeClient
) -> None:
    first = pending_booking(sqlite_db)
    links.create_link(sqlite_db, gateway, first, DESK)
    events.poll_events(sqlite_db, gateway)
    seen = _recorded(sqlite_db)
    second = pending_booking(sqlite_db)
    link = links.create_link(sqlite_db, gateway, second, DESK)
    pay_link(double, link)  # while nobody was polling
    assert events.poll_events(sqlite_db, gateway) == len(double.events) - seen
    assert booking_state(sqlite_db, second)[0] == "CONFIRMED"
    assert booking_state(sqlite_db, first)[0] == "PENDING_PAYMENT"


def test_a_stale_failure_event_after_success_changes_nothing(
    sqlite_db: Database, double: StripeDouble, gateway: StripeClient
) -> None:
    ref = pending_booking(sqlite_db)
    started = terminal.start(sqlite_db, gateway, ref, "tmr_desk_1", DESK)
    present_card(gateway, "tmr_desk_1")
    intent = double.of_type("payment_intent")[0]
    stale = {
        "id": "evt_stale_failure",
        "object": "event",
        "type": "payment_intent.payment_failed",
        "created": intent["created"],
        "data": {"object": intent | {"status": "requires_payment_method"}},
    }
    assert events.process_event(sqlite_db, gateway, stale)
    assert booking_state(sqlite_db, ref)[0] == "CONFIRMED"
    assert terminal.status(sqlite_db, gateway, started["payment_id"])["status"] == "succeeded"


def test_webhook_signatures_are_verified(
    sqlite_db: Database, double: StripeDouble, gateway: StripeClient
) -> None:
    ref = pending_booking(sqlite_db)
    link = links.create_link(sqlite_db, gateway, ref, DESK)
    pay_link(double, link)
    completed = next(e for e in double.events if e["type"] == "checkout.session.completed")
    payload, signature = double.signed_webhook(completed)
    with pytest.raises(PaymentRejected, match="signature"):
        events.handle_webhook(sqlite_db, gateway, payload.replace(b"complete", b"open"), signature)
    assert booking_state(sqlite_db, ref)[0] == "PENDING_PAYMENT"
    assert events.handle_webhook(sqlite_db, gateway, payload, signature)
    assert not events.handle_webhook(sqlite_db, gateway, payload, signature)  # delivered twice
    assert booking_state(sqlite_db, ref)[0] == "CONFIRMED"


def test_a_lost_answer_closes_the_attempt_and_never_charges_twice(
    sqlite_db: Database, double: StripeDouble, gateway: StripeClient
) -> None:
    ref = pending_booking(sqlite_db)
    double.fail_next("/v1/payment_intents", "lost_response", times=3)  # SDK gives up
    with pytest.raises(PaymentUnavailable, match="try again"):
        terminal.start(sqlite_db, gateway, ref, "tmr_desk_1", DESK)
    orphan = double.of_type("payment_intent")
    assert len(orphan) == 1  # Stripe made it; we never heard, and no reader ever got it
    assert [p[2] for p in booking_state(sqlite_db, ref)[2]] == ["canceled"]
    keys = [k for m, p, k in double.requests if m == "POST" and p == "/v1/payment_intents"]
    assert len(keys) == 3 and len(set(keys)) == 1  # the SDK's own retries reuse the key

    started = terminal.start(sqlite_db, gateway, ref, "tmr_desk_1", DESK)  # the desk retries
    present_card(gateway, "tmr_desk_1")
    assert terminal.status(sqlite_db, gateway, started["payment_id"])["status"] == "succeeded"
    assert [p[2] for p in booking_state(sqlite_db, ref)[2]] == ["canceled", "succeeded"]
    charged = [i for i in double.of_type("payment_intent") if i["status"] == "succeeded"]
    assert len(charged) == 1 and charged[0]["id"] != orphan[0]["id"]
    assert double.objects[orphan[0]["id"]]["amount_received"] == 0


def test_a_cursor_stripe_has_forgotten_means_reading_everything_again(
    sqlite_db: Database, double: StripeDouble, gateway: StripeClient
) -> None:
    ref = pending_booking(sqlite_db)
    link = links.create_link(sqlite_db, gateway, ref, DESK)
    pay_link(double, link)
    with sqlite_db.write() as tx:
        tx.add(PaymentState(key=events.CURSOR, value="evt_older_than_30_days"))
    assert events.poll_events(sqlite_db, gateway) == len(double.events)
    assert booking_state(sqlite_db, ref)[0] == "CONFIRMED"


def test_two_pollers_at_once_apply_each_event_once(
    any_db: Database, double: StripeDouble, gateway: StripeClient
) -> None:
    double.duplicate_events = True
    refs = [pending_booking(any_db) for _ in range(3)]
    for ref in refs:
        link = links.create_link(any_db, gateway, ref, DESK)
        pay_link(double, link)
    start = threading.Barrier(2)
    applied: list[int] = []

    def poll() -> None:
        start.wait(timeout=10)
        applied.append(events.poll_events(any_db, gateway))

    pollers = [threading.Thread(target=poll) for _ in range(2)]
    for t in pollers:
        t.start()
    for t in pollers:
        t.join(timeout=60)
    assert sum(applied) == len(double.events) == _recorded(any_db)
    assert all(booking_state(any_db, ref)[0] == "CONFIRMED" for ref in refs)
    sent = [t for t, _ in emails(any_db)]
    assert sent.count("booking_confirmation") == 3
