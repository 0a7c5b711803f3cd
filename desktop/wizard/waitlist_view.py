"""A session's waiting list on the desk: who waits, who holds an offer and until when, and
accepting or declining an offer for someone who replied to the office."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from core.infra.clock import uk_datetime
from desktop.admin.record_table import RecordTableModel, record_view
from desktop.backend import Backend
from desktop.tasks import BackendOp, plain_message


def _offer_until(entry: dict[str, Any]) -> str:
    until = entry.get("offer_expires")
    if not until or entry["status"] != "offered":
        return ""
    return uk_datetime(datetime.fromisoformat(until))


COLUMNS = [
    ("No.", lambda e: e["id"]),
    ("Contact", lambda e: e["contact"]["name"]),
    ("Seats", lambda e: e["seats"]),
    ("Position", lambda e: e["position"]),
    ("Status", lambda e: "offer expired" if e["status"] == "expired" else e["status"]),
    ("Offer until", _offer_until),
]


class WaitlistView(QWidget):
    """``waitlist.list`` for one session, with ``waitlist.accept`` / ``waitlist.decline``."""

    def __init__(self, backend: Backend, session_id: int) -> None:
        super().__init__()
        self.backend, self.session_id = backend, session_id
        self.model = RecordTableModel(COLUMNS, lambda e: e["status"] == "offered", self)
        self.table = record_view(self.model, self)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._selection())
        self.accept_button = QPushButton("Offer &accepted")
        self.accept_button.setToolTip("They replied to the office: keep the seats held for them")
        self.decline_button = QPushButton("&Decline / remove")
        self.accept_button.clicked.connect(self._accept)
        self.decline_button.clicked.connect(self._decline)
        self.note = QLabel()
        self.note.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.accept_button)
        buttons.addWidget(self.decline_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.note)
        self._selection()

    def load(self) -> None:
        BackendOp(self, self.backend, "waitlist.list", {"session_id": self.session_id}).success(
            self._listed
        ).failure(lambda e: self.note.setText(plain_message(e))).run()

    def _listed(self, found: list[dict[str, Any]]) -> None:
        self.model.set_rows(found)
        self._selection()

    def selected(self) -> dict[str, Any] | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.rows[rows[0].row()] if rows else None

    def _selection(self) -> None:
        entry = self.selected()
        status = entry["status"] if entry else None
        self.accept_button.setEnabled(status == "offered")
        self.decline_button.setEnabled(status in ("waiting", "offered"))

    def _accept(self) -> None:
        self._act("waitlist.accept")

    def _decline(self) -> None:
        self._act("waitlist.decline")

    def _act(self, method: str) -> None:
        entry = self.selected()
        if entry is None:
            return

        def done(result: dict[str, Any]) -> None:
            self.note.setText(
                f"Number {result['id']} accepted: the seats stay held until the offer ends."
                if result["status"] == "accepted"
                else f"Number {result['id']} declined; any held seats went to the next in line."
            )
            self.load()

        BackendOp(self, self.backend, method, {"id": entry["id"]}).success(done).failure(
            lambda e: self.note.setText(plain_message(e))
        ).run()
