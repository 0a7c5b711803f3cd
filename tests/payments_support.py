"""Helpers for payment tests: the Stripe double, a gateway pointed at it, pending bookings."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from core.booking import bookings
from core.demo.stripe_double import StripeDouble
from core.infra.actor import Actor
from core.infra.db import Database
from core.models import OutboxMessage, Payment
from core.models.statuses import BookingStatus
from core.payments.gateway import StripeClient, StripeConfig
from tests.factories import make_session, person

DESK = Actor(label="Reception (Leeds)", role="reception", channel="desk", user_id=None)
MANAGER = Actor(label="Manager", role="manager", channel="desk", user_id=None)


def gateway_to(double: StripeDouble) -> StripeClient:
    return StripeClient(
        StripeConfig("sk_test_double", "whsec_test_double", double.url, timeout_s=5.0)
    )


def present_card(gateway: StripeClient, reader: str, number: str = "4242424242424242") -> None:
    """The customer taps their card (Stripe's test helper, through the official SDK)."""
    gateway.sdk.v1.test_helpers.terminal.readers.present_payment_method(
        reader, {"type": "card_present", "card_present": {"number": number}}
    )


def pay_link(double: StripeDouble, link: dict[str, Any]) -> None:
    """The customer pays on the page a payment link (``links.create_link``) leads to."""
    double.pay_checkout(link["url"].rsplit("/", 1)[1])


@pytest.fixture
def double() -> Iterator[StripeDouble]:
    """A running Stripe double, stopped after the test."""
    d = StripeDouble()
    d.start()
    yield d
    d.stop()


@pytest.fixture
def gateway(double: StripeDouble) -> StripeClient:
    return gateway_to(double)


def pending_booking(db: Database, seats: int = 1, days_ahead: int = 30, capacity: int = 12) -> str:
    """A PENDING_PAYMENT booking holding ``seats`` on a fresh session; returns its reference."""
    sid = make_session(db, days_ahead=days_ahead, capacity=capacity)
    with db.write() as tx:
        people = [person(n) for n in range(1, seats + 1)]
        return bookings.book_now(
            tx, sid, people, DESK, status=BookingStatus.PENDING_PAYMENT
        ).reference


def booking_state(db: Database, reference: str) -> tuple[str, int, list[tuple[str, str, str, int]]]:
    """(status, session seats booked, [(kind, method, status, amount)])."""
    with db.read() as tx:
        booking = bookings.find(tx, reference)
        return (
            booking.status,
            booking.session.booked,
            [(p.kind, p.method, p.status, p.amount_pence) for p in booking.payments],
        )


def emails(db: Database) -> list[tuple[str, str]]:
    with db.read() as tx:
        rows = tx.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        return [(r.template, r.recipient) for r in rows]


def payment_ids(db: Database) -> list[int]:
    with db.read() as tx:
        return list(tx.scalars(select(Payment.id).order_by(Payment.id)))


def total_pence(db: Database, reference: str) -> int:
    with db.read() as tx:
        return bookings.find(tx, reference).total_pence
