"""The wizard when the course is full or the wrong one: other venues and dates, the waiting
list, and a requalification refusal with its reason and the full course offered."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from core.booking.waitlist import entries
from core.infra.db import Database
from core.journal import audit
from desktop.wizard import BookingWizard
from desktop.wizard.full_session import FullSessionButton
from desktop.wizard.wizard import ATTENDEES, REVIEW, SESSION
from tests.desktop_support import PEOPLE, DeskFactory, make_desk, type_attendee
from tests.factories import make_session
from tests.test_desktop_last_seat import open_wizard
from tests.waitlist_support import full_session

__all__ = ["make_desk"]


def button(wizard: BookingWizard) -> FullSessionButton:
    found = wizard.findChild(FullSessionButton)
    assert found is not None
    return found


def close(wizard: BookingWizard) -> None:
    for dialog in wizard.findChildren(QDialog):
        dialog.reject()
    wizard.confirm_stop = lambda: True  # type: ignore[method-assign]
    wizard.reject()


def test_a_full_session_offers_the_nearest_venue_and_switches_to_it(
    qtbot: QtBot, sqlite_db: Database, make_desk: DeskFactory
) -> None:
    full, _ = full_session(sqlite_db, [2], venue="leeds")
    york = make_session(sqlite_db, venue="york")
    hull = make_session(sqlite_db, venue="hull")
    backend = make_desk()
    wizard = BookingWizard(backend, None, session={"id": full})
    wizard.show()
    more = button(wizard)
    qtbot.waitUntil(more.isVisible)
    assert more.full is not None and more.full.id == full
    qtbot.mouseClick(more, Qt.MouseButton.LeftButton)
    dialog = more.dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.list.topLevelItemCount() == 2)
    names = [dialog.list.topLevelItem(i).text(0) for i in range(2)]
    assert names == ["York", "Hull"]
    dialog.list.setCurrentItem(dialog.list.topLevelItem(1))
    qtbot.mouseClick(dialog.choose_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.session is not None and wizard.session.id == hull)
    assert york != hull
    close(wizard)


def test_the_desk_puts_a_group_on_the_waiting_list(
    qtbot: QtBot, sqlite_db: Database, make_desk: DeskFactory
) -> None:
    full, _ = full_session(sqlite_db, [3])
    wizard = BookingWizard(make_desk(), None, session={"id": full})
    wizard.show()
    qtbot.waitUntil(lambda: button(wizard).isVisible())
    button(wizard).open_dialog()
    dialog = button(wizard).dialog
    assert dialog is not None
    dialog.seats.setValue(3)
    dialog.name.setText("Acme Ltd")
    dialog.email.setText("not an email")
    qtbot.mouseClick(dialog.join_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "email" in dialog.joined.text())
    dialog.email.setText("hr@acme.example")
    qtbot.mouseClick(dialog.join_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "position 1" in dialog.joined.text())
    with sqlite_db.read() as tx:
        [entry] = entries.list_entries(tx, full)
    assert (entry.seats, entry.contact_name, entry.status) == (3, "Acme Ltd", "waiting")
    close(wizard)


def _to_attendees(qtbot: QtBot, wizard: BookingWizard) -> None:
    qtbot.waitUntil(lambda: wizard.session is not None and wizard.next_button.isEnabled())
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.step == ATTENDEES)
    type_attendee(wizard, 0, PEOPLE[0])
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.requalification.dialog is not None)


def test_a_requalification_refusal_shows_why_and_offers_the_full_course(
    qtbot: QtBot, sqlite_db: Database, make_desk: DeskFactory
) -> None:
    requal = make_session(sqlite_db, course="faw-requal")
    wizard = open_wizard(qtbot, make_desk(), requal)
    _to_attendees(qtbot, wizard)
    dialog = wizard.requalification.dialog
    assert dialog is not None and wizard.step == ATTENDEES
    assert "no First Aid at Work certificate on record" in wizard.message.text()
    assert dialog.full_button.text() == "Book First Aid at Work instead"
    assert not dialog.override_button.isEnabled()
    qtbot.mouseClick(dialog.full_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.step == SESSION and wizard.hold.hold is None)
    assert wizard.session_step.course.currentData() == "faw"
    close(wizard)


def test_staff_override_a_refusal_with_a_reason_that_is_audited(
    qtbot: QtBot, sqlite_db: Database, make_desk: DeskFactory
) -> None:
    requal = make_session(sqlite_db, course="faw-requal")
    wizard = open_wizard(qtbot, make_desk(), requal)
    _to_attendees(qtbot, wizard)
    dialog = wizard.requalification.dialog
    assert dialog is not None
    dialog.reason.setText("Paper certificate seen, expires next month")
    qtbot.mouseClick(dialog.override_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.step == REVIEW)
    booked: list[dict[str, object]] = []
    wizard.create_booking("cash", booked.append)
    qtbot.waitUntil(lambda: bool(booked))
    with sqlite_db.read() as tx:
        found = audit.entries(tx, audit.AuditFilter(action="eligibility.override"))
    assert [(e.entity_id, e.reason) for e in found] == [
        (booked[0]["reference"], "Paper certificate seen, expires next month")
    ]
    close(wizard)
