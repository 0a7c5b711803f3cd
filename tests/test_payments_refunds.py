"""Refunds on cancellation: the policy, the manager override, never refunding twice."""

from __future__ import annotations

import pytest

from core.demo.stripe_double import StripeDouble
from core.infra.db import Database
from core.infra.errors import Forbidden, ValidationFailed
from core.payments import desk, refunds, terminal
from core.payments.gateway import StripeClient, StripeConfig
from core.payments.jobs import run_payments_once
from core.payments.refunds import recover
from tests.payments_support import (
    DESK,
    MANAGER,
    booking_state,
    emails,
    pending_booking,
    present_card,
    total_pence,
)


def paid_by_card(db: Database, gateway: StripeClient, **booking: int) -> str:
    ref = pending_booking(db, **booking)
    started = terminal.start(db, gateway, ref, "tmr_desk_1", DESK)
    present_card(gateway, "tmr_desk_1")
    assert terminal.status(db, gateway, started["payment_id"])["status"] == "succeeded"
    return ref


def test_cancelling_in_good_time_refunds_in_full(
    any_db: Database, double: StripeDouble, gateway: StripeClient
) -> None:
    ref = paid_by_card(any_db, gateway, seats=2, days_ahead=30)
    amount = total_pence(any_db, ref)
    result = refunds.refund(any_db, gateway, ref, DESK, reason="customer asked")
    assert result["refunded_pence"] == amount
    status, booked, payments = booking_state(any_db, ref)
    assert (status, booked) == ("CANCELLED", 0)
    assert payments[1] == ("refund", "card", "succeeded", amount)
    assert [r["amount"] for r in double.of_type("refund")] == [amount]
    sent = [t for t, _ in emails(any_db)]
    assert sent == ["booking_confirmation", "booking_cancelled", "refund_notice"]


def test_no_refund_inside_the_policy_window_unless_a_manager_overrides(
    sqlite_db: Database, double: StripeDouble, gateway: StripeClient
) -> None:
    ref = paid_by_card(sqlite_db, gateway, days_ahead=5)
    with pytest.raises(ValidationFailed, match="14 or more days before"):
        refunds.refund(sqlite_db, gateway, ref, DESK)
    assert booking_state(sqlite_db, ref)[0] == "CONFIRMED"  # nothing changed
    with pytest.raises(Forbidden, match="manager"):
        refunds.refund(sqlite_db, gateway, ref, DESK, override=True)
    result = refunds.refund(sqlite_db, gateway, ref, MANAGER, override=True, reason="bereavement")
    assert result["refunded_pence"] == total_pence(sqlite_db, ref)
    assert len(double.of_type("refund")) == 1


def test_a_refund_whose_answer_is_lost_is_made_once(
    sqlite_db: Database, double: StripeDouble, gateway: StripeClient
) -> None:
    ref = paid_by_card(sqlite_db, gateway, days_ahead=30)
    double.fail_next("/v1/refunds", "lost_response", times=1)  # the SDK retries, same key
    refunds.refund(sqlite_db, gateway, ref, DESK)
    assert len(double.of_type("refund")) == 1
    assert booking_state(sqlite_db, ref)[2][1][2] == "succeeded"


def test_a_refund_stripe_never_answered_is_finished_later_exactly_once(
    sqlite_db: Database, double: StripeDouble, gateway: StripeClient
) -> None:
    ref = paid_by_card(sqlite_db, gateway, days_ahead=30)
    double.fail_next("/v1/refunds", "lost_response", times=3)  # every try made, no answer
    refunds.refund(sqlite_db, gateway, ref, DESK)
    assert booking_state(sqlite_db, ref)[2][1][2] == "pending"
    assert len(double.of_type("refund")) == 1  # Stripe did it; we do not know yet

    recover(sqlite_db, gateway)
    assert booking_state(sqlite_db, ref)[2][1][2] == "succeeded"
    assert len(double.of_type("refund")) == 1
    keys = {k for m, p, k in double.requests if p == "/v1/refunds"}
    assert len(keys) == 1


def test_cash_goes_back_over_the_counter_and_invoices_are_voided(
    sqlite_db: Database, gateway: StripeClient
) -> None:
    cash_ref = pending_booking(sqlite_db, days_ahead=30)
    desk.record_cash(sqlite_db, cash_ref, total_pence(sqlite_db, cash_ref), DESK)
    result = refunds.refund(sqlite_db, gateway, cash_ref, DESK)
    assert "back in cash" in result["message"]
    assert booking_state(sqlite_db, cash_ref)[2][1][:3] == ("refund", "cash", "succeeded")

    invoiced = pending_booking(sqlite_db, days_ahead=30)
    desk.record_invoice(
        sqlite_db, invoiced, "Acme Ltd", "accounts@acme.example", DESK, "PO-7", "1 Mill Lane"
    )
    assert booking_state(sqlite_db, invoiced)[0] == "CONFIRMED"
    result = refunds.refund(sqlite_db, gateway, invoiced, DESK)
    assert result["refunded_pence"] == 0
    assert booking_state(sqlite_db, invoiced)[2] == [
        ("charge", "invoice", "void", total_pence(sqlite_db, invoiced))
    ]


def test_a_refund_that_times_out_is_retried_without_refunding_twice(
    sqlite_db: Database, double: StripeDouble
) -> None:
    impatient = StripeClient(StripeConfig("sk_test_double", None, double.url, timeout_s=0.5))
    ref = paid_by_card(sqlite_db, impatient, days_ahead=30)
    double.fail_next("/v1/refunds", "timeout", times=1)
    refunds.refund(sqlite_db, impatient, ref, DESK)
    assert [r["amount"] for r in double.of_type("refund")] == [total_pence(sqlite_db, ref)]
    assert booking_state(sqlite_db, ref)[2][1][2] == "succeeded"


def test_a_refund_pending_at_the_bank_is_asked_about_not_made_again(
    sqlite_db: Database, double: StripeDouble, gateway: StripeClient
) -> None:
    double.refunds_pending = True
    ref = paid_by_card(sqlite_db, gateway, days_ahead=30)
    refunds.refund(sqlite_db, gateway, ref, DESK)
    assert booking_state(sqlite_db, ref)[2][1][2] == "pending"
    double.forget_idempotency_keys()  # a day later: a second create would refund again
    recover(sqlite_db, gateway)
    assert booking_state(sqlite_db, ref)[2][1][2] == "pending"
    double.settle_refunds()
    run_payments_once(sqlite_db, gateway)
    assert booking_state(sqlite_db, ref)[2][1][2] == "succeeded"
    assert len(double.of_type("refund")) == 1
    assert [t for t, _ in emails(sqlite_db)].count("refund_notice") == 1


def test_asking_again_for_a_refund_says_it_was_already_refunded(
    sqlite_db: Database, double: StripeDouble, gateway: StripeClient
) -> None:
    ref = paid_by_card(sqlite_db, gateway, days_ahead=30)
    amount = total_pence(sqlite_db, ref)
    refunds.refund(sqlite_db, gateway, ref, DESK)
    again = refunds.refund(sqlite_db, gateway, ref, DESK)
    assert again["refunded_pence"] == 0
    assert again["message"] == f"£{amount / 100:,.2f} was already refunded; nothing more to refund."
    assert [r["amount"] for r in double.of_type("refund")] == [amount]
