"""Hold → payment → confirm survives a process killed (SIGKILL) between paid and confirmed."""

from __future__ import annotations

import json
import select
import signal
import subprocess
import sys
from pathlib import Path

from core.booking import bookings
from core.demo.stripe_double import StripeDouble
from core.infra.db import Database
from core.payments.refunds import recover
from tests.factories import person
from tests.payments_support import (
    DESK,
    booking_state,
    emails,
    gateway_to,
    pending_booking,
    present_card,
)

ROOT = Path(__file__).resolve().parent.parent


def _kill_desk_after_payment(ref: str, double: StripeDouble) -> None:
    """A real desk process takes the card and is SIGKILLed before confirming the booking."""
    with subprocess.Popen(
        [sys.executable, "-m", "tests.payments_saga_worker", ref, "tmr_desk_1", double.url],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as proc:
        try:
            assert proc.stdout is not None and proc.stdin is not None
            ready, _, _ = select.select([proc.stdout], [], [], 60)
            assert ready, "the desk process did not start the payment"
            started = json.loads(proc.stdout.readline())
            assert started["status"] == "pending"
            present_card(gateway_to(double), "tmr_desk_1")
            proc.stdin.write("presented\n")
            proc.stdin.flush()
            assert proc.wait(timeout=60) == -signal.SIGKILL
        finally:
            if proc.poll() is None:
                proc.kill()


def test_killed_after_payment_is_confirmed_on_restart(
    any_db: Database, double: StripeDouble
) -> None:
    ref = pending_booking(any_db, seats=2)
    _kill_desk_after_payment(ref, double)

    # paid at Stripe, booking still pending: the in-between state the saga must finish
    assert double.of_type("payment_intent")[0]["status"] == "succeeded"
    status, booked, payments = booking_state(any_db, ref)
    assert (status, booked, [p[2] for p in payments]) == ("PENDING_PAYMENT", 2, ["pending"])

    recover(any_db, gateway_to(double))  # what start-up runs
    status, booked, payments = booking_state(any_db, ref)
    assert status == "CONFIRMED" and booked == 2
    assert [(p[0], p[2]) for p in payments] == [("charge", "succeeded")]
    assert emails(any_db) == [("booking_confirmation", "person1@example.com")]
    assert double.of_type("refund") == []

    recover(any_db, gateway_to(double))  # running it again changes nothing
    assert booking_state(any_db, ref)[2] == payments
    assert len(emails(any_db)) == 1


def test_killed_after_payment_with_the_seats_gone_is_refunded(
    sqlite_db: Database, double: StripeDouble
) -> None:
    ref = pending_booking(sqlite_db, seats=1, capacity=1)
    _kill_desk_after_payment(ref, double)
    with sqlite_db.write() as tx:  # meanwhile the seat was freed and someone else took it
        booking = bookings.cancel(tx, ref, DESK, "desk closed", notify=False)
        session_id = booking.session_id
    with sqlite_db.write() as tx:
        bookings.book_now(tx, session_id, [person(9)], DESK)

    recover(sqlite_db, gateway_to(double))
    status, booked, payments = booking_state(sqlite_db, ref)
    assert status == "CANCELLED" and booked == 1
    amount = payments[0][3]
    assert [(p[0], p[2], p[3]) for p in payments] == [
        ("charge", "succeeded", amount),
        ("refund", "succeeded", amount),
    ]
    refunds = double.of_type("refund")
    assert [r["amount"] for r in refunds] == [amount]
    assert ("refund_notice", "person1@example.com") in emails(sqlite_db)
