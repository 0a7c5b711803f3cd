"""The Schedule tab (admin and manager): upcoming sessions, and buttons to create (or repeat),
edit or move, and cancel one with a reason."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.infra.clock import today_london
from core.models.statuses import SessionStatus
from core.staff.roles import OFFICE
from desktop import layouts
from desktop.admin.roles import load, may_use
from desktop.admin.session_dialog import SessionDialog
from desktop.backend import Backend
from desktop.session_data import SessionRow, session_change
from desktop.session_list import COLUMNS, SessionFilterProxy, SessionTableModel
from desktop.tasks import BackendOp, plain_message
from desktop.wording import plural

WEEKS_SHOWN = 16
RELOAD_DEBOUNCE_MS = 500


class ScheduleTab(QWidget):
    def __init__(self, backend: Backend, window: Any = None) -> None:
        super().__init__()
        self.backend = backend
        self.model = SessionTableModel(self)
        self.proxy = SessionFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = layouts.row_table(self.proxy, sortable=True)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        layouts.stretch_column(self.table, COLUMNS.index("Course"))
        self.table.doubleClicked.connect(lambda _i: self.edit_selected())

        self.new_button = QPushButton("New session…")
        self.edit_button = QPushButton("Edit or move…")
        self.cancel_button = QPushButton("Cancel session…")
        self.new_button.clicked.connect(self.new_session)
        self.edit_button.clicked.connect(self.edit_selected)
        self.cancel_button.clicked.connect(self.cancel_selected)
        self.count = QLabel()
        bar = QHBoxLayout()
        for button in (self.new_button, self.edit_button, self.cancel_button):
            bar.addWidget(button)
        bar.addStretch(1)
        bar.addWidget(self.count)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table)
        self._reload_soon = QTimer(self)
        self._reload_soon.setSingleShot(True)
        self._reload_soon.setInterval(RELOAD_DEBOUNCE_MS)
        self._reload_soon.timeout.connect(self.reload)
        backend.changed.connect(self._on_change)
        backend.role_changed.connect(lambda _role: self.reload())
        self.reload()

    def reload(self) -> None:
        if not may_use(self.backend, OFFICE):
            return
        today = today_london()
        params = {
            "date_from": today.isoformat(),
            "date_to": (today + timedelta(weeks=WEEKS_SHOWN)).isoformat(),
        }
        load(self, self.backend, "sessions.list", params, self._loaded)

    def _loaded(self, sessions: list[dict[str, Any]]) -> None:
        self.model.set_sessions([SessionRow.from_json(s) for s in sessions])
        self.count.setText(f"{len(sessions)} sessions in the next {WEEKS_SHOWN} weeks")

    def _on_change(self, message: dict[str, Any]) -> None:
        """Update a listed session in place; a new one in range reloads (at most twice a
        second, however busy the feed)."""
        session = session_change(message)
        if session is None or self.model.update_session(session):
            return
        today = today_london()
        if today <= session.day <= today + timedelta(weeks=WEEKS_SHOWN):
            self._reload_soon.start()

    def selected(self) -> dict[str, Any] | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        row = self.model.rows[self.proxy.mapToSource(rows[0]).row()]
        return row.raw

    def new_session(self) -> SessionDialog:
        dialog = SessionDialog(self.backend, self)
        dialog.saved.connect(lambda _r: self.reload())
        dialog.open()
        return dialog

    def edit_selected(self) -> None:
        session = self.selected()
        if session is None:
            return
        BackendOp(self, self.backend, "sessions.get", {"id": session["id"]}).success(
            self._edit
        ).run()

    def _edit(self, session: dict[str, Any]) -> None:
        dialog = SessionDialog(self.backend, self, session=session)
        dialog.saved.connect(lambda _r: self.reload())
        dialog.open()

    def cancel_selected(self) -> None:
        session = self.selected()
        if session is None or session["status"] == SessionStatus.CANCELLED:
            return
        booked = session.get("booked", 0)
        note = (
            f" {plural(booked, 'booked attendee')} will be emailed and offered a transfer "
            "or refund."
            if booked
            else ""
        )
        reason, ok = QInputDialog.getText(
            self, "Cancel session", f"Why is {session['course_name']} cancelled?{note}"
        )
        if not ok or not reason.strip():
            return
        params = {"id": session["id"], "reason": reason.strip(), "version": session["version"]}
        BackendOp(self, self.backend, "schedule.cancel", params).success(
            lambda _r: self.reload()
        ).failure(self._warn).run()

    def _warn(self, error: BaseException) -> None:
        QMessageBox.warning(self, "Not cancelled", plain_message(error))
