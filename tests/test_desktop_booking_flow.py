"""The receptionist's whole booking flow on the embedded backend, driven through the GUI."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from core.infra.db import Database
from core.models import Booking
from core.seats.availability import get_session
from desktop.tasks import activity
from desktop.wizard import BookingWizard
from desktop.wizard.wizard import ATTENDEES, SESSION
from tests.desktop_support import (
    DeskFactory,
    book_five_in_cash,
    desk_settings,
    make_desk,
    open_window,
    type_attendee,
)
from tests.factories import make_session

__all__ = ["desk_settings", "make_desk"]


def test_five_attendees_paid_in_cash_get_a_reference_and_an_invite(
    qtbot: QtBot,
    sqlite_db: Database,
    make_desk: DeskFactory,
    desk_settings: QSettings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    efaw = make_session(sqlite_db, course="efaw", venue="leeds", days_ahead=10)
    make_session(sqlite_db, course="faw", venue="york", days_ahead=12)
    window = open_window(qtbot, make_desk(), desk_settings)
    reference = book_five_in_cash(qtbot, window, efaw, sessions_listed=2)
    with sqlite_db.read() as tx:
        booking = tx.scalars(select(Booking).where(Booking.reference == reference)).one()
        assert (booking.status, booking.seats, booking.total_pence) == ("CONFIRMED", 5, 33750)
        assert [(p.method, p.amount_pence) for p in booking.payments] == [("cash", 33750)]

    wizard = window.findChild(BookingWizard)
    assert wizard is not None
    assert (
        "Confirmation email with the calendar invite queued"
        in wizard.confirmation_step.email.text()
    )
    invite = tmp_path / "invite.ics"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(invite), ""))
    qtbot.mouseClick(wizard.confirmation_step.save_invite, Qt.MouseButton.LeftButton)
    text = invite.read_text()
    assert "BEGIN:VEVENT" in text and reference in text
    assert "Emergency First Aid at Work" in text


def test_attendee_under_the_course_minimum_age_is_flagged_on_the_row(
    qtbot: QtBot, sqlite_db: Database, make_desk: DeskFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    sid = make_session(sqlite_db, course="efaw", days_ahead=10)
    backend = make_desk()
    wizard = BookingWizard(backend, None, session={"id": sid})  # deletes itself on close
    wizard.show()
    qtbot.waitUntil(lambda: wizard.session is not None and wizard.catalogue.ready)
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.step == ATTENDEES)
    type_attendee(wizard, 0, ("Young Person", "young@example.co.uk", "", "01/01/2015", ""))
    problem = wizard.attendees_step.problem.text()
    assert "Emergency First Aid at Work is for people aged 16 or over" in problem
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    assert wizard.step == ATTENDEES
    assert "Row 1 (Young Person)" in wizard.message.text()

    monkeypatch.setattr(wizard, "confirm_stop", lambda: True)
    wizard.reject()
    qtbot.waitUntil(lambda: free_seats(sqlite_db, sid) == 12)


def free_seats(db: Database, session_id: int) -> int:
    with db.read() as tx:
        return get_session(tx, session_id).free


def test_hold_is_kept_alive_while_working_and_its_loss_sends_the_wizard_back(
    qtbot: QtBot, sqlite_db: Database, make_desk: DeskFactory
) -> None:
    sid = make_session(sqlite_db, course="efaw", days_ahead=10)
    wizard = BookingWizard(make_desk(), None, session={"id": sid})
    wizard.show()
    qtbot.waitUntil(lambda: wizard.next_button.isEnabled())
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.step == ATTENDEES)
    assert wizard.hold.hold is not None
    first_expiry = wizard.hold.hold.expires_at

    wizard.hold._extended_at -= 3600  # the last extension was long ago
    qtbot.keyClicks(wizard.attendees_step.table, "A")  # the receptionist types
    qtbot.waitUntil(
        lambda: wizard.hold.hold is not None and wizard.hold.hold.expires_at > first_expiry
    )
    qtbot.waitUntil(lambda: not wizard._resize_timer.isActive() and activity.running == 0)

    wizard.hold.hold = wizard.hold.hold.model_copy(  # as if left too long
        update={"expires_at": datetime(2000, 1, 1, tzinfo=UTC)}
    )
    qtbot.waitUntil(lambda: wizard.step == SESSION, timeout=3000)
    assert "released" in wizard.message.text()
    assert wizard.hold.hold is None
    wizard.reject()
