"""Find a booking by reference, name or email; open it; take what is owed, cancel, transfer,
resend the confirmation."""

from __future__ import annotations

import html
from typing import Any

from pydantic import RootModel
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from core.api import bookings as bookings_api
from core.api import desk
from core.api import payments as payments_api
from core.api import sessions as sessions_api
from core.api.results.bookings import Booking, Timeline
from core.api.results.sessions import Session
from core.infra.clock import today_london, uk_date, uk_datetime
from core.infra.money import gbp
from core.models.statuses import BookingStatus, SessionStatus
from desktop import layouts
from desktop.backend import RESEND, Backend
from desktop.customer_dialog import CustomerDialog
from desktop.headed_table_model import AnyIndex, HeadedTableModel
from desktop.session_data import SessionRow
from desktop.session_list import ROW_ROLE, SessionTableModel
from desktop.take_payment import TakePaymentDialog
from desktop.tasks import ApiOp, plain_message
from desktop.wording import plural

COLUMNS = ("Reference", "Customer", "Found by", "Course", "Date", "Seats", "Total", "Status")
SEARCH_LIMIT = 50  # core.booking.bookings_api.search returns at most this many
TIMELINE = desk.booking_timeline.name  # a service may lack it; checked with has_method


class BookingsModel(HeadedTableModel):
    """Search results: one row per booking (``bookings_api.search`` JSON)."""

    COLUMNS = COLUMNS

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[Booking] = []

    def set_bookings(self, bookings: list[Booking]) -> None:
        self.beginResetModel()
        self.rows = bookings
        self.endResetModel()

    def replace(self, booking: Booking) -> None:
        for i, row in enumerate(self.rows):
            if row.reference == booking.reference:
                self.rows[i] = booking
                self.dataChanged.emit(self.index(i, 0), self.index(i, len(COLUMNS) - 1))

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        b = self.rows[index.row()]
        if role == ROW_ROLE:
            return b
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None  # the tooltip: a text elided in a narrow column, in full
        session = SessionRow.of(b.session)
        return (
            b.reference,
            b.customer.name,
            b.matched or "",
            session.course_name,
            session.when_text,
            str(b.seats),
            gbp(b.total_pence),
            b.status.replace("_", " ").title(),
        )[index.column()]


def history(timeline: Timeline) -> str:
    """A booking's timeline (``bookings.timeline``) as HTML, oldest first."""
    e = html.escape
    rows = "".join(
        f"<tr><td>{uk_datetime(ev.at)}</td>"
        f"<td><b>{e(ev.what)}</b></td><td>{e(ev.detail)}"
        + (f" <i>by {e(ev.by)}</i>" if ev.by else "")
        + "</td></tr>"
        for ev in timeline.events
    )
    return f"<h3>History</h3><table cellspacing='4'>{rows}</table>"


def describe(b: Booking) -> str:
    """The booking as a receptionist reads it (HTML for the detail pane)."""
    s = SessionRow.of(b.session)
    e = html.escape
    people = "".join(
        f"<li>{e(a.name)} · {e(a.email)}"
        + (f" · {e(a.phone)}" if a.phone else "")
        + f" · born {uk_date(a.date_of_birth)}"
        + (f"<br><i>{e(a.special_requirements)}</i>" if a.special_requirements else "")
        + "</li>"
        for a in b.attendees
    )
    paid = "".join(
        f"<li>{e(p.method.replace('_', ' '))}: {gbp(p.amount_pence)} ({e(p.status)})</li>"
        for p in b.payments
    )
    discount = (
        f"<tr><td>Group discount</td><td>-{gbp(b.discount_pence)}</td></tr>"
        if b.discount_pence
        else ""
    )
    return (
        f"<h2>{e(b.reference)} · {e(b.status.replace('_', ' ').title())}</h2>"
        f"<p><b>{e(s.course_name)}</b><br>{e(s.venue_name)}, {s.when_text}</p>"
        f"<p>Booked for {e(b.customer.name)} ({e(b.customer.email)})</p>"
        f"<table><tr><td>{b.seats} × {gbp(b.unit_price_pence)}</td>"
        f"<td>{gbp(b.subtotal_pence)}</td></tr>{discount}"
        f"<tr><td><b>Total</b></td><td><b>{gbp(b.total_pence)}</b></td></tr>"
        f"<tr><td>Paid</td><td>{gbp(b.paid_pence)}</td></tr>"
        f"<tr><td><b>Still to pay</b></td><td><b>{gbp(b.due_pence)}</b></td></tr></table>"
        f"<h3>Attendees</h3><ul>{people}</ul>"
        + (f"<h3>Payments</h3><ul>{paid}</ul>" if paid else "<p>No payment recorded yet.</p>")
    )


class TransferDialog(QDialog):
    """Pick another date of the same course with enough free seats."""

    def __init__(self, backend: Backend, booking: Booking, parent: QWidget) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Move {booking.reference} to another date")
        self.booking = booking
        self.model = SessionTableModel(self)
        self.table = layouts.row_table(self.model)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.doubleClicked.connect(lambda _i: self.accept())
        self.note = QLabel("Loading other dates…")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Move booking")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Sessions of {booking.session.course_name} with room:"))
        layout.addWidget(self.table)
        layout.addWidget(self.note)
        layout.addWidget(buttons)
        self.resize(900, 420)
        params = sessions_api.ListParams(course=booking.session.course, date_from=today_london())
        ApiOp(self, backend, sessions_api.list_, params).success(self._loaded).failure(
            lambda e: self.note.setText(plain_message(e))
        ).run()

    def _loaded(self, result: RootModel[list[Session]]) -> None:
        seats = self.booking.seats
        here = self.booking.session.id
        rows = [
            SessionRow.of(s)
            for s in result.root
            if s.id != here and s.status != SessionStatus.CANCELLED and s.free >= seats
        ]
        self.model.set_sessions(rows)
        self.note.setText(f"{len(rows)} dates with {seats} free seats or more.")
        if rows:
            self.table.selectRow(0)

    def chosen(self) -> SessionRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.data(rows[0], ROW_ROLE) if rows else None


class BookingsTab(QWidget):
    """Search box, results table, booking details and the actions on the chosen booking."""

    def __init__(self, backend: Backend, window: Any = None) -> None:
        super().__init__()
        self.backend = backend
        self.model = BookingsModel(self)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Reference (RFT-2026-0042), customer name or email")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Find a booking")
        self.search.returnPressed.connect(self.search_bookings)
        self.find_button = QPushButton("&Find")
        self.find_button.clicked.connect(self.search_bookings)
        self.table = layouts.row_table(self.model)
        self.table.setWordWrap(False)
        layouts.ShareWidth(self.table, (COLUMNS.index("Found by"), COLUMNS.index("Course")))
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._show_selected())
        self.details = QTextBrowser()
        self.status = QLabel("Type a reference, a name or an email address and press Enter.")
        self.status.setWordWrap(True)
        self.pay_button = QPushButton("Take &payment…")
        self.pay_button.clicked.connect(self.take_payment_selected)
        self.cancel_button = QPushButton("&Cancel booking…")
        self.transfer_button = QPushButton("&Move to another date…")
        self.resend_button = QPushButton("&Resend confirmation")
        self.customer_button = QPushButton("C&ustomer record…")
        self.customer_button.clicked.connect(self.open_customer)
        self.cancel_button.clicked.connect(self.cancel_selected)
        self.transfer_button.clicked.connect(self.transfer_selected)
        self.resend_button.clicked.connect(self.resend_selected)

        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.find_button)
        actions = QGridLayout()  # two by two, so the booking pane leaves the table its width
        actions.addWidget(self.pay_button, 0, 0)
        actions.addWidget(self.cancel_button, 0, 1)
        actions.addWidget(self.transfer_button, 1, 0)
        actions.addWidget(self.resend_button, 1, 1)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.addWidget(self.customer_button, 0, Qt.AlignmentFlag.AlignRight)
        right_layout.addWidget(self.details, 1)
        right_layout.addLayout(actions)
        splitter = QSplitter()
        splitter.addWidget(self.table)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([840, 420])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.status)
        layout.addWidget(splitter, 1)
        self._last_query = ""
        self._show_selected()

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def open_reference(self, reference: str) -> None:
        """Find and show the booking with ``reference`` (from Today or a customer record)."""
        self.search.setText(reference)
        self.search_bookings()

    def search_bookings(self) -> None:
        text = self.search.text().strip()
        self._last_query = text
        self.status.setText("Searching…")
        ApiOp(
            self, self.backend, bookings_api.search, lambda: bookings_api.SearchParams(text=text)
        ).success(self._found).failure(lambda e: self.status.setText(plain_message(e))).run()

    def refresh(self) -> None:
        if self._last_query:
            self.search_bookings()

    def _found(self, result: RootModel[list[Booking]]) -> None:
        rows = result.root
        self.model.set_bookings(rows)
        if not rows:
            self.status.setText("No booking matches that.")
        elif len(rows) >= SEARCH_LIMIT:
            self.status.setText(
                f"Showing the {len(rows)} most recent matches; type more to narrow."
            )
        else:
            self.status.setText(f"{len(rows)} booking{'s' if len(rows) != 1 else ''} found.")
        if rows:
            self.table.selectRow(0)
        self._show_selected()

    def selected(self) -> Booking | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.data(rows[0], ROW_ROLE) if rows else None

    def _show_selected(self) -> None:
        b = self.selected()
        live = b is not None and b.status != BookingStatus.CANCELLED
        self.pay_button.setEnabled(live and b is not None and b.due_pence > 0)
        self.cancel_button.setEnabled(live)
        self.transfer_button.setEnabled(live)
        self.resend_button.setEnabled(live and self.backend.has_method(RESEND))
        self.resend_button.setToolTip(
            "" if self.backend.has_method(RESEND) else "Email confirmations are not set up yet."
        )
        self.customer_button.setEnabled(b is not None)
        self.details.setHtml(describe(b) if b else "")
        if b is not None and self.backend.has_method(TIMELINE):
            reference = bookings_api.ReferenceParams(reference=b.reference)
            ApiOp(self, self.backend, desk.booking_timeline, reference).success(
                lambda t: self._show_history(b, t)
            ).failure(lambda _e: None).run()

    def _show_history(self, booking: Booking, timeline: Timeline) -> None:
        if self.selected() is booking:
            self.details.setHtml(describe(booking) + history(timeline))

    def open_customer(self) -> None:
        b = self.selected()
        if b is None:
            return
        # found by someone's email: their record (an attendee's, say); else the payer's
        email = self._last_query if "@" in self._last_query else b.customer.email
        dialog = CustomerDialog(self.backend, email, self, self.open_reference)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def _updated(self, booking: Booking, message: str) -> None:
        self.model.replace(booking)
        self._show_selected()
        self.status.setText(message)

    def take_payment_selected(self) -> None:
        b = self.selected()
        if b is None:
            return
        dialog = TakePaymentDialog(self.backend, b.model_dump(mode="json"), self)
        dialog.paid.connect(
            lambda fresh: self._updated(
                Booking.model_validate(fresh), f"{fresh['reference']}: payment recorded."
            )
        )
        dialog.open()

    def cancel_selected(self) -> None:
        b = self.selected()
        if b is None:
            return
        reason, ok = QInputDialog.getText(
            self,
            "Cancel booking",
            f"Cancel {b.reference} for {b.customer.name} "
            f"({plural(b.seats, 'seat')})? The seats go back on sale.\n\nReason (optional):",
        )
        if not ok:
            return
        ApiOp(
            self,
            self.backend,
            bookings_api.cancel,
            lambda: bookings_api.CancelParams(reference=b.reference, reason=reason.strip() or None),
        ).success(lambda result: self._updated(result, f"{b.reference} is cancelled.")).run()

    def transfer_selected(self) -> None:
        b = self.selected()
        if b is None:
            return
        dialog = TransferDialog(self.backend, b, self)
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.chosen() is None:
            return
        target = dialog.chosen()
        assert target is not None
        params = bookings_api.TransferParams(reference=b.reference, to_session_id=target.id)
        ApiOp(self, self.backend, bookings_api.transfer, params).success(
            lambda result: self._updated(result, f"{b.reference} moved to {target.label()}.")
        ).run()

    def resend_selected(self) -> None:
        b = self.selected()
        if b is None:
            return

        def sent(_result: Any) -> None:
            QMessageBox.information(
                self, "Confirmation sent", f"The confirmation for {b.reference} is on its way."
            )

        reference = payments_api.ReferenceParams(reference=b.reference)
        ApiOp(self, self.backend, payments_api.resend_confirmation, reference).success(sent).run()
