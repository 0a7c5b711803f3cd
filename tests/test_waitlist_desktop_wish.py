"""The desk's waiting-list dialog: "any session of this course at these venues before DATE"
and automatic enrolment paid by link, with the attendees named, as ``waitlist.add`` takes them."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from core.infra.db import Database
from core.models import WaitlistEntry
from desktop.wizard import BookingWizard
from desktop.wizard.full_session import FullSessionDialog
from tests.desktop_support import DeskFactory, make_desk
from tests.test_waitlist_desktop import button, close
from tests.test_waitlist_flexible import stripe_db
from tests.waitlist_support import full_session

__all__ = ["make_desk", "stripe_db"]


def open_dialog(qtbot: QtBot, wizard: BookingWizard) -> FullSessionDialog:
    wizard.show()
    qtbot.waitUntil(lambda: button(wizard).isVisible())
    button(wizard).open_dialog()
    dialog = button(wizard).dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.wish.venues.count() > 1)
    return dialog


def stored(db: Database) -> list[WaitlistEntry]:
    with db.read() as tx:
        return list(tx.scalars(select(WaitlistEntry)))


def test_a_flexible_entry_takes_any_session_at_the_ticked_venues_before_a_date(
    qtbot: QtBot, sqlite_db: Database, make_desk: DeskFactory
) -> None:
    full, _ = full_session(sqlite_db, [2], venue="leeds")
    wizard = BookingWizard(make_desk(), None, session={"id": full})
    dialog = open_dialog(qtbot, wizard)
    wish = dialog.wish
    assert not wish.flexible.isChecked()
    assert wish.chosen_venues() == ["leeds"]  # the session's own venue, ticked for them
    wish.flexible.setChecked(True)
    york = next(
        wish.venues.item(i)
        for i in range(wish.venues.count())
        if wish.venues.item(i).text() == "York"
    )
    york.setCheckState(Qt.CheckState.Checked)
    before = wish.before.date().toPython()  # type: ignore[attr-defined]
    dialog.name.setText("Acme Ltd")
    dialog.email.setText("hr@acme.example")
    qtbot.mouseClick(dialog.join_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "another matching session" in dialog.joined.text())
    [entry] = stored(sqlite_db)
    assert entry.before_date == before
    assert sorted(entry.venues or []) == ["leeds", "york"]
    assert entry.pay_by_link_agreed_at is None
    close(wizard)


def test_automatic_enrolment_names_one_attendee_per_seat_and_is_recorded(
    qtbot: QtBot, stripe_db: Database, make_desk: DeskFactory
) -> None:
    full, _ = full_session(stripe_db, [2])
    wizard = BookingWizard(make_desk(), None, session={"id": full})
    dialog = open_dialog(qtbot, wizard)
    wish = dialog.wish
    dialog.seats.setValue(2)
    assert wish.people.rowCount() == 2
    wish.auto.setChecked(True)
    dialog.name.setText("Jo Marsh")
    dialog.email.setText("jo@acme.example")
    people = wish.people
    for col, value in enumerate(("Sam Patel", "sam@acme.example", "", "03/02/1990")):
        people.setData(people.index(0, col), value)
    qtbot.mouseClick(dialog.join_button, Qt.MouseButton.LeftButton)
    assert dialog.joined.text().startswith("Row 2")  # the empty second attendee, named
    assert stored(stripe_db) == []
    for col, value in enumerate(("Alex Nowak", "alex@acme.example", "", "30/11/1985")):
        people.setData(people.index(1, col), value)
    qtbot.mouseClick(dialog.join_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "payment link" in dialog.joined.text())
    [entry] = stored(stripe_db)
    assert entry.pay_by_link_agreed_at is not None and entry.before_date is None
    names = [p["name"] for p in json.loads(entry.attendees or "[]")]
    assert names == ["Sam Patel", "Alex Nowak"]
    close(wizard)
