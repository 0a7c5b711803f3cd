"""The payments methods of the service API, called by name as the desktop wizard does."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from core.api import Call, dispatch
from core.booking import bookings
from core.customers.privacy import erase_person
from core.demo.stripe_double import StripeDouble
from core.infra.actor import Actor
from core.infra.db import Database
from core.infra.errors import Forbidden, NotFound, ValidationFailed
from core.infra.money import gbp
from core.notify import sender
from core.payments.gateway import gateway_for
from tests.factories import make_session, person
from tests.mailbox import Mailbox, parts
from tests.payments_support import (
    DESK,
    booking_state,
    emails,
    pending_booking,
    present_card,
    total_pence,
)

TRAINER = Actor(label="Trainer", role="trainer", channel="desk")
WEBSITE = Actor(label="website", role=None, channel="website")


@pytest.fixture
def db(sqlite_db: Database) -> Iterator[Database]:
    double = StripeDouble()
    double.start()
    sqlite_db.settings = sqlite_db.settings.with_overrides(
        stripe_secret_key="sk_test_api", stripe_api_base=double.url
    )
    yield sqlite_db
    double.stop()


def call(db: Database, name: str, actor: Actor = DESK, **params: object) -> dict[str, Any]:
    result = dispatch(Call(db=db, actor=actor), name, params)
    assert isinstance(result, dict)
    return result


def test_methods_and_readers_for_the_wizard(db: Database) -> None:
    result = call(db, "payments.methods")
    assert result["methods"] == ["cash", "pay_later", "card", "link", "invoice"]
    assert {"id": "tmr_desk_1", "label": "Front desk reader", "status": "online"} in result[
        "readers"
    ]


def test_without_stripe_the_desk_still_takes_cash(sqlite_db: Database) -> None:
    result = call(sqlite_db, "payments.methods")
    assert result["methods"] == ["cash", "pay_later", "invoice"]
    assert "STRIPE_SECRET_KEY" in str(result["unavailable"])


def test_card_payment_through_the_api(db: Database) -> None:
    ref = pending_booking(db)
    started = call(db, "payments.terminal.start", reference=ref, reader_id="tmr_desk_1")
    assert started["status"] == "pending"
    status = call(db, "payments.terminal.status", payment_id=started["payment_id"])
    assert status["status"] == "pending" and status["message"]
    cancelled = call(db, "payments.terminal.cancel", payment_id=started["payment_id"])
    assert cancelled["status"] == "canceled"


def test_cash_invoice_and_resend(db: Database) -> None:
    ref = pending_booking(db)
    result = call(db, "payments.cash", reference=ref, amount_pence=total_pence(db, ref))
    assert result["booking_status"] == "CONFIRMED" and result["due_pence"] == 0
    with pytest.raises(ValidationFailed, match="nothing left to pay"):
        call(
            db,
            "payments.invoice",
            reference=ref,
            company="Acme",
            email="ap@acme.example",
            billing_address="1 Mill Lane, Leeds",
        )
    call(db, "bookings.resend_confirmation", reference=ref)
    assert [t for t, _ in emails(db)] == ["booking_confirmation", "booking_confirmation"]

    other = pending_booking(db)
    invoice = call(
        db,
        "payments.invoice",
        reference=other,
        company="Acme Ltd",
        po_number="PO-1",
        email="ap@acme.example",
        billing_address="Unit 4, Aire Park\nLeeds LS10 1AB",
    )
    assert (invoice["method"], invoice["status"]) == ("invoice", "invoiced")
    assert booking_state(db, other)[0] == "CONFIRMED"
    issued = call(db, "invoices.get", number=invoice["invoice"])
    assert issued["customer"]["address"] == "Unit 4, Aire Park\nLeeds LS10 1AB"
    assert (issued["po"], issued["gross_pence"]) == ("PO-1", total_pence(db, other))
    assert [line["reference"] for line in issued["lines"]] == [other]
    with pytest.raises(ValidationFailed):
        call(
            db,
            "payments.invoice",
            reference=pending_booking(db),
            company="Acme Ltd",
            email="ap@acme.example",
            billing_address="",
        )


def test_roles(db: Database) -> None:
    ref = pending_booking(db)
    with pytest.raises(Forbidden):
        call(db, "payments.cash", TRAINER, reference=ref, amount_pence=100)
    with pytest.raises(Forbidden):
        call(db, "payments.refund", WEBSITE, reference=ref)
    with pytest.raises(NotFound):
        call(db, "payments.link", WEBSITE, reference=ref)
    link = call(db, "payments.link", reference=ref)
    assert str(link["url"]).startswith("http://127.0.0.1:") and link["expires_at"]
    with pytest.raises(ValidationFailed, match="amount_pence"):
        call(db, "payments.cash", reference=ref, amount_pence=-5)


def test_pay_later_then_card_on_the_day(db: Database) -> None:
    ref = pending_booking(db)
    later = call(db, "payments.pay_later", reference=ref)
    assert (later["status"], later["booking_status"]) == ("due", "CONFIRMED")
    started = call(db, "payments.terminal.start", reference=ref, reader_id="tmr_desk_1")
    present_card(gateway_for(db.settings), "tmr_desk_1")
    assert call(db, "payments.terminal.status", payment_id=started["payment_id"])["status"] == (
        "succeeded"
    )
    assert [(p[1], p[2]) for p in booking_state(db, ref)[2]] == [
        ("pay_later", "void"),
        ("card", "succeeded"),
    ]
    assert [t for t, _ in emails(db)] == ["booking_confirmation"]


def test_demo_readers_tap_by_themselves(sqlite_db: Database) -> None:
    sqlite_db.settings = sqlite_db.settings.with_overrides(stripe_api_base="local-double")
    paid, declined = pending_booking(sqlite_db), pending_booking(sqlite_db)
    first = call(sqlite_db, "payments.terminal.start", reference=paid, reader_id="tmr_desk_1")
    second = call(sqlite_db, "payments.terminal.start", reference=declined, reader_id="tmr_desk_2")
    deadline = time.monotonic() + 30
    states = ("pending", "pending")
    while "pending" in states:
        assert time.monotonic() < deadline, states
        states = tuple(  # type: ignore[assignment]
            call(sqlite_db, "payments.terminal.status", payment_id=p["payment_id"])["status"]
            for p in (first, second)
        )
        time.sleep(0.2)
    assert states == ("succeeded", "declined")


def test_a_confirmation_not_yet_sent_shows_the_cash_just_taken(
    db: Database, mailbox: Mailbox
) -> None:
    sid = make_session(db)
    with db.write() as tx:
        ref = bookings.book_now(tx, sid, [person(1)], DESK).reference  # confirmed, pay at desk
    call(db, "payments.cash", reference=ref, amount_pence=total_pence(db, ref))
    assert sender.flush(db, mailbox.config()).sent == 1
    text = parts(mailbox.messages[0])["text"]
    assert "Still to pay" not in text
    assert f"Paid:          {gbp(total_pence(db, ref))}" in text


def test_erasing_a_person_erases_their_email(db: Database) -> None:
    ref = pending_booking(db)
    call(db, "payments.cash", reference=ref, amount_pence=total_pence(db, ref))
    sid = make_session(db, venue="york")
    with db.write() as tx:
        bookings.book_now(tx, sid, [person(2)], DESK)
    sent = emails(db)
    theirs = [e for e in sent if e[1] == "person1@example.com"]
    assert ("booking_confirmation", "person1@example.com") in theirs  # their email existed
    with db.write() as tx:
        erase_person(tx, "person1@example.com", DESK)
    assert emails(db) == [e for e in sent if e not in theirs]  # only theirs went
    assert ("booking_confirmation", "person2@example.com") in emails(db)


def test_the_website_gets_a_link_for_its_own_booking(db: Database) -> None:
    hold = call(db, "holds.create", WEBSITE, session_id=make_session(db), seats=1)
    token = hold["hold_token"]
    made = call(
        db, "bookings.create", WEBSITE, hold_id=hold["id"], hold_token=token, attendees=[person(1)]
    )
    link = call(db, "payments.link", WEBSITE, reference=made["reference"], hold_token=token)
    assert set(link) == {"url", "expires_at", "payment_id"}
    assert [t for t, _ in emails(db)] == ["payment_link"]
