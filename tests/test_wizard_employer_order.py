"""Booking for an employer from the wizard: the organisation is the payer, the wizard's people
go into one order with more sessions and people pasted from a spreadsheet, every seat is held
first, a failed row is named with its reason, and one confirmation books it all on one
invoice (on the embedded database and through a running server)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from core.infra.db import Database
from core.infra.errors import ValidationFailed
from core.models import Booking
from desktop.backend import Backend
from desktop.organisations.bulk_order_dialog import BulkOrderDialog, rows_from_text
from desktop.remote_backend import RemoteBackend
from desktop.tasks import pool
from desktop.wizard import BookingWizard
from desktop.wizard.employer_order import EmployerButton
from desktop.wizard.wizard import ATTENDEES
from tests.desktop_support import PEOPLE, DeskFactory, make_desk, type_attendee
from tests.factories import make_session
from tests.server_support import PASSWORD, ServerProcess, add_staff, server_env
from tests.test_organisations import acme, call, seats
from tests.waitlist_support import full_session

__all__ = ["make_desk"]
WAIT_MS = 15_000


def _button(wizard: BookingWizard) -> EmployerButton:
    found = wizard.findChild(EmployerButton)
    assert found is not None
    return found


def _open_order(
    qtbot: QtBot, backend: Backend, sid: int, person: tuple[str, ...] = PEOPLE[0]
) -> tuple[BookingWizard, BulkOrderDialog]:
    """The wizard on ``sid`` with one attendee typed, then "For an employer…"."""
    wizard = BookingWizard(backend, None, session={"id": sid})
    wizard.show()
    qtbot.waitUntil(lambda: wizard.session is not None and wizard.catalogue.ready, timeout=WAIT_MS)
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.step == ATTENDEES, timeout=WAIT_MS)
    type_attendee(wizard, 0, person)
    button = _button(wizard)
    assert button.isVisible()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: button.dialog is not None, timeout=WAIT_MS)
    assert button.dialog is not None
    return wizard, button.dialog


def _organisation_bookings(db: Database) -> list[tuple[int, int, int | None]]:
    with db.read() as tx:
        found = tx.scalars(select(Booking).order_by(Booking.session_id))
        return [(b.session_id, b.seats, b.organisation_id) for b in found]


def test_a_pasted_spreadsheet_is_read_with_or_without_a_header() -> None:
    assert rows_from_text("7\tSam Patel\tsam@acme.example\t1990-02-03\n")[0] == [
        {
            "session": "7",
            "name": "Sam Patel",
            "email": "sam@acme.example",
            "date_of_birth": "1990-02-03",
        }
    ]
    named, _ = rows_from_text("Session,Name,Email,DOB\n7,Sam Patel,sam@acme.example,1990-02-03\n")
    assert named[0]["date_of_birth"] == "1990-02-03" and named[0]["session"] == "7"
    assert rows_from_text("  \n") == ([], [])
    pasted, _ = rows_from_text("\n7\tSam Patel\tsam@acme.example\t1990-02-03\tUses a wheelchair\n")
    assert pasted[0]["special_requirements"] == "Uses a wheelchair"  # the table's fifth column
    mentions, _ = rows_from_text("7,Sam Patel,sam@acme.example,1990-02-03,Email me the route\n")
    assert mentions[0]["name"] == "Sam Patel"  # a row saying "email", not a header
    staff, _ = rows_from_text(  # an employer's list: sessions to type here, needs over two lines
        "Name,Email,Date of birth,Special Requirements\nSam Patel,sam@acme.example,1990-02-03,"
        '"Wheelchair user\nStep-free access"\n'
    )
    assert staff == [
        {
            "name": "Sam Patel",
            "email": "sam@acme.example",
            "date_of_birth": "1990-02-03",
            "special_requirements": "Wheelchair user\nStep-free access",
        }
    ]
    phoned, _ = rows_from_text("7\tSam Patel\tsam@acme.example\t1990-02-03\tAsthma\t0113 4960\n")
    assert phoned[0]["phone"] == "0113 4960"  # the table's sixth column
    with pytest.raises(ValidationFailed, match="Row 1, field phone: the row has 7"):
        rows_from_text("7\tSam Patel\tsam@acme.example\t1990-02-03\tAsthma\t0113\tE-114\n")


def test_the_wizard_books_an_employer_on_several_sessions_all_or_nothing(
    qtbot: QtBot, sqlite_db: Database, make_desk: DeskFactory, tmp_path: Path
) -> None:
    call(sqlite_db, "organisations.add", {"name": "Other Co", "po_required": False})
    org = acme(sqlite_db)
    efaw, faw = make_session(sqlite_db, "efaw"), make_session(sqlite_db, "faw", days_ahead=21)
    full, _ = full_session(sqlite_db, [1], days_ahead=28)
    wizard, dialog = _open_order(qtbot, make_desk(), efaw)
    assert seats(sqlite_db, efaw)["held"] == 0  # the order holds its own seats
    assert dialog.rows() == [
        {
            "session": str(efaw),
            "name": PEOPLE[0][0],
            "email": PEOPLE[0][1],
            "date_of_birth": "1990-05-17",
            "special_requirements": "",
            "phone": "",
        }
    ]
    dialog.payer.setCurrentIndex(dialog.payer.findText("Acme Logistics Ltd"))
    dialog.session_pick.setCurrentIndex(dialog.session_pick.findData(efaw))
    dialog.add_row()
    assert dialog.table.item(1, 0).text().startswith("Emergency First Aid at Work · ")
    assert dialog.rows()[1]["session"] == str(efaw)  # the session described, sent by number
    for col, value in enumerate(("Alex Nowak", "alex@acme.example", "1985-11-30"), start=1):
        dialog.table.setItem(1, col, type(dialog.table.item(1, 0))(value))
    QApplication.clipboard().setText(
        f"{faw}\tSam Patel\tsam@acme.example\t1990-02-03\n"
        f"{full}\tJo Marsh\tjo@acme.example\t1992-07-08\n"
    )
    dialog.paste_csv()
    assert len(dialog.rows()) == 4
    dialog.hold_button.click()
    qtbot.waitUntil(lambda: "Rows 5 (session" in dialog.message.text(), timeout=WAIT_MS)
    assert "Not enough seats" in dialog.message.text() or "full" in dialog.message.text()
    assert "Nothing was booked" in dialog.message.text()
    assert (seats(sqlite_db, efaw)["held"], seats(sqlite_db, faw)["held"]) == (0, 0)
    dialog.fill(dialog.rows()[:3])
    dialog.hold_button.click()
    qtbot.waitUntil(lambda: dialog.confirm_button.isEnabled(), timeout=WAIT_MS)
    assert seats(sqlite_db, efaw) == {"booked": 0, "held": 2}
    assert seats(sqlite_db, faw) == {"booked": 0, "held": 1}
    assert "Emergency First Aid at Work" in dialog.review.text()
    assert "First Aid at Work" in dialog.review.text()
    dialog.grab().save(str(tmp_path / "wizard-employer-review.png"))
    dialog.confirm_button.click()
    qtbot.waitUntil(lambda: "Invoice INV-" in dialog.message.text(), timeout=WAIT_MS)
    assert seats(sqlite_db, efaw) == {"booked": 2, "held": 0}
    assert (efaw, 2, org) in _organisation_bookings(sqlite_db)
    assert (faw, 1, org) in _organisation_bookings(sqlite_db)
    (invoice,) = call(sqlite_db, "invoices.list", {"organisation_id": org})
    assert invoice["gross_pence"] == 2 * 7500 + 22500
    with qtbot.waitSignal(wizard.finished, timeout=WAIT_MS):
        dialog.close_button.click()


def test_an_order_from_the_wizard_keeps_the_special_requirements_typed_there(
    qtbot: QtBot, sqlite_db: Database, make_desk: DeskFactory
) -> None:
    acme(sqlite_db)
    sid = make_session(sqlite_db, "efaw")
    wizard, dialog = _open_order(qtbot, make_desk(), sid, PEOPLE[1])
    assert dialog.rows()[0]["special_requirements"] == "Wheelchair user"
    dialog.hold_button.click()
    qtbot.waitUntil(lambda: dialog.confirm_button.isEnabled(), timeout=WAIT_MS)
    assert "Oliver Holroyd (<i>Wheelchair user</i>)" in dialog.review.text()
    dialog.confirm_button.click()
    qtbot.waitUntil(lambda: "Invoice INV-" in dialog.message.text(), timeout=WAIT_MS)
    assert dialog.order is not None
    booking = call(sqlite_db, "bookings.get", {"reference": dialog.order["references"][0]})
    assert [a["special_requirements"] for a in booking["attendees"]] == ["Wheelchair user"]
    with qtbot.waitSignal(wizard.finished, timeout=WAIT_MS):
        dialog.close_button.click()


def test_closing_the_order_unmade_leaves_the_wizard_to_hold_again(
    qtbot: QtBot, sqlite_db: Database, make_desk: DeskFactory
) -> None:
    acme(sqlite_db)
    sid = make_session(sqlite_db, "efaw")
    wizard, dialog = _open_order(qtbot, make_desk(), sid)
    dialog.reject()
    assert "No employer order was made" in wizard.message.text()
    assert wizard.isVisible() and seats(sqlite_db, sid)["held"] == 0
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: seats(sqlite_db, sid)["held"] == 1, timeout=WAIT_MS)
    wizard.confirm_stop = lambda: True  # type: ignore[method-assign]
    wizard.reject()


def _remote(qtbot: QtBot, server: Any, email: str) -> RemoteBackend:
    desk = RemoteBackend(server.url)
    desk.start()
    desk.client.wait_connected(10)
    desk.login(email, PASSWORD)
    return desk


@pytest.mark.slow
def test_a_remote_wizard_books_for_an_employer_through_a_running_server(
    qtbot: QtBot, sqlite_db: Database
) -> None:
    org = acme(sqlite_db, po_required=True)
    sid = make_session(sqlite_db, "efaw")
    email = add_staff(sqlite_db, "reception")
    with ServerProcess(server_env(sqlite_db.settings.database_url)) as server:
        desk = _remote(qtbot, server, email)
        try:
            wizard, dialog = _open_order(qtbot, desk, sid)
            dialog.hold_button.click()
            qtbot.waitUntil(
                lambda: "requires a purchase order" in dialog.message.text(), timeout=WAIT_MS
            )
            dialog.po.setText("PO-311")
            dialog.hold_button.click()
            qtbot.waitUntil(lambda: dialog.confirm_button.isEnabled(), timeout=WAIT_MS)
            dialog.confirm_button.click()
            qtbot.waitUntil(lambda: "Invoice INV-" in dialog.message.text(), timeout=WAIT_MS)
            dialog.close_button.click()
            qtbot.waitUntil(lambda: not wizard.isVisible(), timeout=WAIT_MS)
        finally:
            desk.close()
            pool().waitForDone(10_000)
    assert _organisation_bookings(sqlite_db) == [(sid, 1, org)]
    assert call(sqlite_db, "invoices.list")[0]["po"] == "PO-311"
