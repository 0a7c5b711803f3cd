"""Bulk booking from an organisation's record: people in a table (typed or loaded from CSV),
then every seat held and one review, then one confirmation; or cancel, releasing the seats."""

from __future__ import annotations

import csv
import html
import io
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.clock import to_london, uk_datetime
from core.money import gbp
from desktop.backend import Backend
from desktop.style_sheet import set_state
from desktop.tasks import BackendOp, plain_message

HEADERS = ("Session", "Name", "Email", "Date of birth (YYYY-MM-DD)")
KEYS = ("session", "name", "email", "date_of_birth")


def review_text(order: dict[str, Any]) -> str:
    """The review in words: each session, its people and price, then the totals."""
    lines = []
    for part in order["sessions"]:
        s, q = part["session"], part["quote"]
        names = html.escape(", ".join(p["name"] for p in part["people"]))
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


class BulkOrderDialog(QDialog):
    """People first; "Hold seats and review" holds everything; "Confirm order" books it."""

    def __init__(self, parent: QWidget, backend: Backend, org: dict[str, Any]) -> None:
        super().__init__(parent)
        self.backend, self.org = backend, org
        self.order: dict[str, Any] | None = None
        self.setWindowTitle(f"Bulk booking for {org['name']}")
        self.resize(760, 520)
        self.table = QTableWidget(4, len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.po = QLineEdit()
        self.po.setPlaceholderText("required" if org["po_required"] else "optional")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.review = QLabel()
        self.review.setWordWrap(True)
        add_row = QPushButton("Add row")
        add_row.clicked.connect(lambda: self.table.insertRow(self.table.rowCount()))
        load = QPushButton("Load CSV…")
        load.clicked.connect(self.choose_csv)
        self.editing: tuple[QWidget, ...] = (self.table, self.po, add_row, load)
        self.hold_button = QPushButton("Hold seats and review")
        self.hold_button.clicked.connect(self.hold)
        self.extend_button = QPushButton("Hold longer")
        self.extend_button.setEnabled(False)
        self.extend_button.clicked.connect(self.extend)
        self.confirm_button = QPushButton("Confirm order")
        self.confirm_button.setEnabled(False)
        self.confirm_button.clicked.connect(self.confirm)
        close = QPushButton("Cancel")
        close.clicked.connect(self.reject)
        top = QHBoxLayout()
        for widget in (add_row, load, QLabel("Purchase order"), self.po):
            top.addWidget(widget)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        for widget in (close, self.hold_button, self.extend_button, self.confirm_button):
            bottom.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.review)
        layout.addLayout(bottom)

    def rows(self) -> list[dict[str, Any]]:
        """Non-empty table rows as the service's row objects."""
        found = []
        for r in range(self.table.rowCount()):
            cells = [self.table.item(r, c) for c in range(len(KEYS))]
            values = [c.text().strip() if c is not None else "" for c in cells]
            if any(values):
                found.append(dict(zip(KEYS, values, strict=True)))
        return found

    def fill(self, rows: list[dict[str, Any]]) -> None:
        self.table.setRowCount(max(len(rows), 1))
        for r, row in enumerate(rows):
            for c, key in enumerate(KEYS):
                self.table.setItem(r, c, QTableWidgetItem(str(row.get(key) or "")))

    def choose_csv(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Load staff", "", "CSV (*.csv)")
        if path:
            self.load_csv(Path(path))

    def load_csv(self, path: Path) -> None:
        """Fill the table from a CSV file with a header row (the service checks every cell)."""
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            self._show_error(f"Cannot read {path.name}: {exc}.")
            return
        reader = csv.DictReader(io.StringIO(text))
        rows = []
        for item in reader:
            clean = {
                (k or "").strip().casefold().replace(" ", "_"): (v or "")
                for k, v in item.items()
                if isinstance(v, str)
            }
            clean.setdefault("date_of_birth", clean.get("dob", ""))
            rows.append(clean)
        self.fill(rows)
        self.message.setText(f"Loaded {len(rows)} rows from {path.name}.")

    def _show_error(self, text: str) -> None:
        set_state(self.message, "error")
        self.message.setText(text)

    def _params(self) -> dict[str, Any]:
        rows = []
        for row in self.rows():
            session = row["session"]
            rows.append(row | {"session": int(session) if session.isdigit() else session})
        return {"organisation_id": self.org["id"], "rows": rows, "po": self.po.text() or None}

    def hold(self) -> None:
        self.hold_button.setEnabled(False)
        BackendOp(self, self.backend, "organisations.order.start", self._params()).success(
            self._held
        ).failure(self._failed).run()

    def _held(self, order: dict[str, Any]) -> None:
        self.order = order
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
