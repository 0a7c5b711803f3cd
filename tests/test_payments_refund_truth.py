"""A refund first asks Stripe what was really paid, then applies the policy to that."""

from __future__ import annotations

import pytest

from core.demo.stripe_double import StripeDouble
from core.infra.db import Database
from core.infra.errors import ValidationFailed
from core.payments import links, refunds
from core.payments.gateway import PaymentUnavailable, StripeClient
from tests.payments_support import (
    DESK,
    MANAGER,
    booking_state,
    emails,
    pay_link,
    pending_booking,
    total_pence,
)


def paid_but_not_yet_recorded(
    db: Database, double: StripeDouble, gateway: StripeClient, **kw: int
) -> str:
    """The customer paid the link at Stripe; no event or poll has told us yet."""
    ref = pending_booking(db, **kw)
    pay_link(double, links.create_link(db, gateway, ref, DESK))
    assert booking_state(db, ref)[0] == "PENDING_PAYMENT"
    return ref


def test_reception_cannot_refund_an_unrecorded_payment_inside_the_policy_window(
    any_db: Database, double: StripeDouble, gateway: StripeClient
) -> None:
    ref = paid_but_not_yet_recorded(any_db, double, gateway, days_ahead=7)
    with pytest.raises(ValidationFailed, match="14 or more days before"):
        refunds.refund(any_db, gateway, ref, DESK)
    status, booked, payments = booking_state(any_db, ref)
    assert (status, booked) == ("CONFIRMED", 1)  # what Stripe said is recorded; nothing else
    assert [(p[0], p[2]) for p in payments] == [("charge", "succeeded")]
    assert double.of_type("refund") == []
    assert "booking_cancelled" not in [t for t, _ in emails(any_db)]


def test_a_refund_answers_with_the_money_really_paid(
    sqlite_db: Database, double: StripeDouble, gateway: StripeClient
) -> None:
    ref = paid_but_not_yet_recorded(sqlite_db, double, gateway, days_ahead=30, seats=2)
    amount = total_pence(sqlite_db, ref)
    result = refunds.refund(sqlite_db, gateway, ref, DESK)
    assert result["refunded_pence"] == amount
    assert "Refunding £" in result["message"]
    assert [r["amount"] for r in double.of_type("refund")] == [amount]
    status, booked, payments = booking_state(sqlite_db, ref)
    assert (status, booked) == ("CANCELLED", 0)
    assert [(p[0], p[2], p[3]) for p in payments] == [
        ("charge", "succeeded", amount),
        ("refund", "succeeded", amount),
    ]


def test_a_manager_override_refunds_what_was_paid_inside_the_window(
    sqlite_db: Database, double: StripeDouble, gateway: StripeClient
) -> None:
    ref = paid_but_not_yet_recorded(sqlite_db, double, gateway, days_ahead=3)
    result = refunds.refund(sqlite_db, gateway, ref, MANAGER, override=True)
    assert result["refunded_pence"] == total_pence(sqlite_db, ref)
    assert len(double.of_type("refund")) == 1


@pytest.mark.parametrize("fault", ["unreachable", "server_error", "not_found", "bad_request"])
def test_when_stripe_cannot_say_what_was_paid_nothing_changes(
    sqlite_db: Database, double: StripeDouble, gateway: StripeClient, fault: str
) -> None:
    ref = paid_but_not_yet_recorded(sqlite_db, double, gateway, days_ahead=30)
    retried = fault in ("unreachable", "server_error")  # the SDK tries those three times
    double.fail_next("/v1/checkout/sessions", fault, times=3 if retried else 1)
    with pytest.raises(PaymentUnavailable, match="nothing was changed"):
        refunds.refund(sqlite_db, gateway, ref, DESK)
    assert booking_state(sqlite_db, ref)[:2] == ("PENDING_PAYMENT", 1)
    assert double.of_type("refund") == []
    assert double.of_type("checkout.session")[0]["status"] == "complete"

    result = refunds.refund(sqlite_db, gateway, ref, DESK)  # Stripe answers again
    assert result["refunded_pence"] == total_pence(sqlite_db, ref)
    assert len(double.of_type("refund")) == 1


def test_an_unpaid_link_is_closed_and_nothing_refunded(
    sqlite_db: Database, double: StripeDouble, gateway: StripeClient
) -> None:
    ref = pending_booking(sqlite_db, days_ahead=5)
    links.create_link(sqlite_db, gateway, ref, DESK)
    result = refunds.refund(sqlite_db, gateway, ref, DESK)
    assert result["refunded_pence"] == 0
    assert result["message"].startswith("Nothing was paid")
    assert double.of_type("checkout.session")[0]["status"] == "expired"
    assert booking_state(sqlite_db, ref)[:2] == ("CANCELLED", 0)
    assert double.of_type("refund") == []
