"""The trainer's "My sessions": today's first, then upcoming, then the last 14 days.

One table model over the device's cached sessions; Enter or a double click opens the
register. Works offline from the device's cache.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QFont
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.infra.clock import uk_date
from desktop.headed_table_model import AnyIndex, HeadedTableModel
from desktop.style_sheet import colour
from desktop.trainer.style import BUTTON_HEIGHT, GROUP_COLOURS
from desktop.trainer.touch_table import touch_table

COLUMNS = ("", "Date", "Time", "Course", "Venue", "Booked")
GROUP_TEXT = {"today": "Today", "upcoming": "Upcoming", "recent": "Last 14 days"}


def _when(session: dict[str, Any]) -> tuple[str, str]:
    start = datetime.fromisoformat(session["start"])
    end = datetime.fromisoformat(session["end"])
    days = len(session["days"])
    date_text = uk_date(start.date()) + (f" · {days} days" if days > 1 else "")
    return date_text, f"{start:%H:%M}–{end:%H:%M}"


class TrainerSessionModel(HeadedTableModel):
    COLUMNS = COLUMNS

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[dict[str, Any]] = []

    def set_sessions(self, sessions: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self.rows = sessions
        self.endResetModel()

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        s = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            date_text, time_text = _when(s)
            venue = s["venue_name"] + (f", {s['room']}" if s.get("room") else "")
            return (
                GROUP_TEXT[s["when"]],
                date_text,
                time_text,
                s["course_name"],
                venue,
                str(s["booked"]),
            )[col]
        if role == Qt.ItemDataRole.ForegroundRole and col == 0:
            return QBrush(colour(GROUP_COLOURS[s["when"]]))
        if role == Qt.ItemDataRole.FontRole and (col == 0 or s["when"] == "today"):
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{GROUP_TEXT[s['when']]}: {s['course_name']} at {s['venue_name']}"
        return None


class MySessionsView(QWidget):
    """The list of the trainer's sessions; emits ``open_register(session)``."""

    open_register = Signal(dict)
    refresh_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = TrainerSessionModel(self)
        self.title = QLabel("My sessions")
        self.title.setObjectName("trainerTitle")
        self.empty = QLabel("No sessions in the last 14 days or coming up.")
        self.empty.hide()
        self.table = touch_table(self.model, "My sessions")
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(lambda index: self._open(index.row()))
        self.table.activated.connect(lambda index: self._open(index.row()))
        self.open_button = QPushButton("Open &register")
        self.refresh_button = QPushButton("&Refresh")
        for button in (self.open_button, self.refresh_button):
            button.setMinimumHeight(BUTTON_HEIGHT)
        self.open_button.clicked.connect(lambda: self._open(self.table.currentIndex().row()))
        self.refresh_button.clicked.connect(self.refresh_requested.emit)
        buttons = QHBoxLayout()
        buttons.addWidget(self.refresh_button)
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addLayout(buttons)

    def set_sessions(self, sessions: list[dict[str, Any]]) -> None:
        self.model.set_sessions(sessions)
        self.empty.setVisible(not sessions)
        if sessions:
            self.table.selectRow(0)
        self.table.setFocus()

    def _open(self, row: int) -> None:
        if 0 <= row < len(self.model.rows):
            self.open_register.emit(self.model.rows[row])
