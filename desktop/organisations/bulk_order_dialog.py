"""Bulk booking for an organisation, from its record or from the booking wizard: people in a
table (typed, pasted or loaded from CSV, each with any special requirements), then every seat
held and one review, then one confirmation; or cancel, releasing the seats. From the wizard
the payer is chosen here and new rows take the session picked above the table."""

from __future__ import annotations

import html
from datetime import date, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.api import sessions as sessions_api
from core.api.results.sessions import Session
from core.infra.clock import to_london, uk_datetime
from core.infra.errors import ValidationFailed
from core.infra.money import gbp
from core.orders.order_csv import read_csv, session_number
from desktop import layouts, uk_dates
from desktop.backend import Backend
from desktop.session_data import SessionRow
from desktop.style_sheet import set_state
from desktop.tasks import ApiOp, BackendOp, plain_message

# Phone last: a spreadsheet pasted without a header in the older five-column order still fits.
HEADERS = (
    "Session",
    "Name",
    "Email",
    "Date of birth\n(dd/mm/yyyy)",
    "Special requirements",
    "Phone",
)
KEYS = ("session", "name", "email", "date_of_birth", "special_requirements", "phone")
SESSION, BIRTH = KEYS.index("session"), KEYS.index("date_of_birth")
NEEDS = KEYS.index("special_requirements")
ID_ROLE = Qt.ItemDataRole.UserRole  # the session number behind a described Session cell


def typed_birth(value: str) -> str:
    """A date of birth as the desk types it (``17/05/1990``); a file's ``1990-05-17`` too."""
    try:
        return uk_dates.typed(date.fromisoformat(value.strip()))
    except ValueError:
        return value


def iso_birth(text: str) -> str:
    """What the service reads (``1990-05-17``) from a typed ``17/05/1990``; anything else as
    typed, for the service to name the row and say what to type."""
    try:
        return uk_dates.parse(text).isoformat()
    except ValueError:
        return text


def _person(person: dict[str, Any]) -> str:
    """A name for the review, with the person's special requirements after it."""
    needs = person.get("special_requirements")
    name = html.escape(person["name"])
    return f"{name} (<i>{html.escape(needs)}</i>)" if needs else name


def review_text(order: dict[str, Any]) -> str:
    """The review in words: each session, its people (and what they need) and price, then
    the totals."""
    lines = []
    for part in order["sessions"]:
        s, q = part["session"], part["quote"]
        names = ", ".join(_person(p) for p in part["people"])
        discount = f" (group discount {gbp(q['discount_pence'])})" if q["discount_pence"] else ""
        lines.append(
            f"<b>{s['course_name']}</b>, {s['venue_name']}, "
            f"{uk_datetime(datetime.fromisoformat(s['start']))}: "
            f"{len(part['people'])} × {gbp(q['unit_pence'])} = {gbp(q['total_pence'])}"
            f"{discount}<br/>&nbsp;&nbsp;{names}"
        )
    lines.append(
        f"<b>Total {gbp(order['gross_pence'])}</b> "
        + (
            f"(net {gbp(order['net_pence'])}, VAT {gbp(order['vat_pence'])})"
            if order["vat_pence"]
            else "(no VAT)"
        )
        + f" for {order['seats']} places"
        + (f", PO {html.escape(order['po'])}" if order["po"] else "")
    )
    return "<br/>".join(lines)


def rows_from_text(text: str) -> tuple[list[dict[str, str]], list[str]]:
    """Rows from CSV text (a file or the clipboard), read as ``rft org book`` reads a file
    (``core.orders.order_csv.read_csv``): with a header row naming at least two of the
    table's columns (the session may be left to type here), or without one in the table's
    order; commas, tabs (a spreadsheet's copy) or semicolons. Also the headings of the
    columns the table has no place for. Raises ``ValidationFailed`` for text that cannot be
    a table (over 256 KB, a row with more cells than columns); the service checks every
    cell."""
    table = read_csv(text, columns=KEYS, needs=(), then="")
    rows = [{k: v.strip() for k, v in cells.items() if k in KEYS} for _, cells in table.items]
    return rows, table.not_read


class BulkOrderDialog(QDialog):
    """People first; "Hold seats and review" holds everything; "Confirm order" books it.

    ``payers`` (from the wizard) lets reception choose the organisation here; ``sessions``
    offers a session for the rows added with **Add row**."""

    ordered = Signal(dict)  # the confirmed order, with its references and invoice

    def __init__(
        self,
        parent: QWidget,
        backend: Backend,
        org: dict[str, Any] | None,
        *,
        payers: list[dict[str, Any]] | None = None,
        sessions: list[SessionRow] | None = None,
    ) -> None:
        super().__init__(parent)
        self.payers = payers or ([org] if org else [])
        self.backend, self.org = backend, org or self.payers[0]
        self.order: dict[str, Any] | None = None
        self.known = {s.id: s for s in sessions or []}
        self._asked: set[int] = set()
        self.setWindowTitle(
            "Book for an employer" if payers else f"Bulk booking for {self.org['name']}"
        )
        self.resize(1240, 580)  # room for a session described and what a person needs, in 1280×800
        self.table = QTableWidget(4, len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.setWordWrap(False)
        self.table.itemChanged.connect(self._cell_changed)
        layouts.ShareWidth(self.table, (SESSION, KEYS.index("name"), KEYS.index("email"), NEEDS))
        self.payer = QComboBox()
        self.payer.setAccessibleName("Payer (organisation)")
        for item in self.payers:
            self.payer.addItem(item["name"], item["id"])
        self.payer.currentIndexChanged.connect(self._payer_chosen)
        self.session_pick = QComboBox()
        self.session_pick.setAccessibleName("Session for new rows")
        for session in sessions or []:
            self.session_pick.addItem(session.label(), session.id)
        self.po = QLineEdit()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.review = QLabel()
        self.review.setWordWrap(True)
        add_row = QPushButton("Add row")
        add_row.clicked.connect(self.add_row)
        load = QPushButton("Load CSV…")
        load.clicked.connect(self.choose_csv)
        paste = QPushButton("Paste CSV")
        paste.setToolTip(
            "Rows copied from a spreadsheet or a CSV file: session, name, email, date of birth, "
            "special requirements, phone"
        )
        paste.clicked.connect(self.paste_csv)
        self.editing: tuple[QWidget, ...] = (
            self.table,
            self.po,
            self.payer,
            self.session_pick,
            add_row,
            load,
            paste,
        )
        self.hold_button = QPushButton("Hold seats and review")
        self.hold_button.clicked.connect(self.hold)
        self.extend_button = QPushButton("Hold longer")
        self.extend_button.setEnabled(False)
        self.extend_button.clicked.connect(self.extend)
        self.confirm_button = QPushButton("Confirm order")
        self.confirm_button.setEnabled(False)
        self.confirm_button.clicked.connect(self.confirm)
        self.close_button = QPushButton("Cancel")
        self.close_button.clicked.connect(self.reject)
        payer_row = QHBoxLayout()
        payer_row.addWidget(QLabel("Payer"))
        payer_row.addWidget(self.payer, 1)
        payer_row.addWidget(QLabel("Purchase order"))
        payer_row.addWidget(self.po, 1)
        top = QHBoxLayout()
        for widget in (add_row, self.session_pick, load, paste):
            top.addWidget(widget)
        self.session_pick.setVisible(self.session_pick.count() > 0)
        self._payer_chosen()
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        for widget in (
            self.close_button,
            self.hold_button,
            self.extend_button,
            self.confirm_button,
        ):
            bottom.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.addLayout(payer_row)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.review)
        layout.addLayout(bottom)

    def _payer_chosen(self) -> None:
        if self.payers:
            self.org = self.payers[max(0, self.payer.currentIndex())]
        self.payer.setEnabled(len(self.payers) > 1 and self.order is None)
        self.po.setPlaceholderText("required" if self.org["po_required"] else "optional")

    def add_row(self) -> None:
        """A new row, on the session picked above the table (from the wizard)."""
        row = self.table.rowCount()
        self.table.insertRow(row)
        if self.session_pick.count():
            item = QTableWidgetItem()
            self.table.setItem(row, SESSION, item)
            self._name_session(item, self.session_pick.currentData())

    def _cell_text(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        if item is None:
            return ""
        session = item.data(ID_ROLE) if column == SESSION else None
        if session is not None:
            return str(session)
        return iso_birth(item.text().strip()) if column == BIRTH else item.text().strip()

    def rows(self) -> list[dict[str, Any]]:
        """Non-empty table rows as the service's row objects (session numbers, ISO dates)."""
        found = []
        for r in range(self.table.rowCount()):
            values = [self._cell_text(r, c) for c in range(len(KEYS))]
            if any(values):
                found.append(dict(zip(KEYS, values, strict=True)))
        return found

    def fill(self, rows: list[dict[str, Any]]) -> None:
        """The table from row objects (a file's or the service's); dates shown as typed."""
        self.table.setRowCount(max(len(rows), 1))
        for r, row in enumerate(rows):
            for c, key in enumerate(KEYS):
                text = str(row.get(key) or "")
                self.table.setItem(
                    r, c, QTableWidgetItem(typed_birth(text) if c == BIRTH else text)
                )
        self._describe()

    def _cell_changed(self, item: QTableWidgetItem) -> None:
        """A session number typed (or loaded) is replaced by the session it names: course,
        day and time, venue (in full in the tooltip); special requirements too long for the
        column show in full in theirs. Other text is left for the service."""
        if item.column() == NEEDS:
            self.table.blockSignals(True)
            item.setToolTip(item.text())
            self.table.blockSignals(False)
        if item.column() != SESSION:
            return
        text = item.text().strip()
        if (number := session_number(text)) is not None:
            self._name_session(item, number)
        elif item.data(ID_ROLE) is not None and text != self._brief(item.data(ID_ROLE)):
            item.setData(ID_ROLE, None)  # typed over: the service reads what was typed

    def _name_session(self, item: QTableWidgetItem, session_id: int) -> None:
        session = self.known.get(session_id)
        self.table.blockSignals(True)
        item.setData(ID_ROLE, session_id)
        if session is not None:
            item.setText(session.brief)
            item.setToolTip(f"Session {session.id}\n{session.description}")
        self.table.blockSignals(False)
        if session is None:
            self._look_up(session_id)

    def _brief(self, session_id: int) -> str:
        known = self.known.get(session_id)
        return known.brief if known else str(session_id)

    def _look_up(self, session_id: int) -> None:
        """Ask once for a session not yet known, then describe every cell that names it."""
        if session_id in self._asked:
            return
        self._asked.add(session_id)
        ApiOp(self, self.backend, sessions_api.get, sessions_api.GetParams(id=session_id)).success(
            self._learnt
        ).failure(lambda _e: None).run()

    def _learnt(self, session: Session) -> None:
        self.known[session.id] = SessionRow.of(session)
        self._describe()

    def _describe(self) -> None:
        """Every Session cell naming a session number shows the session (once known)."""
        for r in range(self.table.rowCount()):
            item = self.table.item(r, SESSION)
            if item is None:
                continue
            text, session_id = item.text().strip(), item.data(ID_ROLE)
            if session_id is None:
                session_id = session_number(text)
            if session_id is not None:
                self._name_session(item, session_id)

    def choose_csv(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Load staff", "", "CSV (*.csv)")
        if path:
            self.load_csv(Path(path))

    def load_csv(self, path: Path) -> None:
        """Fill the table from a CSV file (the service checks every cell)."""
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            self._show_error(f"Cannot read {path.name}: {exc}.")
            return
        self.load_text(text, path.name)

    def paste_csv(self) -> None:
        self.load_text(QApplication.clipboard().text(), "the clipboard")

    def load_text(self, text: str, source: str) -> None:
        try:
            rows, not_read = rows_from_text(text)
        except ValidationFailed as exc:
            self._show_error(f"Nothing was loaded from {source}. {exc.message}")
            return
        if not rows:
            self._show_error(f"There are no rows in {source}.")
            return
        self.fill(self.rows() + rows)
        set_state(self.message, "")
        skipped = (
            f" Not loaded (the table has no place for them): {', '.join(not_read)}."
            if not_read
            else ""
        )
        self.message.setText(f"Added {len(rows)} rows from {source}.{skipped}")

    def _show_error(self, text: str) -> None:
        set_state(self.message, "error")
        self.message.setText(text)

    def _params(self) -> dict[str, Any]:
        rows = []
        for row in self.rows():
            session = row["session"]
            rows.append(row | {"session": session_number(session) or session})
        return {"organisation_id": self.org["id"], "rows": rows, "po": self.po.text() or None}

    def hold(self) -> None:
        self.hold_button.setEnabled(False)
        BackendOp(self, self.backend, "organisations.order.start", self._params()).success(
            self._held
        ).failure(self._failed).run()

    def _held(self, order: dict[str, Any]) -> None:
        self.order = order
        for part in order["sessions"]:
            self.known[part["session"]["id"]] = SessionRow.from_json(part["session"])
        self._describe()
        for widget in self.editing:
            widget.setEnabled(False)
        self.extend_button.setEnabled(True)
        until = to_london(datetime.fromisoformat(order["expires_at"]))
        set_state(self.message, "")
        self.message.setText(
            f"All {order['seats']} seats are held until {until:%H:%M}. "
            "Check the order, then confirm it."
        )
        self.review.setText(review_text(order))
        self.confirm_button.setEnabled(True)

    def _failed(self, error: BaseException) -> None:
        self.hold_button.setEnabled(self.order is None)
        self._show_error(plain_message(error))

    def extend(self) -> None:
        assert self.order is not None
        BackendOp(
            self, self.backend, "organisations.order.extend", {"id": self.order["id"]}
        ).success(self._held).failure(self._failed).run()

    def confirm(self) -> None:
        assert self.order is not None
        self.confirm_button.setEnabled(False)
        BackendOp(
            self, self.backend, "organisations.order.confirm", {"id": self.order["id"]}
        ).success(self._confirmed).failure(self._failed).run()

    def _confirmed(self, order: dict[str, Any]) -> None:
        self.order = order
        set_state(self.message, "")
        self.message.setText(
            f"Booked {', '.join(order['references'])}. Invoice {order['invoice']} has been "
            "emailed to the invoice contact."
        )
        for button in (self.hold_button, self.extend_button, self.confirm_button):
            button.hide()
        self.close_button.setText("Close")
        self.ordered.emit(order)

    def reject(self) -> None:
        """Closing before confirming gives the held seats back at once."""
        if self.order is not None and self.order["status"] == "HELD":
            BackendOp(
                self.parent() or self,
                self.backend,
                "organisations.order.release",
                {"id": self.order["id"]},
            ).run()
        super().reject()
