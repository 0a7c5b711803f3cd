"""Fixtures for the desktop tests: desks (LocalBackend) on a real SQLite file, tidy teardown."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot

from core.infra.actor import Actor
from core.infra.config import load_settings
from core.infra.db import Database, open_database
from desktop.backend import Backend, LocalBackend
from desktop.main_window import MainWindow
from desktop.tasks import pool
from desktop.wizard import BookingWizard
from desktop.wizard.wizard import ATTENDEES, DONE, PAYMENT, REVIEW

DeskFactory = Callable[..., LocalBackend]


@pytest.fixture
def make_desk(sqlite_db: Database) -> Iterator[DeskFactory]:
    """``make_desk("Desk A")``: a started LocalBackend; each desk opens its own connection
    pool on the same database file, like two desks running the app side by side."""
    made: list[tuple[LocalBackend, Database]] = []

    def make(label: str = "Front desk", role: str = "reception") -> LocalBackend:
        db = open_database(load_settings()) if made else sqlite_db
        backend = LocalBackend(db, Actor(label=label, role=role, channel="desk"))
        backend.start()
        made.append((backend, db))
        return backend

    yield make
    for backend, _db in made:
        backend.close()
    pool().waitForDone(10_000)
    for _backend, db in made[1:]:
        db.dispose()


@pytest.fixture
def desk_settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "desk.ini"), QSettings.Format.IniFormat)


def open_window(qtbot: QtBot, backend: Backend, settings: QSettings) -> MainWindow:
    window = MainWindow(backend, settings)
    qtbot.addWidget(window)
    window.show()
    return window


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


def book_five_in_cash(qtbot: QtBot, window: MainWindow, efaw: int, sessions_listed: int) -> str:
    """The receptionist's flow: filter the list to EFAW, pick the session, book five people
    (group discount shown), accept the terms, take cash; returns the booking reference."""
    sessions = window.sessions
    window.show_tab("Sessions")
    qtbot.waitUntil(lambda: sessions.model.rowCount() == sessions_listed, timeout=10_000)
    qtbot.waitUntil(lambda: sessions.course.count() > 1)

    sessions.course.setCurrentIndex(sessions.course.findData("efaw"))
    qtbot.waitUntil(lambda: sessions.proxy.rowCount() == 1)
    sessions.table.selectRow(0)
    qtbot.mouseClick(sessions.book, Qt.MouseButton.LeftButton)
    wizard = window.findChild(BookingWizard)
    assert wizard is not None
    qtbot.waitUntil(lambda: wizard.session is not None and wizard.session.id == efaw)
    qtbot.waitUntil(lambda: wizard.pricing.unit.text() == "£75.00")  # the service's quote

    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.step == ATTENDEES)
    assert wizard.hold.seats == 1
    assert "Holding 1 seat" in wizard.hold_label.text()
    type_attendee(wizard, 0, PEOPLE[0])
    for row, person in enumerate(PEOPLE[1:], start=1):
        qtbot.mouseClick(wizard.attendees_step.add, Qt.MouseButton.LeftButton)
        type_attendee(wizard, row, person)
    assert wizard.attendees_step.problem.text() == ""
    qtbot.waitUntil(lambda: wizard.pricing.total.text() == "£337.50")
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
    qtbot.waitUntil(lambda: sessions.selected() is not None and sessions.selected().free == 7)
    return reference
