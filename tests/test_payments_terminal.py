"""Card present at the desk through Stripe Terminal, against the local Stripe double."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.demo.stripe_double import StripeDouble
from core.infra.clock import now
from core.infra.db import Database
from core.infra.errors import ValidationFailed
from core.payments import links, terminal
from core.payments.gateway import PaymentRejected, PaymentUnavailable, StripeClient
from core.payments.ledger import get_payment
from core.payments.refunds import recover
from tests.payments_support import DESK, booking_state, emails, pending_booking, present_card


def test_readers_are_listed_with_their_status(gateway: StripeClient) -> None:
    readers = {r["id"]: r for r in terminal.readers(gateway)}
    assert readers["tmr_desk_1"]["status"] == "online"
    assert readers["tmr_offline"]["status"] == "offline"


def test_card_tapped_confirms_the_booking_and_sends_the_confirmation(
    any_db: Database, double: StripeDouble, gateway: StripeClient
) -> None:
    ref = pending_booking(any_db, seats=2)
    started = terminal.start(any_db, gateway, ref, "tmr_desk_1", DESK)
    assert started["status"] == "pending"
    assert terminal.status(any_db, gateway, started["payment_id"])["status"] == "pending"

    present_card(gateway, "tmr_desk_1")
    result = terminal.status(any_db, gateway, started["payment_id"])
    assert result["status"] == "succeeded"
    status, booked, payments = booking_state(any_db, ref)
    assert status == "CONFIRMED" and booked == 2
    assert payments == [("charge", "card", "succeeded", payments[0][3])]
    assert emails(any_db) == [("booking_confirmation", "person1@example.com")]
    intent = double.of_type("payment_intent")[0]
    assert intent["payment_method_types"] == ["card_present"]
    assert intent["metadata"]["reference"] == ref
    assert terminal.status(any_db, gateway, started["payment_id"])["status"] == "succeeded"


def test_a_declined_card_says_so_and_the_desk_can_try_again(
    sqlite_db: Database, double: StripeDouble, gateway: StripeClient
) -> None:
    ref = pending_booking(sqlite_db)
    first = terminal.start(sqlite_db, gateway, ref, "tmr_desk_1", DESK)
    present_card(gateway, "tmr_desk_1", number="4000000000000002")
    declined = terminal.status(sqlite_db, gateway, first["payment_id"])
    assert declined["status"] == "declined"
    assert "declined" in declined["message"]
    assert booking_state(sqlite_db, ref)[0] == "PENDING_PAYMENT"

    second = terminal.start(sqlite_db, gateway, ref, "tmr_desk_1", DESK)
    assert second["payment_id"] != first["payment_id"]
    present_card(gateway, "tmr_desk_1")
    assert terminal.status(sqlite_db, gateway, second["payment_id"])["status"] == "succeeded"
    assert booking_state(sqlite_db, ref)[0] == "CONFIRMED"


def test_the_desk_cancels_a_waiting_payment(
    sqlite_db: Database, double: StripeDouble, gateway: StripeClient
) -> None:
    ref = pending_booking(sqlite_db)
    started = terminal.start(sqlite_db, gateway, ref, "tmr_desk_1", DESK)
    result = terminal.cancel(sqlite_db, gateway, started["payment_id"])
    assert result["status"] == "canceled"
    assert double.of_type("payment_intent")[0]["status"] == "canceled"
    assert double.objects["tmr_desk_1"]["action"] is None
    assert booking_state(sqlite_db, ref)[0] == "PENDING_PAYMENT"


def test_nobody_taps_in_time(
    sqlite_db: Database, double: StripeDouble, gateway: StripeClient
) -> None:
    ref = pending_booking(sqlite_db)
    started = terminal.start(sqlite_db, gateway, ref, "tmr_desk_1", DESK)
    later = now() + timedelta(seconds=sqlite_db.settings.terminal_timeout_s + 1)
    result = terminal.status(sqlite_db, gateway, started["payment_id"], at=later)
    assert result["status"] == "timeout"
    assert double.of_type("payment_intent")[0]["status"] == "canceled"


def test_a_card_tapped_just_as_the_desk_cancels_still_counts(
    sqlite_db: Database, double: StripeDouble, gateway: StripeClient
) -> None:
    ref = pending_booking(sqlite_db)
    started = terminal.start(sqlite_db, gateway, ref, "tmr_desk_1", DESK)
    present_card(gateway, "tmr_desk_1")
    assert terminal.cancel(sqlite_db, gateway, started["payment_id"])["status"] == "succeeded"
    assert booking_state(sqlite_db, ref)[0] == "CONFIRMED"


def test_an_offline_reader_is_a_clear_error(
    sqlite_db: Database, double: StripeDouble, gateway: StripeClient
) -> None:
    ref = pending_booking(sqlite_db)
    with pytest.raises(PaymentRejected, match="offline"):
        terminal.start(sqlite_db, gateway, ref, "tmr_offline", DESK)
    assert booking_state(sqlite_db, ref)[2][0][2] == "canceled"


def test_an_attempt_left_behind_is_closed_before_a_new_one(
    sqlite_db: Database, double: StripeDouble, gateway: StripeClient
) -> None:
    ref = pending_booking(sqlite_db)
    first = terminal.start(sqlite_db, gateway, ref, "tmr_desk_1", DESK)
    assert terminal.start(sqlite_db, gateway, ref, "tmr_desk_1", DESK) == first  # a retry
    with sqlite_db.write() as tx:  # the desk crashed; the attempt is now long past
        get_payment(tx, first["payment_id"]).created_at = now() - timedelta(minutes=10)
    second = terminal.start(sqlite_db, gateway, ref, "tmr_desk_1", DESK)
    assert second["payment_id"] != first["payment_id"]
    assert [i["status"] for i in double.of_type("payment_intent")] == [
        "canceled",
        "requires_payment_method",
    ]
    assert [p[2] for p in booking_state(sqlite_db, ref)[2]] == ["timeout", "pending"]


def test_an_attempt_that_never_reached_stripe_is_closed_without_it(
    sqlite_db: Database, double: StripeDouble, gateway: StripeClient
) -> None:
    ref = pending_booking(sqlite_db)
    double.fail_next("/v1/payment_intents", "unreachable", times=3)
    with pytest.raises(PaymentUnavailable):
        terminal.start(sqlite_db, gateway, ref, "tmr_desk_1", DESK)
    assert [p[2] for p in booking_state(sqlite_db, ref)[2]] == ["canceled"]  # closed at once
    later = now() + timedelta(days=2)
    recover(sqlite_db, gateway, at=later)
    assert [p[2] for p in booking_state(sqlite_db, ref)[2]] == ["canceled"]
    assert double.of_type("payment_intent") == []


def test_cancelling_a_payment_link_as_a_card_payment_leaves_the_link_open(
    sqlite_db: Database, double: StripeDouble, gateway: StripeClient
) -> None:
    ref = pending_booking(sqlite_db)
    link = links.create_link(sqlite_db, gateway, ref, DESK)
    with pytest.raises(ValidationFailed, match="not a card payment"):
        terminal.cancel(sqlite_db, gateway, link["payment_id"])
    assert double.of_type("checkout.session")[0]["status"] == "open"
    assert booking_state(sqlite_db, ref)[2][0][:3] == ("charge", "link", "pending")
