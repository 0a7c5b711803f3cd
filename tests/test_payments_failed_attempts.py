"""A payment attempt Stripe did not accept is closed at once and blocks no other way to pay."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.booking import bookings
from core.demo.stripe_double import StripeDouble
from core.infra.clock import now
from core.infra.db import Database
from core.infra.errors import DomainError
from core.payments import desk, links, terminal
from core.payments.gateway import PaymentRejected, PaymentUnavailable, StripeClient
from core.payments.jobs import run_payments_once
from tests.payments_support import DESK, booking_state, emails, pending_booking, total_pence

FAULTS = [
    ("unreachable", 3, PaymentUnavailable),
    ("server_error", 3, PaymentUnavailable),
    ("bad_request", 1, PaymentRejected),
    ("not_found", 1, PaymentRejected),
]


@pytest.mark.parametrize(("fault", "times", "error"), FAULTS)
def test_a_link_stripe_refused_lets_the_desk_take_cash_at_once(
    sqlite_db: Database,
    double: StripeDouble,
    gateway: StripeClient,
    fault: str,
    times: int,
    error: type[DomainError],
) -> None:
    ref = pending_booking(sqlite_db)
    double.fail_next("/v1/checkout/sessions", fault, times=times)
    with pytest.raises(error):
        links.create_link(sqlite_db, gateway, ref, DESK)
    assert [p[2] for p in booking_state(sqlite_db, ref)[2]] == ["canceled"]

    paid = desk.record_cash(sqlite_db, ref, total_pence(sqlite_db, ref), DESK)
    assert paid["booking_status"] == "CONFIRMED" and paid["due_pence"] == 0

    run_payments_once(sqlite_db, gateway, at=now() + timedelta(hours=2))
    assert booking_state(sqlite_db, ref)[:2] == ("CONFIRMED", 1)
    assert [t for t, _ in emails(sqlite_db)] == ["booking_confirmation"]  # no "link expired"


def test_a_link_stripe_refused_can_be_asked_for_again(
    sqlite_db: Database, double: StripeDouble, gateway: StripeClient
) -> None:
    ref = pending_booking(sqlite_db)
    double.fail_next("/v1/checkout/sessions", "server_error", times=3)
    with pytest.raises(PaymentUnavailable):
        links.create_link(sqlite_db, gateway, ref, DESK)
    link = links.create_link(sqlite_db, gateway, ref, DESK)
    assert [p[2] for p in booking_state(sqlite_db, ref)[2]] == ["canceled", "pending"]
    assert emails(sqlite_db) == [("payment_link", "person1@example.com")]
    assert link["url"] == double.of_type("checkout.session")[-1]["url"]


@pytest.mark.parametrize(("fault", "times", "error"), FAULTS)
def test_a_card_payment_stripe_refused_lets_the_desk_take_cash_at_once(
    sqlite_db: Database,
    double: StripeDouble,
    gateway: StripeClient,
    fault: str,
    times: int,
    error: type[DomainError],
) -> None:
    ref = pending_booking(sqlite_db)
    double.fail_next("/v1/payment_intents", fault, times=times)
    with pytest.raises(error):
        terminal.start(sqlite_db, gateway, ref, "tmr_desk_1", DESK)
    [attempt] = booking_state(sqlite_db, ref)[2]
    assert attempt[2] == "canceled"
    paid = desk.record_cash(sqlite_db, ref, total_pence(sqlite_db, ref), DESK)
    assert paid["booking_status"] == "CONFIRMED"


def test_a_reader_stripe_could_not_reach_is_stopped_and_cash_taken(
    sqlite_db: Database, double: StripeDouble, gateway: StripeClient
) -> None:
    ref = pending_booking(sqlite_db)
    double.fail_next("/process_payment_intent", "server_error", times=3)
    with pytest.raises(PaymentUnavailable):
        terminal.start(sqlite_db, gateway, ref, "tmr_desk_1", DESK)
    [attempt] = booking_state(sqlite_db, ref)[2]
    assert attempt[2] == "canceled"
    assert double.of_type("payment_intent")[0]["status"] == "canceled"  # nobody can tap it now
    paid = desk.record_cash(sqlite_db, ref, total_pence(sqlite_db, ref), DESK)
    assert paid["booking_status"] == "CONFIRMED"


def test_a_link_out_with_the_customer_is_closed_once_the_booking_is_cancelled(
    sqlite_db: Database, double: StripeDouble, gateway: StripeClient
) -> None:
    ref = pending_booking(sqlite_db)
    links.create_link(sqlite_db, gateway, ref, DESK)
    with sqlite_db.write() as tx:
        bookings.cancel(tx, ref, DESK, "customer changed their mind")
    run_payments_once(sqlite_db, gateway)
    assert double.of_type("checkout.session")[0]["status"] == "expired"  # nobody pays for nothing
    status, _, payments = booking_state(sqlite_db, ref)
    assert (status, [(p[1], p[2]) for p in payments]) == ("CANCELLED", [("link", "expired")])
    assert [t for t, _ in emails(sqlite_db)] == ["payment_link", "booking_cancelled"]
