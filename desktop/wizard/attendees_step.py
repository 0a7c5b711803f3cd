"""Step 2: who is coming. Add and remove rows; each row is checked as it is typed."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from core.models import MAX_CAPACITY
from desktop.style_sheet import set_state
from desktop.wizard.attendees import AttendeesModel


class AttendeesStep(QWidget):
    title = "Attendees"

    def __init__(self) -> None:
        super().__init__()
        self.model = AttendeesModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.AllEditTriggers
            & ~QAbstractItemView.EditTrigger.CurrentChanged
        )
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setMinimumSectionSize(120)
        for col, width in enumerate((200, 240, 140, 130)):
            self.table.setColumnWidth(col, width)
        self.add = QPushButton("&Add attendee")
        self.remove = QPushButton("&Remove selected")
        self.add.clicked.connect(self.add_attendee)
        self.remove.clicked.connect(self.remove_selected)
        self.help = QLabel(
            "Type each person's details. Dates of birth as day/month/year (17/05/1990). "
            "The first attendee receives the confirmation."
        )
        self.help.setWordWrap(True)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        set_state(self.problem, "error")
        self.problem.setMinimumHeight(2 * self.problem.fontMetrics().lineSpacing() + 4)  # 2 lines
        buttons = QHBoxLayout()
        buttons.addWidget(self.add)
        buttons.addWidget(self.remove)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.help)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.problem)
        self.model.edited.connect(self._show_problem)

    def add_attendee(self) -> None:
        if self.model.rowCount() >= MAX_CAPACITY:
            return
        row = self.model.add_row()
        index = self.model.index(row, 0)
        self.table.setCurrentIndex(index)
        self.table.edit(index)

    def remove_selected(self) -> None:
        picked = {i.row() for i in self.table.selectionModel().selectedIndexes()}
        for row in sorted(picked, reverse=True):
            self.model.remove_row(row)

    def _show_problem(self) -> None:
        count = self.model.rowCount()
        self.add.setEnabled(count < MAX_CAPACITY)
        self.problem.setText(self.model.first_problem() or "")
