"""The receptionist's whole booking flow on the embedded backend, driven through the GUI."""

from __future__ import annotations

import re

from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from core.db import Database
from core.models import Booking
from desktop.wizard import BookingWizard
from desktop.wizard.wizard import ATTENDEES, DONE, PAYMENT, REVIEW
from tests.desktop_support import DeskFactory, desk_settings, make_desk, open_window
from tests.factories import make_session

__all__ = ["desk_settings", "make_desk"]

PEOPLE = [
    ("Amelia Barker", "amelia@example.co.uk", "07700 900001", "17/05/1990", ""),
    ("Oliver Holroyd", "oliver@example.co.uk", "", "03/11/1985", "Wheelchair user"),
    ("Isla Sutcliffe", "isla@example.co.uk", "", "21/01/2001", ""),
    ("George Firth", "george@example.co.uk", "07700 900004", "09/09/1979", ""),
    ("Ava Khan", "ava@example.co.uk", "", "30/06/1995", "Vegetarian lunch"),
]


def type_attendee(wizard: BookingWizard, row: int, values: tuple[str, ...]) -> None:
    model = wizard.attendees_step.model
    for col, value in enumerate(values):
        model.setData(model.index(row, col), value)


def test_five_attendees_paid_in_cash_get_a_reference(
    qtbot: QtBot, sqlite_db: Database, make_desk: DeskFactory, desk_settings: QSettings
) -> None:
    efaw = make_session(sqlite_db, course="efaw", venue="leeds", days_ahead=10)
    make_session(sqlite_db, course="faw", venue="york", days_ahead=12)
    window = open_window(qtbot, make_desk(), desk_settings)
    sessions = window.sessions
    window.show_tab("Sessions")
    qtbot.waitUntil(lambda: sessions.model.rowCount() == 2)
    qtbot.waitUntil(lambda: sessions.course.count() > 1)

    sessions.course.setCurrentIndex(sessions.course.findData("efaw"))
    qtbot.waitUntil(lambda: sessions.proxy.rowCount() == 1)
    sessions.table.selectRow(0)
    qtbot.mouseClick(sessions.book, Qt.MouseButton.LeftButton)
    wizard = window.findChild(BookingWizard)
    assert wizard is not None
    qtbot.waitUntil(lambda: wizard.session is not None and wizard.session.id == efaw)
    assert wizard.pricing.unit.text() == "£75.00"

    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.step == ATTENDEES)
    assert wizard.hold.seats == 1
    assert "Holding 1 seat" in wizard.hold_label.text()
    type_attendee(wizard, 0, PEOPLE[0])
    for row, person in enumerate(PEOPLE[1:], start=1):
        qtbot.mouseClick(wizard.attendees_step.add, Qt.MouseButton.LeftButton)
        type_attendee(wizard, row, person)
    assert wizard.attendees_step.problem.text() == ""
    assert wizard.pricing.attendees.text() == "5"
    assert wizard.pricing.discount.text() == "-£37.50"
    assert wizard.pricing.total.text() == "£337.50"
    qtbot.waitUntil(lambda: wizard.hold.seats == 5)

    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.step == REVIEW)
    assert not wizard.next_button.isEnabled()
    for box in wizard.review_step.boxes:
        box.setChecked(True)
    assert wizard.next_button.isEnabled()
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    assert wizard.step == PAYMENT
    wizard.payment_step.choose("cash")
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.step == DONE, timeout=10_000)

    reference = wizard.confirmation_step.reference.text()
    assert re.fullmatch(r"RFT-\d{4}-\d{4}", reference)
    assert "£337.50" in wizard.confirmation_step.details.text()
    assert "Paid in cash" in wizard.confirmation_step.payment.text()
    with sqlite_db.read() as tx:
        booking = tx.scalars(select(Booking).where(Booking.reference == reference)).one()
        assert (booking.status, booking.seats, booking.total_pence) == ("CONFIRMED", 5, 33750)
    qtbot.waitUntil(lambda: sessions.selected() is not None and sessions.selected().free == 7)


def test_attendee_under_the_course_minimum_age_is_flagged_on_the_row(
    qtbot: QtBot, sqlite_db: Database, make_desk: DeskFactory
) -> None:
    sid = make_session(sqlite_db, course="efaw", days_ahead=10)
    backend = make_desk()
    wizard = BookingWizard(backend, None, session={"id": sid})
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitUntil(lambda: wizard.session is not None and wizard.catalogue.ready)
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.step == ATTENDEES)
    type_attendee(wizard, 0, ("Young Person", "young@example.co.uk", "", "01/01/2015", ""))
    assert "this course is for 16 and over" in wizard.attendees_step.problem.text()
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    assert wizard.step == ATTENDEES
    assert "Row 1 (Young Person)" in wizard.message.text()
