"""The Audit tab (admin): who did what and when, with the record before and after; filter it
and export what is shown to CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.infra.clock import today_london
from core.staff.roles import ADMIN
from desktop.admin.qt_dates import to_date
from desktop.admin.record_table import RecordTableModel, record_view
from desktop.admin.roles import load, may_use
from desktop.backend import Backend
from desktop.tasks import BackendOp
from desktop.uk_dates import date_edit


def changes_text(entry: dict[str, Any]) -> str:
    """Field changes one per line: ``capacity: 10 → 12``; a new record's fields as set."""
    lines = []
    for change in entry.get("changes", []):
        if not change["before"]:
            lines.append(f"{change['field']}: {change['after']}")
        elif not change["after"]:
            lines.append(f"{change['field']}: {change['before']} (removed)")
        else:
            lines.append(f"{change['field']}: {change['before']} → {change['after']}")
    return "\n".join(lines)


COLUMNS = [
    ("When", lambda e: e["when"]),
    ("Who", lambda e: f"{e['actor']} ({e['role'] or e['channel']})"),
    ("Action", lambda e: e["action"]),
    ("What", lambda e: f"{e['entity']} {e['entity_id']}"),
    ("Reason", lambda e: e["reason"] or ""),
    ("Changes", changes_text),
]


class AuditTab(QWidget):
    def __init__(self, backend: Backend, window: Any = None) -> None:
        super().__init__()
        self.backend = backend
        self.model = RecordTableModel(COLUMNS, parent=self)
        self.table = record_view(self.model, self)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.action = QLineEdit()
        self.action.setPlaceholderText("action, e.g. session or staff")
        self.actor = QLineEdit()
        self.actor.setPlaceholderText("who")
        self.date_from = date_edit(today_london().replace(day=1), "From")
        self.date_to = date_edit(today_london(), "To")
        show = QPushButton("Show")
        show.clicked.connect(self.reload)
        export = QPushButton("Export CSV…")
        export.clicked.connect(self.export)
        self.count = QLabel()
        bar = QHBoxLayout()
        for widget in (
            QLabel("Action"),
            self.action,
            QLabel("Who"),
            self.actor,
            QLabel("From"),
            self.date_from,
            QLabel("to"),
            self.date_to,
            show,
            export,
        ):
            bar.addWidget(widget)
        bar.addStretch(1)
        bar.addWidget(self.count)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table)
        backend.role_changed.connect(lambda _role: self.reload())
        self.reload()

    def filters(self) -> dict[str, Any]:
        return {
            "action": self.action.text().strip() or None,
            "actor": self.actor.text().strip() or None,
            "date_from": to_date(self.date_from.date()).isoformat(),
            "date_to": to_date(self.date_to.date()).isoformat(),
        }

    def reload(self) -> None:
        if not may_use(self.backend, ADMIN):
            return
        load(self, self.backend, "audit.list", self.filters(), self._loaded)

    def _loaded(self, entries: list[dict[str, Any]]) -> None:
        self.model.set_rows(entries)
        self.count.setText(f"{len(entries)} entries")

    def export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export audit log", "audit.csv", "CSV (*.csv)")
        if not path:
            return
        BackendOp(self, self.backend, "audit.export_csv", self.filters()).success(
            lambda r: self._write(Path(path), r)
        ).run()

    def _write(self, path: Path, result: dict[str, Any]) -> None:
        path.write_text(result["csv"], encoding="utf-8", newline="")
        QMessageBox.information(self, "Exported", f"Wrote {result['rows']} entries to {path}.")
