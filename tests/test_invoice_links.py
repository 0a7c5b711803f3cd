"""An invoice paid by card: a Stripe payment link for what is owed, made once, emailed once
to the invoice contact, and recorded on the invoice when Stripe says it was paid."""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from core.demo.stripe_double import StripeDouble
from core.infra.db import Database
from core.infra.errors import ValidationFailed
from core.payments.gateway import StripeClient
from core.payments.jobs import run_payments_once
from tests.conftest import make_database, sqlite_url
from tests.payments_support import pay_link
from tests.test_cli import rft
from tests.test_organisations import TRAINER, _ordered, acme, call, outbox


def _stripe(db: Database, double: StripeDouble) -> Database:
    db.settings = db.settings.with_overrides(
        stripe_secret_key="sk_test_invoice", stripe_api_base=double.url
    )
    return db


def test_a_paid_invoice_link_is_recorded_on_the_invoice_by_the_payments_pass(
    any_db: Database, double: StripeDouble, gateway: StripeClient
) -> None:
    db = _stripe(any_db, double)
    number = _ordered(db, acme(db))["invoice"]
    call(db, "invoices.pay", {"number": number, "amount_pence": 5000, "reference": "BACS 1"})
    link = call(db, "invoices.link", {"number": number})
    assert (link["amount_pence"], link["status"]) == (10000, "pending")
    assert call(db, "invoices.link", {"number": number})["url"] == link["url"]
    (session,) = double.of_type("checkout.session")
    assert session["url"] == link["url"] and session["amount_total"] == 10000
    sent = outbox(db, "invoice_payment_link")
    assert [m.recipient for m in sent] == ["accounts@acme.example"]
    assert link["url"] in sent[0].body_text

    pay_link(double, link)
    run_payments_once(db, gateway)
    paid = call(db, "invoices.get", {"number": number})
    assert (paid["status"], paid["paid_pence"]) == ("paid", 15000)
    assert [(p["method"], p["amount_pence"]) for p in paid["payments"]] == [
        ("bank_transfer", 5000),
        ("link", 10000),
    ]
    run_payments_once(db, gateway)  # the same event read again: still recorded once
    assert call(db, "invoices.get", {"number": number})["paid_pence"] == 15000
    assert len(outbox(db, "invoice_payment_link")) == 1
    with pytest.raises(ValidationFailed, match="nothing left to pay"):
        call(db, "invoices.link", {"number": number})


def test_a_status_check_records_a_paid_link_before_any_event_is_read(
    sqlite_db: Database, double: StripeDouble
) -> None:
    db = _stripe(sqlite_db, double)
    number = _ordered(db, acme(db))["invoice"]
    pay_link(double, call(db, "invoices.link", {"number": number}))
    checked = call(db, "invoices.link", {"number": number})
    assert (checked["status"], checked["outstanding_pence"]) == ("paid", 0)
    assert call(db, "invoices.get", {"number": number})["status"] == "paid"


def test_an_unpaid_invoice_link_expires_and_a_new_one_can_be_made(
    sqlite_db: Database, double: StripeDouble, gateway: StripeClient
) -> None:
    db = _stripe(sqlite_db, double)
    number = _ordered(db, acme(db))["invoice"]
    link = call(db, "invoices.link", {"number": number})
    expiry = datetime.fromisoformat(link["expires_at"])
    run_payments_once(db, gateway, at=expiry + timedelta(seconds=1))
    assert double.of_type("checkout.session")[0]["status"] == "expired"
    assert call(db, "invoices.get", {"number": number})["status"] == "open"


def test_credit_notes_and_trainers_get_no_link(sqlite_db: Database, double: StripeDouble) -> None:
    db = _stripe(sqlite_db, double)
    ordered = _ordered(db, acme(db))
    call(db, "bookings.cancel", {"reference": ordered["references"][0], "reason": "left"})
    (note,) = [i for i in call(db, "invoices.list", {}) if i["kind"] == "credit_note"]
    with pytest.raises(ValidationFailed, match="credit note"):
        call(db, "invoices.link", {"number": note["number"]})
    with pytest.raises(Exception, match="(?i)not allowed|permission|role"):
        call(db, "invoices.link", {"number": ordered["invoice"]}, who=TRAINER)
    assert double.of_type("checkout.session") == []


def test_rft_invoice_link_prints_the_same_link_each_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, double: StripeDouble
) -> None:
    db = make_database(sqlite_url(tmp_path), monkeypatch)
    number = _ordered(db, acme(db))["invoice"]
    env = dict(os.environ) | {"STRIPE_SECRET_KEY": "sk_test_cli", "STRIPE_API_BASE": double.url}
    first = rft("invoice", "link", number, "--json", env=env)
    assert first.returncode == 0, first.stderr
    (session,) = double.of_type("checkout.session")
    assert json.loads(first.stdout)["url"] == session["url"]
    plain = rft("invoice", "link", number, env=env)
    assert session["url"] in plain.stdout and "£150.00" in plain.stdout
    missing = rft("invoice", "link", "INV-1999-0001", env=env)
    assert missing.returncode != 0 and "INV-1999-0001" in missing.stderr
