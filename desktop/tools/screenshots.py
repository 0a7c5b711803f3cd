"""``rft desk --screenshots DIR``: every main view and each wizard step as a PNG, then exit.

Runs on a throwaway embedded database with demo data (nothing is booked in the real one),
so the pictures are the same on every machine. With ``QT_SCALE_FACTOR=2`` the files get an
``@2x`` suffix, to check the desk at 200%.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QWidget

from core.infra import crypto
from core.infra.db import Database
from desktop.app import application, prepare_local
from desktop.backend import LocalBackend
from desktop.customer_dialog import CustomerDialog
from desktop.main_window import MainWindow
from desktop.take_payment import TakePaymentDialog
from desktop.tasks import Op, pool
from desktop.tools.office_screenshots import render as office_views
from desktop.tools.organisation_screenshots import render as organisation_views
from desktop.tools.report_screenshots import capture_reports
from desktop.tools.trainer_screenshots import render_trainer_views
from desktop.tools.waiting import wait_settled
from desktop.wizard import BookingWizard
from desktop.wizard.wizard import ATTENDEES, DONE, PAYMENT, REVIEW

DESK_SIZE = (1280, 800)  # the smallest screen the desk is made for
WIZARD_COURSE = "efaw"  # a newcomer's course: no earlier certificate to check

DEMO_PEOPLE = (
    ("Amelia Barker", "amelia.barker@example.co.uk", "07700 900101", "17/05/1990", ""),
    ("Oliver Holroyd", "oliver.holroyd@example.co.uk", "", "03/11/1985", "Wheelchair user"),
    ("Priya Patel", "priya.patel@example.co.uk", "07700 900103", "21/01/2001", ""),
    ("George Firth", "george.firth@example.co.uk", "", "09/09/1979", ""),
    ("Zara Khan", "zara.khan@example.co.uk", "", "30/06/1995", "Vegetarian lunch"),
)


def _save(widget: QWidget, folder: Path, name: str, suffix: str) -> Path:
    QApplication.processEvents()
    path = folder / f"{name}{suffix}.png"
    widget.grab().save(str(path))
    return path


def render_all(folder: Path, demo_data: bool = True, size: tuple[int, int] = DESK_SIZE) -> int:
    """Write the PNGs into ``folder``, the main window at ``size``, and print their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    scale = os.environ.get("QT_SCALE_FACTOR", "1")
    suffix = "" if scale in ("", "1") else f"@{scale}x"
    with tempfile.TemporaryDirectory(prefix="rft-shots-") as tmp:
        os.environ["RFT_DATA_DIR"] = tmp
        os.environ["DATABASE_URL"] = f"sqlite:///{Path(tmp) / 'rft.sqlite3'}"
        os.environ.setdefault("RFT_DATA_KEY", crypto.new_key_text())
        os.environ.setdefault("STRIPE_API_BASE", "local-double")  # card reader and links too
        app = application()
        databases: list[Database] = []
        Op(app, lambda: prepare_local(demo_data)).success(databases.append).run()
        wait_settled(lambda: bool(databases), 120)
        backend = LocalBackend(databases[0])
        settings = QSettings(str(Path(tmp) / "desk.ini"), QSettings.Format.IniFormat)
        window = MainWindow(backend, settings)
        window.resize(*size)
        window.show()
        backend.start()
        written = _main_views(window, folder, suffix) + _wizard_steps(window, folder, suffix)
        written += capture_reports(window, folder, suffix)
        written += office_views(window, folder, suffix)
        written += organisation_views(window, folder, suffix)
        window.close()
        backend.close()
        pool().waitForDone(10_000)
        databases[0].dispose()
        written += render_trainer_views(folder, suffix, size)
    for path in written:
        print(path)
    return 0


def _main_views(window: MainWindow, folder: Path, suffix: str) -> list[Path]:
    window.show_tab("Today")
    wait_settled(lambda: window.today.recent.topLevelItemCount() > 0)
    shots = [_save(window, folder, "today", suffix)]
    window.show_tab("Calendar")
    wait_settled(
        lambda: (
            window.calendar.day_model.rowCount() > 0
            or "No sessions" in window.calendar.day_empty.text()
        )
    )
    shots.append(_save(window, folder, "calendar", suffix))
    window.show_tab("Sessions")
    wait_settled(lambda: window.sessions.model.rowCount() > 0)
    shots.append(_save(window, folder, "sessions", suffix))
    sessions = window.sessions
    sessions.course.setCurrentIndex(sessions.course.findData("efaw"))
    sessions.search.setText("leeds")
    wait_settled(lambda: sessions.proxy.words == ["leeds"])
    shots.append(_save(window, folder, "sessions-filtered", suffix))
    sessions.search.clear()
    sessions.course.setCurrentIndex(0)
    window.show_tab("Bookings")
    window.bookings.search.setText("Smith")
    window.bookings.search_bookings()
    wait_settled(lambda: "History" in window.bookings.details.toPlainText())
    shots.append(_save(window, folder, "bookings", suffix))
    return shots + _customer(window, folder, suffix) + _take_payment(window, folder, suffix)


def _customer(window: MainWindow, folder: Path, suffix: str) -> list[Path]:
    """The record of the first booking's customer, opened from the booking."""
    window.bookings.open_customer()
    dialog = window.bookings.findChild(CustomerDialog)
    assert dialog is not None
    wait_settled(lambda: dialog.bookings.topLevelItemCount() > 0)
    shot = _save(dialog, folder, "customer-record", suffix)
    dialog.close()
    return [shot]


def _take_payment(window: MainWindow, folder: Path, suffix: str) -> list[Path]:
    """Taking what is owed on one of the bookings found (made to pay later), before and after."""
    tab = window.bookings
    owing = [i for i, b in enumerate(tab.model.rows) if b.due_pence]
    if not owing:
        return []
    tab.table.selectRow(owing[0])
    tab.take_payment_selected()
    dialog = tab.findChild(TakePaymentDialog)
    assert dialog is not None
    wait_settled(lambda: "card" in dialog.step.buttons)
    shots = [_save(dialog, folder, "bookings-take-payment", suffix)]
    dialog.take_button.click()
    wait_settled(lambda: "payment recorded" in tab.status.text())
    dialog.close()
    shots.append(_save(window, folder, "bookings-paid", suffix))
    return shots


def _open_wizard(window: MainWindow, people: int) -> BookingWizard:
    """A desk-sized wizard on the soonest session of ``WIZARD_COURSE`` with room for ``people``."""
    candidates = [
        r
        for r in window.sessions.model.rows
        if r.bookable and r.free >= people + 1 and r.raw["course"] == WIZARD_COURSE
    ]
    target = min(candidates, key=lambda r: r.start)
    wizard = BookingWizard(window.backend, window, session=target.raw)
    wizard.resize(1180, 680)  # the offscreen "screen" is small; show the desk-sized wizard
    wizard.show()
    wait_settled(lambda: wizard.session is not None)
    return wizard


def _advance(wizard: BookingWizard, step: int, timeout_s: float = 20.0) -> None:
    """Press Next once it is enabled and wait for ``step``."""
    wait_settled(wizard.next_button.isEnabled)
    wizard.next()
    wait_settled(lambda: wizard.step == step, timeout_s)


def _fill_attendees(wizard: BookingWizard, people: tuple[tuple[str, ...], ...]) -> None:
    _advance(wizard, ATTENDEES)
    model = wizard.attendees_step.model
    for row, person in enumerate(people):
        if row >= model.rowCount():
            model.add_row()
        for col, value in enumerate(person):
            model.setData(model.index(row, col), value)
    wait_settled(lambda: wizard.hold.seats == len(people))


def _to_payment(wizard: BookingWizard) -> None:
    _advance(wizard, REVIEW)
    for box in wizard.review_step.boxes:
        box.setChecked(True)
    _advance(wizard, PAYMENT)


def _wizard_steps(window: MainWindow, folder: Path, suffix: str) -> list[Path]:
    wizard = _open_wizard(window, len(DEMO_PEOPLE))
    shots = [_save(wizard, folder, "wizard-1-session", suffix)]
    _fill_attendees(wizard, DEMO_PEOPLE)
    shots.append(_save(wizard, folder, "wizard-2-attendees", suffix))
    _advance(wizard, REVIEW)
    for box in wizard.review_step.boxes:
        box.setChecked(True)
    shots.append(_save(wizard, folder, "wizard-3-review", suffix))
    _advance(wizard, PAYMENT)
    wizard.payment_step.choose("cash")
    shots.append(_save(wizard, folder, "wizard-4-payment", suffix))
    _advance(wizard, DONE)
    shots.append(_save(wizard, folder, "wizard-5-confirmation", suffix))
    wizard.close()
    return shots + _payment_methods(window, folder, suffix)


INVOICE = {
    "company": "Calder Valley Care Ltd",
    "po_number": "PO-4471",
    "email": "accounts@caldervalleycare.co.uk",
    "billing_address": "Calder House, 12 Mill Lane, Halifax HX1 2AB",
}


def _payment_methods(window: MainWindow, folder: Path, suffix: str) -> list[Path]:
    """The payment step and its outcome for each extra method the service offers."""
    return [
        shot
        for key in ("invoice", "card", "link")
        for shot in _pay_with(window, key, folder, suffix)
    ]


def _pay_with(window: MainWindow, key: str, folder: Path, suffix: str) -> list[Path]:
    wizard = _open_wizard(window, 1)
    _fill_attendees(wizard, DEMO_PEOPLE[:1])
    _to_payment(wizard)
    if key not in wizard.payment_step.buttons:
        wizard.close()
        return []
    wizard.payment_step.choose(key)
    for name, value in INVOICE.items() if key == "invoice" else ():
        wizard.payment_step.fields[key][name].setText(value)
    shots = [_save(wizard, folder, f"wizard-4-payment-{key}", suffix)]
    wait_settled(wizard.next_button.isEnabled)
    wizard.next()
    if key == "card":
        wait_settled(
            lambda: "Waiting" in wizard.payment_step.progress.text() or wizard.step == DONE
        )
        shots.append(_save(wizard, folder, "wizard-4-payment-card-waiting", suffix))
    wait_settled(lambda: wizard.step == DONE, 60)
    shots.append(_save(wizard, folder, f"wizard-5-done-{key}", suffix))
    wizard.close()
    return shots
