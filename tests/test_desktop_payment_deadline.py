"""The desk gives an unpaid booking more time before its places go back."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtWidgets import QLabel, QRadioButton, QWidget
from pytestqt.qtbot import QtBot

from core.booking.bookings import find
from core.infra.clock import now
from core.infra.db import Database
from desktop.take_payment import TakePaymentDialog
from tests.desktop_support import DeskFactory, make_desk
from tests.payments_support import pending_booking

__all__ = ["make_desk"]


def test_the_desk_gives_an_unpaid_booking_an_hour_more(
    qtbot: QtBot, sqlite_db: Database, make_desk: DeskFactory
) -> None:
    ref = pending_booking(sqlite_db, seats=2)
    backend = make_desk()
    booking = backend.call("bookings.get", {"reference": ref})
    parent = QWidget()
    qtbot.addWidget(parent)
    dialog = TakePaymentDialog(backend, booking, parent)
    dialog.show()
    assert dialog.more_time_button.isVisible()

    dialog.more_time_button.click()
    qtbot.waitUntil(lambda: "Places held until" in dialog.step.progress.text(), timeout=10_000)
    with sqlite_db.read() as tx:
        pay_by = find(tx, ref).pay_by
    assert pay_by is not None and pay_by > now() + timedelta(minutes=70)
    dialog.grab().save("/tmp/i12pay_more_time.png")


def test_a_paid_booking_offers_no_more_time(
    qtbot: QtBot, sqlite_db: Database, make_desk: DeskFactory
) -> None:
    ref = pending_booking(sqlite_db)
    backend = make_desk()
    backend.call("payments.pay_later", {"reference": ref})
    booking = backend.call("bookings.get", {"reference": ref})
    parent = QWidget()
    qtbot.addWidget(parent)
    dialog = TakePaymentDialog(backend, booking, parent)
    dialog.show()
    assert not dialog.more_time_button.isVisible()


def test_the_take_payment_dialog_shows_only_the_ways_it_offers(
    qtbot: QtBot, sqlite_db: Database, make_desk: DeskFactory
) -> None:
    """Found by the attack (docs/screenshots/bookings-take-payment.png): the ways first shown
    and then withdrawn ("Pay later", its hint) stayed on screen until their deferred deletion,
    drawn over one another under the ways that replaced them."""
    ref = pending_booking(sqlite_db)
    backend = make_desk()
    booking = backend.call("bookings.get", {"reference": ref})
    parent = QWidget()
    qtbot.addWidget(parent)
    dialog = TakePaymentDialog(backend, booking, parent)
    dialog.show()
    shown = {b.objectName() for b in dialog.findChildren(QRadioButton) if b.isVisible()}
    assert shown == {f"pay-{key}" for key in dialog.step.buttons}
    assert "pay-pay_later" not in shown
    hints = [h.text() for h in dialog.step.findChildren(QLabel) if h.isVisible()]
    assert not [h for h in hints if "the office chases it" in h], hints
