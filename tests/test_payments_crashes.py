"""A desk or server process SIGKILLed at each step of a payment: nothing lost, nothing
charged twice, no seat stranded, exactly one email of each kind."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from core.demo.stripe_double import StripeDouble
from core.infra.clock import now
from core.infra.db import Database
from core.models import Booking, SeatHold
from core.models.admin import AuditEntry
from core.payments import desk, links, terminal
from core.payments.gateway import PaymentUnavailable
from core.payments.jobs import run_payments_once
from core.payments.refunds import recover
from core.seats import availability
from tests.factories import make_session
from tests.payments_support import (
    DESK,
    booking_state,
    emails,
    gateway_to,
    pay_link,
    pending_booking,
    total_pence,
)

ROOT = Path(__file__).resolve().parent.parent


def run_worker(point: str, arg: str | int, double: StripeDouble) -> tuple[int, list[str]]:
    """Run ``tests.payments_crash_worker`` to its end (or its SIGKILL); (exit code, lines)."""
    done = subprocess.run(
        [sys.executable, "-m", "tests.payments_crash_worker", point, str(arg), double.url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.returncode, done.stdout.splitlines()


def killed(point: str, arg: str | int, double: StripeDouble) -> list[str]:
    code, lines = run_worker(point, arg, double)
    assert code == -signal.SIGKILL, lines
    return lines


def past_deadline(db: Database) -> Any:
    return now() + timedelta(minutes=db.settings.hold_minutes + 1)


def test_killed_after_the_hold_the_seats_come_back_when_it_expires(
    sqlite_db: Database, double: StripeDouble
) -> None:
    sid = make_session(sqlite_db, capacity=2)
    killed("after_hold", sid, double)
    with sqlite_db.read() as tx:
        assert availability.get_session(tx, sid).held == 2
    with sqlite_db.write() as tx:  # the hold's time passes
        tx.execute(update(SeatHold).values(expires_at=now() - timedelta(seconds=1)))
    with sqlite_db.read() as tx:
        view = availability.get_session(tx, sid)
    assert (view.held, view.booked) == (0, 0)


def test_killed_after_a_desk_booking_its_seats_return_at_the_deadline(
    any_db: Database, double: StripeDouble
) -> None:
    sid = make_session(any_db)
    [line] = killed("after_booking", sid, double)
    ref = json.loads(line)["reference"]
    gateway = gateway_to(double)
    run_payments_once(any_db, gateway)
    assert booking_state(any_db, ref)[:2] == ("PENDING_PAYMENT", 1)  # before the deadline

    result = run_payments_once(any_db, gateway, at=past_deadline(any_db))
    assert result.counts["deadlines"] == 1
    assert booking_state(any_db, ref)[:2] == ("CANCELLED", 0)
    assert emails(any_db) == []  # the customer was never sent anything
    with any_db.read() as tx:  # staff see why in the audit log (and the change feed)
        actions = list(tx.scalars(select(AuditEntry.action).where(AuditEntry.entity_id == ref)))
    assert actions == ["booking.released_unpaid"]


def test_killed_after_the_card_payment_was_made_at_stripe_the_seats_still_return(
    sqlite_db: Database, double: StripeDouble
) -> None:
    ref = pending_booking(sqlite_db)
    killed("after_card_created", ref, double)
    assert double.of_type("payment_intent")[0]["status"] == "requires_payment_method"
    gateway = gateway_to(double)
    run_payments_once(sqlite_db, gateway, at=past_deadline(sqlite_db))
    status, booked, payments = booking_state(sqlite_db, ref)
    assert (status, booked) == ("CANCELLED", 0)
    assert [p[2] for p in payments] == ["timeout"]
    [intent] = double.of_type("payment_intent")
    assert intent["amount_received"] == 0  # it never reached a reader: nobody could pay it


def test_killed_after_the_link_was_made_at_stripe_the_customer_gets_it_once(
    any_db: Database, double: StripeDouble
) -> None:
    ref = pending_booking(any_db)
    killed("after_link_created", ref, double)
    [session] = double.of_type("checkout.session")
    assert emails(any_db) == []

    gateway = gateway_to(double)
    recover(any_db, gateway)  # start-up, or any payments pass
    assert emails(any_db) == [("payment_link", "person1@example.com")]
    link = links.create_link(any_db, gateway, ref, DESK)  # the desk retries
    assert link["url"] == session["url"]
    run_payments_once(any_db, gateway)
    assert emails(any_db) == [("payment_link", "person1@example.com")]
    assert len(double.of_type("checkout.session")) == 1


def test_killed_after_the_link_was_made_a_retry_alone_sends_it_once(
    sqlite_db: Database, double: StripeDouble
) -> None:
    ref = pending_booking(sqlite_db)
    killed("after_link_created", ref, double)
    gateway = gateway_to(double)
    first = links.create_link(sqlite_db, gateway, ref, DESK)
    again = links.create_link(sqlite_db, gateway, ref, DESK)
    assert first["url"] == again["url"] == double.of_type("checkout.session")[0]["url"]
    run_payments_once(sqlite_db, gateway)
    assert emails(sqlite_db) == [("payment_link", "person1@example.com")]


def test_killed_inside_confirm_the_booking_is_confirmed_once(
    any_db: Database, double: StripeDouble
) -> None:
    ref = pending_booking(any_db)
    gateway = gateway_to(double)
    pay_link(double, links.create_link(any_db, gateway, ref, DESK))
    killed("inside_confirm", ref, double)
    assert booking_state(any_db, ref)[0] == "PENDING_PAYMENT"  # the transaction never landed

    run_payments_once(any_db, gateway)
    run_payments_once(any_db, gateway)
    status, booked, payments = booking_state(any_db, ref)
    assert (status, booked, [p[2] for p in payments]) == ("CONFIRMED", 1, ["succeeded"])
    assert [t for t, _ in emails(any_db)] == ["payment_link", "booking_confirmation"]
    assert double.of_type("refund") == []


def test_a_second_process_returns_the_same_link(sqlite_db: Database, double: StripeDouble) -> None:
    ref = pending_booking(sqlite_db)
    link = links.create_link(sqlite_db, gateway_to(double), ref, DESK)
    double.forget_idempotency_keys()  # a Stripe that does not replay the first answer
    code, lines = run_worker("link", ref, double)
    assert code == 0, lines
    assert json.loads(lines[0])["url"] == link["url"]
    assert len(double.of_type("checkout.session")) == 1
    assert emails(sqlite_db) == [("payment_link", "person1@example.com")]


def test_the_link_url_is_stored_not_asked_of_stripe_again(
    sqlite_db: Database, double: StripeDouble
) -> None:
    ref = pending_booking(sqlite_db)
    gateway = gateway_to(double)
    link = links.create_link(sqlite_db, gateway, ref, DESK)
    before = len(double.requests)
    assert links.create_link(sqlite_db, gateway, ref, DESK)["url"] == link["url"]
    assert len(double.requests) == before
    with sqlite_db.read() as tx:
        assert tx.scalar(select(Booking.pay_by).where(Booking.reference == ref)) is not None
    assert terminal.readers(gateway)  # Stripe is still there; it simply was not asked


def test_killed_after_the_link_was_made_then_stripe_down_the_desk_still_takes_cash(
    sqlite_db: Database, double: StripeDouble
) -> None:
    ref = pending_booking(sqlite_db)
    killed("after_link_created", ref, double)
    gateway = gateway_to(double)
    double.fail_next("/v1/checkout/sessions", "server_error", times=3)
    with pytest.raises(PaymentUnavailable):
        links.create_link(sqlite_db, gateway, ref, DESK)
    paid = desk.record_cash(sqlite_db, ref, total_pence(sqlite_db, ref), DESK)
    assert paid["booking_status"] == "CONFIRMED"

    run_payments_once(sqlite_db, gateway)  # nobody ever saw that link: closed, never sent
    assert [t for t, _ in emails(sqlite_db)] == ["booking_confirmation"]
    assert [(p[1], p[2]) for p in booking_state(sqlite_db, ref)[2]] == [
        ("link", "expired"),
        ("cash", "succeeded"),
    ]
    assert booking_state(sqlite_db, ref)[:2] == ("CONFIRMED", 1)
