"""An organisation whose rule is "PO required" is never invoiced without a purchase order:
not from the wizard's Invoice payment, not over the protocol. The refusal changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from core.booking import bookings
from core.booking.attendees import parse_attendee_spec
from core.infra.db import Database
from core.infra.errors import ValidationFailed
from desktop.take_payment import TakePaymentDialog
from desktop.wizard import BookingWizard
from desktop.wizard.wizard import ATTENDEES, DONE, PAYMENT, REVIEW
from tests.desktop_support import PEOPLE, DeskFactory, make_desk, type_attendee
from tests.factories import make_session
from tests.payments_support import pending_booking
from tests.test_organisations import DESK, acme, call, seats

__all__ = ["make_desk"]
WAIT_MS = 10_000


def _booked(db: Database, sid: int) -> str:
    person = parse_attendee_spec("Sam Patel <sam@acme.example> 1990-02-03")
    with db.write() as tx:
        return bookings.book_now(tx, sid, [person], DESK).reference


def test_the_protocol_refuses_an_invoice_without_the_po_the_company_requires(
    sqlite_db: Database,
) -> None:
    acme(sqlite_db, po_required=True)
    ref = _booked(sqlite_db, make_session(sqlite_db, "efaw"))
    before = call(sqlite_db, "bookings.get", {"reference": ref})
    invoice = {
        "reference": ref,
        "company": "  acme  logistics ltd ",  # spaces as typed, the same company
        "email": "accounts@acme.example",
        "billing_address": "Unit 4, Aire Park, Leeds",
    }
    for po in (None, "   "):
        with pytest.raises(ValidationFailed, match="requires a purchase order"):
            call(sqlite_db, "payments.invoice", invoice | {"po_number": po})
        with pytest.raises(ValidationFailed, match="requires a purchase order"):
            call(sqlite_db, "payments.invoice_check", {"company": invoice["company"]})
    assert call(sqlite_db, "bookings.get", {"reference": ref}) == before
    assert call(sqlite_db, "invoices.list") == []
    paid = call(sqlite_db, "payments.invoice", invoice | {"po_number": "PO-9"})
    assert call(sqlite_db, "invoices.get", {"number": paid["invoice"]})["po"] == "PO-9"


def test_the_wizard_asks_for_the_po_before_booking_on_invoice(
    qtbot: QtBot, sqlite_db: Database, make_desk: DeskFactory, tmp_path: Path
) -> None:
    acme(sqlite_db, po_required=True)
    sid = make_session(sqlite_db, course="efaw", days_ahead=10)
    wizard = BookingWizard(make_desk(), None, session={"id": sid})
    wizard.show()
    qtbot.waitUntil(lambda: wizard.session is not None and wizard.catalogue.ready)
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.step == ATTENDEES)
    type_attendee(wizard, 0, PEOPLE[0])
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.step == REVIEW)
    for box in wizard.review_step.boxes:
        box.setChecked(True)
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    step = wizard.payment_step
    qtbot.waitUntil(lambda: "invoice" in step.buttons)
    step.choose("invoice")
    fields = step.fields["invoice"]
    fields["company"].setText("Acme Logistics Ltd")
    fields["email"].setText("accounts@acme.example")
    fields["billing_address"].setText("Unit 4, Aire Park, Leeds LS10 1AB")
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "requires a purchase order" in wizard.message.text(), timeout=WAIT_MS)
    assert wizard.step == PAYMENT and wizard.booking is None
    assert seats(sqlite_db, sid) == {"booked": 0, "held": 1}
    assert call(sqlite_db, "invoices.list") == []
    wizard.grab().save(str(tmp_path / "po-required.png"))
    fields["po_number"].setText("PO-4471")
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.step == DONE, timeout=WAIT_MS)
    (invoice,) = call(sqlite_db, "invoices.list")
    assert invoice["po"] == "PO-4471" and seats(sqlite_db, sid) == {"booked": 1, "held": 0}
    wizard.close()


def test_the_po_field_says_required_for_a_company_that_requires_one(
    qtbot: QtBot, sqlite_db: Database, make_desk: DeskFactory
) -> None:
    acme(sqlite_db, po_required=True)
    call(sqlite_db, "organisations.add", {"name": "Brightside Care", "billing_address": "York"})
    sid = make_session(sqlite_db, course="efaw", days_ahead=10)
    wizard = BookingWizard(make_desk(), None, session={"id": sid})
    wizard.show()
    qtbot.waitUntil(lambda: wizard.session is not None and wizard.catalogue.ready)
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.step == ATTENDEES)
    type_attendee(wizard, 0, PEOPLE[0])
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.step == REVIEW)
    for box in wizard.review_step.boxes:
        box.setChecked(True)
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    step = wizard.payment_step
    qtbot.waitUntil(lambda: "invoice" in step.buttons)
    step.choose("invoice")
    fields = step.fields["invoice"]
    rule = step.po_rule
    assert rule is not None
    assert rule.label.text() == "PO number (optional)"
    fields["company"].setText("  acme logistics LTD ")
    qtbot.waitUntil(lambda: rule.label.text() == "PO number (required by Acme Logistics Ltd)")
    fields["email"].setText("accounts@acme.example")
    fields["billing_address"].setText("Unit 4, Aire Park, Leeds LS10 1AB")
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    assert wizard.message.text() == (
        "Acme Logistics Ltd requires a purchase order number on every order; give the PO."
    )
    assert wizard.step == PAYMENT and seats(sqlite_db, sid) == {"booked": 0, "held": 1}
    fields["company"].setText("Brightside Care")
    assert rule.label.text() == "PO number (optional)"
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.step == DONE, timeout=WAIT_MS)
    (invoice,) = call(sqlite_db, "invoices.list")
    assert invoice["po"] is None
    wizard.close()


def test_taking_payment_on_invoice_later_follows_the_po_rule_too(
    qtbot: QtBot, sqlite_db: Database, make_desk: DeskFactory
) -> None:
    acme(sqlite_db, po_required=True)
    ref = pending_booking(sqlite_db)
    backend = make_desk()
    parent = QWidget()
    qtbot.addWidget(parent)
    dialog = TakePaymentDialog(backend, backend.call("bookings.get", {"reference": ref}), parent)
    dialog.show()
    qtbot.waitUntil(lambda: "invoice" in dialog.step.buttons, timeout=WAIT_MS)
    dialog.step.choose("invoice")
    rule = dialog.step.po_rule
    assert rule is not None
    dialog.step.fields["invoice"]["company"].setText("Acme Logistics Ltd")
    qtbot.waitUntil(lambda: rule.label.text() == "PO number (required by Acme Logistics Ltd)")
