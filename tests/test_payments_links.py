"""Payment links: the booking holds its seats until the link is paid or expires."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from core.booking import bookings
from core.demo.stripe_double import StripeDouble
from core.infra.actor import Actor
from core.infra.clock import now
from core.infra.db import Database
from core.infra.errors import Forbidden, ValidationFailed
from core.models.statuses import BookingStatus
from core.payments import desk, links
from core.payments.gateway import StripeClient
from core.payments.jobs import run_payments_once
from tests.factories import make_session, person
from tests.payments_support import (
    DESK,
    booking_state,
    emails,
    pay_link,
    pending_booking,
    total_pence,
)

WEBSITE = Actor(label="website", role=None, channel="website")


def test_a_link_is_made_once_and_emailed(
    sqlite_db: Database, double: StripeDouble, gateway: StripeClient
) -> None:
    ref = pending_booking(sqlite_db, seats=2)
    link = links.create_link(sqlite_db, gateway, ref, DESK)
    again = links.create_link(sqlite_db, gateway, ref, DESK)
    assert again["url"] == link["url"]
    sessions = double.of_type("checkout.session")
    assert len(sessions) == 1
    assert sessions[0]["metadata"]["reference"] == ref
    assert sessions[0]["url"] == link["url"]
    expires = datetime.fromisoformat(link["expires_at"])
    assert sessions[0]["expires_at"] == int(expires.timestamp())
    assert emails(sqlite_db) == [("payment_link", "person1@example.com")]
    status, booked, payments = booking_state(sqlite_db, ref)
    assert (status, booked) == ("PENDING_PAYMENT", 2)
    assert payments[0][:3] == ("charge", "link", "pending")


def test_paying_the_link_confirms_the_booking(
    any_db: Database, double: StripeDouble, gateway: StripeClient
) -> None:
    ref = pending_booking(any_db)
    link = links.create_link(any_db, gateway, ref, DESK)
    pay_link(double, link)
    run_payments_once(any_db, gateway)
    status, _, payments = booking_state(any_db, ref)
    assert status == "CONFIRMED"
    assert [(p[1], p[2]) for p in payments] == [("link", "succeeded")]
    assert [t for t, _ in emails(any_db)] == ["payment_link", "booking_confirmation"]


def test_an_unpaid_link_expires_frees_the_seats_and_tells_the_customer(
    sqlite_db: Database, double: StripeDouble, gateway: StripeClient
) -> None:
    ref = pending_booking(sqlite_db, seats=3)
    link = links.create_link(sqlite_db, gateway, ref, DESK)
    expiry = datetime.fromisoformat(link["expires_at"])
    assert links.expire_due_links(sqlite_db, gateway, at=expiry - timedelta(seconds=1)) == 0
    assert booking_state(sqlite_db, ref)[:2] == ("PENDING_PAYMENT", 3)

    run_payments_once(sqlite_db, gateway, at=expiry + timedelta(seconds=1))
    status, booked, payments = booking_state(sqlite_db, ref)
    assert (status, booked) == ("CANCELLED", 0)
    assert payments[0][2] == "expired"
    assert double.of_type("checkout.session")[0]["status"] == "expired"
    assert [t for t, _ in emails(sqlite_db)] == ["payment_link", "payment_link_expired"]


def test_a_link_paid_just_before_expiry_is_not_cancelled(
    sqlite_db: Database, double: StripeDouble, gateway: StripeClient
) -> None:
    ref = pending_booking(sqlite_db)
    link = links.create_link(sqlite_db, gateway, ref, DESK)
    pay_link(double, link)  # the event has not been read yet
    expiry = datetime.fromisoformat(link["expires_at"])
    links.expire_due_links(sqlite_db, gateway, at=expiry + timedelta(minutes=5))
    assert booking_state(sqlite_db, ref)[0] == "CONFIRMED"


def test_links_only_for_bookings_waiting_for_payment(
    sqlite_db: Database, gateway: StripeClient
) -> None:
    ref = pending_booking(sqlite_db)
    links.create_link(sqlite_db, gateway, ref, DESK)
    with pytest.raises(Forbidden):  # a desk booking is not the website's
        links.create_link(sqlite_db, gateway, ref, WEBSITE)
    other = pending_booking(sqlite_db)
    desk.record_cash(sqlite_db, other, total_pence(sqlite_db, other), DESK)
    assert booking_state(sqlite_db, other)[0] == "CONFIRMED"
    with pytest.raises(ValidationFailed, match="waiting for payment"):
        links.create_link(sqlite_db, gateway, other, DESK)


def test_a_website_booking_never_sent_to_payment_is_released(
    sqlite_db: Database, gateway: StripeClient
) -> None:
    sid = make_session(sqlite_db)
    with sqlite_db.write() as tx:
        ref = bookings.book_now(
            tx, sid, [person(1)], WEBSITE, status=BookingStatus.PENDING_PAYMENT
        ).reference
    assert run_payments_once(sqlite_db, gateway).counts["deadlines"] == 0
    later = now() + timedelta(minutes=sqlite_db.settings.hold_minutes + 1)
    assert run_payments_once(sqlite_db, gateway, at=later).counts["deadlines"] == 1
    assert booking_state(sqlite_db, ref)[:2] == ("CANCELLED", 0)
    assert emails(sqlite_db) == []


def test_cash_refused_while_a_link_is_open_says_the_link_is_being_paid(
    sqlite_db: Database, double: StripeDouble, gateway: StripeClient
) -> None:
    ref = pending_booking(sqlite_db)
    links.create_link(sqlite_db, gateway, ref, DESK)
    total = total_pence(sqlite_db, ref)
    with pytest.raises(ValidationFailed) as refused:
        desk.record_cash(sqlite_db, ref, total, DESK)
    assert "being paid by the payment link, open until" in refused.value.message
    assert booking_state(sqlite_db, ref)[2] == [("charge", "link", "pending", total)]
