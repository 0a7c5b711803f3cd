"""Every unpaid booking has a payment deadline; staff can extend it; past it the seats return."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from core.api import Call, dispatch
from core.booking.bookings import find
from core.cli import main
from core.demo.stripe_double import StripeDouble
from core.infra.actor import Actor
from core.infra.clock import now
from core.infra.db import Database
from core.infra.errors import DomainError, Forbidden, ValidationFailed
from core.payments import deadline, desk, links, terminal
from core.payments.gateway import gateway_for
from core.payments.jobs import run_payments_once
from tests.payments_support import DESK, booking_state, emails, pending_booking, present_card

TRAINER = Actor(label="Trainer", role="trainer", channel="desk")


@pytest.fixture
def db(sqlite_db: Database) -> Iterator[Database]:
    double = StripeDouble()
    double.start()
    sqlite_db.settings = sqlite_db.settings.with_overrides(
        stripe_secret_key="sk_test_api", stripe_api_base=double.url
    )
    yield sqlite_db
    double.stop()


def extend(db: Database, actor: Actor = DESK, **params: object) -> dict[str, object]:
    result = dispatch(Call(db=db, actor=actor), "payments.extend_deadline", params)
    assert isinstance(result, dict)
    return result


def test_staff_extend_the_deadline_and_the_seats_stay_until_then(db: Database) -> None:
    ref = pending_booking(db)
    with db.read() as tx:
        was = deadline.deadline(find(tx, ref), db.settings)  # RFT_HOLD_MINUTES after booking
    assert timedelta(minutes=14) < was - now() <= timedelta(minutes=15)
    result = extend(db, reference=ref, minutes=120)
    pay_by = datetime.fromisoformat(str(result["pay_by"]))
    assert result["reference"] == ref
    assert timedelta(minutes=119) < pay_by - was <= timedelta(minutes=120)

    gateway = gateway_for(db.settings)
    run_payments_once(db, gateway, at=pay_by - timedelta(seconds=1))
    assert booking_state(db, ref)[:2] == ("PENDING_PAYMENT", 1)
    run_payments_once(db, gateway, at=pay_by + timedelta(seconds=1))
    assert booking_state(db, ref)[:2] == ("CANCELLED", 0)


def test_a_link_that_expires_inside_an_extended_deadline_keeps_the_booking(
    db: Database,
) -> None:
    gateway = gateway_for(db.settings)
    ref = pending_booking(db)
    link = links.create_link(db, gateway, ref, DESK)
    expiry = datetime.fromisoformat(link["expires_at"])
    pay_by = datetime.fromisoformat(str(extend(db, reference=ref, minutes=24 * 60)["pay_by"]))
    assert pay_by > expiry + timedelta(hours=23)

    run_payments_once(db, gateway, at=expiry + timedelta(seconds=1))
    status, booked, payments = booking_state(db, ref)
    assert (status, booked, [p[2] for p in payments]) == ("PENDING_PAYMENT", 1, ["expired"])
    assert [t for t, _ in emails(db)] == ["payment_link"]

    run_payments_once(db, gateway, at=pay_by + timedelta(seconds=1))
    assert booking_state(db, ref)[:2] == ("CANCELLED", 0)
    assert [t for t, _ in emails(db)] == ["payment_link", "payment_link_expired"]


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"minutes": 0}, DomainError),
        ({"minutes": -5}, DomainError),
        ({"minutes": 10**9}, DomainError),
        ({"minutes": "soon"}, DomainError),
        ({"minutes": "60"}, DomainError),
        ({"minutes": True}, DomainError),
        ({"minutes": 1.5}, DomainError),
        ({"minutes": 60, "until": "forever"}, DomainError),
        ({"minutes": 2 * 24 * 60 * 7}, ValidationFailed),  # past the start of the course
    ],
)
def test_bad_extensions_are_refused_and_change_nothing(
    db: Database, params: dict[str, Any], error: type[DomainError]
) -> None:
    ref = pending_booking(db, days_ahead=5)
    with pytest.raises(error):
        extend(db, reference=ref, **params)
    with db.read() as tx:
        assert find(tx, ref).pay_by is None


def test_only_a_booking_waiting_for_payment_and_only_desk_staff(db: Database) -> None:
    ref = pending_booking(db)
    with pytest.raises(Forbidden):
        extend(db, TRAINER, reference=ref, minutes=30)
    desk.record_pay_later(db, ref, DESK)
    with pytest.raises(ValidationFailed, match="only a booking waiting for payment"):
        extend(db, reference=ref, minutes=30)


def test_extending_twice_counts_from_the_later_deadline(db: Database) -> None:
    ref = pending_booking(db)
    first = datetime.fromisoformat(str(extend(db, reference=ref, minutes=60)["pay_by"]))
    second = datetime.fromisoformat(str(extend(db, reference=ref, minutes=60)["pay_by"]))
    assert second - first == timedelta(minutes=60)


def test_rft_payments_extend(sqlite_db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    ref = pending_booking(sqlite_db)
    assert main(["payments", "extend", ref, "--minutes", "90"], []) == 0
    assert f"{ref} may now be paid until" in capsys.readouterr().out
    with sqlite_db.read() as tx:
        booking = find(tx, ref)
        assert deadline.deadline(booking, sqlite_db.settings) > now() + timedelta(minutes=89)
    assert main(["payments", "extend", "RFT-1999-0001", "--minutes", "90"], []) != 0
    with pytest.raises(SystemExit):
        main(["payments", "extend", ref, "--minutes", "-3"], [])


def test_a_card_payment_started_just_before_the_deadline_is_not_cut_off(db: Database) -> None:
    gateway = gateway_for(db.settings)
    ref = pending_booking(db)
    with db.write() as tx:  # the booking was made almost a hold's time ago
        find(tx, ref).created_at = now() - timedelta(minutes=db.settings.hold_minutes - 1)
    started = terminal.start(db, gateway, ref, "tmr_desk_1", DESK)
    run_payments_once(db, gateway, at=now() + timedelta(seconds=90))  # past the old deadline
    assert booking_state(db, ref)[:2] == ("PENDING_PAYMENT", 1)
    present_card(gateway, "tmr_desk_1")
    assert terminal.status(db, gateway, started["payment_id"])["status"] == "succeeded"
    assert booking_state(db, ref)[0] == "CONFIRMED"


def test_a_deadline_past_the_course_start_is_refused_with_the_start_time(db: Database) -> None:
    ref = pending_booking(db, days_ahead=5)
    with pytest.raises(ValidationFailed, match=r"after the course starts \(\w{3} \d+ \w{3} \d{4}"):
        extend(db, reference=ref, minutes=14 * 24 * 60)
