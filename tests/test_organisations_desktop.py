"""The Organisations tab offscreen: an employer's record, a bulk order held, reviewed and
confirmed from it, a bad row shown in plain English, and seats given back on cancel."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QFormLayout
from pytestqt.qtbot import QtBot

from core.demo.stripe_double import StripeDouble
from core.infra.db import Database
from desktop.organisations import OrganisationsTab
from desktop.organisations.bulk_order_dialog import BulkOrderDialog
from desktop.remote_backend import RemoteBackend
from desktop.tasks import pool
from tests.desktop_support import DeskFactory, desk_settings, make_desk, open_window
from tests.factories import make_session
from tests.server_support import PASSWORD, ServerProcess, add_staff, server_env
from tests.test_organisations import acme, call, outbox, row, seats

__all__ = ["desk_settings", "make_desk"]
WAIT_MS = 15_000


def _tab(qtbot: QtBot, desk: DeskFactory, db: Database) -> OrganisationsTab:
    tab = OrganisationsTab(desk())
    qtbot.addWidget(tab)
    tab.show()
    qtbot.waitUntil(lambda: tab.orgs.rowCount() == 1, timeout=WAIT_MS)
    tab.org_table.selectRow(0)
    qtbot.waitUntil(lambda: tab.record is not None, timeout=WAIT_MS)
    return tab


def _dialog(qtbot: QtBot, tab: OrganisationsTab, people: list[dict[str, Any]]) -> BulkOrderDialog:
    dialog = BulkOrderDialog(tab, tab.backend, tab.record or {})
    qtbot.addWidget(dialog)
    dialog.fill(people)
    return dialog


def test_the_tab_is_for_the_desk_not_for_trainers(
    qtbot: QtBot,
    make_desk: DeskFactory,
    desk_settings: QSettings,
) -> None:
    for role, shown in (("reception", True), ("trainer", False)):
        window = open_window(qtbot, make_desk(role=role), desk_settings)
        tabs = window.tab_widget
        index = next(i for i in range(tabs.count()) if tabs.tabText(i) == "Organisations")
        assert tabs.isTabVisible(index) is shown


def test_a_bulk_order_is_held_reviewed_and_confirmed_from_the_record(
    qtbot: QtBot,
    sqlite_db: Database,
    make_desk: DeskFactory,
    tmp_path: Path,
) -> None:
    acme(sqlite_db)
    efaw, faw = make_session(sqlite_db, "efaw"), make_session(sqlite_db, "faw", days_ahead=21)
    tab = _tab(qtbot, make_desk, sqlite_db)
    tab.resize(1100, 520)
    assert "Acme Logistics Ltd" in tab.details.text() and "Pays in 30 days" in tab.details.text()
    dialog = _dialog(qtbot, tab, [row(efaw, 1), row(efaw, 2), row(faw, 3)])
    dialog.hold_button.click()
    qtbot.waitUntil(lambda: dialog.confirm_button.isEnabled(), timeout=WAIT_MS)
    assert "Total £375.00" in dialog.review.text() and "First Aid at Work" in dialog.review.text()
    assert seats(sqlite_db, efaw) == {"booked": 0, "held": 2}
    dialog.grab().save(str(tmp_path / "bulk-review.png"))
    held_until = dialog.order["expires_at"] if dialog.order else ""
    dialog.extend_button.click()
    qtbot.waitUntil(
        lambda: dialog.order is not None and dialog.order["expires_at"] > held_until,
        timeout=WAIT_MS,
    )
    dialog.confirm_button.click()
    qtbot.waitUntil(lambda: "Invoice INV-" in dialog.message.text(), timeout=WAIT_MS)
    assert seats(sqlite_db, efaw) == {"booked": 2, "held": 0}
    dialog.accept()
    tab.open_record(tab.record["id"] if tab.record else 0)
    qtbot.waitUntil(lambda: tab.invoices.rowCount() == 1, timeout=WAIT_MS)
    assert tab.bookings.rowCount() == 2
    number = tab.invoices.rows[0]["number"]
    tab.pay(number, 37500, "BACS 991")
    qtbot.waitUntil(
        lambda: tab.invoices.rowCount() == 1 and tab.invoices.rows[0]["status"] == "paid",
        timeout=WAIT_MS,
    )
    tab.sections.setCurrentWidget(tab.invoice_table)
    tab.grab().save(str(tmp_path / "organisations.png"))


def test_a_bad_row_is_named_and_closing_a_held_order_gives_the_seats_back(
    qtbot: QtBot,
    sqlite_db: Database,
    make_desk: DeskFactory,
) -> None:
    acme(sqlite_db)
    sid = make_session(sqlite_db, "efaw")
    tab = _tab(qtbot, make_desk, sqlite_db)
    dialog = _dialog(qtbot, tab, [row(sid, 1), row(sid, 2) | {"email": "nope"}])
    dialog.hold_button.click()
    qtbot.waitUntil(lambda: "Row 3, field email" in dialog.message.text(), timeout=WAIT_MS)
    assert seats(sqlite_db, sid) == {"booked": 0, "held": 0}
    dialog.fill([row(sid, 1), row(sid, 2)])
    dialog.hold_button.click()
    qtbot.waitUntil(lambda: dialog.confirm_button.isEnabled(), timeout=WAIT_MS)
    assert seats(sqlite_db, sid)["held"] == 2
    dialog.reject()
    qtbot.waitUntil(lambda: seats(sqlite_db, sid)["held"] == 0, timeout=WAIT_MS)
    assert call(sqlite_db, "invoices.list") == []


@pytest.mark.slow
def test_a_remote_desk_books_an_employer_through_a_running_server(
    qtbot: QtBot, sqlite_db: Database
) -> None:
    acme(sqlite_db)
    sid = make_session(sqlite_db, "efaw")
    email = add_staff(sqlite_db, "reception")
    with ServerProcess(server_env(sqlite_db.settings.database_url)) as server:
        desk = RemoteBackend(server.url)
        desk.start()
        try:
            desk.client.wait_connected(10)
            desk.login(email, PASSWORD)
            tab = OrganisationsTab(desk)
            qtbot.addWidget(tab)
            tab.reload()
            qtbot.waitUntil(lambda: tab.orgs.rowCount() == 1, timeout=WAIT_MS)
            tab.org_table.selectRow(0)
            qtbot.waitUntil(lambda: tab.record is not None, timeout=WAIT_MS)
            dialog = _dialog(qtbot, tab, [row(sid, 1), row(sid, 2)])
            dialog.hold_button.click()
            qtbot.waitUntil(lambda: dialog.confirm_button.isEnabled(), timeout=WAIT_MS)
            dialog.confirm_button.click()
            qtbot.waitUntil(lambda: "Invoice INV-" in dialog.message.text(), timeout=WAIT_MS)
            dialog.accept()
            tab.open_record(tab.record["id"] if tab.record else 0)
            qtbot.waitUntil(lambda: tab.invoices.rowCount() == 1, timeout=WAIT_MS)
        finally:
            desk.close()
            pool().waitForDone(10_000)
    assert seats(sqlite_db, sid) == {"booked": 2, "held": 0}


def test_a_contact_added_from_the_record_shows_with_their_roles(
    qtbot: QtBot, sqlite_db: Database, make_desk: DeskFactory
) -> None:
    from desktop.admin.form_dialog import FormDialog

    acme(sqlite_db)
    tab = _tab(qtbot, make_desk, sqlite_db)
    tab.add_contact()
    dialog = tab.findChild(FormDialog)
    assert dialog is not None
    name, email, booking, invoice, expiry = (
        cast(QFormLayout, dialog.layout()).itemAt(i, QFormLayout.ItemRole.FieldRole).widget()
        for i in range(5)
    )
    name.setText("Dee Ward")
    email.setText("not an email")
    invoice.setChecked(False)
    dialog._save()
    qtbot.waitUntil(lambda: "email" in dialog.error.text(), timeout=WAIT_MS)
    email.setText("dee@acme.example")
    dialog._save()
    qtbot.waitUntil(lambda: "Dee Ward" in tab.details.text(), timeout=WAIT_MS)
    assert "Dee Ward &lt;dee@acme.example&gt; (booking, expiry)" in tab.details.text()


def test_payment_link_from_the_record_shows_the_link_emailed_to_the_invoice_contact(
    qtbot: QtBot,
    sqlite_db: Database,
    make_desk: DeskFactory,
    double: StripeDouble,
) -> None:
    sqlite_db.settings = sqlite_db.settings.with_overrides(
        stripe_secret_key="sk_test_desk", stripe_api_base=double.url
    )
    acme(sqlite_db)
    sid = make_session(sqlite_db, "efaw")
    order = call(
        sqlite_db, "organisations.order.start", {"organisation_id": 1, "rows": [row(sid, 1)]}
    )
    call(sqlite_db, "organisations.order.confirm", {"id": order["id"]})
    tab = _tab(qtbot, make_desk, sqlite_db)
    qtbot.waitUntil(lambda: tab.invoices.rowCount() == 1, timeout=WAIT_MS)
    tab.invoice_table.selectRow(0)
    tab.payment_link()
    qtbot.waitUntil(lambda: tab.link_box is not None, timeout=WAIT_MS)
    (session,) = double.of_type("checkout.session")
    assert tab.link_box is not None and session["url"] in tab.link_box.text()
    assert "£75.00" in tab.link_box.text()
    assert [m.recipient for m in outbox(sqlite_db, "invoice_payment_link")] == [
        "accounts@acme.example"
    ]


def test_the_bulk_order_names_each_session_and_types_dates_the_uk_way(
    qtbot: QtBot,
    sqlite_db: Database,
    make_desk: DeskFactory,
) -> None:
    acme(sqlite_db)
    efaw = make_session(sqlite_db, "efaw")
    tab = _tab(qtbot, make_desk, sqlite_db)
    dialog = _dialog(qtbot, tab, [row(efaw, 1)])
    cell = dialog.table.item(0, 0)
    assert cell is not None
    qtbot.waitUntil(lambda: "Emergency First Aid at Work ·" in cell.text(), timeout=WAIT_MS)
    assert str(efaw) not in cell.text().split(" · ")  # the session, not its number
    assert "Trainer:" in cell.toolTip() and "free" in cell.toolTip()
    birth = dialog.table.item(0, 3)
    assert birth is not None and birth.text() == "02/03/1988"
    assert dialog.rows()[0]["session"] == str(efaw)
    dialog.hold_button.click()
    qtbot.waitUntil(lambda: dialog.confirm_button.isEnabled(), timeout=WAIT_MS)
    assert "Emergency First Aid at Work ·" in cell.text()
    assert seats(sqlite_db, efaw)["held"] == 1
    dialog.reject()


def test_invoices_say_what_they_are_for_and_keep_status_narrow(
    qtbot: QtBot,
    sqlite_db: Database,
    make_desk: DeskFactory,
) -> None:
    acme(sqlite_db)
    efaw = make_session(sqlite_db, "efaw")
    tab = _tab(qtbot, make_desk, sqlite_db)
    tab.resize(1280, 760)
    dialog = _dialog(qtbot, tab, [row(efaw, 1), row(efaw, 2)])
    dialog.po.setText("PO-7")
    dialog.hold_button.click()
    qtbot.waitUntil(lambda: dialog.confirm_button.isEnabled(), timeout=WAIT_MS)
    dialog.confirm_button.click()
    qtbot.waitUntil(lambda: "Invoice INV-" in dialog.message.text(), timeout=WAIT_MS)
    dialog.accept()
    tab.open_record(tab.record["id"] if tab.record else 0)
    qtbot.waitUntil(lambda: tab.invoices.rowCount() == 1, timeout=WAIT_MS)
    tab.sections.setCurrentWidget(tab.invoice_table)
    table, header = tab.invoice_table, tab.invoice_table.horizontalHeader()
    titles = [str(tab.invoices.headerData(c, Qt.Orientation.Horizontal)) for c in range(8)]
    shown = {t: tab.invoices.index(0, c).data() for c, t in enumerate(titles)}
    assert shown["For"].startswith("PO PO-7 · 2 × Emergency First Aid at Work")
    assert shown["Owed"] == "£150.00" and shown["Status"] == "open"
    status = titles.index("Status")
    assert header.sectionSize(status) <= table.sizeHintForColumn(status) + 20


def _needs_column(dialog: BulkOrderDialog) -> int:
    table = dialog.table
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert "Special requirements" in headers, headers
    return headers.index("Special requirements")


def test_a_bulk_order_loaded_from_csv_keeps_each_persons_special_requirements_and_phone(
    qtbot: QtBot,
    sqlite_db: Database,
    make_desk: DeskFactory,
    tmp_path: Path,
) -> None:
    """Found by an outside tester: the desk's table had no column for special requirements, so
    an employer's CSV loaded there lost its wheelchair user without a word (the same file
    through ``rft org book`` or the API kept it). Its phone numbers were lost the same way."""
    acme(sqlite_db)
    sid = make_session(sqlite_db, "efaw")
    tab = _tab(qtbot, make_desk, sqlite_db)
    dialog = _dialog(qtbot, tab, [])
    needs = "Uses a wheelchair; needs step-free access to the training room"
    staff = tmp_path / "acme-staff.csv"
    staff.write_text(
        "Session,Name,E-mail,DOB,Special requirements,Phone number,Employee no\n"
        f'{sid},Sam Patel,sam@acme.example,1990-02-03,"{needs}",0113 496 0000,E-114\n'
        f"{sid},Alex Nowak,alex@acme.example,1985-11-30,,,E-115\n",
        encoding="utf-8",
    )
    dialog.load_csv(staff)
    assert dialog.message.text() == (
        "Added 2 rows from acme-staff.csv. "
        "Not loaded (the table has no place for them): Employee no."
    )
    cell = dialog.table.item(0, _needs_column(dialog))
    assert cell is not None and cell.text() == needs
    assert cell.toolTip() == needs  # in full, however narrow the column
    dialog.show()
    dialog.grab().save(str(tmp_path / "bulk-needs-loaded.png"))
    dialog.hold_button.click()
    qtbot.waitUntil(lambda: dialog.confirm_button.isEnabled(), timeout=WAIT_MS)
    assert needs in dialog.review.text()  # checked before it is confirmed
    dialog.grab().save(str(tmp_path / "bulk-needs-review.png"))
    dialog.confirm_button.click()
    qtbot.waitUntil(lambda: "Invoice INV-" in dialog.message.text(), timeout=WAIT_MS)
    assert dialog.order is not None
    [reference] = dialog.order["references"]
    booking = call(sqlite_db, "bookings.get", {"reference": reference})
    assert {a["name"]: a["special_requirements"] for a in booking["attendees"]} == {
        "Sam Patel": needs,
        "Alex Nowak": None,
    }
    assert {a["name"]: a["phone"] for a in booking["attendees"]} == {
        "Sam Patel": "0113 496 0000",
        "Alex Nowak": None,
    }
    dialog.accept()


def test_a_bulk_order_takes_special_requirements_typed_or_pasted_and_refuses_hidden_ones(
    qtbot: QtBot,
    sqlite_db: Database,
    make_desk: DeskFactory,
) -> None:
    """Typed in the table or pasted from a spreadsheet, what a person needs goes to the
    service, which refuses a control or invisible character, or a page of text, naming the
    row and field (as it does for ``rft org book`` and the API) and holds nothing."""
    acme(sqlite_db)
    sid = make_session(sqlite_db, "efaw")
    tab = _tab(qtbot, make_desk, sqlite_db)
    dialog = _dialog(qtbot, tab, [row(sid, 1)])
    item = dialog.table.item(0, _needs_column(dialog))
    assert item is not None
    item.setText("Hearing aid \u202eylno tfel")  # typed, with a right-to-left override
    assert item.toolTip() == item.text()
    QApplication.clipboard().setText(
        f"{sid}\tJo Marsh\tjo@acme.example\t1992-07-08\t{'Allergic to latex. ' * 80}\n"
    )
    dialog.paste_csv()
    assert dialog.rows()[1]["special_requirements"].startswith("Allergic to latex.")
    dialog.hold_button.click()
    qtbot.waitUntil(lambda: "Row 2, field special_requirements" in dialog.message.text())
    assert "control or invisible character" in dialog.message.text()
    assert "Nothing was booked" in dialog.message.text()
    item = dialog.table.item(0, _needs_column(dialog))  # the table was filled again by the paste
    assert item is not None
    item.setText("Hearing aid, left ear")
    dialog.hold_button.click()
    qtbot.waitUntil(lambda: "Row 3, field special_requirements" in dialog.message.text())
    message = dialog.message.text()
    assert "(1,519 characters)" in message and "plain text under 1,000 characters" in message
    assert len(message) < 300  # the text quoted in part, not a page of it
    assert seats(sqlite_db, sid) == {"booked": 0, "held": 0}
    dialog.fill([dialog.rows()[0]])
    dialog.hold_button.click()
    qtbot.waitUntil(lambda: dialog.confirm_button.isEnabled(), timeout=WAIT_MS)
    assert "Staff Member1 (<i>Hearing aid, left ear</i>)" in dialog.review.text()
    dialog.reject()
    qtbot.waitUntil(lambda: seats(sqlite_db, sid)["held"] == 0, timeout=WAIT_MS)


def test_a_bulk_order_refuses_a_file_it_cannot_read_as_a_table(
    qtbot: QtBot,
    sqlite_db: Database,
    make_desk: DeskFactory,
    tmp_path: Path,
) -> None:
    acme(sqlite_db)
    tab = _tab(qtbot, make_desk, sqlite_db)
    dialog = _dialog(qtbot, tab, [])
    huge = tmp_path / "huge.csv"
    huge.write_text("session,name,email,dob,special_requirements\n" + "x" * 300_000)
    dialog.load_csv(huge)
    assert dialog.message.text() == (
        "Nothing was loaded from huge.csv. The CSV file is over 256 KB; split the order."
    )
    assert dialog.rows() == []


@pytest.mark.parametrize("cell", ["\u00b2", "99999999999999999999999"])
def test_a_session_cell_no_session_can_have_loads_and_is_named_when_held(
    qtbot: QtBot, sqlite_db: Database, make_desk: DeskFactory, tmp_path: Path, cell: str
) -> None:
    """Found by an outside tester: Load CSV raised ValueError / OverflowError out of the
    dialog ('²' passes str.isdigit() but not int())."""
    acme(sqlite_db)
    dialog = _dialog(qtbot, _tab(qtbot, make_desk, sqlite_db), [])
    staff = tmp_path / "staff.csv"
    staff.write_text(f"Session,Name,Email,DOB\n{cell},Sam Patel,sam@acme.example,1990-02-03\n")
    dialog.load_csv(staff)
    assert dialog.rows()[0]["name"] == "Sam Patel"
    dialog.hold_button.click()
    qtbot.waitUntil(lambda: "Row 2, field session" in dialog.message.text(), timeout=WAIT_MS)
    dialog.reject()


def test_needs_under_a_heading_of_only_punctuation_load_nothing(
    qtbot: QtBot, sqlite_db: Database, make_desk: DeskFactory, tmp_path: Path
) -> None:
    """Found by an outside tester: the file loaded, Hold succeeded and the review showed Sam
    with no needs."""
    acme(sqlite_db)
    sid = make_session(sqlite_db, "efaw")
    dialog = _dialog(qtbot, _tab(qtbot, make_desk, sqlite_db), [])
    staff = tmp_path / "staff.csv"
    staff.write_text(
        f"Session,Name,Email,DOB,*\n{sid},Sam Patel,sam@acme.example,1990-02-03,Wheelchair\n"
    )
    dialog.load_csv(staff)
    assert dialog.message.text().startswith("Nothing was loaded from staff.csv. Row 2, field")
    assert dialog.rows() == [] and seats(sqlite_db, sid)["held"] == 0
    dialog.reject()
