"""Every public way a booking changes leaves each session's counters equal to a recount of
its bookings and holds, and the change feed's last word on each session and booking (what
a desk following the feed shows) says the same."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.booking import bookings
from core.booking.waitlist import offers
from core.demo import data as demo
from core.demo.stripe_double import StripeDouble
from core.infra.actor import Actor
from core.infra.clock import now
from core.infra.db import Database
from core.models import Booking, Change, CourseSession, SeatHold
from core.models.statuses import BookingStatus, SessionStatus
from core.orders import bulk
from core.orders.order_csv import parse_rows
from core.payments import desk, events, links, refunds
from core.payments.gateway import StripeClient, gateway_for
from core.payments.jobs import run_payments_once
from core.scheduling.cancel import cancel_session
from core.seats import holds
from tests.factories import make_session, person
from tests.payments_support import DESK, MANAGER, pay_link, pending_booking
from tests.test_organisations import acme, row
from tests.waitlist_support import full_session, join

ADMIN = Actor(label="Admin", role="admin", channel="desk")
SEATED = (BookingStatus.PENDING_PAYMENT, BookingStatus.CONFIRMED)


@pytest.fixture
def db(sqlite_db: Database) -> Iterator[Database]:
    double = StripeDouble()
    double.start()
    sqlite_db.settings = sqlite_db.settings.with_overrides(
        stripe_secret_key="sk_test_counts", stripe_api_base=double.url
    )
    sqlite_db.double = double  # type: ignore[attr-defined]
    yield sqlite_db
    double.stop()


def mismatches(db: Database) -> list[str]:
    """Sessions whose stored counters or status disagree with a recount, or whose last
    change-feed entry disagrees with the database."""
    wrong = []
    with db.read() as tx:
        for s in tx.scalars(select(CourseSession)).unique():
            booked = tx.scalar(
                select(func.coalesce(func.sum(Booking.seats), 0)).where(
                    Booking.session_id == s.id, Booking.status.in_(SEATED)
                )
            )
            held = tx.scalar(
                select(func.coalesce(func.sum(SeatHold.seats), 0)).where(
                    SeatHold.session_id == s.id,
                    SeatHold.released_at.is_(None),
                    SeatHold.booking_id.is_(None),
                    SeatHold.expires_at > now(),
                )
            )
            status = (
                SessionStatus.CANCELLED
                if s.cancel_reason
                else SessionStatus.FULL
                if booked >= s.capacity
                else SessionStatus.SCHEDULED
            )
            if (s.booked, s.status) != (booked, status) or booked + held > s.capacity:
                wrong.append(f"session {s.id}: {s.booked}/{s.status}, recount {booked}/{status}")
            last = tx.scalars(
                select(Change.payload)
                .where(Change.kind == "session", Change.entity_id == str(s.id))
                .order_by(Change.seq.desc())
                .limit(1)
            ).first()
            if last is not None and last["booked"] != s.booked:
                wrong.append(f"session {s.id}: feed says {last['booked']} booked, not {s.booked}")
        told = {}
        for change in tx.scalars(
            select(Change).where(Change.kind == "booking").order_by(Change.seq)
        ):
            told[change.entity_id] = change.payload["status"]
        for b in tx.scalars(select(Booking)).unique():
            if told.get(b.reference, b.status) != b.status:
                wrong.append(f"{b.reference}: {b.status}, feed says {told[b.reference]}")
    return wrong


def _hold_and_book(db: Database, sid: int, n: int) -> str:
    with db.write() as tx:
        hold = holds.create_hold(tx, sid, 2, DESK)
    with db.write() as tx:
        return bookings.confirm_hold(tx, hold.id, [person(n), person(n + 1)], DESK).reference


def test_every_path_keeps_the_counters_equal_to_a_recount(db: Database) -> None:
    gateway: StripeClient = gateway_for(db.settings)
    double: StripeDouble = db.double  # type: ignore[attr-defined]
    sid = make_session(db, days_ahead=30)
    other = make_session(db, days_ahead=37)
    steps = []

    ref = _hold_and_book(db, sid, 1)
    steps.append(("hold and book", mismatches(db)))

    paid_at_desk = pending_booking(db, seats=2)
    with db.read() as tx:
        due = bookings.find(tx, paid_at_desk).total_pence
    desk.record_cash(db, paid_at_desk, due, DESK)
    steps.append(("desk pay", mismatches(db)))

    by_link = pending_booking(db)
    pay_link(double, links.create_link(db, gateway, by_link, DESK))
    events.poll_events(db, gateway)
    steps.append(("link pay", mismatches(db)))

    with db.write() as tx:
        bookings.cancel(tx, ref, DESK, "plans changed")
    steps.append(("cancel", mismatches(db)))

    refunds.refund(db, gateway, paid_at_desk, MANAGER, override=True)
    steps.append(("cancel with refund", mismatches(db)))

    moving = _hold_and_book(db, sid, 10)
    with db.write() as tx:
        bookings.transfer(tx, moving, other, DESK)
    steps.append(("move", mismatches(db)))

    with db.write() as tx:
        cancel_session(tx, ADMIN, other, "Trainer unwell")
    steps.append(("session cancelled", mismatches(db)))

    org = acme(db)
    with db.write() as tx:
        order = bulk.start_order(
            tx, db.settings, org, parse_rows([row(sid, 1), row(sid, 2)]), None, DESK
        )
    with db.write() as tx:
        bulk.confirm_order(tx, db.settings, order.id, DESK)
    steps.append(("bulk order", mismatches(db)))

    small, refs = full_session(db, [1, 1], days_ahead=21)
    entry = join(db, small, 1, "wendy")
    with db.write() as tx:
        bookings.cancel(tx, refs[0], DESK)
        hold_id = tx.scalar(select(SeatHold.id).where(SeatHold.holder == offers.WAITLIST_HOLDER))
    steps.append(("offer made", mismatches(db)))
    assert hold_id is not None, f"entry {entry} was offered no seat"
    with db.write() as tx:
        bookings.confirm_hold(tx, hold_id, [person(30)], DESK)
        offers.sweep(tx)
    steps.append(("offer accepted", mismatches(db)))

    unpaid = pending_booking(db)
    run_payments_once(db, gateway, at=now() + timedelta(days=1))
    with db.read() as tx:
        assert bookings.find(tx, unpaid).status == BookingStatus.CANCELLED
    steps.append(("payment deadline", mismatches(db)))

    assert [(step, wrong) for step, wrong in steps if wrong] == []


def test_demo_data_keeps_the_counters_equal_to_a_recount(sqlite_db: Database) -> None:
    demo.seed(sqlite_db)
    with sqlite_db.read() as tx:
        cancelled = tx.scalar(select(func.count()).where(Booking.status == BookingStatus.CANCELLED))
    assert cancelled, "the demo cancels some bookings"
    assert mismatches(sqlite_db) == []
