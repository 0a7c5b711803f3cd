"""Waiting-list offers show on the desk, and a reply to the office is accepted there."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from core.booking import bookings
from core.booking.waitlist import entries
from core.infra.db import Database
from desktop.wizard import BookingWizard
from tests.desktop_support import DeskFactory, make_desk
from tests.test_waitlist_desktop import button, close
from tests.waitlist_support import DESK, full_session, join

__all__ = ["make_desk"]


def test_offers_show_on_the_desk_and_a_reply_is_accepted_there(
    qtbot: QtBot, sqlite_db: Database, make_desk: DeskFactory
) -> None:
    full, refs = full_session(sqlite_db, [2, 1])
    join(sqlite_db, full, 2, "first")
    join(sqlite_db, full, 2, "second")
    with sqlite_db.write() as tx:
        bookings.cancel(tx, refs[0], DESK)
    wizard = BookingWizard(make_desk(), None, session={"id": full})
    wizard.show()
    qtbot.waitUntil(lambda: button(wizard).isVisible())
    button(wizard).open_dialog()
    dialog = button(wizard).dialog
    assert dialog is not None
    view = dialog.waiting
    qtbot.waitUntil(lambda: view.model.rowCount() == 2)
    cells = [[view.model.index(r, c).data() for c in (1, 3, 4)] for r in range(2)]
    assert cells == [["First", "", "offered"], ["Second", "1", "waiting"]]
    assert view.model.index(0, 5).data() != ""
    view.table.selectRow(0)
    assert view.accept_button.isEnabled()
    qtbot.mouseClick(view.accept_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "accepted" in view.note.text())
    qtbot.waitUntil(lambda: view.model.index(0, 4).data() == "accepted")
    with sqlite_db.read() as tx:
        assert [e.status for e in entries.list_entries(tx, full)][0] == "accepted"
    close(wizard)
