"""The wizard finishes the job: the price read back on review, the group-discount hint only
when there are seats for it, counts written as a person would, and a done page that prints,
emails again and starts the next booking (Alt+N) or closes (Alt+C)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtPrintSupport import QPrinter
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from core.infra.clock import today_london
from core.infra.db import Database
from core.invoicing import invoices
from core.models import OutboxMessage
from desktop.wizard import BookingWizard
from desktop.wizard.payment_methods import link_note
from desktop.wizard.wizard import ATTENDEES, DONE, PAYMENT, REVIEW
from tests.desktop_support import (
    PEOPLE,
    DeskFactory,
    book_five_in_cash,
    desk_settings,
    make_desk,
    open_window,
    type_attendee,
)
from tests.factories import make_session

__all__ = ["desk_settings", "make_desk"]


def confirmations(db: Database) -> int:
    with db.read() as tx:
        stmt = select(func.count()).where(OutboxMessage.template == "booking_confirmation")
        return int(tx.scalar(stmt) or 0)


def test_review_reads_back_the_price_and_the_hint_needs_free_seats(
    qtbot: QtBot, sqlite_db: Database, make_desk: DeskFactory
) -> None:
    roomy = make_session(sqlite_db, course="efaw", days_ahead=10)
    small = make_session(sqlite_db, course="efaw", days_ahead=11, capacity=3)
    backend = make_desk()

    wizard = BookingWizard(backend, None, session={"id": roomy})
    wizard.show()
    qtbot.waitUntil(lambda: wizard.session is not None and wizard.catalogue.ready)
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.step == ATTENDEES)
    type_attendee(wizard, 0, PEOPLE[0])
    qtbot.waitUntil(lambda: "Add 4 more attendees for 10% off." in wizard.pricing.hint.text())
    qtbot.mouseClick(wizard.attendees_step.add, Qt.MouseButton.LeftButton)
    type_attendee(wizard, 1, PEOPLE[1])
    qtbot.waitUntil(lambda: wizard.hold.seats == 2)
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.step == REVIEW)
    summary = " ".join(wizard.review_step.summary.toPlainText().split())
    assert "2 attendees × £75.00" in summary and "Total to pay £150.00" in summary
    wizard.hold.release()
    wizard.close()

    tight = BookingWizard(backend, None, session={"id": small})
    tight.show()
    qtbot.waitUntil(lambda: tight.session is not None and tight.catalogue.ready)
    qtbot.mouseClick(tight.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tight.step == ATTENDEES and tight.hold.seats == 1)
    type_attendee(tight, 0, PEOPLE[0])
    qtbot.waitUntil(lambda: tight.session is not None and tight.session.free == 2)
    qtbot.waitUntil(lambda: tight.pricing.total.text() == "£75.00")
    assert "more attendee" not in tight.pricing.hint.text()
    tight.hold.release()
    tight.close()


def test_the_done_page_prints_emails_again_and_starts_the_next_booking(
    qtbot: QtBot,
    sqlite_db: Database,
    make_desk: DeskFactory,
    desk_settings: QSettings,
    tmp_path: Path,
) -> None:
    efaw = make_session(sqlite_db, course="efaw", venue="leeds", days_ahead=10)
    window = open_window(qtbot, make_desk(), desk_settings)
    reference = book_five_in_cash(qtbot, window, efaw, sessions_listed=1)
    wizard = window.findChild(BookingWizard)
    assert wizard is not None and wizard.step == DONE
    done = wizard.confirmation_step
    assert "5 attendees" in done.details.text() and "(s)" not in done.details.text()

    pdf = tmp_path / "confirmation.pdf"
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(pdf))
    done.print_to(printer)
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 1000

    assert confirmations(sqlite_db) == 1
    assert done.email_button.isEnabled()
    done.email_again()
    qtbot.waitUntil(lambda: "on its way to amelia@example.co.uk again" in done.saved.text())
    assert confirmations(sqlite_db) == 2

    wizard.activateWindow()
    qtbot.waitUntil(wizard.isActiveWindow)
    with qtbot.waitSignals([wizard.again, wizard.finished], timeout=2000):
        qtbot.keyClick(wizard, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
    fresh = [w for w in window.findChildren(BookingWizard) if w.isVisible()]
    assert len(fresh) == 1 and fresh[0].step == 0
    assert fresh[0].confirmation_step.booking is None  # a new booking, not the last one
    assert reference.startswith("RFT-")

    nxt = fresh[0]
    nxt.activateWindow()
    qtbot.waitUntil(nxt.isActiveWindow)
    nxt.go(PAYMENT)
    nxt.go(DONE)
    assert nxt.cancel_button.text() == "&Close"
    with qtbot.waitSignal(nxt.finished, timeout=2000):
        qtbot.keyClick(nxt, Qt.Key.Key_C, Qt.KeyboardModifier.AltModifier)


def test_cash_shows_the_change_and_each_method_has_its_own_alt_key(
    qtbot: QtBot, sqlite_db: Database, make_desk: DeskFactory
) -> None:
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
    assert wizard.step == PAYMENT
    step = wizard.payment_step

    wizard.activateWindow()
    qtbot.waitUntil(wizard.isActiveWindow)
    qtbot.keyClick(wizard, Qt.Key.Key_L, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: step.chosen_key() == "pay_later")  # a mnemonic clicks after 100 ms
    qtbot.keyClick(wizard, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: step.chosen_key() == "cash")
    assert step.change.text() == "To take: £75.00"

    tendered = step.fields["cash"]["tendered"]
    tendered.setText("50")
    assert step.change.text() == "£25.00 short"
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    assert wizard.step == PAYMENT and "£25.00 short of £75.00" in wizard.message.text()
    tendered.setText("twenty")
    assert "not an amount" in step.change.text()
    tendered.setText("£100")
    assert step.change.text() == "Change to give: £25.00"
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.step == DONE, timeout=10_000)
    payment = wizard.confirmation_step.payment.text()
    assert payment == "Paid in cash: £100.00 tendered, £25.00 change."
    wizard.close()


def test_a_payment_link_says_until_when_it_works() -> None:
    note = link_note({"url": "https://pay.example/x", "expires_at": "2026-12-03T18:30:00+00:00"})
    assert "https://pay.example/x" in note and "until Thu 3 Dec 2026 18:30" in note


def test_invoice_asks_for_a_billing_address_and_the_done_page_shows_the_invoice_number(
    qtbot: QtBot, sqlite_db: Database, make_desk: DeskFactory, tmp_path: Path
) -> None:
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
    wizard.activateWindow()
    qtbot.waitUntil(wizard.isActiveWindow)
    qtbot.keyClick(wizard, Qt.Key.Key_V, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: step.chosen_key() == "invoice")
    fields = step.fields["invoice"]
    fields["company"].setText("Acme Logistics Ltd")
    fields["po_number"].setText("PO-4471")
    fields["email"].setText("accounts@acme.example")
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    assert wizard.step == PAYMENT and "billing address" in wizard.message.text()
    fields["billing_address"].setText("Unit 4, Aire Park, Leeds LS10 1AB")
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.step == DONE, timeout=10_000)
    done = wizard.confirmation_step
    number = f"INV-{today_london().year}-0001"
    assert done.payment.text() == f"Invoice {number} raised for £75.00 and emailed."
    with sqlite_db.read() as tx:
        invoice = invoices.invoice_json(tx, invoices.find(tx, number))
    assert invoice["customer"]["address"] == "Unit 4, Aire Park, Leeds LS10 1AB"
    assert (invoice["po"], invoice["gross_pence"]) == ("PO-4471", 7500)
    done.grab().save(str(tmp_path / "done-invoice.png"))
    wizard.close()
